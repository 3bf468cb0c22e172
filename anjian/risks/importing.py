"""Excel (.xlsx) import of an enterprise's risk list (风险辨识清单): one row per control measure,
with its risk point, the point's assessment and the risk event in the same row.

Rows with the same risk point name are one point; rows with the same event name within a point
are one event. The point's columns (type, place, assessment …) are read from the point's first
row; later rows may leave them blank, and what they fill in must agree. Same for an event's
accident type and consequence.

Plain functions, like the enterprise import (``anjian.core.importing`` holds the shared parts):

- ``template_bytes()``: the template workbook (data sheet, allowed values, explanations);
- ``parse_workbook(fileobj) -> list[ImportRow]``: the file checked and read;
- ``validate_rows(rows, actor, enterprise) -> ImportReport``: every problem of every row, no write,
  a handful of queries whatever the number of rows;
- ``import_rows(rows, actor, enterprise) -> ImportSummary``: validates again and creates every point,
  assessment, event and measure through the risk services in one transaction, or nothing
  (``ImportRejected`` carries the report).

The column names are a file format shared with the people who fill it: fixed Chinese text, not
translated; the messages about them are.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.importing import (
    HEADER_FILL,
    ImportColumn,
    ImportColumns,
    ImportRejected,
    ImportReport,
    ImportRow,
    RowResult,
    WorkbookError,
    cell_text,
)
from anjian.core.models import User
from anjian.enterprises.models import Enterprise
from anjian.risks import scoring, services
from anjian.risks.models import (
    AccidentType,
    AssessmentMethod,
    MeasureKind,
    OwningLevel,
    RiskEvent,
    RiskLevel,
    RiskPoint,
    RiskPointKind,
)

__all__ = ["ImportRejected", "ImportReport", "WorkbookError", "import_rows", "parse_workbook", "validate_rows"]

MAX_ROWS = 3000
DATA_SHEET_TITLE = "风险清单"
VALUES_SHEET_TITLE = "可选值"
HELP_SHEET_TITLE = "说明"
LIST_SEPARATORS = re.compile(r"[、,，;；/\n]+")
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


@dataclass(frozen=True)
class Column(ImportColumn):
    as_text: bool = False  # numbers stay numbers in this template


COLUMNS: list[Column] = [
    Column(
        "point_name",
        "风险点名称",
        True,
        gettext_lazy("同名的行属于同一个风险点；不能与本企业已有风险点重名"),
        "空压机房",
        16,
    ),
    Column("place", "所在位置", False, gettext_lazy("风险点所在的车间、区域"), "二车间东侧", 14),
    Column(
        "point_kind", "风险点类型", True, gettext_lazy("见“可选值”工作表；同一风险点只需在第一行填写"), "设备设施", 12
    ),
    Column(
        "accident_types",
        "事故类型",
        False,
        gettext_lazy("风险点可能导致的事故类型，多个用顿号分隔"),
        "容器爆炸、火灾",
        18,
    ),
    Column("equipment_count", "设备数量", False, gettext_lazy("非负整数"), "2", 10),
    Column("point_responsible", "责任人", False, gettext_lazy("风险点责任人姓名"), "王强", 10),
    Column("point_phone", "电话", False, gettext_lazy("风险点责任人电话"), "13812345678", 14),
    Column("method", "评价方法", True, gettext_lazy("LEC 或 LS"), "LEC", 10),
    Column("likelihood", "L", True, gettext_lazy("可能性，取值见“可选值”工作表"), "3", 6),
    Column("exposure", "E", False, gettext_lazy("暴露频繁程度，LEC法必填，LS法不填"), "6", 6),
    Column("consequence", "C/S", True, gettext_lazy("LEC法填C（后果），LS法填S（严重性）"), "15", 6),
    Column(
        "event_name", "风险事件", True, gettext_lazy("同一风险点内同名的行属于同一个风险事件"), "储气罐超压爆炸", 18
    ),
    Column("event_accident_type", "事件事故类型", True, gettext_lazy("一个事故类型，见“可选值”工作表"), "容器爆炸", 12),
    Column("event_consequence", "可能后果", False, gettext_lazy("如人员伤亡、财产损失"), "人员伤亡", 14),
    Column("measure_kind", "措施类别", True, gettext_lazy("见“可选值”工作表"), "工程技术措施", 14),
    Column("measure", "管控措施", True, gettext_lazy("每行一条管控措施"), "安全阀每年校验，压力表在检定期内", 30),
    Column("owning_level", "管控层级", True, gettext_lazy("公司级、车间(部门)级、班组级或岗位级"), "车间(部门)级", 14),
    Column("owning_unit", "责任部门/班组/岗位", False, gettext_lazy("管控该措施的部门、班组或岗位"), "设备科", 18),
    Column("measure_responsible", "措施责任人", False, gettext_lazy("姓名"), "李明", 10),
]
SHEET = ImportColumns(COLUMNS, sheet_title=DATA_SHEET_TITLE, max_rows=MAX_ROWS)
COLUMN_BY_KEY = SHEET.by_key
POINT_KEYS = [
    "place",
    "point_kind",
    "accident_types",
    "equipment_count",
    "point_responsible",
    "point_phone",
    "method",
    "likelihood",
    "exposure",
    "consequence",
]
EVENT_KEYS = ["event_accident_type", "event_consequence"]
LENGTHS = {
    "point_name": 100,
    "place": 100,
    "point_responsible": 30,
    "event_name": 100,
    "event_consequence": 200,
    "measure": 300,
    "owning_unit": 60,
    "measure_responsible": 30,
}
# Field names in the services' ValidationErrors → the file's column (per service).
POINT_FIELD_COLUMNS = {
    "name": "point_name",
    "place": "place",
    "kind": "point_kind",
    "accident_types": "accident_types",
    "equipment_count": "equipment_count",
    "responsible_name": "point_responsible",
    "responsible_phone": "point_phone",
    "method": "method",
    "likelihood": "likelihood",
    "exposure": "exposure",
    "consequence": "consequence",
}
EVENT_FIELD_COLUMNS = {"name": "event_name", "accident_type": "event_accident_type", "consequence": "event_consequence"}
MEASURE_FIELD_COLUMNS = {
    "kind": "measure_kind",
    "description": "measure",
    "owning_level": "owning_level",
    "owning_unit": "owning_unit",
    "responsible_name": "measure_responsible",
}


def header_text(column: Column) -> str:
    return column.header_text


def parse_workbook(fileobj: IO[bytes] | bytes) -> list[ImportRow]:
    """The data rows of the "风险清单" (or first) sheet; ``WorkbookError`` when unusable."""
    return SHEET.parse(fileobj, max_rows=MAX_ROWS)


# --- lookups of the allowed values -------------------------------------------------------------------


def _labels(choices) -> dict[str, str]:
    """Label (in Chinese, whatever the page language) or code → code."""
    lookup = {value: value for value, _label in choices}
    with translation.override(None):
        lookup.update({str(label): value for value, label in choices})
    return lookup


@dataclass
class _Lookups:
    kinds: dict[str, str]
    accident_types: dict[str, str]
    owning_levels: dict[str, str]
    measure_kinds: dict[str, MeasureKind]
    bands: dict[str, list[scoring.Band]]
    existing_points: set[str]


def _lookups(rows: list[ImportRow], enterprise: Enterprise) -> _Lookups:
    measure_kinds: dict[str, MeasureKind] = {}
    for kind in MeasureKind.objects.all():
        measure_kinds.setdefault(kind.code, kind)
        measure_kinds[kind.name] = kind
    names = {cell_text(r.values.get("point_name")) for r in rows} - {""}
    return _Lookups(
        kinds=_labels(RiskPointKind.choices),
        accident_types=_labels(AccidentType.choices),
        owning_levels=_labels(OwningLevel.choices),
        measure_kinds=measure_kinds,
        bands={method: services.bands(method) for method in AssessmentMethod.values},
        existing_points=set(
            RiskPoint.objects.filter(enterprise=enterprise, name__in=names).values_list("name", flat=True)
        ),
    )


# --- checking ------------------------------------------------------------------------------------------


def _add(result: RowResult, key: str, message: Any) -> None:
    SHEET.add_problem(result, key, message)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check_point_columns(result: RowResult, found: _Lookups) -> None:
    """The point's own columns and its assessment (on the point's first row)."""
    values, data = result.values, result.data
    point = data.setdefault("point", {})
    point["name"] = cell_text(values.get("point_name"))
    point["place"] = cell_text(values.get("place"))
    point["responsible_name"] = cell_text(values.get("point_responsible"))
    kind_text = cell_text(values.get("point_kind"))
    if not kind_text:
        _add(result, "point_kind", _("必填（在该风险点的第一行填写）"))
    elif kind_text not in found.kinds:
        _add(result, "point_kind", _("未知的风险点类型：%(v)s") % {"v": kind_text})
    else:
        point["kind"] = found.kinds[kind_text]

    names = [n.strip() for n in LIST_SEPARATORS.split(cell_text(values.get("accident_types"))) if n.strip()]
    unknown = [n for n in names if n not in found.accident_types]
    if unknown:
        _add(result, "accident_types", _("未知的事故类型：%(v)s") % {"v": "、".join(unknown)})
    point["accident_types"] = list(dict.fromkeys(found.accident_types[n] for n in names if n not in unknown))

    count_text = cell_text(values.get("equipment_count"))
    if count_text:
        if count_text.isdigit() and int(count_text) <= 1_000_000:
            point["equipment_count"] = int(count_text)
        else:
            _add(result, "equipment_count", _("设备数量应为不小于0的整数"))
    phone = cell_text(values.get("point_phone"))
    if phone and not PHONE.match(phone):
        _add(result, "point_phone", _("电话号码格式不正确"))
    point["responsible_phone"] = phone

    method_text = cell_text(values.get("method")).lower()
    if not method_text:
        _add(result, "method", _("必填（在该风险点的第一行填写）"))
        return
    if method_text not in AssessmentMethod.values:
        _add(result, "method", _("评价方法应为 LEC 或 LS"))
        return
    factors: dict[str, Decimal | None] = {}
    wanted = (
        ["likelihood", "exposure", "consequence"]
        if method_text == AssessmentMethod.LEC
        else ["likelihood", "consequence"]
    )
    for key in wanted:
        text = cell_text(values.get(key))
        if not text:
            _add(result, key, _("必填（LEC法须填L、E、C，LS法须填L、S）"))
            factors[key] = None
            continue
        factors[key] = _decimal(text)
        if factors[key] is None:
            _add(result, key, _("请填写数字"))
    if method_text == AssessmentMethod.LS and cell_text(values.get("exposure")):
        _add(result, "exposure", _("LS法不填E"))
    if any(v is None for v in factors.values()):
        return
    # Every factor not in the method's table is named, not only the first.
    tables = (
        {"likelihood": scoring.LEC_LIKELIHOOD, "exposure": scoring.LEC_EXPOSURE, "consequence": scoring.LEC_CONSEQUENCE}
        if method_text == AssessmentMethod.LEC
        else {"likelihood": scoring.LS_SCALE, "consequence": scoring.LS_SCALE}
    )
    bad = [key for key, value in factors.items() if value not in tables[key]]
    for key in bad:
        allowed = "、".join(_plain(v) for v in sorted(tables[key], reverse=True))
        _add(result, key, _("取值不在该评价方法的标准取值表中（可选：%(values)s）") % {"values": allowed})
    if bad:
        return
    value = scoring.score(method_text, factors["likelihood"], factors.get("exposure"), factors["consequence"])
    try:
        level = scoring.level_for(value, found.bands[method_text])
    except LookupError:
        _add(result, "method", _("风险分级标准未设置完整，请联系管理员"))
        return
    data["assessment"] = {
        "method": method_text,
        "likelihood": factors["likelihood"],
        "exposure": factors.get("exposure"),
        "consequence": factors["consequence"],
        "score": value,
        "level": level,
    }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _check_event_columns(result: RowResult, found: _Lookups) -> None:
    values = result.values
    event = result.data.setdefault("event", {})
    event["name"] = cell_text(values.get("event_name"))
    event["consequence"] = cell_text(values.get("event_consequence"))
    text = cell_text(values.get("event_accident_type"))
    if not text:
        _add(result, "event_accident_type", _("必填（在该风险事件的第一行填写）"))
    elif text not in found.accident_types:
        _add(result, "event_accident_type", _("未知的事故类型：%(v)s") % {"v": text})
    else:
        event["accident_type"] = found.accident_types[text]


def _check_measure_columns(result: RowResult, found: _Lookups) -> None:
    values = result.values
    measure = result.data.setdefault("measure", {})
    measure["description"] = cell_text(values.get("measure"))
    measure["owning_unit"] = cell_text(values.get("owning_unit"))
    measure["responsible_name"] = cell_text(values.get("measure_responsible"))
    if not measure["description"]:
        _add(result, "measure", _("必填：每行填写一条管控措施"))
    kind_text = cell_text(values.get("measure_kind"))
    if not kind_text:
        _add(result, "measure_kind", _("必填"))
    elif kind_text not in found.measure_kinds:
        _add(result, "measure_kind", _("未知的措施类别：%(v)s") % {"v": kind_text})
    else:
        measure["kind"] = found.measure_kinds[kind_text].code
    level_text = cell_text(values.get("owning_level"))
    if not level_text:
        _add(result, "owning_level", _("必填"))
    elif level_text not in found.owning_levels:
        _add(result, "owning_level", _("管控层级应为公司级、车间(部门)级、班组级或岗位级"))
    else:
        measure["owning_level"] = found.owning_levels[level_text]


def _check_consistent(result: RowResult, first: RowResult, keys: list[str], what: Promise | str) -> None:
    """A later row of the same point (event) may leave its columns blank; what it fills must agree."""
    for key in keys:
        text = cell_text(result.values.get(key))
        if text and text != cell_text(first.values.get(key)):
            _add(
                result,
                key,
                _("与第 %(row)s 行（同一%(what)s）填写的不一致") % {"row": first.number, "what": what},
            )


@dataclass
class PlannedEvent:
    row: RowResult
    measures: list[RowResult] = field(default_factory=list)


@dataclass
class PlannedPoint:
    row: RowResult  # its first row (the point's columns and assessment)
    events: dict[str, PlannedEvent] = field(default_factory=dict)

    @property
    def level(self) -> str:
        return (self.row.data.get("assessment") or {}).get("level", "")

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label) if self.level else ""

    @property
    def measure_count(self) -> int:
        return sum(len(e.measures) for e in self.events.values())


@dataclass
class RiskImportReport(ImportReport):
    points: list[PlannedPoint] = field(default_factory=list)

    @property
    def event_count(self) -> int:
        return sum(len(p.events) for p in self.points)

    @property
    def measure_count(self) -> int:
        return sum(p.measure_count for p in self.points)


def validate_rows(rows: list[ImportRow], actor: User, enterprise: Enterprise) -> RiskImportReport:
    """Check every row without writing; every problem of every row is listed."""
    found = _lookups(rows, enterprise)
    results: list[RowResult] = []
    points: dict[str, PlannedPoint] = {}
    for row in rows:
        result = RowResult(number=row.number, values=row.values)
        results.append(result)
        point_name = cell_text(row.values.get("point_name"))
        event_name = cell_text(row.values.get("event_name"))
        result.label = " / ".join(t for t in (point_name, event_name) if t)
        for key, limit in LENGTHS.items():
            if len(cell_text(row.values.get(key))) > limit:
                _add(result, key, _("不能超过%(n)d个字") % {"n": limit})
        if not point_name:
            _add(result, "point_name", _("必填"))
        if not event_name:
            _add(result, "event_name", _("必填"))
        _check_measure_columns(result, found)
        if not point_name:
            continue

        planned = points.get(point_name)
        if planned is None:
            planned = points[point_name] = PlannedPoint(row=result)
            _check_point_columns(result, found)
            if point_name in found.existing_points:
                _add(
                    result,
                    "point_name",
                    _("本企业已有名为“%(name)s”的风险点，不能重复导入；请改名，或在系统中修改该风险点")
                    % {"name": point_name},
                )
        else:
            _check_consistent(result, planned.row, POINT_KEYS, _("风险点"))
        if not event_name:
            continue
        event = planned.events.get(event_name)
        if event is None:
            event = planned.events[event_name] = PlannedEvent(row=result)
            _check_event_columns(result, found)
        else:
            _check_consistent(result, event.row, EVENT_KEYS, _("风险事件"))
        description = cell_text(row.values.get("measure"))
        twin = next(
            (m for m in event.measures if description and cell_text(m.values.get("measure")) == description), None
        )
        if twin is not None:
            _add(result, "measure", _("与第 %(row)s 行的管控措施重复") % {"row": twin.number})
        event.measures.append(result)
    return RiskImportReport(rows=results, points=list(points.values()))


# --- importing ---------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    points: list[RiskPoint]
    events: list[RiskEvent]
    measures: int


def import_rows(rows: list[ImportRow], actor: User, enterprise: Enterprise) -> ImportSummary:
    """Validate again (the list may have changed since the dry run) and create every point, its
    assessment, events and measures through the risk services in one transaction: all or none."""
    report = validate_rows(rows, actor, enterprise)
    if not report.ok:
        raise ImportRejected(report)
    summary = ImportSummary(points=[], events=[], measures=0)
    current: tuple[RowResult, dict[str, str]] = (report.rows[0], {})
    try:
        with transaction.atomic():
            for planned in report.points:
                current = (planned.row, POINT_FIELD_COLUMNS)
                point = services.risk_point_create(actor=actor, enterprise=enterprise, data=planned.row.data["point"])
                assessment = planned.row.data["assessment"]
                services.risk_assess(
                    actor=actor,
                    risk_point=point,
                    method=assessment["method"],
                    likelihood=assessment["likelihood"],
                    exposure=assessment["exposure"],
                    consequence=assessment["consequence"],
                    note=_("Excel导入"),
                )
                summary.points.append(point)
                for event_plan in planned.events.values():
                    current = (event_plan.row, EVENT_FIELD_COLUMNS)
                    event = services.risk_event_create(actor=actor, risk_point=point, data=event_plan.row.data["event"])
                    summary.events.append(event)
                    for measure_row in event_plan.measures:
                        current = (measure_row, MEASURE_FIELD_COLUMNS)
                        services.control_measure_create(actor=actor, event=event, data=measure_row.data["measure"])
                        summary.measures += 1
    except ValidationError as exc:
        SHEET.add_service_errors(current[0], exc, rename=current[1])
        raise ImportRejected(report) from exc
    except IntegrityError as exc:
        _add(current[0], "", _("与同时录入的数据冲突，请重新上传"))
        raise ImportRejected(report) from exc
    return summary


# --- the template --------------------------------------------------------------------------------------


def allowed_values() -> list[tuple[str, list[str]]]:
    """Each choice column and its allowed values, as the file spells them."""
    with translation.override(None):
        kinds = [str(label) for _v, label in RiskPointKind.choices]
        accident_types = [str(label) for _v, label in AccidentType.choices]
        owning_levels = [str(label) for _v, label in OwningLevel.choices]
    return [
        ("风险点类型", kinds),
        ("事故类型", accident_types),
        ("评价方法", ["LEC", "LS"]),
        ("LEC: L", [_plain(v) for v in sorted(scoring.LEC_LIKELIHOOD, reverse=True)]),
        ("LEC: E", [_plain(v) for v in sorted(scoring.LEC_EXPOSURE, reverse=True)]),
        ("LEC: C", [_plain(v) for v in sorted(scoring.LEC_CONSEQUENCE, reverse=True)]),
        ("LS: L / S", [_plain(v) for v in sorted(scoring.LS_SCALE)]),
        ("措施类别", [k.name for k in MeasureKind.objects.all()]),
        ("管控层级", owning_levels),
    ]


def template_bytes() -> bytes:
    """The template: an empty "风险清单" sheet with the header and drop-downs, the allowed values,
    and the explanations with an example."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    workbook = Workbook()
    sheet = workbook.active
    SHEET.write_header(sheet)

    values_sheet = workbook.create_sheet(VALUES_SHEET_TITLE)
    lists = allowed_values()
    for col, (title, options) in enumerate(lists, start=1):
        values_sheet.cell(row=1, column=col, value=title).font = bold
        values_sheet.cell(row=1, column=col).fill = header_fill
        for row, option in enumerate(options, start=2):
            values_sheet.cell(row=row, column=col, value=option)
        values_sheet.column_dimensions[get_column_letter(col)].width = 16
    values_sheet.freeze_panes = "A2"

    # Drop-downs on the data sheet point at the lists of the values sheet.
    list_columns = {"point_kind": 0, "method": 2, "event_accident_type": 1, "measure_kind": 7, "owning_level": 8}
    keys = [c.key for c in COLUMNS]
    for key, index in list_columns.items():
        options = lists[index][1]
        if not options:
            continue
        source = get_column_letter(index + 1)
        formula = f"'{VALUES_SHEET_TITLE}'!${source}$2:${source}${len(options) + 1}"
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        sheet.add_data_validation(validation)
        letter = get_column_letter(keys.index(key) + 1)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    intro = [
        _("在“风险清单”工作表第2行起每行填写一条管控措施；带 * 的列必填。"),
        _("同名的风险点为同一个风险点，风险点各列及评价在其第一行填写；同一风险点内同名的风险事件为同一个事件。"),
        _("全部行无误才会导入，有任何一行出错都不会导入。一次最多 %(max)s 行。") % {"max": MAX_ROWS},
        "",
    ]
    SHEET.write_help(help_sheet, intro)
    help_sheet.append([_("示例行（可复制到“风险清单”工作表第2行起，再改成实际数据）")])
    help_sheet.append([header_text(c) for c in COLUMNS])
    help_sheet.append([c.example for c in COLUMNS])
    for width, letter in zip((20, 8, 60, 24), "ABCD", strict=True):
        help_sheet.column_dimensions[letter].width = width

    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
