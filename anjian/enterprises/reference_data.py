"""Reference tables every installation needs: industries (GB/T 4754-2017 sections and
divisions), supervision classes A/B/C/D, supervision-focus tags and government departments.

Each loader creates the missing rows and, with ``update=True``, brings existing rows back to the
values below; it never deletes a row. The loaders take the model class as an argument so that
the data migration can pass its historical models (``apps.get_model``); called without one they
use the current models.

Classes, tags and departments are configurable by an administrator (DOMAIN §4): callers that
must not undo his changes (the demo command) pass ``update=False``. The industry table is a
national standard, so the migration and ``load_reference_data`` always bring it up to date.
"""

from __future__ import annotations

from typing import Any

# --- GB/T 4754-2017 国民经济行业分类: 20 sections (门类) and 97 divisions (大类) -------------
INDUSTRY_SECTIONS: list[tuple[str, str]] = [
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
]

# (section, two-digit division, name); the stored code is section + division, e.g. "C13".
INDUSTRY_DIVISIONS: list[tuple[str, str, str]] = [
    ("A", "01", "农业"),
    ("A", "02", "林业"),
    ("A", "03", "畜牧业"),
    ("A", "04", "渔业"),
    ("A", "05", "农、林、牧、渔专业及辅助性活动"),
    ("B", "06", "煤炭开采和洗选业"),
    ("B", "07", "石油和天然气开采业"),
    ("B", "08", "黑色金属矿采选业"),
    ("B", "09", "有色金属矿采选业"),
    ("B", "10", "非金属矿采选业"),
    ("B", "11", "开采专业及辅助性活动"),
    ("B", "12", "其他采矿业"),
    ("C", "13", "农副食品加工业"),
    ("C", "14", "食品制造业"),
    ("C", "15", "酒、饮料和精制茶制造业"),
    ("C", "16", "烟草制品业"),
    ("C", "17", "纺织业"),
    ("C", "18", "纺织服装、服饰业"),
    ("C", "19", "皮革、毛皮、羽毛及其制品和制鞋业"),
    ("C", "20", "木材加工和木、竹、藤、棕、草制品业"),
    ("C", "21", "家具制造业"),
    ("C", "22", "造纸和纸制品业"),
    ("C", "23", "印刷和记录媒介复制业"),
    ("C", "24", "文教、工美、体育和娱乐用品制造业"),
    ("C", "25", "石油、煤炭及其他燃料加工业"),
    ("C", "26", "化学原料和化学制品制造业"),
    ("C", "27", "医药制造业"),
    ("C", "28", "化学纤维制造业"),
    ("C", "29", "橡胶和塑料制品业"),
    ("C", "30", "非金属矿物制品业"),
    ("C", "31", "黑色金属冶炼和压延加工业"),
    ("C", "32", "有色金属冶炼和压延加工业"),
    ("C", "33", "金属制品业"),
    ("C", "34", "通用设备制造业"),
    ("C", "35", "专用设备制造业"),
    ("C", "36", "汽车制造业"),
    ("C", "37", "铁路、船舶、航空航天和其他运输设备制造业"),
    ("C", "38", "电气机械和器材制造业"),
    ("C", "39", "计算机、通信和其他电子设备制造业"),
    ("C", "40", "仪器仪表制造业"),
    ("C", "41", "其他制造业"),
    ("C", "42", "废弃资源综合利用业"),
    ("C", "43", "金属制品、机械和设备修理业"),
    ("D", "44", "电力、热力生产和供应业"),
    ("D", "45", "燃气生产和供应业"),
    ("D", "46", "水的生产和供应业"),
    ("E", "47", "房屋建筑业"),
    ("E", "48", "土木工程建筑业"),
    ("E", "49", "建筑安装业"),
    ("E", "50", "建筑装饰、装修和其他建筑业"),
    ("F", "51", "批发业"),
    ("F", "52", "零售业"),
    ("G", "53", "铁路运输业"),
    ("G", "54", "道路运输业"),
    ("G", "55", "水上运输业"),
    ("G", "56", "航空运输业"),
    ("G", "57", "管道运输业"),
    ("G", "58", "多式联运和运输代理业"),
    ("G", "59", "装卸搬运和仓储业"),
    ("G", "60", "邮政业"),
    ("H", "61", "住宿业"),
    ("H", "62", "餐饮业"),
    ("I", "63", "电信、广播电视和卫星传输服务"),
    ("I", "64", "互联网和相关服务"),
    ("I", "65", "软件和信息技术服务业"),
    ("J", "66", "货币金融服务"),
    ("J", "67", "资本市场服务"),
    ("J", "68", "保险业"),
    ("J", "69", "其他金融业"),
    ("K", "70", "房地产业"),
    ("L", "71", "租赁业"),
    ("L", "72", "商务服务业"),
    ("M", "73", "研究和试验发展"),
    ("M", "74", "专业技术服务业"),
    ("M", "75", "科技推广和应用服务业"),
    ("N", "76", "水利管理业"),
    ("N", "77", "生态保护和环境治理业"),
    ("N", "78", "公共设施管理业"),
    ("N", "79", "土地管理业"),
    ("O", "80", "居民服务业"),
    ("O", "81", "机动车、电子产品和日用产品修理业"),
    ("O", "82", "其他服务业"),
    ("P", "83", "教育"),
    ("Q", "84", "卫生"),
    ("Q", "85", "社会工作"),
    ("R", "86", "新闻和出版业"),
    ("R", "87", "广播、电视、电影和录音制作业"),
    ("R", "88", "文化艺术业"),
    ("R", "89", "体育"),
    ("R", "90", "娱乐业"),
    ("S", "91", "中国共产党机关"),
    ("S", "92", "国家机构"),
    ("S", "93", "人民政协、民主党派"),
    ("S", "94", "社会保障"),
    ("S", "95", "群众团体、社会团体和其他成员组织"),
    ("S", "96", "基层群众自治组织及其他组织"),
    ("T", "97", "国际组织"),
]

# --- 分级分类监管 (DOMAIN §4 defaults: A well run / low risk … D poorly run / high risk) ----------
SUPERVISION_CLASSES: list[dict[str, Any]] = [
    {"code": "A", "label": "管理良好 · 低风险", "patrol_cycle_months": 6, "colour": "success", "rank": 1},
    {"code": "B", "label": "管理较好 · 一般风险", "patrol_cycle_months": 3, "colour": "primary", "rank": 2},
    {"code": "C", "label": "管理一般 · 较高风险", "patrol_cycle_months": 2, "colour": "warning", "rank": 3},
    {"code": "D", "label": "管理较差 · 高风险", "patrol_cycle_months": 1, "colour": "danger", "rank": 4},
]

# --- Supervision-focus tags (重点监管标签), colour = a Bootstrap colour name ----------------------
TAGS: list[tuple[str, str]] = [
    ("涉爆粉尘", "danger"),
    ("有限空间作业", "warning"),
    ("液氨制冷", "info"),
    ("涉氨制冷", "info"),
    ("金属冶炼", "danger"),
    ("高温熔融", "danger"),
    ("危险化学品使用", "warning"),
    ("危险化学品经营", "warning"),
    ("重大危险源", "danger"),
    ("喷涂作业", "warning"),
    ("人员密集场所", "primary"),
    ("消防重点单位", "primary"),
    ("燃气使用", "warning"),
    ("锂电池生产", "danger"),
    ("铝镁制品加工", "danger"),
    ("动火作业频繁", "secondary"),
    ("小微企业园", "secondary"),
    ("出租厂房", "secondary"),
]

# --- Government departments (三管三必须): who supervises which sector ---------------------------
# industry_prefixes: GB/T 4754 codes (a section letter or a division); venue_types: VenueType values.
# A department with neither supervises comprehensively (the emergency management bureau).
DEPARTMENTS: list[dict[str, Any]] = [
    {"code": "emergency", "name": "应急管理局", "industry_prefixes": [], "venue_types": []},
    {"code": "education", "name": "教育局", "industry_prefixes": [], "venue_types": ["school"]},
    {"code": "health", "name": "卫生健康委员会", "industry_prefixes": [], "venue_types": ["hospital"]},
    {"code": "civil_affairs", "name": "民政局", "industry_prefixes": [], "venue_types": ["care_home"]},
    {"code": "housing", "name": "住房和城乡建设局", "industry_prefixes": ["E"], "venue_types": []},
    {
        "code": "culture_tourism",
        "name": "文体广电和旅游局",
        "industry_prefixes": [],
        "venue_types": ["cinema", "hotel"],
    },
    {"code": "ethnic_religious", "name": "民族宗教事务局", "industry_prefixes": [], "venue_types": ["religious"]},
    {"code": "commerce", "name": "商务局", "industry_prefixes": [], "venue_types": ["market", "restaurant"]},
    {"code": "transport", "name": "交通运输局", "industry_prefixes": ["G"], "venue_types": []},
]
COMPREHENSIVE_DEPARTMENT = "emergency"


def industry_rows() -> list[dict[str, Any]]:
    """Sections first, then divisions, so a parent always precedes its children."""
    rows = [{"code": code, "name": name, "parent_id": None} for code, name in INDUSTRY_SECTIONS]
    rows += [{"code": section + div, "name": name, "parent_id": section} for section, div, name in INDUSTRY_DIVISIONS]
    return rows


def _upsert(model, key: str, rows: list[dict[str, Any]], *, update: bool) -> tuple[int, int]:
    """Create the missing rows (one bulk insert) and, with ``update``, rewrite changed ones.

    Returns (created, updated)."""
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})}
    new = [model(**row) for row in rows if row[key] not in existing]
    changed = []
    fields: set[str] = set()
    if update:
        for row in rows:
            obj = existing.get(row[key])
            if obj is None:
                continue
            diff = [name for name, value in row.items() if name != key and getattr(obj, name) != value]
            if diff:
                for name in diff:
                    setattr(obj, name, row[name])
                fields.update(diff)
                changed.append(obj)
    if new:
        model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, sorted(fields))
    return len(new), len(changed)


def load_industries(Industry=None, *, update: bool = True) -> tuple[int, int]:
    if Industry is None:
        from anjian.enterprises.models import Industry
    rows = industry_rows()
    # Parents first: sections, then divisions (bulk_create keeps the order).
    created_s, updated_s = _upsert(Industry, "code", rows[: len(INDUSTRY_SECTIONS)], update=update)
    created_d, updated_d = _upsert(Industry, "code", rows[len(INDUSTRY_SECTIONS) :], update=update)
    return created_s + created_d, updated_s + updated_d


def load_supervision_classes(SupervisionClass=None, *, update: bool = True) -> tuple[int, int]:
    if SupervisionClass is None:
        from anjian.enterprises.models import SupervisionClass
    return _upsert(SupervisionClass, "code", [dict(row) for row in SUPERVISION_CLASSES], update=update)


def load_tags(Tag=None, *, update: bool = True) -> tuple[int, int]:
    if Tag is None:
        from anjian.enterprises.models import Tag
    return _upsert(Tag, "name", [{"name": name, "colour": colour} for name, colour in TAGS], update=update)


def load_departments(Department=None, *, update: bool = True) -> tuple[int, int]:
    if Department is None:
        from anjian.core.models import Department
    rows = [
        {**row, "industry_prefixes": list(row["industry_prefixes"]), "venue_types": list(row["venue_types"])}
        for row in DEPARTMENTS
    ]
    return _upsert(Department, "code", rows, update=update)


def load_reference_data(apps=None, *, update: bool = True) -> dict[str, tuple[int, int]]:
    """Load every reference table. ``apps`` is the migration's app registry (historical models)
    or None for the current models. Returns {table: (created, updated)}."""

    def model(label: str, name: str):
        return apps.get_model(label, name) if apps is not None else None

    return {
        "industries": load_industries(model("enterprises", "Industry"), update=True),
        "supervision_classes": load_supervision_classes(model("enterprises", "SupervisionClass"), update=update),
        "tags": load_tags(model("enterprises", "Tag"), update=update),
        "departments": load_departments(model("core", "Department"), update=update),
    }
