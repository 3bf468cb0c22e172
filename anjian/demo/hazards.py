"""Demo and scale hazards (隐患) for the demo generator (``manage.py demo``, ``make bench``).

``contribute(context)`` is called by anjian/demo/enterprises.py once the enterprises and accounts
exist. Each enterprise gets hazards spread over the last 24 months: about 30 per enterprise for a
demo installation, about 100 from 5,000 enterprises up (``--enterprises 20000`` gives more than two
million). Each hazard follows the loop as the services would have moved it — reported → assigned
→ rectified → accepted, or closed on the spot, or cancelled — so its dates are consistent
(reported ≤ assigned ≤ rectified ≤ closed ≤ now, deadline after assignment); whatever has not
reached the end by today is open, and open past its deadline is overdue and escalated by the
configured steps. Places recur, so the repeat rule (same place and category within 90 days) marks
some as repeated, with links to their predecessors. A few are major, each with a governance plan
and listed for supervision. Priorities come from anjian.hazards.priority.compute.

Speed: rows are written straight to the tables, in chunks of enterprises — COPY on PostgreSQL,
``executemany`` elsewhere — with ids reserved up front so links need no read-back. Two million
hazards take a few minutes. At scale the step history (HazardTransition) is written only for open
and major hazards — the ones whose timeline people open — not for every closed general hazard
(``FULL_HISTORY_UP_TO`` enterprises and below get the full history).

Deterministic for a given seed and database state: each enterprise draws from its own
``Random(f"{seed}:hazards:{enterprise id}")``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from anjian.core.roles import ENTERPRISE_ROLES, Role
from anjian.demo.bulk import BulkWriter
from anjian.hazards import priority
from anjian.hazards.reference_data import ESCALATION_STEPS

SCALE_FROM = 5000  # enterprises from which the scale figure applies
PER_ENTERPRISE_SCALE = 100
PER_ENTERPRISE_DEMO = 30
MIN_PER_ENTERPRISE = 3
FULL_HISTORY_UP_TO = 2000  # enterprises; above, history only for open and major hazards
MONTHS = 24
REPEAT_WINDOW = dt.timedelta(days=90)
CHUNK_ENTERPRISES = 400
UTC = dt.UTC

# --- Vocabulary ----------------------------------------------------------------------------------
FACTORY_AREAS = (
    "一号车间 二号车间 三号车间 四号车间 机加工车间 装配车间 包装车间 冲压车间 焊接车间 注塑车间 喷涂车间 "
    "成品仓库 原料仓库 配电房 空压机房 锅炉房 办公楼 员工宿舍 食堂 厂区道路 装卸平台 危化品仓库 "
    "污水处理站 消防泵房 维修间 研发楼 门卫室 危废暂存间"
).split()
VENUE_AREAS = (
    "一号楼 二号楼 教学楼 实验楼 门诊楼 住院部 综合楼 厨房 餐厅 大厅 地下车库 配电房 "
    "消防控制室 仓库 客房层 多功能厅 观众厅 屋顶平台 楼梯间 设备间"
).split()
FOREMEN = "一 二 三 四 五 六".split()
MACHINES = "冲床 剪板机 折弯机 车床 铣床 钻床 注塑机 砂轮机 空压机 输送带 搅拌机 切割机".split()

# Category code → (points within an area, descriptions, measures, what was done, base weight).
# ``{n}`` is a small number, ``{m}`` a machine.
CATEGORY_VOCAB: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], float]] = {
    "M01": (
        ("安全管理台账", "岗位操作规程", "管理制度"),
        (
            "全员安全生产责任制未及时修订，{n}个岗位责任内容缺失",
            "岗位安全操作规程未张贴上墙",
            "安全生产管理制度未经主要负责人签发",
            "主要负责人未按规定组织召开安全生产例会",
        ),
        ("修订责任制并逐级签订责任书", "完善制度并组织学习", "补充规程并张贴上墙"),
        ("已修订并签订责任书", "已完善并组织全员学习", "规程已张贴上墙"),
        3,
    ),
    "M02": (
        ("培训档案", "班组", "特种作业人员档案"),
        (
            "新入职员工{n}人未经三级安全教育即上岗",
            "特种作业人员{n}人操作证已过期",
            "年度安全教育培训记录不全",
            "未对外来施工人员进行安全告知",
        ),
        ("组织补训并考核", "安排复审取证，过期前停止作业", "完善培训档案"),
        ("已补训并考核合格", "已复审取证", "培训档案已补齐"),
        4,
    ),
    "M03": (
        ("财务台账", "安全费用台账"),
        ("未按规定提取和使用安全生产费用", "未投保安全生产责任保险", "安全投入台账记录不全"),
        ("按规定提取并建立使用台账", "投保安全生产责任保险"),
        ("已建立安全费用台账", "已投保安责险"),
        1,
    ),
    "M04": (
        ("应急物资柜", "应急预案", "微型消防站"),
        (
            "生产安全事故应急预案未按规定组织演练",
            "应急物资柜内{n}件器材缺失或过期",
            "应急预案未备案",
            "现场处置方案与实际不符",
        ),
        ("组织演练并评估", "补充应急器材，建立检查记录", "修订预案并备案"),
        ("已组织演练", "器材已补齐", "预案已修订备案"),
        3,
    ),
    "M05": (
        ("外包施工现场", "出租厂房", "相关方管理台账"),
        (
            "外包施工单位未签订安全生产管理协议",
            "承租单位未纳入统一安全管理",
            "对相关方作业未进行现场监督",
        ),
        ("签订安全管理协议，明确各方职责", "纳入统一协调管理，定期检查"),
        ("已签订协议", "已纳入统一管理"),
        2,
    ),
    "M06": (
        ("隐患排查台账", "风险告知栏", "风险分级管控清单"),
        ("未建立隐患排查治理台账", "岗位风险告知卡未更新", "风险分级管控清单未覆盖全部作业活动"),
        ("建立台账并定期排查", "更新告知卡", "完善风险辨识清单"),
        ("台账已建立", "告知卡已更新", "清单已完善"),
        3,
    ),
    "S01": (
        ("{m}", "传动部位", "{m}操作台", "设备基础"),
        (
            "{m}传动部位防护罩缺失",
            "{m}急停按钮失效",
            "{m}设备接地线松脱",
            "{m}安全联锁装置被短接",
            "传动皮带无防护罩",
        ),
        ("加装防护罩", "修复急停装置并测试", "紧固接地线", "恢复联锁装置，严禁短接"),
        ("防护罩已加装", "急停已修复，测试正常", "接地已紧固", "联锁已恢复"),
        12,
    ),
    "S02": (
        ("配电箱", "配电柜", "照明线路", "插座", "电缆桥架", "临时用电线路"),
        (
            "配电箱门缺失，线路裸露",
            "临时用电线路私拉乱接",
            "插座板串接使用",
            "配电柜前未铺设绝缘垫",
            "漏电保护器失效",
            "电缆桥架盖板缺失{n}处",
            "电气线路未穿管保护",
        ),
        ("更换箱门，线路穿管", "拆除私拉线路，规范敷设", "铺设绝缘垫", "更换漏电保护器"),
        ("已更换箱门并穿管", "已规范敷设", "绝缘垫已铺设", "漏电保护器已更换，试跳正常"),
        18,
    ),
    "S03": (
        ("灭火器", "安全出口", "疏散通道", "消火栓", "应急照明", "防火门"),
        (
            "灭火器压力不足{n}具",
            "安全出口被货物堵塞",
            "疏散指示标志损坏{n}处",
            "消火栓被遮挡",
            "应急照明灯不亮{n}盏",
            "常闭式防火门处于常开状态",
            "消防设施未按月检查",
        ),
        ("更换灭火器", "清理出口堵塞物", "更换疏散指示标志", "清除遮挡", "更换应急照明灯", "恢复防火门常闭"),
        ("灭火器已更换", "出口已清理畅通", "标志已更换", "已清除遮挡", "应急照明已更换", "防火门已恢复常闭"),
        18,
    ),
    "S04": (
        ("噪声岗位", "职业病危害告知栏", "局部排风"),
        ("噪声作业岗位未配发耳塞", "职业病危害告知卡未设置", "局部排风设施失效", "未组织接害人员职业健康体检"),
        ("配发耳塞并督促佩戴", "设置告知卡", "修复排风设施", "组织职业健康体检"),
        ("已配发耳塞", "告知卡已设置", "排风设施已修复", "已组织体检"),
        4,
    ),
    "S05": (
        ("化学品存放点", "油漆间", "气瓶存放区", "化学品货架"),
        (
            "危险化学品未分类存放",
            "未设置防泄漏托盘",
            "化学品安全技术说明书缺失",
            "易燃液体超量存放",
            "氧气乙炔气瓶混放",
            "气瓶未设置防倾倒措施",
        ),
        ("按性质分类存放", "设置防泄漏托盘", "补齐安全技术说明书", "清理超量物料", "分开存放并固定"),
        ("已分类存放", "托盘已设置", "说明书已补齐", "超量物料已清理", "气瓶已分开存放并固定"),
        6,
    ),
    "S06": (
        ("动火作业点", "高处作业点", "吊装作业区"),
        ("动火作业未办理作业票", "高处作业人员未系安全带", "吊装作业无专人指挥", "动火点周边可燃物未清理"),
        ("严格执行作业票制度", "作业前检查安全带", "设专人指挥", "清理可燃物并配备灭火器"),
        ("已补办作业票并培训", "已整改", "已设专人指挥", "可燃物已清理"),
        5,
    ),
    "S07": (
        ("叉车", "压力容器", "桥式起重机", "货运电梯", "储气罐"),
        (
            "叉车未定期检验",
            "压力容器安全阀超期未校验",
            "起重机钢丝绳断丝超标",
            "电梯年检标志过期",
            "储气罐压力表超期未检定",
        ),
        ("申请定期检验", "送检安全阀", "更换钢丝绳", "申请年检", "送检压力表"),
        ("已检验合格", "安全阀已校验", "钢丝绳已更换", "已年检", "压力表已检定"),
        7,
    ),
    "S08": (
        ("通道", "物料堆放区", "地面", "警示标志"),
        ("通道堆放杂物", "物料堆放超高", "地面油污未清理", "警示标志缺失", "安全通道划线不清"),
        ("清理通道", "降低堆放高度", "清理油污", "设置警示标志", "重新划线"),
        ("通道已清理", "已降低堆高", "油污已清理", "标志已设置", "已重新划线"),
        12,
    ),
    "S09": (
        ("作业岗位", "焊接岗位", "打磨岗位"),
        ("作业人员未佩戴安全帽", "焊工未戴防护面罩", "未配发防护手套", "打磨岗位未佩戴防护眼镜"),
        ("配发并督促佩戴", "加强班组检查"),
        ("已配发并佩戴", "已整改"),
        5,
    ),
    "S10": (
        ("除尘器", "除尘管道", "打磨工位", "抛光工位"),
        (
            "除尘器未设置泄爆装置",
            "积尘未及时清理",
            "除尘系统未采取防静电接地措施",
            "粉尘作业区使用非防爆电气",
        ),
        ("加装泄爆装置", "建立清扫制度，及时清理", "做防静电接地", "更换防爆电气"),
        ("泄爆装置已加装", "积尘已清理", "接地已完成", "已更换防爆电气"),
        3,
    ),
    "S11": (
        ("污水池", "窨井", "储罐", "地下管道"),
        (
            "有限空间未设置警示标识",
            "有限空间作业前未检测气体",
            "未配备通风及救援设备",
            "有限空间作业未设监护人",
        ),
        ("设置警示标识", "配备气体检测仪，严格先检测后作业", "配备通风和救援设备", "设专人监护"),
        ("标识已设置", "已配备检测仪", "设备已配备", "已设监护人"),
        3,
    ),
}
# Situations like those of 应急管理部令第10号 (工贸重大事故隐患判定标准), by category.
MAJOR_DESCRIPTIONS = {
    "S10": ("粉尘爆炸危险场所设置在非框架结构的多层建构筑物内", "除尘系统采用正压吹送粉尘且未采取防爆措施"),
    "S11": ("有限空间作业未辨识并设置警示标识，且作业前未进行气体检测",),
    "S05": ("危险化学品储存在不符合安全要求的场所，与员工宿舍在同一建筑内",),
    "S03": ("生产车间与员工宿舍设置在同一建筑物内",),
    "S07": ("起重机械未经检验合格即投入使用，且吊运熔融金属",),
    "S02": ("涉爆粉尘场所电气设备不符合防爆要求",),
    "M01": ("未对承包单位、承租单位的安全生产工作统一协调管理",),
}
INDUSTRY_BOOST = {  # industry division prefix → categories that weigh more
    "C26": ("S05", "S11"),
    "C27": ("S05",),
    "C29": ("S05",),
    "C20": ("S10",),
    "C21": ("S10",),
    "C13": ("S10", "S11"),
    "C14": ("S10", "S11"),
    "C32": ("S10",),
    "C33": ("S10", "S05"),
    "C22": ("S11",),
    "N77": ("S11",),
    "D46": ("S11",),
    "D45": ("S05",),
    "E4": ("S06",),
    "E5": ("S06",),
    "G5": ("S07", "S08"),
}
VENUE_CATEGORIES = {"S03": 30, "S02": 18, "M04": 8, "S08": 10, "M02": 4, "M01": 3, "S01": 3, "S07": 3, "M06": 3}
SOURCES = ("self_check", "patrol", "department", "agency", "iot", "meeting", "public")
SOURCE_WEIGHTS = (55, 20, 8, 7, 2, 6, 2)
SOURCE_CUM_WEIGHTS = list(itertools.accumulate(SOURCE_WEIGHTS))
GOVERNMENT = {"patrol", "department"}
SYSTEM_REPORTERS = {
    "department": "应急管理局执法检查组",
    "agency": "第三方安全服务机构",
    "iot": "物联网监测平台",
    "public": "群众举报（12350）",
}
NON_PRODUCTION_AREAS = {"办公楼", "员工宿舍", "食堂", "门卫室", "研发楼", "餐厅", "客房层", "大厅", "多功能厅"}
PRODUCTION_CATEGORIES = {"S01", "S04", "S05", "S06", "S07", "S09", "S10", "S11"}
# The demo enterprise's latest hazards: (step of the loop, days ago).
SHOWCASE = [("reported", 1), ("reported", 3), ("assigned", 2), ("submitted", 4), ("overdue", 12), ("major", 6)]
MAJOR_SHARE = 0.004
CANCEL_SHARE = 0.012
ON_SPOT_SHARE = 0.25
STUCK_SHARE = 0.05  # never rectified: the long-overdue tail
RETURN_SHARE = 0.05
RETURN_REASON = "整改不到位，请重新整改"
LATE_SHARE = 0.15
GENERAL_DEADLINES = (3, 7, 7, 7, 15, 15, 30)
SCALE_WEIGHT = {"micro": 0.6, "small": 1.0, "medium": 1.6, "large": 2.2}

HAZARD_COLUMNS = (
    "id",
    "enterprise_id",
    "region_id",
    "place",
    "category_id",
    "description",
    "level",
    "suggested_level",
    "source",
    "status",
    "reported_by_id",
    "reporter_name",
    "reported_at",
    "latitude",
    "longitude",
    "responsible_id",
    "deadline",
    "measures",
    "assigned_at",
    "rectified_at",
    "rectification",
    "cost",
    "verified_by_id",
    "closed_at",
    "returned_count",
    "overdue",
    "escalation_level",
    "escalated_at",
    "joint_rectification",
    "supervised",
    "repeated",
    "priority",
    "version",
    "cancel_reason",
)
TRANSITION_COLUMNS = (
    "hazard_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "at",
    "latitude",
    "longitude",
    "comment",
    "data",
)
PLAN_COLUMNS = (
    "hazard_id",
    "goal",
    "measures",
    "funds_and_materials",
    "people",
    "deadline",
    "interim_measures",
    "created_by_id",
    "created_at",
)


def per_enterprise(enterprise_count: int) -> int:
    return PER_ENTERPRISE_SCALE if enterprise_count >= SCALE_FROM else PER_ENTERPRISE_DEMO


# --- Writing -------------------------------------------------------------------------------------


# --- The generator -------------------------------------------------------------------------------


@dataclass
class _Enterprise:
    pk: int
    region_id: str
    scale: str
    industry: str
    venue: bool
    safety_manager: str
    lat: float | None
    lng: float | None
    inspector: int | None
    workers: list[tuple[int, str]]  # (user id, name) of people who may be responsible
    managers: list[tuple[int, str]]  # (user id, name) who assign and accept


class _HazardGenerator:
    def __init__(self, *, seed: int, today: dt.date, enterprise_count: int, log: Callable[[str], None]):
        from anjian.hazards.models import HazardCategory, MajorHazardCriterion

        self.seed = seed
        self.today = today
        self.now = timezone.now()
        self.log = log
        self.per_enterprise = per_enterprise(enterprise_count)
        self.full_history = enterprise_count <= FULL_HISTORY_UP_TO
        self.categories = dict(HazardCategory.objects.filter(parent__isnull=False).values_list("code", "pk"))
        self.criteria = list(MajorHazardCriterion.objects.filter(active=True).values_list("pk", flat=True))
        self.writer = BulkWriter()
        offset = timezone.localtime(self.now).utcoffset() or dt.timedelta(0)
        self.tz_offset = offset
        self.start = dt.datetime.combine(today, dt.time()) - dt.timedelta(days=MONTHS * 30 + 10)
        self.span_days = (dt.datetime.combine(today, dt.time()) - self.start).days
        self.steps = sorted(ESCALATION_STEPS)  # (level, days overdue)
        self.stats = defaultdict(int)
        self.fallback_user: int | None = None
        self.showcase: int | None = None

    # -- loading -----------------------------------------------------------------------------

    def load(self, enterprise_ids: Sequence[int]) -> list[_Enterprise]:
        from anjian.core.models import User
        from anjian.enterprises.models import Enterprise

        workers: dict[int, list[tuple[int, str]]] = defaultdict(list)
        managers: dict[int, list[tuple[int, str]]] = defaultdict(list)
        manager_roles = {Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_LEADER, Role.SAFETY_OFFICER}
        rows = []
        for start in range(0, len(enterprise_ids), 5000):
            chunk = enterprise_ids[start : start + 5000]
            people = (
                User.objects.filter(enterprise_id__in=chunk, role__in=ENTERPRISE_ROLES, is_active=True)
                .order_by("pk")
                .values_list("pk", "enterprise_id", "role", "display_name", "username")
            )
            for pk, enterprise_id, role, name, username in people:
                entry = (pk, name or username)
                workers[enterprise_id].append(entry)
                if role in manager_roles:
                    managers[enterprise_id].append(entry)
            rows += list(
                Enterprise.objects.filter(pk__in=chunk)
                .order_by("pk")
                .values_list(
                    "pk",
                    "region_id",
                    "scale",
                    "industry_id",
                    "kind",
                    "safety_manager",
                    "latitude",
                    "longitude",
                    "grid_inspector_id",
                )
            )
        inspectors = {row[8] for row in rows if row[8]}
        self.inspector_names = {}
        ids = sorted(inspectors)
        for start in range(0, len(ids), 5000):
            self.inspector_names.update(
                User.objects.filter(pk__in=ids[start : start + 5000]).values_list("pk", "display_name")
            )
        self.fallback_user = (
            User.objects.filter(role=Role.PLATFORM_ADMIN).order_by("pk").values_list("pk", flat=True).first()
        )
        return [
            _Enterprise(
                pk=pk,
                region_id=region_id,
                scale=scale,
                industry=industry or "",
                venue=kind == "venue",
                safety_manager=safety_manager,
                lat=lat,
                lng=lng,
                inspector=inspector,
                workers=workers.get(pk, []),
                managers=managers.get(pk, []),
            )
            for pk, region_id, scale, industry, kind, safety_manager, lat, lng, inspector in rows
        ]

    def counts(self, enterprises: list[_Enterprise]) -> list[int]:
        from anjian.demo.enterprises import _allocate

        rng = random.Random(f"{self.seed}:hazards:counts")
        weights = [
            SCALE_WEIGHT.get(e.scale, 1.0) * (0.8 if e.venue else 1.0) * rng.uniform(0.7, 1.3) for e in enterprises
        ]
        total = self.per_enterprise * len(enterprises)
        return _allocate(total, weights, [MIN_PER_ENTERPRISE] * len(enterprises))

    # -- run ---------------------------------------------------------------------------------

    def run(self, enterprise_ids: Sequence[int]) -> dict[str, int]:
        started = time.monotonic()
        enterprises = self.load(list(enterprise_ids))
        if not enterprises or not self.categories:
            return dict(self.stats)
        counts = self.counts(enterprises)
        next_id = self.writer.reserve_ids("hazards_hazard", sum(counts))
        for start in range(0, len(enterprises), CHUNK_ENTERPRISES):
            hazards, transitions, plans, links, criteria = [], [], [], [], []
            for ent, n in zip(
                enterprises[start : start + CHUNK_ENTERPRISES], counts[start : start + CHUNK_ENTERPRISES], strict=True
            ):
                next_id = self.enterprise(ent, n, next_id, hazards, transitions, plans, links, criteria)
            self.writer.write("hazards_hazard", HAZARD_COLUMNS, hazards)
            self.writer.write("hazards_hazard_predecessors", ("from_hazard_id", "to_hazard_id"), links)
            self.writer.write("hazards_hazard_criteria", ("hazard_id", "majorhazardcriterion_id"), criteria)
            self.writer.write("hazards_governanceplan", PLAN_COLUMNS, plans)
            self.writer.write("hazards_hazardtransition", TRANSITION_COLUMNS, transitions)
            self.stats["hazards"] += len(hazards)
            self.stats["transitions"] += len(transitions)
            self.stats["plans"] += len(plans)
            done = min(start + CHUNK_ENTERPRISES, len(enterprises))
            if done % (CHUNK_ENTERPRISES * 10) == 0 or done == len(enterprises):
                self.log(
                    f"  hazards: {done}/{len(enterprises)} enterprises, {self.stats['hazards']} hazards, "
                    f"{time.monotonic() - started:.0f} s"
                )
        return dict(self.stats)

    # -- one enterprise ----------------------------------------------------------------------

    def _categories(self, ent: _Enterprise) -> tuple[list[str], list[float]]:
        if ent.venue:
            weights = dict(VENUE_CATEGORIES)
        else:
            weights = {code: vocab[4] for code, vocab in CATEGORY_VOCAB.items()}
            for prefix, boosted in INDUSTRY_BOOST.items():
                if ent.industry.startswith(prefix):
                    for code in boosted:
                        weights[code] = weights.get(code, 0) + 10
        codes = [c for c in weights if c in self.categories]
        return codes, [weights[c] for c in codes]

    def _time(self, rng: random.Random, day: dt.date | dt.datetime, hours=(8, 18)) -> dt.datetime:
        """An aware UTC datetime on ``day`` at a working hour (local time)."""
        base = day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time())
        local = base.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(
            seconds=rng.randint(hours[0] * 3600, hours[1] * 3600)
        )
        return (local - self.tz_offset).replace(tzinfo=UTC)

    def _local_date(self, moment: dt.datetime) -> dt.date:
        return (moment + self.tz_offset).date()

    def enterprise(self, ent, n, next_id, hazards, transitions, plans, links, criteria) -> int:
        rng = random.Random(f"{self.seed}:hazards:{ent.pk}")
        codes, weights = self._categories(ent)
        cum_weights = list(itertools.accumulate(weights))
        areas = rng.sample(VENUE_AREAS if ent.venue else FACTORY_AREAS, rng.randint(5, 9))
        machines = rng.sample(MACHINES, 3)
        now = self.now
        moments = []
        for _ in range(n):
            moment = self._time(rng, self.start + dt.timedelta(days=rng.randrange(self.span_days + 1)))
            moments.append(moment if moment <= now else now - dt.timedelta(minutes=rng.randint(5, 600)))
        moments.sort()
        # The demo enterprise's people find something to do: its latest hazards are open.
        stages: list[str | None] = [None] * len(moments)
        if ent.pk == self.showcase and len(moments) >= len(SHOWCASE):
            for i, (stage, days_ago) in enumerate(SHOWCASE, start=len(moments) - len(SHOWCASE)):
                moments[i] = min(self._time(rng, self.today - dt.timedelta(days=days_ago)), now)
                stages[i] = stage
            order = sorted(range(len(moments)), key=moments.__getitem__)
            moments, stages = [moments[i] for i in order], [stages[i] for i in order]
        seen: dict[tuple[str, int], list[tuple[dt.datetime, int, str]]] = defaultdict(list)
        history = self.full_history
        production = [a for a in areas if a not in NON_PRODUCTION_AREAS] or areas
        for reported_at, stage in zip(moments, stages, strict=True):
            pk = next_id
            next_id += 1
            code = rng.choices(codes, cum_weights=cum_weights)[0]
            if stage == "major":
                code = next((c for c in MAJOR_DESCRIPTIONS if c in codes), code)
            category_id = self.categories[code]
            points, descriptions, measures_list, done_list, _weight = CATEGORY_VOCAB[code]
            # A place seen before comes back now and then (the repeat rule then marks it).
            earlier = [
                key[0]
                for key, found in seen.items()
                if key[1] == category_id and reported_at - found[-1][0] <= REPEAT_WINDOW
            ]
            if earlier and rng.random() < 0.12:
                place = rng.choice(earlier)
            else:
                point = rng.choice(points).format(m=rng.choice(machines))
                place = rng.choice(production if code in PRODUCTION_CATEGORIES else areas) + point
            major = (rng.random() < MAJOR_SHARE or stage == "major") and code in MAJOR_DESCRIPTIONS
            if major:
                description = rng.choice(MAJOR_DESCRIPTIONS[code])
            else:
                description = rng.choice(descriptions).format(n=rng.randint(1, 6), m=rng.choice(machines))
            source = rng.choices(SOURCES, cum_weights=SOURCE_CUM_WEIGHTS)[0]
            reported_by, reporter_name = self._reporter(rng, ent, source)
            lat = lng = None
            if ent.lat is not None and source in ("patrol", "self_check", "department") and rng.random() < 0.7:
                lat = round(ent.lat + rng.uniform(-0.0008, 0.0008), 6)
                lng = round(ent.lng + rng.uniform(-0.0008, 0.0008), 6)

            key = (place, category_id)
            predecessors = [
                pid for at, pid, status in seen[key] if reported_at - at <= REPEAT_WINDOW and status != "cancelled"
            ]
            repeated = bool(predecessors)

            if stage:
                h = self._showcase(rng, ent, stage=stage, major=major, reported_at=reported_at)
            else:
                h = self._lifecycle(rng, ent, major=major, source=source, reported_at=reported_at)
            seen[key].append((reported_at, pk, h["status"]))
            measures = rng.choice(measures_list) if h["assigned_at"] or h["status"] == "closed" else ""
            rectification = rng.choice(done_list) if h["rectified_at"] else ""
            is_open = h["status"] in ("reported", "assigned", "submitted")
            prio = priority.compute(
                is_open=is_open,
                major=major,
                repeated=repeated,
                escalation_level=h["escalation_level"],
                deadline=h["deadline"],
                today=self.today,
            )
            hazards.append(
                (
                    pk,
                    ent.pk,
                    ent.region_id,
                    place,
                    category_id,
                    description,
                    "major" if major else "general",
                    "major" if major else "general",
                    source,
                    h["status"],
                    reported_by,
                    reporter_name,
                    reported_at,
                    lat,
                    lng,
                    h["responsible"],
                    h["deadline"],
                    measures,
                    h["assigned_at"],
                    h["rectified_at"],
                    rectification,
                    h["cost"],
                    h["verified_by"],
                    h["closed_at"],
                    h["returned"],
                    h["overdue"],
                    h["escalation_level"],
                    h["escalated_at"],
                    h["joint"],
                    major,
                    repeated,
                    prio,
                    h["version"],
                    h["cancel_reason"],
                )
            )
            for predecessor in predecessors[-10:]:
                links.append((pk, predecessor))
            if major:
                self.stats["major"] += 1
                plans.append(self._plan(rng, pk, ent, h, code))
                if self.criteria:
                    criteria.append((pk, rng.choice(self.criteria)))
            if history or is_open or major:
                transitions.extend(self._transitions(pk, h, reported_by, reported_at, source, rectification))
        return next_id

    def _reporter(self, rng, ent: _Enterprise, source: str) -> tuple[int | None, str]:
        if source in ("self_check", "meeting"):
            if ent.workers:
                pk, name = rng.choice(ent.workers)
                return pk, name
            return None, ent.safety_manager
        if source == "patrol" and ent.inspector:
            return ent.inspector, self.inspector_names.get(ent.inspector, "网格员")
        return None, SYSTEM_REPORTERS.get(source, "网格员")

    def _blank(self) -> dict:
        return dict(
            status="reported",
            responsible=None,
            deadline=None,
            assigned_at=None,
            rectified_at=None,
            closed_at=None,
            cost=None,
            verified_by=None,
            returned=0,
            overdue=False,
            escalation_level=0,
            escalated_at=None,
            joint=False,
            version=0,
            cancel_reason="",
            events=[],
        )

    def _lifecycle(self, rng: random.Random, ent: _Enterprise, *, major: bool, source: str, reported_at):
        """Walk the loop from the report to now; what is not done by now stays open."""
        now = self.now
        h = self._blank()
        events = h["events"]
        government = source in GOVERNMENT
        manager = rng.choice(ent.managers)[0] if ent.managers else None
        verifier = ent.inspector if (government or major) else manager
        responsible = rng.choice(ent.workers)[0] if ent.workers else None
        if rng.random() < CANCEL_SHARE:
            at = reported_at + dt.timedelta(hours=rng.uniform(2, 72))
            if at <= now:
                reason = rng.choice(["重复上报", "经核实不属于隐患", "企业已关闭"])
                h.update(status="cancelled", cancel_reason=reason, version=1)
                events.append(("cancel", "reported", "cancelled", ent.inspector, at, reason))
                return h
        if not major and rng.random() < ON_SPOT_SHARE:
            at = reported_at + dt.timedelta(minutes=rng.randint(10, 240))
            if at <= now:
                h.update(
                    status="closed",
                    rectified_at=at,
                    closed_at=at,
                    responsible=responsible,
                    verified_by=manager or responsible,
                    cost=Decimal(rng.choice([0, 0, 0, 20, 50, 80, 150, 200])),
                    version=1,
                )
                events.append(("close_on_spot", "reported", "closed", manager or responsible, at, ""))
                return h
        assigned_at = reported_at + dt.timedelta(hours=rng.uniform(0.5, 48))
        if assigned_at > now:
            return h
        assigned_day = self._local_date(assigned_at)
        if major:
            deadline = assigned_day + dt.timedelta(days=rng.randint(60, 180))
        else:
            deadline = assigned_day + dt.timedelta(days=rng.choice(GENERAL_DEADLINES))
        h.update(status="assigned", assigned_at=assigned_at, deadline=deadline, responsible=responsible, version=1)
        events.append(("assign", "reported", "assigned", manager, assigned_at, ""))
        if rng.random() >= STUCK_SHARE:
            if rng.random() < LATE_SHARE:
                rectified_at = self._time(rng, deadline + dt.timedelta(days=rng.randint(1, 40)))
            else:
                due = (dt.datetime.combine(deadline, dt.time(17)) - self.tz_offset).replace(tzinfo=UTC)
                hours = max((due - assigned_at).total_seconds() / 3600, 1.0)
                rectified_at = assigned_at + dt.timedelta(hours=rng.uniform(0.5, hours))
            if rectified_at <= now:
                if major:
                    cost = Decimal(rng.randint(200, 6000) * 100)
                else:
                    cost = Decimal(rng.choice([0, 50, 120, 300, 500, 800, 1500, 3000]))
                h.update(status="submitted", rectified_at=rectified_at, cost=cost, version=2)
                events.append(("rectify", "assigned", "submitted", responsible, rectified_at, "rectification"))
                closed_at = rectified_at + dt.timedelta(hours=rng.uniform(1, 72))
                if rng.random() < RETURN_SHARE:  # returned once, then rectified again
                    back = rectified_at + dt.timedelta(hours=rng.uniform(1, 24))
                    if back <= now:
                        h.update(status="assigned", returned=1, version=3)
                        events.append(("return", "submitted", "assigned", verifier or manager, back, RETURN_REASON))
                        if government and rng.random() < 0.5:
                            h["joint"] = True
                        again = back + dt.timedelta(hours=rng.uniform(24, 96))
                        closed_at = again + dt.timedelta(hours=rng.uniform(1, 24))
                        if again <= now:
                            h.update(status="submitted", rectified_at=again, version=4)
                            events.append(("rectify", "assigned", "submitted", responsible, again, "rectification"))
                if closed_at <= now and h["status"] == "submitted":
                    h.update(status="closed", closed_at=closed_at, verified_by=verifier or manager)
                    h["version"] += 1
                    events.append(("accept", "submitted", "closed", verifier or manager, closed_at, ""))
        # Overdue and escalation (grid → town → district): open past the deadline, or closed after it.
        end_day = self._local_date(h["closed_at"]) if h["closed_at"] else self.today
        days_over = (end_day - deadline).days
        if days_over > 0:
            reached = [(level, days) for level, days in self.steps if days_over >= days]
            for level, days in reached:
                at = min(self._time(rng, deadline + dt.timedelta(days=max(days, 1)), hours=(1, 2)), now)
                h.update(escalation_level=level, escalated_at=at)
                if h["status"] != "closed":
                    events.append(("escalate", h["status"], h["status"], None, at, f"level={level}"))
            if h["status"] != "closed":
                h["overdue"] = True
        return h

    def _showcase(self, rng: random.Random, ent: _Enterprise, *, stage: str, major: bool, reported_at) -> dict:
        """An open hazard of the demo enterprise at a given step of the loop."""
        h = self._blank()
        manager = ent.managers[0][0] if ent.managers else None
        responsible = next((pk for pk, _name in ent.workers if pk not in {m for m, _n in ent.managers}), manager)
        if stage == "reported":
            return h
        assigned_at = min(reported_at + dt.timedelta(hours=2), self.now)
        assigned_day = self._local_date(assigned_at)
        deadline = {
            "assigned": self.today + dt.timedelta(days=5),
            "submitted": self.today + dt.timedelta(days=3),
            "overdue": assigned_day + dt.timedelta(days=7),
            "major": self.today + dt.timedelta(days=60),
        }[stage]
        h.update(status="assigned", assigned_at=assigned_at, deadline=deadline, responsible=responsible, version=1)
        h["events"].append(("assign", "reported", "assigned", manager, assigned_at, ""))
        if stage == "submitted":
            rectified_at = min(assigned_at + dt.timedelta(hours=20), self.now)
            h.update(status="submitted", rectified_at=rectified_at, cost=Decimal(350), version=2)
            h["events"].append(("rectify", "assigned", "submitted", responsible, rectified_at, "rectification"))
        days_over = (self.today - deadline).days
        if days_over > 0:
            h["overdue"] = True
            for level, days in self.steps:
                if days_over >= days:
                    at = min(self._time(rng, deadline + dt.timedelta(days=max(days, 1)), hours=(1, 2)), self.now)
                    h.update(escalation_level=level, escalated_at=at)
                    h["events"].append(("escalate", "assigned", "assigned", None, at, f"level={level}"))
        return h

    def _plan(self, rng, pk: int, ent: _Enterprise, h: dict, code: str) -> tuple:
        deadline = h["deadline"] or (self.today + dt.timedelta(days=90))
        created_by = (ent.managers[0][0] if ent.managers else None) or ent.inspector or self.fallback_user
        created_at = h["assigned_at"] or self.now
        return (
            pk,
            "消除重大事故隐患，达到相关标准要求",
            rng.choice(CATEGORY_VOCAB[code][2]) + "；委托专业单位设计施工，完工后组织验收",
            f"安排专项资金{rng.randint(5, 60)}万元，所需材料由设备部采购",
            f"主要负责人{ent.safety_manager or '—'}牵头，安全管理部门组织，车间负责人落实",
            deadline,
            "治理期间停止相关区域作业，设置警戒区域和警示标志，安排专人监护，配备应急器材",
            created_by,
            created_at,
        )

    def _transitions(self, pk: int, h: dict, reported_by, reported_at, source: str, rectification: str) -> list:
        rows = [
            (pk, "report", "", "reported", reported_by, reported_at, None, None, "", json.dumps({"source": source}))
        ]
        for action, from_status, to_status, actor, at, comment in sorted(h["events"], key=lambda e: e[4]):
            data = {}
            if comment == "rectification":
                comment = rectification
                data = {"cost": str(h["cost"])} if h["cost"] is not None else {}
            elif action == "escalate":
                data = {"level": int(comment.split("=")[1])}
                comment = ""
            elif action == "assign":
                data = {"deadline": h["deadline"].isoformat()}
            rows.append(
                (
                    pk,
                    action,
                    from_status,
                    to_status,
                    actor,
                    at,
                    None,
                    None,
                    comment,
                    json.dumps(data, ensure_ascii=False),
                )
            )
        return rows


def contribute(context) -> str:
    """Hazards for the enterprises the demo generator just created (see the module docstring)."""
    generator = _HazardGenerator(
        seed=context.seed, today=context.today, enterprise_count=len(context.enterprise_ids), log=lambda line: None
    )
    generator.showcase = getattr(context.demo_enterprise, "pk", None)
    started = time.monotonic()
    stats = generator.run(context.enterprise_ids)
    return (
        f"隐患 {stats.get('hazards', 0)} 条（重大 {stats.get('major', 0)}），用时 {time.monotonic() - started:.1f} 秒"
    )


def ensure_hazards(*, seed: int = 2026, log: Callable[[str], None] = lambda line: None) -> int:
    """Give hazards to every enterprise that has none (for ``make bench`` on a data set built
    before hazards existed). Returns how many were created."""
    from anjian.enterprises.models import Enterprise
    from anjian.hazards.models import Hazard

    missing = list(
        Enterprise.objects.filter(~Exists(Hazard.objects.filter(enterprise_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not missing:
        return 0
    from anjian.core.models import User

    total = Enterprise.objects.count()
    generator = _HazardGenerator(seed=seed, today=timezone.localdate(), enterprise_count=total, log=log)
    generator.showcase = User.objects.filter(username="ent_admin").values_list("enterprise_id", flat=True).first()
    with transaction.atomic():
        stats = generator.run(missing)
    return stats.get("hazards", 0)


__all__ = ["contribute", "ensure_hazards", "per_enterprise"]
