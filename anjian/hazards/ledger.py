"""The hazard ledger (隐患排查治理台账) of one enterprise for one year: a page, an Excel workbook
and a PDF (A4 landscape) with the same rows.

GET /hazards/ledger/<enterprise id>/?year=YYYY[&format=xlsx|pdf]. The enterprise must be in the
reader's scope (404 otherwise), and so must each hazard. The PDF uses reportlab's built-in CID
font STSong-Light, so Chinese text needs no font file and nothing is fetched at run time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from anjian.core.exporting import XLSX
from anjian.enterprises.models import Enterprise
from anjian.hazards import selectors
from anjian.hazards.models import Hazard, HazardStatus

PDF_FONT = "STSong-Light"
MAX_YEARS_BACK = 30

# (label, Excel width in characters, PDF width in mm); PDF widths add up to A4 landscape less margins.
COLUMNS = [
    (gettext_lazy("序号"), 6, 9),
    (gettext_lazy("发现日期"), 11, 17),
    (gettext_lazy("隐患部位"), 16, 22),
    (gettext_lazy("隐患类别"), 14, 18),
    (gettext_lazy("隐患描述"), 36, 45),
    (gettext_lazy("等级"), 9, 12),
    (gettext_lazy("来源"), 10, 14),
    (gettext_lazy("整改责任人"), 10, 15),
    (gettext_lazy("整改期限"), 11, 17),
    (gettext_lazy("整改措施"), 28, 35),
    (gettext_lazy("整改完成日期"), 12, 17),
    (gettext_lazy("整改资金(元)"), 11, 15),
    (gettext_lazy("验收人"), 10, 13),
    (gettext_lazy("销号日期"), 11, 17),
    (gettext_lazy("状态"), 8, 11),
]
WRAPPED = {2, 3, 4, 9}  # columns whose text wraps in the PDF (部位, 类别, 描述, 措施)


@dataclass
class Ledger:
    enterprise: Enterprise
    year: int
    period_from: dt.date
    period_to: dt.date
    printed_at: dt.datetime
    printed_by: str
    hazards: list[Hazard]

    @property
    def title(self) -> str:
        return _("隐患排查治理台账")

    @property
    def period_text(self) -> str:
        return _("%(start)s 至 %(end)s") % {"start": self.period_from, "end": self.period_to}

    def rows(self) -> list[list]:
        """One list of values per hazard (dates as dates, money as a number)."""
        return [
            [
                number,
                _local_date(h.reported_at),
                h.place,
                h.category.name,
                h.description,
                h.get_level_display(),
                h.get_source_display(),
                _person(h.responsible),
                h.deadline,
                h.measures,
                _local_date(h.rectified_at),
                float(h.cost) if h.cost is not None else None,
                _person(h.verified_by),
                _local_date(h.closed_at),
                h.get_status_display(),
            ]
            for number, h in enumerate(self.hazards, start=1)
        ]

    def summary(self) -> str:
        closed = sum(1 for h in self.hazards if h.status == HazardStatus.CLOSED)
        cancelled = sum(1 for h in self.hazards if h.status == HazardStatus.CANCELLED)
        return _("共 %(total)s 条：已销号 %(closed)s 条，未销号 %(open)s 条，已撤销 %(cancelled)s 条") % {
            "total": len(self.hazards),
            "closed": closed,
            "open": len(self.hazards) - closed - cancelled,
            "cancelled": cancelled,
        }


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _person(user) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def build_ledger(user, enterprise: Enterprise, year: int) -> Ledger:
    period_from, period_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    hazards = list(selectors.enterprise_ledger(user, enterprise, period_from=period_from, period_to=period_to))
    return Ledger(
        enterprise=enterprise,
        year=year,
        period_from=period_from,
        period_to=period_to,
        printed_at=timezone.localtime(),
        printed_by=_person(user),
        hazards=hazards,
    )


# --- Excel ---------------------------------------------------------------------------------------


def ledger_xlsx(ledger: Ledger) -> bytes:
    """A printable workbook: title and enterprise lines, a header row repeated on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = str(ledger.year)
    last = get_column_letter(len(COLUMNS))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    lines = [
        (ledger.title, Font(bold=True, size=14), Alignment(horizontal="center")),
        (
            f"{_('企业名称')}：{ledger.enterprise.name}    {_('统一社会信用代码')}：{ledger.enterprise.credit_code}",
            Font(size=10),
            Alignment(horizontal="left"),
        ),
        (
            f"{_('统计期间')}：{ledger.period_text}    {_('打印时间')}：{ledger.printed_at:%Y-%m-%d %H:%M}"
            f"    {_('打印人')}：{ledger.printed_by}",
            Font(size=10),
            Alignment(horizontal="left"),
        ),
    ]
    for row, (text, font, alignment) in enumerate(lines, start=1):
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1, value=text)
        cell.font, cell.alignment = font, alignment
    header_row = len(lines) + 1
    fill = PatternFill("solid", fgColor="E9ECEF")
    for col, (label, width, _pdf) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=col, value=str(label))
        cell.font, cell.fill, cell.border = Font(bold=True), fill, border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for offset, values in enumerate(ledger.rows(), start=1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=header_row + offset, column=col, value=value)
            cell.border, cell.alignment = border, wrap
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, float):
                cell.number_format = "#,##0.00"
    footer = header_row + len(ledger.hazards) + 1
    ws.merge_cells(f"A{footer}:{last}{footer}")
    ws.cell(row=footer, column=1, value=ledger.summary()).font = Font(size=10)

    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def ledger_pdf(ledger: Ledger) -> bytes:
    """A4 landscape; long texts wrap inside their cells (Chinese wraps between any characters)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    page = landscape(A4)
    margin = 10 * mm
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=12 * mm,
        title=f"{ledger.title} {ledger.enterprise.name} {ledger.year}",
        author=ledger.printed_by,
    )
    title_style = ParagraphStyle("title", fontName=PDF_FONT, fontSize=15, leading=20, alignment=TA_CENTER)
    info_style = ParagraphStyle("info", fontName=PDF_FONT, fontSize=9, leading=13)
    cell_style = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=7.5, leading=9.5, wordWrap="CJK")
    head_style = ParagraphStyle("head", parent=cell_style, alignment=TA_CENTER)

    header = [Paragraph(escape(str(label)), head_style) for label, _w, _pdf in COLUMNS]
    body = []
    for values in ledger.rows():
        body.append(
            [
                Paragraph(escape(_text(value)), cell_style) if col in WRAPPED else _text(value)
                for col, value in enumerate(values)
            ]
        )
    if not body:
        body = [[_("本年度没有隐患记录")] + [""] * (len(COLUMNS) - 1)]
    widths = [pdf * mm for _label, _w, pdf in COLUMNS]
    table = Table([header, *body], colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), PDF_FONT, 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E9ECEF")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("ALIGN", (11, 1), (11, -1), "RIGHT"),
    ]
    if not ledger.hazards:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    enterprise = escape(ledger.enterprise.name)
    story = [
        Paragraph(escape(ledger.title), title_style),
        Spacer(1, 2 * mm),
        Paragraph(
            f"{escape(_('企业名称'))}：{enterprise}　　{escape(_('统一社会信用代码'))}：{escape(ledger.enterprise.credit_code)}",
            info_style,
        ),
        Paragraph(
            f"{escape(_('统计期间'))}：{escape(ledger.period_text)}　　"
            f"{escape(_('打印时间'))}：{ledger.printed_at:%Y-%m-%d %H:%M}　　{escape(_('打印人'))}：{escape(ledger.printed_by)}",
            info_style,
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
        Paragraph(escape(ledger.summary()), info_style),
    ]
    footer_text = f"{ledger.enterprise.name}　{ledger.title}　{ledger.year}"

    def on_page(canvas, doc_) -> None:
        canvas.saveState()
        canvas.setFont(PDF_FONT, 8)
        canvas.drawString(margin, 6 * mm, footer_text)
        canvas.drawRightString(page[0] - margin, 6 * mm, _("第 %(page)s 页") % {"page": doc_.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --- the door ------------------------------------------------------------------------------------


def _year(value: str | None, today: dt.date) -> int:
    try:
        year = int(value) if value else today.year
    except ValueError:
        return today.year
    return year if today.year - MAX_YEARS_BACK <= year <= today.year + 1 else today.year


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_GET
def hazard_ledger(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    try:
        enterprise = selectors.ledger_enterprise(request.user, enterprise_id)
    except Enterprise.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    ledger = build_ledger(request.user, enterprise, year)
    name = f"{_('隐患台账')}-{enterprise.name}-{year}"
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return _download(ledger_xlsx(ledger), XLSX, f"{name}.xlsx")
    if fmt == "pdf":
        return _download(ledger_pdf(ledger), "application/pdf", f"{name}.pdf")
    years = list(range(today.year, today.year - 5, -1))
    if year not in years:
        years.append(year)
    ctx = {
        "ledger": ledger,
        "rows": list(zip(ledger.hazards, ledger.rows(), strict=True)),
        "columns": [label for label, _w, _p in COLUMNS],
        "years": years,
    }
    return render(request, "hazards/ledger.html", ctx)
