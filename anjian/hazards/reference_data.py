"""Reference tables every installation starts with; administrators may change them later."""

from __future__ import annotations

CATEGORIES = [
    # (code, name, parent code)
    ("M", "基础管理类", None),
    ("M01", "安全生产责任制与管理制度", "M"),
    ("M02", "安全教育培训", "M"),
    ("M03", "安全投入", "M"),
    ("M04", "应急管理", "M"),
    ("M05", "相关方管理", "M"),
    ("M06", "隐患排查治理与风险管控", "M"),
    ("S", "现场管理类", None),
    ("S01", "设备设施", "S"),
    ("S02", "电气安全", "S"),
    ("S03", "消防安全", "S"),
    ("S04", "职业健康", "S"),
    ("S05", "危险化学品", "S"),
    ("S06", "特殊作业", "S"),
    ("S07", "特种设备", "S"),
    ("S08", "作业环境与现场管理", "S"),
    ("S09", "劳动防护用品", "S"),
    ("S10", "粉尘防爆", "S"),
    ("S11", "有限空间", "S"),
]

# Overdue escalation (DOMAIN: grid → town → district at configurable steps).
ESCALATION_STEPS = [(1, 0), (2, 7), (3, 15)]


def load_categories(HazardCategory) -> None:
    by_code = {}
    for rank, (code, name, parent) in enumerate(CATEGORIES):
        obj, _ = HazardCategory.objects.get_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent), "rank": rank}
        )
        by_code[code] = obj


def load_escalation_steps(EscalationStep) -> None:
    # The defaults are the rows without region (migration 0002 ran before regions were added).
    default = {"region": None} if any(f.name == "region" for f in EscalationStep._meta.get_fields()) else {}
    for level, days in ESCALATION_STEPS:
        EscalationStep.objects.get_or_create(level=level, **default, defaults={"days_overdue": days})
