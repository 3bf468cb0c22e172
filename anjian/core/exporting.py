"""Excel export of any registered list, with the same scope and filters as the page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from anjian.core.listing import column_value
from anjian.core.registry import Column, Resource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROW_LIMIT = 100_000


def workbook_bytes(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    """A one-sheet workbook with a bold header row, streamed row by row."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=str(text))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def export_rows(
    queryset, columns: list[Column], labels: dict[str, dict] | None = None, hidden: Callable | None = None
) -> Iterable[list]:
    """``hidden(obj, column)``: whether the reader may not see that cell (``Resource.redactions``)."""
    for obj in queryset[:EXPORT_ROW_LIMIT]:
        yield [None if hidden and hidden(obj, c) else _cell(column_value(obj, c, labels)) for c in columns]


def xlsx_response(resource: Resource, queryset, user=None) -> HttpResponse:
    """The filtered list as a workbook; with ``user``, cells the user may not see are left empty."""
    headers = [str(c.label) for c in resource.columns]
    hidden = None
    if user is not None and resource.redactions:

        def hidden(obj, column) -> bool:
            return resource.column_hidden(column, resource.hidden_fields(user, obj))

    data = workbook_bytes(
        str(resource.verbose_name_plural),
        headers,
        export_rows(queryset, resource.columns, resource.choice_labels(), hidden),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{resource.slug}-{stamp}.xlsx"'
    return response
