"""The dual-prevention export (双重预防机制数据): one enterprise's risk grading and inspection data in
the structure of the national digital platforms (DOMAIN §4), as a JSON-ready dict.

    risk analysis unit (our risk point) → risk event → control measure → inspection task
    → inspection record → hazard (when a check fails)

``export_enterprise(enterprise)`` reads and returns; it writes nothing and does not scope (the
caller has resolved the enterprise through ``get_scoped_or_404`` or, for the command, is an
operator). The document validates against ``schema/dual-prevention.schema.json``; the field by
field mapping from our models is in ``schema/README.md``. JSON Schema cannot check that a
reference points at an entity of the document; ``reference_errors(document)`` does.

Mappings to the national codes:

- risk level → 1 重大 red, 2 较大 orange, 3 一般 yellow, 4 低 blue;
- risk point kind → unit kind: equipment → device, substance → facility (where the substance
  is held), area → place, operation → activity;
- measure kind → ``MeasureKind.national_kind`` (engineering, maintenance, operation, emergency);
- owning level → company, department (our 车间(部门)级), team, post;
- task cycle → a unit of hour/day/week/month/year and a number (a shift is 12 hours, a quarter
  3 months).

Only what is current is exported: archived points, events and measures are left out, with their
tasks; a stopped task is kept when it has records in the window. Records cover the last
``RECORD_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.utils import timezone, translation

from anjian.core.models import Region, RegionLevel
from anjian.core.scoping import village_code
from anjian.enterprises.models import Enterprise
from anjian.risks.models import (
    AccidentType,
    ControlMeasure,
    InspectionTask,
    NationalMeasureKind,
    OwningLevel,
    PointCheck,
    RiskAssessment,
    RiskEvent,
    RiskLevel,
    RiskPoint,
    RiskPointKind,
    TaskCycle,
)

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).parent / "schema" / "dual-prevention.schema.json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
RECORD_DAYS = 30

LEVEL_CODES = {
    RiskLevel.MAJOR: (1, "重大风险", "red"),
    RiskLevel.HIGH: (2, "较大风险", "orange"),
    RiskLevel.GENERAL: (3, "一般风险", "yellow"),
    RiskLevel.LOW: (4, "低风险", "blue"),
}
UNIT_KINDS = {
    RiskPointKind.EQUIPMENT: "device",
    RiskPointKind.SUBSTANCE: "facility",
    RiskPointKind.AREA: "place",
    RiskPointKind.OPERATION: "activity",
}
OWNING_LEVELS = {
    OwningLevel.COMPANY: "company",
    OwningLevel.WORKSHOP: "department",
    OwningLevel.TEAM: "team",
    OwningLevel.POST: "post",
}
CYCLES = {
    TaskCycle.HOUR: ("hour", 1),
    TaskCycle.SHIFT: ("hour", 12),
    TaskCycle.DAY: ("day", 1),
    TaskCycle.WEEK: ("week", 1),
    TaskCycle.MONTH: ("month", 1),
    TaskCycle.QUARTER: ("month", 3),
    TaskCycle.YEAR: ("year", 1),
}
ID_PREFIXES = {
    "risk_units": "U",
    "risk_events": "E",
    "control_measures": "M",
    "inspection_tasks": "T",
    "inspection_records": "R",
}
# (entity list, field, the entity list it refers to)
REFERENCES = [
    ("risk_events", "unit_id", "risk_units"),
    ("control_measures", "event_id", "risk_events"),
    ("inspection_tasks", "measure_id", "control_measures"),
    ("inspection_records", "task_id", "inspection_tasks"),
]


def iso(value: dt.datetime) -> str:
    """ISO 8601 in Asia/Shanghai with its offset, to the second."""
    return timezone.localtime(value, SHANGHAI).isoformat(timespec="seconds")


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _label(choices, value: str) -> str:
    with translation.override(None):  # the national names are Chinese whatever the user's language
        return str(dict(choices)[value])


def _region_code(region: Region) -> str:
    """The statistical division code (≤ 12 digits): a grid is reported as the village or town it
    belongs to, since grid codes are ours."""
    if region.level <= RegionLevel.VILLAGE:
        return region.code
    ancestors = [r for r in region.ancestors() if r.level <= RegionLevel.VILLAGE]
    return ancestors[-1].code if ancestors else village_code(region.code)


def _unit(point: RiskPoint) -> dict[str, Any]:
    latest: RiskAssessment | None = next(iter(point.assessments.all()), None)
    level = None
    if point.level:
        code, name, colour = LEVEL_CODES[point.level]
        level = {"code": code, "name": name, "colour": colour}
    assessment = None
    if latest is not None:
        assessment = {
            "method": latest.method.upper(),
            "l": _number(latest.likelihood),
            "e": _number(latest.exposure),
            "c": _number(latest.consequence),
            "score": _number(latest.score),
            "assessed_at": iso(latest.assessed_at),
        }
    return {
        "id": f"U{point.pk}",
        "name": point.name,
        "kind": UNIT_KINDS[point.kind],
        "kind_name": _label(RiskPointKind.choices, point.kind),
        "place": point.place,
        "level": level,
        "assessment": assessment,
        "accident_types": [_label(AccidentType.choices, t) for t in point.accident_types],
        "equipment_count": point.equipment_count,
        "responsible": {"name": point.responsible_name, "phone": point.responsible_phone},
        "identified_at": iso(point.collected_at),
    }


def _event(event: RiskEvent) -> dict[str, Any]:
    return {
        "id": f"E{event.pk}",
        "unit_id": f"U{event.risk_point_id}",
        "name": event.name,
        "accident_type": _label(AccidentType.choices, event.accident_type),
        "consequence": event.consequence,
    }


def _measure(measure: ControlMeasure) -> dict[str, Any]:
    national = measure.kind.national_kind
    return {
        "id": f"M{measure.pk}",
        "event_id": f"E{measure.event_id}",
        "description": measure.description,
        "kind": national,
        "kind_name": _label(NationalMeasureKind.choices, national),
        "enterprise_kind": measure.kind.name,
        "owning_level": OWNING_LEVELS[measure.owning_level],
        "owning_level_name": _label(OwningLevel.choices, measure.owning_level),
        "owning_unit": measure.owning_unit,
        "responsible_name": measure.responsible_name,
    }


def _task(task: InspectionTask) -> dict[str, Any]:
    unit, number = CYCLES[task.cycle]
    return {
        "id": f"T{task.pk}",
        "measure_id": f"M{task.measure_id}",
        "content": task.content,
        "inspection_point": {"id": f"P{task.point_id}", "name": task.point.name, "place": task.point.place},
        "cycle": {"unit": unit, "number": number},
        "evidence": task.evidence,
        "owner": str(task.owner),
        "starts_on": task.starts_on.isoformat(),
        "active": not task.archived,
    }


def _record(check: PointCheck) -> dict[str, Any]:
    return {
        "id": f"R{check.pk}",
        "task_id": f"T{check.task_id}",
        "checked_at": iso(check.checked_at),
        "result": "normal" if check.passed else "abnormal",
        "checker": str(check.checked_by),
        "note": check.note,
        "hazard_id": f"H{check.hazard_id}" if check.hazard_id else None,
    }


def export_enterprise(enterprise: Enterprise, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The enterprise's dual-prevention document (see the module docstring); ``now`` is the
    moment of the export (the record window ends there). Six queries whatever the size."""
    now = now or timezone.now()
    points = list(
        RiskPoint.objects.filter(enterprise=enterprise, archived=False)
        .prefetch_related(Prefetch("assessments", queryset=RiskAssessment.objects.order_by("-assessed_at", "-id")))
        .order_by("id")
    )
    events = list(RiskEvent.objects.filter(risk_point__in=points, archived=False).order_by("id"))
    measures = list(
        ControlMeasure.objects.filter(event__in=events, archived=False).select_related("kind").order_by("id")
    )
    checks = list(
        PointCheck.objects.filter(
            enterprise=enterprise,
            task__measure__in=measures,
            checked_at__gt=now - dt.timedelta(days=RECORD_DAYS),
            checked_at__lte=now,
        )
        .select_related("checked_by")
        .order_by("checked_at", "id")
    )
    tasks = list(
        InspectionTask.objects.filter(measure__in=measures)
        .filter(Q(archived=False) | Q(pk__in={c.task_id for c in checks}))
        .select_related("point", "owner")
        .order_by("id")
    )
    region = enterprise.region
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso(now),
        "enterprise": {
            "credit_code": enterprise.credit_code,
            "name": enterprise.name,
            "region_code": _region_code(region),
            "region_name": region.name,
        },
        "risk_units": [_unit(p) for p in points],
        "risk_events": [_event(e) for e in events],
        "control_measures": [_measure(m) for m in measures],
        "inspection_tasks": [_task(t) for t in tasks],
        "inspection_records": [_record(c) for c in checks],
    }


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def reference_errors(document: dict[str, Any]) -> list[str]:
    """What JSON Schema cannot say: ids are unique within their list and every reference names an
    entity present in the document. Empty when the document holds together."""
    errors: list[str] = []
    ids: dict[str, set[str]] = {}
    for entity in ID_PREFIXES:
        seen: set[str] = set()
        for item in document.get(entity, []):
            if item["id"] in seen:
                errors.append(f"{entity}: duplicate id {item['id']}")
            seen.add(item["id"])
        ids[entity] = seen
    for entity, key, target in REFERENCES:
        for item in document.get(entity, []):
            if item[key] not in ids[target]:
                errors.append(f"{entity} {item['id']}: {key} {item[key]} is not in {target}")
    return errors
