"""Demo and scale data: real regions, our grids, enterprises and venues, and one account per role.

``manage.py demo --enterprises N`` calls :func:`generate`. Up to ``PROVINCE_THRESHOLD``
enterprises go into one district (default 太仓市 320585); more are spread over the whole
province of that district (the demo district keeps at least a tenth of them), so that
``--enterprises 20000`` gives a province-sized installation: ~1,500 towns, a grid per 25-40
enterprises and at least one per town, one inspector per grid.

Everything is deterministic for a given ``--seed`` and database state, and written with
``bulk_create`` in batches (one password hash reused for every account), so 20,000 enterprises
take seconds, not minutes. The demo writes the tables directly, not through the services: it
is seeding an empty installation, and the services' per-row checks and audit entries would make
the scale run a hundred times slower. It records one audit entry for the run.

Other apps' demo records (hazards, inspections …) are added proportionally by
``anjian/demo/<app>.py`` modules with a function ``contribute(context: DemoContext) -> str``; each
is called, in ``INSTALLED_APPS`` order, once the enterprises and accounts exist, inside the same
transaction, and returns a line for the summary.
"""

from __future__ import annotations

import importlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.util import find_spec

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction

from anjian.core import audit
from anjian.core.management.commands.load_regions import load_regions
from anjian.core.models import Department, Region, RegionLevel, User
from anjian.core.roles import Role
from anjian.core.scoping import region_condition, region_contains
from anjian.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from anjian.enterprises.models import (
    Enterprise,
    EnterpriseKind,
    Industry,
    OperatingStatus,
    Scale,
    StandardizationGrade,
    SupervisionClass,
    Tag,
    VenueType,
)
from anjian.enterprises.reference_data import COMPREHENSIVE_DEPARTMENT, load_reference_data

DEMO_PASSWORD = "Anjian@2026"
PROVINCE_THRESHOLD = 2000  # above this many enterprises the whole province is loaded
DEMO_DISTRICT_SHARE = 0.10  # at province scale, the demo district keeps at least this share
ENTERPRISES_PER_GRID = 32  # about one grid per 25-40 enterprises
VENUE_SHARE = 0.08
BATCH = 1000
AGENCY_CONTRACTS = 10

# --- Geography ----------------------------------------------------------------------------------
# Approximate WGS-84 centres. Taicang's towns are placed where they are; elsewhere a district
# lies near its city's centre (Jiangsu) or its province's capital, towns around the district.
TAICANG_TOWNS = {
    "320585100": (31.455, 121.105),  # 城厢镇
    "320585101": (31.565, 121.060),  # 沙溪镇
    "320585102": (31.505, 121.265),  # 浏河镇
    "320585103": (31.615, 121.200),  # 浮桥镇
    "320585104": (31.665, 121.100),  # 璜泾镇
    "320585105": (31.530, 121.000),  # 双凤镇
    "320585400": (31.480, 121.165),  # 经济开发区
    "320585403": (31.460, 121.060),  # 科教新城
}
CITY_CENTRES = {
    "3201": (32.06, 118.80),
    "3202": (31.49, 120.31),
    "3203": (34.26, 117.18),
    "3204": (31.81, 119.97),
    "3205": (31.30, 120.62),
    "3206": (32.00, 120.86),
    "3207": (34.60, 119.22),
    "3208": (33.61, 119.02),
    "3209": (33.35, 120.16),
    "3210": (32.39, 119.41),
    "3211": (32.19, 119.42),
    "3212": (32.46, 119.92),
    "3213": (33.96, 118.28),
}
PROVINCE_CENTRES = {
    "11": (39.90, 116.40), "12": (39.13, 117.20), "13": (38.04, 114.51), "14": (37.87, 112.55),
    "15": (40.84, 111.75), "21": (41.80, 123.43), "22": (43.82, 125.32), "23": (45.80, 126.53),
    "31": (31.23, 121.47), "32": (32.06, 118.80), "33": (30.27, 120.15), "34": (31.82, 117.23),
    "35": (26.07, 119.30), "36": (28.68, 115.86), "37": (36.65, 117.12), "41": (34.75, 113.62),
    "42": (30.59, 114.30), "43": (28.23, 112.94), "44": (23.13, 113.26), "45": (22.82, 108.32),
    "46": (20.04, 110.34), "50": (29.56, 106.55), "51": (30.57, 104.07), "52": (26.65, 106.63),
    "53": (25.04, 102.71), "54": (29.65, 91.13), "61": (34.34, 108.94), "62": (36.06, 103.83),
    "63": (36.62, 101.78), "64": (38.49, 106.23), "65": (43.83, 87.62),
}  # fmt: skip
JIANGSU_BOUNDS = (30.76, 35.12, 116.36, 121.95)  # lat min, lat max, lng min, lng max

# --- Vocabulary ---------------------------------------------------------------------------------
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
# Jiangsu's common surnames appear more often.
SURNAMES_WEIGHTED = SURNAMES + "陆顾沈钱朱徐张王陈周吴" * 2
GIVEN_CHARS = (
    "建国明华军伟芳丽强磊洋勇艳杰娟涛超秀英敏静斌刚平辉玲鹏飞宇浩凯健俊帆晓志海红春林峰文雪梅琴云霞燕佳欣"
    "雨婷亮东波宁兵荣新卫忠德福贵祥瑞明慧颖婧昊天宏晨阳光振兴永立成嘉怡丹思远"
)
BRANDS = (
    "华盛 恒力 宏达 永鑫 金鼎 瑞丰 德邦 天宇 嘉禾 新锐 鼎泰 润泽 博远 正昌 鑫源 汇川 中联 协力 长城 东方 "
    "海通 宏远 盛达 佳和 凯瑞 恒通 兴隆 富达 华泰 裕丰 金泰 明辉 联创 同创 卓越 天成 万通 振华 宝丰 荣昌 "
    "利达 永盛 飞龙 腾飞 信达 亿丰 德润 华鑫 恒瑞 安达 鸿运 盈科 昊天 锦程 诚信 新世纪 科达 高德 三利 双星 "
    "金桥 江海 港城 娄东 弘扬 金鹰 凯达 鑫海 海创 顺昌 晨光 银河 环球 星辰 汉森 铭泰 鼎盛 聚源 泓泰 恒美 "
    "立信 宏图 华美 嘉瑞 天和 通达 永康 瑞祥 盛世 久隆 万华 亚太 博瑞 维特 德尔 施耐 精工 合力 友联 长江"
).split()
ROADS = (
    "人民 解放 建设 长江 新华 北京 上海 南京 常胜 郑和 太平 白云 岳王 沿江 光明 朝阳 青年 兴业 科技 创业 "
    "富民 华山 泰山 黄河 珠江 宁波 杭州 广州 苏州 滨河 东亭 娄江 半泾 沪太 新港 通港 陆渡 振兴 工业 友谊"
).split()
# division → (words that go into a company name, main products)
INDUSTRY_VOCAB: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "A01": (("农业", "生态农业"), ("水稻", "蔬菜", "果蔬")),
    "C13": (("食品", "粮油", "饲料", "冷冻食品", "肉类加工"), ("大米", "饲料", "冷冻水产品", "食用植物油", "肉制品")),
    "C14": (("食品", "乳业", "烘焙食品", "调味品"), ("糕点", "乳制品", "酱油", "速冻食品")),
    "C15": (("酒业", "饮料", "茶业"), ("黄酒", "饮用水", "果汁饮料", "绿茶")),
    "C17": (("纺织", "化纤纺织", "织造", "印染"), ("棉纱", "化纤面料", "无纺布", "涤纶长丝")),
    "C18": (("服饰", "制衣", "针织服装"), ("针织服装", "羽绒服", "工作服")),
    "C19": (("鞋业", "皮革制品"), ("皮鞋", "箱包")),
    "C20": (("木业", "木制品"), ("胶合板", "木门", "木托盘")),
    "C21": (("家具", "办公家具"), ("办公家具", "实木家具", "钢制家具")),
    "C22": (("纸业", "包装材料", "纸制品"), ("瓦楞纸箱", "包装纸", "纸管")),
    "C23": (("印刷", "彩印包装"), ("包装印刷品", "书刊")),
    "C24": (("文体用品", "工艺品"), ("体育器材", "文具", "工艺礼品")),
    "C26": (("化工", "新材料", "涂料", "精细化工"), ("水性涂料", "胶粘剂", "助剂", "树脂")),
    "C27": (("制药", "生物医药"), ("原料药", "医用敷料")),
    "C28": (("化纤",), ("涤纶短纤", "锦纶丝")),
    "C29": (("塑胶", "塑业", "橡塑制品", "橡胶"), ("注塑件", "塑料薄膜", "橡胶密封件", "PVC管材")),
    "C30": (("建材", "新型建材", "玻璃制品", "混凝土"), ("商品混凝土", "玻璃制品", "陶瓷", "石材")),
    "C31": (("钢铁", "特钢"), ("不锈钢带", "钢坯")),
    "C32": (("铝业", "有色金属", "铜业"), ("铝型材", "铜管", "压铸件")),
    "C33": (
        ("金属制品", "五金", "钢结构", "紧固件", "金属表面处理"),
        ("五金件", "钢结构件", "紧固件", "铝合金门窗", "金属冲压件"),
    ),
    "C34": (
        ("机械", "精密机械", "通用设备", "液压", "阀门", "轴承"),
        ("数控机床零部件", "阀门", "液压件", "轴承", "泵", "压缩机"),
    ),
    "C35": (("专用设备", "智能装备", "环保设备", "机电"), ("包装机械", "环保设备", "纺织机械", "医疗器械")),
    "C36": (("汽车零部件", "汽车配件"), ("汽车座椅", "制动器", "汽车线束")),
    "C37": (("船舶配件", "航空零部件"), ("船用设备", "航空紧固件")),
    "C38": (("电气", "电器", "电缆", "电机"), ("电线电缆", "开关柜", "小家电", "电动机")),
    "C39": (("电子", "光电", "电子科技", "半导体"), ("电路板", "电子元器件", "光电模组", "连接器")),
    "C40": (("仪器仪表", "仪表"), ("流量计", "压力表", "检测仪器")),
    "C41": (("日用制品",), ("日用杂品",)),
    "C42": (("再生资源", "资源利用"), ("再生塑料颗粒", "废钢加工")),
    "C43": (("设备维修", "机电维修"), ("设备维修服务",)),
    "D44": (("热电", "新能源", "电力"), ("电力", "蒸汽")),
    "D45": (("燃气",), ("管道天然气", "液化石油气")),
    "D46": (("水务", "自来水"), ("自来水",)),
    "E47": (("建设", "建筑"), ("房屋建筑施工",)),
    "E48": (("市政工程", "路桥工程"), ("市政道路施工",)),
    "E49": (("安装工程", "机电安装"), ("机电设备安装",)),
    "E50": (("装饰工程", "建筑装饰"), ("室内装修",)),
    "F51": (("贸易", "商贸", "物资"), ("化工原料批发", "钢材批发", "五金批发")),
    "F52": (("超市", "商贸"), ("日用品零售",)),
    "G54": (("物流", "运输"), ("道路货物运输",)),
    "G59": (("仓储", "仓储物流"), ("仓储服务", "装卸搬运")),
    "L72": (("物业管理", "企业管理"), ("物业服务",)),
    "M74": (("检测", "工程技术"), ("检验检测",)),
    "N77": (("环境科技", "环保"), ("污水处理",)),
    "O81": (("汽车维修", "汽修"), ("机动车维修",)),
}
# Weighted toward manufacturing (C13-C43), as in an industrial county.
INDUSTRY_WEIGHTS: dict[str, float] = {
    "C33": 12, "C34": 12, "C35": 8, "C38": 8, "C29": 7, "C36": 6, "C39": 6, "C17": 5, "C26": 4, "C18": 3,
    "C13": 3, "C30": 3, "C14": 2, "C21": 2, "C22": 2, "C23": 2, "C32": 2, "C40": 2, "C15": 1, "C19": 1,
    "C20": 1, "C24": 1, "C27": 1, "C28": 1, "C31": 1, "C37": 1, "C41": 1, "C42": 1, "C43": 1,
    "F51": 4, "F52": 2, "G54": 2, "G59": 3, "E47": 1, "E48": 1, "E49": 1, "E50": 1, "D44": 1, "D45": 1,
    "D46": 0.5, "M74": 1, "O81": 1, "N77": 1, "A01": 0.5, "L72": 1,
}  # fmt: skip
# (venue type, weight, industry division)
VENUE_TYPES: list[tuple[str, float, str]] = [
    (VenueType.SCHOOL, 30, "P83"),
    (VenueType.HOSPITAL, 12, "Q84"),
    (VenueType.CARE_HOME, 15, "Q85"),
    (VenueType.CINEMA, 8, "R87"),
    (VenueType.RELIGIOUS, 10, "S95"),
    (VenueType.MARKET, 15, "F52"),
    (VenueType.HOTEL, 5, "H61"),
    (VenueType.RESTAURANT, 5, "H62"),
]
VENUE_STAFF = {
    VenueType.SCHOOL: (40, 220),
    VenueType.HOSPITAL: (80, 1500),
    VenueType.CARE_HOME: (10, 80),
    VenueType.CINEMA: (10, 40),
    VenueType.RELIGIOUS: (3, 20),
    VenueType.MARKET: (20, 300),
    VenueType.HOTEL: (30, 200),
    VenueType.RESTAURANT: (8, 60),
}
TEMPLE_NAMES = "普济 福田 观音 慈云 延福 兴福 广福 灵岩 海宁 永寿".split()
CHEMICALS = (
    "天然气 液氨 氧气 乙炔 丙烷 甲苯 二甲苯 乙酸乙酯 丙酮 油漆 稀释剂 盐酸 硫酸 氢氧化钠 次氯酸钠 液氮 氩气 柴油 甲醇 异丙醇"
).split()
EQUIPMENT = (
    "叉车{n}台",
    "桥式起重机{n}台",
    "电动葫芦{n}台",
    "压力容器{n}台",
    "燃气锅炉{n}台",
    "货运电梯{n}部",
    "储气罐{n}个",
)
OPERATIONS = (
    "电工作业",
    "焊接与热切割作业",
    "高处作业",
    "制冷与空调作业",
    "危险化学品安全作业",
    "叉车司机",
    "起重机指挥",
)
MOBILE_PREFIXES = (
    "139 138 137 136 135 150 151 152 157 158 159 182 183 187 188 130 131 132 155 156 185 133 153 180 181 177".split()
)

# Tags by industry: (tag, probability).
INDUSTRY_TAGS: dict[str, list[tuple[str, float]]] = {
    "C13": [("涉爆粉尘", 0.3), ("有限空间作业", 0.4), ("液氨制冷", 0.3), ("燃气使用", 0.2)],
    "C14": [("涉爆粉尘", 0.3), ("有限空间作业", 0.3), ("液氨制冷", 0.2), ("燃气使用", 0.3)],
    "C15": [("有限空间作业", 0.4), ("涉氨制冷", 0.2)],
    "C17": [("涉爆粉尘", 0.2), ("有限空间作业", 0.3)],
    "C20": [("涉爆粉尘", 0.6)],
    "C21": [("涉爆粉尘", 0.4), ("喷涂作业", 0.4)],
    "C22": [("有限空间作业", 0.4), ("涉爆粉尘", 0.2)],
    "C24": [("涉爆粉尘", 0.3)],
    "C26": [("危险化学品使用", 0.8), ("有限空间作业", 0.4), ("重大危险源", 0.05)],
    "C27": [("危险化学品使用", 0.5), ("有限空间作业", 0.3)],
    "C29": [("危险化学品使用", 0.3)],
    "C31": [("金属冶炼", 0.7), ("高温熔融", 0.6)],
    "C32": [("金属冶炼", 0.5), ("高温熔融", 0.5), ("铝镁制品加工", 0.3), ("涉爆粉尘", 0.3)],
    "C33": [("涉爆粉尘", 0.25), ("喷涂作业", 0.3), ("危险化学品使用", 0.25), ("高温熔融", 0.1)],
    "C34": [("喷涂作业", 0.25), ("动火作业频繁", 0.15)],
    "C35": [("喷涂作业", 0.2)],
    "C36": [("喷涂作业", 0.3), ("危险化学品使用", 0.2)],
    "C37": [("喷涂作业", 0.3), ("动火作业频繁", 0.3)],
    "C38": [("锂电池生产", 0.05)],
    "C39": [("危险化学品使用", 0.3)],
    "D45": [("重大危险源", 0.2), ("危险化学品经营", 0.5)],
    "F51": [("危险化学品经营", 0.1), ("涉氨制冷", 0.05)],
    "N77": [("有限空间作业", 0.7)],
    "D46": [("有限空间作业", 0.6)],
}
RISKY_TAGS = {"涉爆粉尘", "金属冶炼", "高温熔融", "重大危险源", "液氨制冷", "危险化学品使用", "锂电池生产"}


@dataclass
class Account:
    username: str
    role: str
    display_name: str
    scope: str


@dataclass
class DemoContext:
    """What another app's ``demo.contribute`` gets: the run's parameters and what was created."""

    seed: int
    rng: random.Random
    district: Region
    enterprise_ids: list[int]
    demo_enterprise: Enterprise
    users: dict[str, User]
    today: date


@dataclass
class DemoResult:
    created: bool
    accounts: list[Account]
    admin_phone: str = ""
    demo_enterprise: str = ""
    other_inspectors: int = 0  # grid inspectors besides `grid`, named grid_<grid code>
    inspector_example: str = ""
    stats: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    contributions: list[str] = field(default_factory=list)


# --- Small helpers ------------------------------------------------------------------------------


def _chunks(items: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _allocate(total: int, weights: list[float], minimum: list[int] | None = None) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), honouring per-slot minimums."""
    minimum = minimum or [0] * len(weights)
    rest = total - sum(minimum)
    if rest < 0 or not weights:
        return minimum[:]
    weight_sum = sum(weights) or 1
    exact = [rest * w / weight_sum for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + m for c, m in zip(counts, minimum, strict=True)]


def short_place(name: str) -> str:
    """``沙溪镇`` → ``沙溪``, ``太仓市`` → ``太仓``; other names stay as they are."""
    for suffix in ("街道办事处", "街道", "镇", "乡", "市", "区", "县"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _is_town_name(name: str) -> bool:
    return name.endswith(("镇", "乡", "街道"))


def org_code_check(body: str) -> str:
    """Check character of a GB 11714 organisation code (8 characters → the 9th)."""
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


_MA_CHARS = [ch for ch in CREDIT_CODE_ALPHABET if ch not in "XY"]


def make_credit_code(rng: random.Random, registration: str, district: str, used: set[str]) -> str:
    """A valid, unused unified social credit code: authority+type, district, organisation code."""
    while True:
        if rng.random() < 0.6:  # codes issued since 2015 start the organisation part with "MA"
            body = "MA" + "".join(rng.choice(_MA_CHARS) for _ in range(6))
        else:
            body = "".join(rng.choice("0123456789") for _ in range(8))
        first17 = registration + district + body + org_code_check(body)
        code = first17 + credit_code_check_char(first17)
        if code not in used:
            used.add(code)
            return code


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES_WEIGHTED) + given

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


def _jitter(rng: random.Random, centre: tuple[float, float], dlat: float, dlng: float) -> tuple[float, float]:
    return (
        round(centre[0] + rng.uniform(-dlat, dlat), 6),
        round(centre[1] + rng.uniform(-dlng, dlng), 6),
    )


def _district_centre(seed: int, district: Region, towns: list[Region]) -> tuple[float, float]:
    if district.center_lat is not None and district.center_lng is not None:
        return district.center_lat, district.center_lng
    known = [TAICANG_TOWNS[t.code] for t in towns if t.code in TAICANG_TOWNS]
    if known:
        return sum(p[0] for p in known) / len(known), sum(p[1] for p in known) / len(known)
    rng = random.Random(f"{seed}:{district.code}")
    city = CITY_CENTRES.get(district.code[:4])
    if city:
        lat, lng = _jitter(rng, city, 0.25, 0.3)
        lat_min, lat_max, lng_min, lng_max = JIANGSU_BOUNDS
        return min(max(lat, lat_min), lat_max), min(max(lng, lng_min), lng_max)
    return _jitter(rng, PROVINCE_CENTRES.get(district.code[:2], (32.06, 118.80)), 0.4, 0.5)


# --- The generator ------------------------------------------------------------------------------


@dataclass
class _Grid:
    code: str
    name: str
    parent: str
    centre: tuple[float, float]
    town: Region
    district: Region
    inspector: str = ""
    count: int = 0


class _Generator:
    def __init__(self, *, seed: int, district_code: str, enterprises: int, log: Callable[[str], None]):
        self.seed = seed
        self.district_code = district_code
        self.total = enterprises
        self.log = log
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.used_codes: set[str] = set()
        self.used_names: set[str] = set()
        self.stats: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.password = make_password(DEMO_PASSWORD)
        self.phone_seq = 0

    # accounts get unique, recognisable numbers (199 0000 0001 …) so phone login works too
    def account_phone(self) -> str:
        self.phone_seq += 1
        return f"199{self.phone_seq:08d}"

    def _timed(self, label: str, started: float) -> float:
        now = time.monotonic()
        self.timings[label] = round(now - started, 2)
        self.log(f"  {label}: {now - started:.1f} s")
        return now

    def run(self) -> DemoResult:
        t0 = started = time.monotonic()
        load_reference_data(update=False)
        load_code = self.district_code if self.total <= PROVINCE_THRESHOLD else self.district_code[:2]
        loaded = load_regions(load_code)
        self.stats["regions_loaded"] = loaded.total
        started = self._timed("regions", started)
        with transaction.atomic():
            result = self._generate()
        self.timings["generate"] = round(time.monotonic() - started, 2)
        self.timings["total"] = round(time.monotonic() - t0, 2)
        result.timings = self.timings
        result.stats = self.stats
        return result

    def _lookups(self) -> None:
        self.industries = set(Industry.objects.values_list("code", flat=True))
        self.classes = {c.code: c.pk for c in SupervisionClass.objects.all()}
        self.tags = dict(Tag.objects.values_list("name", "pk"))
        departments = list(Department.objects.all())
        self.departments = {d.code: d for d in departments}
        self.emergency = self.departments.get(COMPREHENSIVE_DEPARTMENT)
        self.venue_department = {}
        self.industry_department: list[tuple[str, Department]] = []
        for dept in departments:
            for venue in dept.venue_types or []:
                self.venue_department.setdefault(venue, dept)
            for prefix in dept.industry_prefixes or []:
                self.industry_department.append((prefix, dept))
        self.industry_department.sort(key=lambda item: -len(item[0]))
        self.used_codes = set(Enterprise.objects.values_list("credit_code", flat=True))
        self.used_names = set(Enterprise.objects.values_list("name", flat=True))

    def _generate(self) -> DemoResult:
        started = time.monotonic()
        self._lookups()
        district = Region.objects.filter(code=self.district_code, level=RegionLevel.DISTRICT).first()
        if district is None:
            raise CommandError(f"{self.district_code} is not a district (6-digit county code)")
        self.district = district
        province_scale = self.total > PROVINCE_THRESHOLD
        prefix = self.district_code[:2] if province_scale else self.district_code
        districts = list(
            Region.objects.filter(region_condition("", prefix), level=RegionLevel.DISTRICT).order_by("code")
        )
        towns_by_district: dict[str, list[Region]] = defaultdict(list)
        for town in Region.objects.filter(region_condition("", prefix), level=RegionLevel.TOWN).order_by("code"):
            towns_by_district[town.parent_id].append(town)
        villages_by_town: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code, name, parent in (
            Region.objects.filter(region_condition("", prefix), level=RegionLevel.VILLAGE)
            .order_by("code")
            .values_list("code", "name", "parent_id")
        ):
            villages_by_town[parent].append((code, name))
        districts = [d for d in districts if towns_by_district.get(d.code)]
        if district not in districts:
            raise CommandError(f"{district.name} ({district.code}) has no towns to place enterprises in")

        # How many enterprises per district: the demo district keeps at least its share.
        if province_scale:
            weights = [len(towns_by_district[d.code]) for d in districts]
            demo_i = districts.index(district)
            floor = [0] * len(districts)
            floor[demo_i] = min(self.total, math.ceil(self.total * DEMO_DISTRICT_SHARE))
            per_district = _allocate(self.total, weights, floor)
        else:
            districts = [district]
            per_district = [self.total]

        # Regions: centres of districts, towns and villages; grids with their centres.
        region_updates: list[Region] = []
        village_centres: dict[str, tuple[float, float]] = {}
        village_updates: list[tuple[str, tuple[float, float]]] = []
        grids: list[_Grid] = []
        town_plan: list[tuple[Region, Region, int, list[_Grid]]] = []
        for dist, count in zip(districts, per_district, strict=True):
            towns = towns_by_district[dist.code]
            d_centre = _district_centre(self.seed, dist, towns)
            if dist.center_lat is None:
                dist.center_lat, dist.center_lng = d_centre
                region_updates.append(dist)
            drng = random.Random(f"{self.seed}:{dist.code}:towns")
            minimum = [0] * len(towns)
            if dist.code == self.district_code:
                for i in range(min(2, len(towns), count)):
                    minimum[i] = 1  # `town` and `town2` have something to look at
            per_town = _allocate(count, [drng.uniform(0.5, 1.5) for _ in towns], minimum)
            spread = 0.02 if dist.code == "320585" else 0.09
            for town, n_town in zip(towns, per_town, strict=True):
                if town.center_lat is None:
                    centre = TAICANG_TOWNS.get(town.code) or _jitter(drng, d_centre, spread * 1.2, spread * 1.4)
                    town.center_lat, town.center_lng = centre
                    region_updates.append(town)
                t_centre = (town.center_lat, town.center_lng)
                n_grids = max(1, round(n_town / ENTERPRISES_PER_GRID))
                villages = villages_by_town.get(town.code, [])
                town_grids: list[_Grid] = []
                for g in range(n_grids):
                    if villages:
                        v_code, v_name = villages[
                            (g * len(villages)) // n_grids if n_grids <= len(villages) else g % len(villages)
                        ]
                        number = 1 if n_grids <= len(villages) else g // len(villages) + 1
                        if v_code not in village_centres:
                            village_centres[v_code] = _jitter(drng, t_centre, 0.02, 0.024)
                            village_updates.append((v_code, village_centres[v_code]))
                        code, parent, name = f"{v_code}{number:03d}", v_code, f"{v_name}第{number}网格"
                        centre = _jitter(drng, village_centres[v_code], 0.004, 0.005)
                    else:  # a town without villages: the grid hangs on the town
                        code, parent, name = f"{town.code}000{g + 1:03d}", town.code, f"{town.name}第{g + 1}网格"
                        centre = _jitter(drng, t_centre, 0.015, 0.018)
                    grid = _Grid(code=code, name=name, parent=parent, centre=centre, town=town, district=dist)
                    town_grids.append(grid)
                    grids.append(grid)
                town_plan.append((dist, town, n_town, town_grids))

        Region.objects.bulk_update(region_updates, ["center_lat", "center_lng"], batch_size=BATCH)
        existing_centres = dict(
            (code, lat)
            for chunk in _chunks([c for c, _ in village_updates])
            for code, lat in Region.objects.filter(code__in=chunk).values_list("code", "center_lat")
        )
        Region.objects.bulk_update(
            [
                Region(code=code, center_lat=lat, center_lng=lng)
                for code, (lat, lng) in village_updates
                if existing_centres.get(code) is None
            ],
            ["center_lat", "center_lng"],
            batch_size=BATCH,
        )
        Region.objects.bulk_create(
            [
                Region(
                    code=g.code,
                    name=g.name,
                    level=RegionLevel.GRID,
                    parent_id=g.parent,
                    center_lat=g.centre[0],
                    center_lng=g.centre[1],
                )
                for g in grids
            ],
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent", "center_lat", "center_lng"],
        )
        self.stats["districts"] = len(districts)
        self.stats["towns"] = len(town_plan)
        self.stats["grids"] = len(grids)
        started = self._timed("grids", started)

        # Government accounts, one inspector per grid.
        towns_here = [t for d, t, _, _ in town_plan if d.code == self.district_code]
        first_grid = next(g for d, t, _, gs in town_plan if t == towns_here[0] for g in gs)
        town2 = towns_here[1] if len(towns_here) > 1 else towns_here[0]
        gov = [
            self._user("admin", Role.PLATFORM_ADMIN, "平台管理员", is_staff=True),
            self._user("district", Role.DISTRICT_ADMIN, region=district.code, department=self.emergency),
            self._user(
                "dept_edu", Role.DEPARTMENT_OFFICER, region=district.code, department=self.departments.get("education")
            ),
            self._user("town", Role.TOWN_ADMIN, region=towns_here[0].code, department=self.emergency),
            self._user("town2", Role.TOWN_ADMIN, region=town2.code, department=self.emergency),
        ]
        for grid in grids:
            grid.inspector = "grid" if grid is first_grid else f"grid_{grid.code}"
            gov.append(self._user(grid.inspector, Role.GRID_INSPECTOR, region=grid.code, department=self.emergency))
        user_ids = self._save_users(gov)
        self.stats["grid_inspectors"] = len(grids)
        started = self._timed("accounts", started)

        # Enterprises.
        enterprises: list[Enterprise] = []
        tag_names: list[list[str]] = []
        demo_index = None
        for dist, town, n_town, town_grids in town_plan:
            for i in range(n_town):
                grid = town_grids[0] if i == 0 else town_grids[self.rng.randrange(len(town_grids))]
                force_demo = grid is first_grid and demo_index is None
                force_school = dist.code == self.district_code and town == towns_here[0] and i == 1
                ent, tags = self._enterprise(dist, town, grid, user_ids, demo=force_demo, school=force_school)
                if force_demo:
                    demo_index = len(enterprises)
                enterprises.append(ent)
                tag_names.append(tags)
        for chunk in _chunks(enterprises, BATCH):
            Enterprise.objects.bulk_create(chunk)
        if any(e.pk is None for e in enterprises):  # backends that do not return ids
            ids = {}
            for chunk in _chunks([e.credit_code for e in enterprises]):
                ids.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk"))
            for ent in enterprises:
                ent.pk = ent.id = ids[ent.credit_code]
        Through = Enterprise.tags.through
        Through.objects.bulk_create(
            [
                Through(enterprise_id=ent.pk, tag_id=self.tags[name])
                for ent, names in zip(enterprises, tag_names, strict=True)
                for name in names
                if name in self.tags
            ],
            batch_size=BATCH * 2,
            ignore_conflicts=True,
        )
        self.stats["enterprises"] = len(enterprises)
        self.stats["venues"] = sum(1 for e in enterprises if e.kind == EnterpriseKind.VENUE)
        started = self._timed("enterprises", started)

        # The demo enterprise's people and a service agency with contracts.
        demo = enterprises[demo_index]
        agency = self._agency(district, towns_here[0])
        people = [
            self._user("ent_admin", Role.ENTERPRISE_ADMIN, enterprise=demo.pk),
            self._user("ent_leader", Role.ENTERPRISE_LEADER, display_name=demo.principal, enterprise=demo.pk),
            self._user("safety", Role.SAFETY_OFFICER, display_name=demo.safety_manager, enterprise=demo.pk),
            self._user("worker", Role.EMPLOYEE, enterprise=demo.pk),
            self._user("agency_admin", Role.AGENCY_ADMIN, agency=agency.pk),
            self._user("engineer", Role.AGENCY_ENGINEER, agency=agency.pk),
            self._user("agency_staff", Role.AGENCY_STAFF, agency=agency.pk),
        ]
        # The enterprise's safety manager is the `safety` account.
        demo.safety_manager_phone = people[2].phone
        user_ids.update(self._save_users(people))
        Enterprise.objects.filter(pk=demo.pk).update(safety_manager_phone=demo.safety_manager_phone)
        self._contracts(agency, [e for e in enterprises if region_contains(district.code, e.region_id)], demo)

        audit.record(
            actor=None,
            action="demo_generate",
            instance=district,
            changes={"enterprises": [None, len(enterprises)], "grids": [None, len(grids)], "seed": [None, self.seed]},
        )
        others, example = other_grid_inspectors()
        result = DemoResult(
            created=True,
            accounts=describe_accounts(),
            admin_phone=demo.admin_phone,
            demo_enterprise=demo.name,
            other_inspectors=others,
            inspector_example=example,
        )
        self._timed("people", started)
        context = DemoContext(
            seed=self.seed,
            rng=random.Random(f"{self.seed}:contrib"),
            district=district,
            enterprise_ids=[e.pk for e in enterprises],
            demo_enterprise=demo,
            users={u.username: u for u in User.objects.filter(pk__in=[user_ids[a.username] for a in result.accounts])},
            today=date.today(),
        )
        result.contributions = _contributions(context)
        return result

    # -- accounts ------------------------------------------------------------------------------

    def _user(self, username: str, role: str, display_name: str = "", **links) -> User:
        return User(
            username=username,
            role=role,
            display_name=display_name or self.names.person(),
            phone=self.account_phone(),
            password=self.password,
            is_active=True,
            is_staff=links.pop("is_staff", False),
            region_id=links.get("region"),
            department=links.get("department"),
            enterprise_id=links.get("enterprise"),
            agency_id=links.get("agency"),
        )

    def _save_users(self, users: list[User]) -> dict[str, int]:
        User.objects.bulk_create(
            users,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["username"],
            update_fields=[
                "password",
                "role",
                "display_name",
                "phone",
                "is_active",
                "is_staff",
                "region",
                "department",
                "enterprise",
                "agency",
            ],
        )
        ids: dict[str, int] = {}
        for chunk in _chunks([u.username for u in users]):
            ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        return ids

    # -- enterprises ---------------------------------------------------------------------------

    def _unique_name(self, make: Callable[[], str], fallback_place: str) -> str:
        for _ in range(30):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        base = make()
        for k in range(1, 1000):
            name = f"{base}{fallback_place}{'' if k == 1 else k}分公司"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("no unique enterprise name")  # pragma: no cover

    def _enterprise_name(self, district: Region, town: Region, division: str) -> tuple[str, str]:
        rng = self.rng
        words, products = INDUSTRY_VOCAB[division]
        d_short = short_place(district.name)
        t_short = short_place(town.name) if _is_town_name(town.name) else ""

        def make() -> str:
            brand = rng.choice(BRANDS)
            word = rng.choice(words)
            if division.startswith("C") and rng.random() < 0.15:
                word += "科技"
            r = rng.random()
            if r < 0.12 and not word.endswith(("超市", "物流", "贸易", "商贸")):
                place = f"{district.name}{town.name}" if t_short else district.name
                return f"{place}{brand}{word}厂"
            suffix = "有限责任公司" if r < 0.32 else "股份有限公司" if r < 0.38 else "有限公司"
            place = rng.choice([district.name, d_short, d_short, t_short or d_short])
            if suffix == "股份有限公司" and rng.random() < 0.5:
                place = short_place(district.parent.name) if district.parent_id else d_short
            return f"{place}{brand}{word}{suffix}"

        return self._unique_name(make, t_short or d_short), rng.choice(products)

    def _venue_name(self, district: Region, town: Region, venue: str) -> str:
        rng = self.rng
        d_name = district.name
        t_place = short_place(town.name) if _is_town_name(town.name) else town.name
        n = rng.randint(1, 9)
        cn = "一二三四五六七八九"[n - 1]
        choices = {
            VenueType.SCHOOL: [f"{d_name}{t_place}中学", f"{d_name}{t_place}中心小学", f"{d_name}{t_place}实验小学",
                               f"{d_name}{t_place}幼儿园", f"{d_name}第{cn}中学", f"{d_name}{t_place}第{cn}小学"],
            VenueType.HOSPITAL: [f"{d_name}{t_place}人民医院", f"{d_name}第{cn}人民医院", f"{d_name}{t_place}卫生院",
                                 f"{d_name}中医医院", f"{d_name}{rng.choice(BRANDS)}医院"],
            VenueType.CARE_HOME: [f"{d_name}{t_place}敬老院", f"{d_name}{rng.choice(BRANDS)}养老院",
                                  f"{d_name}{t_place}社会福利院", f"{d_name}{t_place}颐养院"],
            VenueType.CINEMA: [f"{rng.choice(BRANDS)}影城（{t_place}店）", f"{d_name}{rng.choice(BRANDS)}国际影城",
                               f"{d_name}大剧院"],
            VenueType.RELIGIOUS: [f"{t_place}{rng.choice(TEMPLE_NAMES)}寺", f"{d_name}{t_place}天主堂",
                                  f"{d_name}{t_place}基督教堂"],
            VenueType.MARKET: [f"{d_name}{t_place}农贸市场", f"{rng.choice(BRANDS)}购物中心（{t_place}）",
                               f"{d_name}{t_place}{rng.choice(BRANDS)}商场", f"{t_place}菜市场"],
            VenueType.HOTEL: [f"{d_name}{rng.choice(BRANDS)}大酒店", f"{t_place}{rng.choice(BRANDS)}宾馆"],
            VenueType.RESTAURANT: [f"{d_name}{t_place}{rng.choice(BRANDS)}饭店", f"{rng.choice(BRANDS)}酒家（{t_place}店）"],
        }[venue]  # fmt: skip
        return self._unique_name(lambda: rng.choice(choices), t_place)

    def _pick_industry(self) -> str:
        divisions = list(INDUSTRY_WEIGHTS)
        return self.rng.choices(divisions, weights=[INDUSTRY_WEIGHTS[d] for d in divisions])[0]

    def _department_for(self, industry: str | None) -> Department | None:
        for prefix, dept in self.industry_department:
            if industry and industry.startswith(prefix):
                return dept
        return self.emergency

    def _enterprise(
        self, district: Region, town: Region, grid: _Grid, user_ids: dict[str, int], *, demo: bool, school: bool
    ) -> tuple[Enterprise, list[str]]:
        rng = self.rng
        is_venue = school or (not demo and rng.random() < VENUE_SHARE)
        tags: list[str] = []
        if is_venue:
            venue, _, industry = (
                VENUE_TYPES[0] if school else rng.choices(VENUE_TYPES, weights=[v[1] for v in VENUE_TYPES])[0]
            )
            name = self._venue_name(district, town, venue)
            product = ""
            low, high = VENUE_STAFF[venue]
            staff = rng.randint(low, high)
            scale = Scale.LARGE if staff >= 1000 else Scale.MEDIUM if staff >= 300 else Scale.SMALL
            department = self.venue_department.get(venue, self.emergency)
            registration = {VenueType.SCHOOL: "12", VenueType.HOSPITAL: "12", VenueType.CARE_HOME: "52"}.get(
                venue, "71" if venue == VenueType.RELIGIOUS else "91"
            )
            tags.append("人员密集场所")
            if venue != VenueType.RELIGIOUS and rng.random() < 0.5:
                tags.append("消防重点单位")
            if venue == VenueType.RESTAURANT or (venue in (VenueType.SCHOOL, VenueType.HOTEL) and rng.random() < 0.5):
                tags.append("燃气使用")
            area = staff * rng.uniform(40, 160)
        else:
            venue = ""
            industry = "C34" if demo else self._pick_industry()
            name, product = self._enterprise_name(district, town, industry)
            r = rng.random()
            scale = Scale.MICRO if r < 0.55 else Scale.SMALL if r < 0.87 else Scale.MEDIUM if r < 0.98 else Scale.LARGE
            if demo:
                scale = Scale.SMALL
            low, high = {Scale.MICRO: (3, 19), Scale.SMALL: (20, 99), Scale.MEDIUM: (100, 999)}.get(scale, (1000, 3000))
            staff = rng.randint(low, high)
            department = self._department_for(industry)
            registration = "91"
            for tag, probability in INDUSTRY_TAGS.get(industry, []):
                if rng.random() < probability:
                    tags.append(tag)
            if scale in (Scale.MICRO, Scale.SMALL) and rng.random() < 0.1:
                tags.append("小微企业园")
            if rng.random() < 0.04:
                tags.append("出租厂房")
            if demo:
                tags = ["有限空间作业", "喷涂作业", "涉爆粉尘"]
            area = staff * rng.uniform(25, 90)
        credit_code = make_credit_code(rng, registration, district.code, self.used_codes)
        legal = self.names.person()
        principal = legal if rng.random() < 0.6 else self.names.person()
        risky = bool(RISKY_TAGS.intersection(tags))
        class_weights = [10, 40, 35, 15] if risky else [28, 45, 20, 7]
        supervision = rng.choices(["A", "B", "C", "D"], weights=class_weights)[0]
        grade = rng.choices(
            [
                StandardizationGrade.NONE,
                StandardizationGrade.SMALL,
                StandardizationGrade.GRADE_3,
                StandardizationGrade.GRADE_2,
                StandardizationGrade.GRADE_1,
            ],
            weights=[35, 40, 20, 4, 1],
        )[0]
        if is_venue:
            grade = StandardizationGrade.NONE
        chemicals = special_equipment = operations = major = ""
        if {"危险化学品使用", "危险化学品经营", "液氨制冷", "涉氨制冷", "燃气使用", "重大危险源"}.intersection(tags):
            picked = rng.sample(CHEMICALS, rng.randint(1, 4))
            if "液氨制冷" in tags or "涉氨制冷" in tags:
                picked = ["液氨", *[c for c in picked if c != "液氨"]]
            if "燃气使用" in tags:
                picked = ["天然气", *[c for c in picked if c != "天然气"]]
            chemicals = "；".join(
                f"{c}（最大储存量{rng.choice(['0.2', '0.5', '1', '2', '5', '10'])}t）" for c in picked
            )
        if not is_venue and (scale != Scale.MICRO or rng.random() < 0.3):
            items = rng.sample(EQUIPMENT, rng.randint(1, 3))
            special_equipment = "；".join(item.format(n=rng.randint(1, 4)) for item in items)
            operations = "、".join(rng.sample(OPERATIONS, rng.randint(1, 3)))
        if "重大危险源" in tags:
            major = rng.choice(
                ["液氨储罐区（三级重大危险源）", "甲类仓库（四级重大危险源）", "LNG储罐区（三级重大危险源）"]
            )
        if demo:
            chemicals = "油漆（最大储存量0.5t）；稀释剂（最大储存量0.2t）；氧气、乙炔（气瓶各4瓶）"
            special_equipment = "叉车2台；桥式起重机3台；储气罐1个"
            operations = "电工作业、焊接与热切割作业、高处作业"
        lat, lng = _jitter(rng, grid.centre, 0.004, 0.005)
        road = rng.choice(ROADS) + rng.choice(["路", "路", "东路", "西路", "南路", "北路", "大道"])
        address = f"{district.name}{town.name}{road}{rng.randint(1, 399)}号"
        established = date(1992, 1, 1) + timedelta(days=rng.randrange(365 * 32))
        licences = f"营业执照：{credit_code}"
        if "危险化学品经营" in tags:
            licences += f"\n危险化学品经营许可证：苏{short_place(district.name)[:1]}危化经字〔{established.year + 10}〕{rng.randint(1, 300):03d}号"
        status = rng.choices(
            [OperatingStatus.OPERATING, OperatingStatus.SUSPENDED, OperatingStatus.CLOSED], weights=[95, 4, 1]
        )[0]
        admin_phone = ""
        if demo:
            status = OperatingStatus.OPERATING
            admin_phone = self._free_admin_phone()
            supervision = "C"
            grade = StandardizationGrade.SMALL
        grid.count += 1
        enterprise = Enterprise(
            credit_code=credit_code,
            name=name,
            kind=EnterpriseKind.VENUE if is_venue else EnterpriseKind.ENTERPRISE,
            venue_type=venue,
            supervising_department=department,
            legal_representative=legal,
            principal=principal,
            contact_phone=self.names.mobile(),
            safety_manager=self.names.person(),
            safety_manager_phone=self.names.mobile(),
            admin_phone=admin_phone,
            address=address,
            latitude=lat,
            longitude=lng,
            region_id=grid.code,
            industry_id=industry if industry in self.industries else None,
            scale=scale,
            staff_count=staff,
            building_area=Decimal(f"{area:.2f}"),
            established_on=established,
            main_products=product,
            licences=licences,
            standardization_grade=grade,
            hazardous_chemicals=chemicals,
            special_equipment=special_equipment,
            special_operations=operations,
            major_hazard_sources=major,
            supervision_class_id=self.classes.get(supervision),
            grid_inspector_id=user_ids.get(grid.inspector),
            status=status,
        )
        return enterprise, tags

    def _free_admin_phone(self) -> str:
        """A phone pre-registered for the demo enterprise's admin that no account uses yet."""
        for n in range(1, 10000):
            phone = f"1390512{n:04d}"
            if (
                not User.objects.filter(phone=phone).exists()
                and not Enterprise.objects.filter(admin_phone=phone).exists()
            ):
                return phone
        raise RuntimeError("no free demo phone")  # pragma: no cover

    # -- agency --------------------------------------------------------------------------------

    def _agency(self, district: Region, town: Region):
        from anjian.agencies.models import Agency

        name = f"{short_place(district.name)}安泰安全技术服务有限公司"
        agency = Agency.objects.filter(name=name, region=district).first()
        if agency is None:
            agency = Agency.objects.create(
                name=name,
                credit_code=make_credit_code(
                    random.Random(f"{self.seed}:agency"),
                    "91",
                    district.code,
                    self.used_codes | set(Agency.objects.values_list("credit_code", flat=True)),
                ),
                region=district,
                address=f"{district.name}{town.name}{random.Random(self.seed).choice(ROADS)}路18号",
                phone=self.names.mobile(),
            )
        return agency

    def _contracts(self, agency, candidates: list[Enterprise], demo: Enterprise) -> None:
        from anjian.agencies.models import ServiceContract

        pool = [e for e in candidates if e.kind == EnterpriseKind.ENTERPRISE and e.pk != demo.pk]
        chosen = [demo, *self.rng.sample(pool, min(AGENCY_CONTRACTS - 1, len(pool)))]
        existing = set(
            ServiceContract.objects.filter(agency=agency, enterprise__in=chosen).values_list("enterprise_id", flat=True)
        )
        today = date.today()
        ServiceContract.objects.bulk_create(
            [
                ServiceContract(
                    agency=agency,
                    enterprise_id=e.pk,
                    scope=self.rng.choice(
                        [
                            "安全生产技术服务（隐患排查、安全培训）",
                            "安全生产托管服务",
                            "安全生产标准化咨询",
                            "职业卫生检测与评价",
                        ]
                    ),
                    start_date=today - timedelta(days=self.rng.randint(30, 300)),
                    end_date=today + timedelta(days=self.rng.randint(90, 700)),
                    active=True,
                )
                for e in chosen
                if e.pk not in existing
            ]
        )
        self.stats["contracts"] = len(chosen)


def _contributions(context: DemoContext) -> list[str]:
    """Add the other installed apps' proportional demo records (``anjian/demo/<app>.py: contribute``)."""
    lines = []
    for config in django_apps.get_app_configs():
        if not config.name.startswith("anjian.") or config.name in ("anjian.enterprises", "anjian.demo"):
            continue
        module_name = f"anjian.demo.{config.name.removeprefix('anjian.')}"
        if find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        contribute = getattr(module, "contribute", None)
        if callable(contribute):
            line = contribute(context)
            if line:
                lines.append(str(line))
    return lines


# --- Accounts table -----------------------------------------------------------------------------

NAMED_ACCOUNTS = [
    "admin",
    "district",
    "dept_edu",
    "town",
    "town2",
    "grid",
    "ent_admin",
    "ent_leader",
    "safety",
    "worker",
    "agency_admin",
    "engineer",
    "agency_staff",
]


def describe_accounts() -> list[Account]:
    """The named demo accounts as they are in the database now (for the printed table)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=NAMED_ACCOUNTS).select_related(
            "region", "department", "enterprise", "agency"
        )
    }
    accounts = []
    for username in NAMED_ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        if user.enterprise_id:
            scope = user.enterprise.name
        elif user.agency_id:
            scope = user.agency.name
        elif user.region_id:
            scope = user.region.name + (f" · {user.department.name}" if user.department_id else "")
        else:
            scope = "全平台"
        accounts.append(Account(username, Role(user.role).label, user.display_name, scope))
    return accounts


def other_grid_inspectors() -> tuple[int, str]:
    """How many per-grid inspector accounts (``grid_<grid code>``) exist, and one of their names."""
    qs = User.objects.filter(role=Role.GRID_INSPECTOR, username__startswith="grid_")
    return qs.count(), qs.order_by("username").values_list("username", flat=True).first() or ""


def demo_admin_phone() -> tuple[str, str]:
    user = User.objects.filter(username="ent_admin").select_related("enterprise").first()
    if user is None or user.enterprise is None:
        return "", ""
    return user.enterprise.admin_phone, user.enterprise.name


def generate(
    *,
    enterprises: int,
    seed: int = 2026,
    district: str | None = None,
    if_empty: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> DemoResult:
    """Create the demo (see the module docstring). With ``if_empty``, do nothing when enterprises
    already exist and only describe the accounts."""
    district = (district or settings.ANJIAN_DEMO_DISTRICT).strip()
    if enterprises < 1:
        raise CommandError("--enterprises must be at least 1 (the demo accounts need an enterprise)")
    if not (district.isdigit() and len(district) == 6):
        raise CommandError(f"--district must be a 6-digit county code, not {district!r}")
    if if_empty and Enterprise.objects.exists():
        phone, name = demo_admin_phone()
        others, example = other_grid_inspectors()
        return DemoResult(
            created=False,
            accounts=describe_accounts(),
            admin_phone=phone,
            demo_enterprise=name,
            other_inspectors=others,
            inspector_example=example,
        )
    with audit.unaudited("demo data generator"):
        return _Generator(seed=seed, district_code=district, enterprises=enterprises, log=log).run()
