"""Excel (.xlsx) import of enterprises: the template, parsing, a dry run that lists every problem
of every row, and an all-or-nothing import through ``services.enterprise_create``.

Plain functions, so the page, the API and a command can share them (``anjian.core.importing``
holds the parts every import shares: reading the file, the row report, the pending upload):

- ``template_bytes(actor)``: the template workbook for this user (his region codes, inspectors);
- ``parse_workbook(fileobj) -> list[ImportRow]``: checks the file (size, a real .xlsx, row limit)
  and reads the first sheet; raises ``WorkbookError`` with a message for the user;
- ``validate_rows(rows, actor) -> ImportReport``: checks every row against the archive without
  writing, with a handful of bulk queries whatever the number of rows;
- ``import_rows(rows, actor) -> list[Enterprise]``: validates again and creates all rows in one
  transaction, or none (``ImportRejected`` carries the report).

The column names of the file are a file format shared with the people who fill it, so they are
fixed Chinese text and not translated; the messages about them are.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.choices import grid_inspectors
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
    purge_stale_uploads,
)
from anjian.core.models import Region, RegionLevel, User
from anjian.core.roles import Role
from anjian.core.scoping import region_contains, restrict, user_region_contains
from anjian.core.validators import credit_code_check_char, validate_credit_code, validate_phone
from anjian.enterprises import services
from anjian.enterprises.models import Enterprise, Industry, Scale, SupervisionClass, Tag

__all__ = [
    "ImportRejected",
    "ImportReport",
    "ImportRow",
    "WorkbookError",
    "import_rows",
    "parse_workbook",
    "purge_stale_uploads",
    "template_bytes",
    "validate_rows",
]

MAX_ROWS = 5000
DATA_SHEET_TITLE = "企业"
HELP_SHEET_TITLE = "说明"
TAG_SEPARATORS = re.compile(r"[、,，;；\n]+")
# WGS-84 bounds that contain China; a swapped latitude/longitude falls outside them.
LONGITUDE_RANGE = (73.0, 136.0)
LATITUDE_RANGE = (3.0, 54.0)
MAX_STAFF = 1_000_000


def _example_credit_code() -> str:
    body = "91320585MA1N2B3C4"
    return body + credit_code_check_char(body)


COLUMNS: list[ImportColumn] = [
    ImportColumn(
        "credit_code",
        "统一社会信用代码",
        True,
        gettext_lazy("18位，数字和大写字母（不含I、O、Z、S、V），校验位须正确；不能与已建档企业或本表其他行重复"),
        _example_credit_code(),
        22,
    ),
    ImportColumn("name", "名称", True, gettext_lazy("营业执照上的名称"), "太仓市示例机械有限公司", 28),
    ImportColumn("legal_representative", "法定代表人", True, gettext_lazy("姓名"), "王建国", 12),
    ImportColumn("address", "地址", True, gettext_lazy("生产经营地址"), "太仓市城厢镇上海东路1号", 30),
    ImportColumn(
        "region",
        "所属区划代码",
        True,
        gettext_lazy("镇街、村社区或网格的代码，须在您的辖区内，见“区划代码”工作表"),
        "",
        18,
    ),
    ImportColumn(
        "industry",
        "行业代码",
        False,
        gettext_lazy("国民经济行业分类代码（GB/T 4754），如 C34，见“行业代码”工作表"),
        "C34",
        10,
    ),
    ImportColumn("scale", "规模", False, gettext_lazy("大型、中型、小型或微型；不填为小型"), "小型", 8),
    ImportColumn("staff_count", "从业人数", False, gettext_lazy("非负整数"), "35", 10, as_text=False),
    ImportColumn("supervision_class", "监管类别", False, gettext_lazy("监管类别代码，见下方可选值"), "", 10),
    ImportColumn(
        "tags",
        "标签",
        False,
        gettext_lazy("已有标签名称，多个用顿号或逗号分隔，见下方可选值"),
        "涉爆粉尘、有限空间",
        20,
    ),
    ImportColumn(
        "longitude", "经度", False, gettext_lazy("WGS-84 经度，如 121.10；与纬度同时填写"), "121.10", 10, False
    ),
    ImportColumn("latitude", "纬度", False, gettext_lazy("WGS-84 纬度，如 31.45；与经度同时填写"), "31.45", 10, False),
    ImportColumn("contact_phone", "联系电话", False, gettext_lazy("11位手机号码"), "13812345678", 14),
    ImportColumn("principal", "主要负责人", False, gettext_lazy("姓名"), "李明", 12),
    ImportColumn("safety_manager", "安全管理人员", False, gettext_lazy("姓名"), "张强", 12),
    ImportColumn("safety_manager_phone", "安全管理人员电话", False, gettext_lazy("11位手机号码"), "13912345678", 16),
    ImportColumn("main_products", "主要产品", False, gettext_lazy("简要列出"), "减速机", 20),
    ImportColumn("established_on", "成立日期", False, gettext_lazy("日期，如 2015-06-01"), "2015-06-01", 12),
    ImportColumn(
        "admin_phone",
        "企业管理员预留手机号",
        False,
        gettext_lazy("企业管理员用此手机号注册后可直接绑定本企业；11位手机号码"),
        "13712345678",
        20,
    ),
    ImportColumn(
        "grid_inspector",
        "责任网格员账号",
        False,
        gettext_lazy("网格员的登录账号，须负责企业所在的网格，见“网格员账号”工作表"),
        "",
        16,
    ),
]
SHEET = ImportColumns(COLUMNS, sheet_title=DATA_SHEET_TITLE, max_rows=MAX_ROWS)
COLUMN_BY_KEY = SHEET.by_key
REQUIRED_KEYS = [c.key for c in COLUMNS if c.required]


def header_text(column: ImportColumn) -> str:
    return column.header_text


# --- reading the file ---------------------------------------------------------------------------


def parse_workbook(fileobj: IO[bytes] | bytes) -> list[ImportRow]:
    """The data rows of the file's "企业" (or first) sheet, keyed by column. Empty rows are skipped; the row
    numbers stay those Excel shows. Raises ``WorkbookError`` when the file as a whole is unusable."""
    return SHEET.parse(fileobj, max_rows=MAX_ROWS)


# --- validating ---------------------------------------------------------------------------------


def _add(result: RowResult, key: str, message: Any) -> None:
    """A problem on the column ``key`` of the row ("" for the row as a whole)."""
    SHEET.add_problem(result, key, message)


def _label(values: dict[str, Any]) -> str:
    """Name and code as typed, so the user recognises the row in the report."""
    return " ".join(t for t in (cell_text(values.get("name")), cell_text(values.get("credit_code"))) if t)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return float(value)
    return float(cell_text(value))


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _first_token(text: str) -> str:
    return re.split(r"[\s·]+", text.strip(), maxsplit=1)[0] if text.strip() else ""


def _scale_lookup() -> dict[str, str]:
    lookup = {value: value for value in Scale.values}
    with translation.override(None):  # the Chinese names of the file, whatever the page language
        lookup.update({str(label): value for value, label in Scale.choices})
    lookup.update({str(label): value for value, label in Scale.choices})
    return lookup


def _max_length(key: str) -> int | None:
    return Enterprise._meta.get_field(key).max_length


def _in_area(actor: User, code: str | None) -> bool:
    return user_region_contains(actor, code)


@dataclass
class _Lookups:
    existing_codes: set[str]
    regions: dict[str, Region]
    industries: dict[str, Industry]
    classes: dict[str, SupervisionClass]
    tags: dict[str, Tag]
    inspectors: dict[str, User]
    scales: dict[str, str]


def _lookups(rows: list[ImportRow]) -> _Lookups:
    """Everything the rows refer to, in one query per kind."""

    def column(key: str) -> set[str]:
        return {cell_text(r.values.get(key)) for r in rows} - {""}

    codes = {c.upper() for c in column("credit_code")}
    industry_codes = {_first_token(c).upper() for c in column("industry")}
    accounts = column("grid_inspector")
    return _Lookups(
        existing_codes=set(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)),
        regions={r.code: r for r in Region.objects.filter(code__in=column("region"))},
        industries={i.code: i for i in Industry.objects.filter(code__in=industry_codes)},
        classes={c.code.upper(): c for c in SupervisionClass.objects.all()},
        tags={t.name: t for t in Tag.objects.all()},
        inspectors={u.username: u for u in User.objects.filter(username__in=accounts)},
        scales=_scale_lookup(),
    )


def _check_row(result: RowResult, actor: User, found: _Lookups) -> None:
    values = result.values
    data = result.data
    for key in REQUIRED_KEYS:
        if not cell_text(values.get(key)):
            _add(result, key, _("必填"))

    # Plain text fields: trimmed and within the model's length.
    for key in (
        "name",
        "legal_representative",
        "address",
        "principal",
        "safety_manager",
        "main_products",
    ):
        text = cell_text(values.get(key))
        if not text:
            continue
        limit = _max_length(key)
        if limit and len(text) > limit:
            _add(result, key, _("不能超过 %(n)s 个字") % {"n": limit})
        else:
            data[key] = text

    raw_code = values.get("credit_code")
    code = cell_text(raw_code).upper()
    if code:
        if isinstance(raw_code, (int, float)) and not isinstance(raw_code, bool):
            _add(result, "credit_code", _("该单元格被Excel当作数字保存，长数字已失真；请把该列设为“文本”后重新填写"))
        else:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                for message in exc.messages:
                    _add(result, "credit_code", message)
            else:
                if code in found.existing_codes:
                    _add(result, "credit_code", _("该统一社会信用代码已建档"))
                data["credit_code"] = code

    region = None
    region_code = cell_text(values.get("region"))
    if region_code:
        region = found.regions.get(region_code)
        if not _in_area(actor, region_code):
            _add(result, "region", _("区划 %(code)s 不在您的辖区内") % {"code": region_code})
            region = None
        elif region is None:
            _add(result, "region", _("区划代码 %(code)s 不存在") % {"code": region_code})
        elif region.level < RegionLevel.TOWN:
            _add(
                result,
                "region",
                _("企业应归属到镇街、村社区或网格，不能直接归属到%(level)s") % {"level": region.get_level_display()},
            )
            region = None
        else:
            data["region"] = region

    industry_text = cell_text(values.get("industry"))
    if industry_text:
        industry = found.industries.get(_first_token(industry_text).upper())
        if industry is None:
            _add(result, "industry", _("未知的行业代码：%(code)s") % {"code": industry_text})
        else:
            data["industry"] = industry

    scale_text = cell_text(values.get("scale"))
    if scale_text:
        scale = found.scales.get(scale_text) or found.scales.get(scale_text.lower())
        if scale is None:
            _add(result, "scale", _("规模应为大型、中型、小型或微型"))
        else:
            data["scale"] = scale

    staff_raw = values.get("staff_count")
    if cell_text(staff_raw):
        try:
            staff = _number(staff_raw)
            if not staff.is_integer() or not 0 <= staff <= MAX_STAFF:
                raise ValueError
            data["staff_count"] = int(staff)
        except (ValueError, OverflowError):
            _add(result, "staff_count", _("从业人数应为0到%(max)s之间的整数") % {"max": MAX_STAFF})

    class_text = cell_text(values.get("supervision_class"))
    if class_text:
        supervision_class = found.classes.get(_first_token(class_text).upper())
        if supervision_class is None:
            _add(result, "supervision_class", _("未知的监管类别：%(code)s") % {"code": class_text})
        else:
            data["supervision_class"] = supervision_class

    tag_text = cell_text(values.get("tags"))
    if tag_text:
        names = [n.strip() for n in TAG_SEPARATORS.split(tag_text) if n.strip()]
        unknown = [n for n in names if n not in found.tags]
        if unknown:
            _add(result, "tags", _("未知的标签：%(names)s") % {"names": "、".join(unknown)})
        else:
            data["tags"] = list(dict.fromkeys(found.tags[n] for n in names))

    _check_coordinates(result)

    for key in ("contact_phone", "safety_manager_phone", "admin_phone"):
        phone = cell_text(values.get(key)).replace(" ", "").replace("-", "")
        if not phone:
            continue
        try:
            validate_phone(phone)
        except ValidationError as exc:
            for message in exc.messages:
                _add(result, key, message)
        else:
            data[key] = phone

    if cell_text(values.get("established_on")):
        try:
            established = _date(values["established_on"])
            if established > timezone.localdate():
                _add(result, "established_on", _("成立日期不能晚于今天"))
            else:
                data["established_on"] = established
        except ValueError:
            _add(result, "established_on", _("日期格式应为 2015-06-01"))

    account = cell_text(values.get("grid_inspector"))
    if account:
        inspector = found.inspectors.get(account)
        # Accounts outside the user's area look the same as missing ones.
        if inspector is None or not _in_area(actor, inspector.region_id):
            _add(result, "grid_inspector", _("未找到网格员账号 %(account)s（或不在您的辖区内）") % {"account": account})
        elif inspector.role != Role.GRID_INSPECTOR or not inspector.is_active:
            _add(result, "grid_inspector", _("账号 %(account)s 不是在岗的网格员") % {"account": account})
        elif region is not None and not region_contains(inspector.region_id, region.code):
            _add(result, "grid_inspector", _("该网格员不负责企业所在的网格"))
        else:
            data["grid_inspector"] = inspector

    if result.ok:
        # The model's own field rules (choices, lengths) the checks above may not cover. Foreign
        # keys were resolved above; excluding them avoids a query per row and field.
        candidate = Enterprise(**{k: v for k, v in data.items() if k != "tags"})
        try:
            candidate.full_clean(
                exclude=["tags", "region", "industry", "supervision_class", "grid_inspector", "supervising_department"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            _add_service_errors(result, exc)


def _check_coordinates(result: RowResult) -> None:
    values = result.values
    given = {k: values.get(k) for k in ("longitude", "latitude") if cell_text(values.get(k))}
    if not given:
        return
    if len(given) == 1:
        missing = "latitude" if "longitude" in given else "longitude"
        _add(result, missing, _("经度和纬度应同时填写"))
        return
    bounds = {"longitude": LONGITUDE_RANGE, "latitude": LATITUDE_RANGE}
    names = {"longitude": _("经度"), "latitude": _("纬度")}
    parsed = {}
    for key, raw in given.items():
        low, high = bounds[key]
        try:
            number = _number(raw)
            if not math.isfinite(number) or not low <= number <= high:
                raise ValueError
            parsed[key] = number
        except ValueError:
            _add(
                result,
                key,
                _("%(what)s应为 %(low)s 到 %(high)s 之间的数字（WGS-84，中国境内）")
                % {"what": names[key], "low": low, "high": high},
            )
    if len(parsed) == 2:
        result.data.update(parsed)


def _add_service_errors(result: RowResult, exc: ValidationError) -> None:
    SHEET.add_service_errors(result, exc, model=Enterprise)


def validate_rows(rows: list[ImportRow], actor: User) -> ImportReport:
    """Check every row without writing; every problem of every row is listed."""
    found = _lookups(rows)
    results = [RowResult(number=row.number, values=row.values, label=_label(row.values)) for row in rows]
    for result in results:
        _check_row(result, actor, found)

    # The same code twice in the file: name the other rows on each.
    by_code: dict[str, list[RowResult]] = defaultdict(list)
    for result in results:
        code = cell_text(result.values.get("credit_code")).upper()
        if code:
            by_code[code].append(result)
    for group in by_code.values():
        if len(group) < 2:
            continue
        for result in group:
            others = "、".join(str(other.number) for other in group if other is not result)
            _add(result, "credit_code", _("与本表第 %(rows)s 行的统一社会信用代码重复") % {"rows": others})
    return ImportReport(rows=results)


def import_rows(rows: list[ImportRow], actor: User) -> list[Enterprise]:
    """Validate again (the archive may have changed since the dry run) and create every row
    through ``enterprise_create`` in one transaction: all rows or none."""
    report = validate_rows(rows, actor)
    if not report.ok:
        raise ImportRejected(report)
    created: list[Enterprise] = []
    with transaction.atomic():
        for result in report.rows:
            try:
                created.append(services.enterprise_create(actor=actor, data=result.data))
            except ValidationError as exc:
                _add_service_errors(result, exc)
                raise ImportRejected(report) from exc
            except IntegrityError as exc:
                _add(result, "", _("与同时录入的数据冲突，请重新上传"))
                raise ImportRejected(report) from exc
    return created


# --- the template -------------------------------------------------------------------------------


def _allowed_regions(actor: User):
    return restrict(Region.objects.filter(level__gte=RegionLevel.TOWN), actor).order_by("code")


def _allowed_inspectors(actor: User):
    return grid_inspectors(actor).select_related("region").order_by("region_id", "username")


TEMPLATE_LIST_LIMIT = 20_000


def template_bytes(actor: User) -> bytes:
    """The import template: an empty data sheet with the header, then the explanations and the
    values this user may use (his regions, the inspectors of his area, classes, tags, industries)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)

    workbook = Workbook()
    sheet = workbook.active
    SHEET.write_header(sheet)
    last_row = MAX_ROWS + 1

    def choice_list(key: str, options: list[str]) -> None:
        formula = '"' + ",".join(options) + '"'
        if not options or len(formula) > 255:  # Excel's limit for an inline list
            return
        letter = get_column_letter(list(COLUMN_BY_KEY).index(key) + 1)
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        validation.error = _("请从下拉列表中选择")
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last_row}")

    with translation.override(None):
        scale_names = [str(label) for _value, label in Scale.choices]
    classes = list(SupervisionClass.objects.all())
    tags = list(Tag.objects.values_list("name", flat=True))
    regions = list(_allowed_regions(actor)[:TEMPLATE_LIST_LIMIT])
    inspectors = list(_allowed_inspectors(actor)[:TEMPLATE_LIST_LIMIT])
    choice_list("scale", scale_names)
    choice_list("supervision_class", [c.code for c in classes])

    industry = Industry.objects.filter(code="C34").first() or Industry.objects.filter(parent__isnull=False).first()
    region_codes = {r.code for r in regions}
    inspector = next((u for u in inspectors if u.region_id in region_codes), None)
    # Examples from this installation's data, so the example row itself would pass the checks.
    examples = {c.key: c.example for c in COLUMNS}
    examples.update(
        {
            "region": inspector.region_id if inspector else (regions[0].code if regions else ""),
            "industry": industry.code if industry else "",
            "supervision_class": classes[0].code if classes else "",
            "tags": "、".join(tags[:2]),
            "grid_inspector": inspector.username if inspector else "",
        }
    )

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    intro = [
        _("在“企业”工作表第2行起每行填写一家企业；带 * 的列必填。全部行无误才会导入，有任何一行出错都不会导入。"),
        _("一次最多 %(max)s 行。代码类的列请保持“文本”格式。") % {"max": MAX_ROWS},
        "",
    ]
    SHEET.write_help(help_sheet, intro, examples)

    def section(title: str, header: list[str], lines: Iterable[list[Any]]) -> None:
        help_sheet.append([title])
        help_sheet[help_sheet.max_row][0].font = bold
        help_sheet.append(header)
        for cell in help_sheet[help_sheet.max_row]:
            cell.font = bold
        for line in lines:
            help_sheet.append(line)
        help_sheet.append([])

    section(
        _("示例行（可复制到“企业”工作表第2行起，再改成实际数据）"),
        [header_text(c) for c in COLUMNS],
        [[examples[c.key] for c in COLUMNS]],
    )
    section(_("规模可选值"), [_("规模")], [[name] for name in scale_names])
    section(
        _("监管类别可选值"),
        [_("代码"), _("含义"), _("检查周期(月)")],
        [[c.code, c.label, c.patrol_cycle_months] for c in classes] or [[_("（尚未设置监管类别）")]],
    )
    section(_("标签可选值"), [_("标签")], [[t] for t in tags] or [[_("（尚未设置标签）")]])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 60
    help_sheet.column_dimensions["D"].width = 26

    def list_sheet(title: str, header: list[str], lines: Iterable[list[Any]], widths: list[int]) -> None:
        target = workbook.create_sheet(title)
        target.append(header)
        for cell in target[1]:
            cell.font = bold
            cell.fill = header_fill
        for line in lines:
            target.append(line)
        for index, width in enumerate(widths, start=1):
            target.column_dimensions[get_column_letter(index)].width = width
        target.freeze_panes = "A2"

    list_sheet(
        _("区划代码"),
        [_("区划代码"), _("名称"), _("层级")],
        [[r.code, r.name, r.get_level_display()] for r in regions],
        [20, 24, 10],
    )
    list_sheet(
        _("网格员账号"),
        [_("账号"), _("姓名"), _("负责区划代码"), _("负责区划")],
        [[u.username, u.display_name, u.region_id or "", u.region.name if u.region_id else ""] for u in inspectors],
        [18, 12, 20, 24],
    )
    list_sheet(
        _("行业代码"),
        [_("行业代码"), _("行业名称")],
        ([i.code, i.name] for i in Industry.objects.order_by("code").iterator()),
        [10, 48],
    )
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
