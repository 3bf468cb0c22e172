"""The hazard statistics page (隐患统计): tiles, one table per grouping (by town, by enterprise,
by category, by month; htmx tabs), a period and filters, two charts drawn by
static/anjian/stats.js from a JSON script tag (no inline script: CSP), and the Excel export of
each table. Everyone who can see hazards may open it; every figure is within the reader's scope.

The full page reads the period's hazards once: one grouped query gives the town table, the bar
chart and the month series of the line chart (anjian.hazards.selectors.hazard_overview); the
tiles take two small index-only counts. Another tab asks for its own table only.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from anjian.core.choices import subregion_choices
from anjian.core.exporting import XLSX, workbook_bytes
from anjian.enterprises.models import Industry
from anjian.hazards import selectors
from anjian.hazards.models import HazardCategory, HazardLevel, HazardSource

TABS = {
    "town": gettext_lazy("按镇街"),
    "enterprise": gettext_lazy("按企业"),
    "category": gettext_lazy("按类别"),
    "month": gettext_lazy("按月份"),
}
FIRST_COLUMN = {
    "town": gettext_lazy("镇街"),
    "enterprise": gettext_lazy("企业（未销号最多的50家）"),
    "category": gettext_lazy("隐患类别"),
    "month": gettext_lazy("发现月份"),
}
COLUMNS = [
    ("found", gettext_lazy("发现")),
    ("closed", gettext_lazy("已销号")),
    ("open", gettext_lazy("未销号")),
    ("overdue", gettext_lazy("逾期")),
    ("major_open", gettext_lazy("重大未销号")),
    ("repeated", gettext_lazy("反复出现")),
    ("rectification_rate", gettext_lazy("整改率(%)")),
    ("on_time_rate", gettext_lazy("按期整改率(%)")),
    ("avg_days", gettext_lazy("平均整改天数")),
]
DEFAULT_MONTHS = 12
CODE = re.compile(r"^[0-9]{2,20}$")
INDUSTRY_CODE = re.compile(r"^[A-Z][0-9]{0,4}$")


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    start = today.replace(day=1)
    for _i in range(DEFAULT_MONTHS - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, today


def _date(value: str | None) -> dt.date | None:
    """An ISO date within a sensible range (the period's end + 1 day must still be a date)."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and dt.date(1900, 1, 1) <= day <= dt.date(2999, 12, 31) else None


def parse_params(params) -> tuple[dt.date, dt.date, dict[str, str]]:
    """The period (default: the last twelve months) and the valid filters of a request."""
    today = timezone.localdate()
    start, end = default_period(today)
    period_from = _date(params.get("from")) or start
    period_to = _date(params.get("to")) or end
    if period_from > period_to:
        period_from, period_to = period_to, period_from
    filters: dict[str, str] = {}
    region = (params.get("region") or "").strip()
    if CODE.match(region):
        filters["region"] = region
    industry = (params.get("industry") or "").strip().upper()
    if INDUSTRY_CODE.match(industry):
        filters["industry"] = industry
    category = (params.get("category") or "").strip()
    if re.fullmatch(r"[0-9]{1,9}", category):  # not isdigit(): "²" is a digit to Python, not to int()
        filters["category"] = category
    if params.get("level") in HazardLevel.values:
        filters["level"] = params["level"]
    if params.get("source") in HazardSource.values:
        filters["source"] = params["source"]
    return period_from, period_to, filters


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    start, _end = default_period(today)
    return [
        (_("本月"), today.replace(day=1), today),
        (_("本季度"), quarter, today),
        (_("本年"), today.replace(month=1, day=1), today),
        (_("近12个月"), start, today),
    ]


FILTER_LABELS = {
    "region": gettext_lazy("区域"),
    "industry": gettext_lazy("行业"),
    "category": gettext_lazy("类别"),
    "level": gettext_lazy("等级"),
    "source": gettext_lazy("来源"),
}


def _filter_fields(user, filters: dict[str, str]) -> list[tuple[str, str, list, list[str]]]:
    """(name, label, choices, selected) of each filter that has something to choose from."""
    categories = HazardCategory.objects.order_by("rank", "code").values_list("pk", "name", "parent_id")
    choices = {
        "region": subregion_choices(user),
        "industry": list(Industry.objects.filter(code__regex=r"^[A-Z]$").order_by("code").values_list("code", "name")),
        "category": [(str(pk), name if parent is None else f"— {name}") for pk, name, parent in categories],
        "level": list(HazardLevel.choices),
        "source": list(HazardSource.choices),
    }
    return [
        (name, FILTER_LABELS[name], options, [filters[name]] if name in filters else [])
        for name, options in choices.items()
        if options
    ]


def _rows(user, tab: str, period_from, period_to, filters) -> list[selectors.StatRow]:
    return selectors.hazard_statistics(user, group_by=tab, period_from=period_from, period_to=period_to, **filters)


def _list_url(row: selectors.StatRow, tab: str, view: str) -> str | None:
    """Where a count leads: the hazard list with the same area (by town only)."""
    if tab != "town":
        return None
    return f"{reverse('hazards:hazards-list')}?{urlencode({'region': row.key, 'view': view})}"


def _table_context(tab: str, rows: list[selectors.StatRow]) -> dict:
    total = selectors.total_row(rows, _("合计")) if tab != "enterprise" else None
    return {
        "tab": tab,
        "tabs": list(TABS.items()),
        "first_column": FIRST_COLUMN[tab],
        "columns": COLUMNS,
        "rows": [
            (
                row,
                _list_url(row, tab, "open"),
                _list_url(row, tab, "overdue"),
                reverse("hazards:hazard-ledger", args=[row.key]) if tab == "enterprise" else None,
            )
            for row in rows
        ],
        "total": total,
    }


def _chart_data(overview: selectors.Overview) -> dict:
    return {
        "towns": {
            "names": [row.label for row in overview.towns],
            "open": [row.open for row in overview.towns],
            "overdue": [row.overdue for row in overview.towns],
        },
        "months": {
            "labels": [f"{month:%Y-%m}" for month, _found, _closed in overview.months],
            "found": [found for _month, found, _closed in overview.months],
            "closed": [closed for _month, _found, closed in overview.months],
        },
        "labels": {
            "open": _("未销号"),
            "overdue": _("逾期"),
            "found": _("发现"),
            "closed": _("其中已销号"),
            "towns": _("各镇街未销号与逾期隐患"),
            "months": _("每月发现与销号"),
        },
    }


def _xlsx(tab: str, period_from, period_to, rows: list[selectors.StatRow]) -> HttpResponse:
    headers = [str(FIRST_COLUMN[tab])] + [str(label) for _name, label in COLUMNS]
    lines = [[row.label] + [getattr(row, name) for name, _label in COLUMNS] for row in rows]
    if tab != "enterprise":
        total = selectors.total_row(rows, _("合计"))
        lines.append([total.label] + [getattr(total, name) for name, _label in COLUMNS])
    title = f"{_('隐患统计')} · {TABS[tab]}"
    data = workbook_bytes(title, headers, lines)
    response = HttpResponse(data, content_type=XLSX)
    stamp = f"{period_from:%Y%m%d}-{period_to:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="hazard-stats-{tab}-{stamp}.xlsx"'
    return response


@login_required
@require_GET
def hazard_stats(request: HttpRequest) -> HttpResponse:
    user = request.user
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "town"
    period_from, period_to, filters = parse_params(request.GET)
    if request.GET.get("export") == "xlsx":
        return _xlsx(tab, period_from, period_to, _rows(user, tab, period_from, period_to, filters))

    params = {"from": period_from.isoformat(), "to": period_to.isoformat(), **filters}
    querystring = urlencode(params)
    if request.htmx and request.htmx.target == "stats-table":
        rows = _rows(user, tab, period_from, period_to, filters)
        ctx = {"querystring": querystring, **_table_context(tab, rows)}
        return render(request, "hazards/stats.html#table", ctx)

    overview = selectors.hazard_overview(user, period_from=period_from, period_to=period_to, **filters)
    rows = overview.towns if tab == "town" else _rows(user, tab, period_from, period_to, filters)
    today = timezone.localdate()
    ctx = {
        "totals": selectors.hazard_totals(user),
        "period_from": period_from,
        "period_to": period_to,
        "filter_fields": _filter_fields(user, filters),
        "presets": [(label, urlencode({**params, "from": a, "to": b})) for label, a, b in _presets(today)],
        "querystring": querystring,
        "chart": _chart_data(overview),
        "region": getattr(user, "region", None),
        **_table_context(tab, rows),
    }
    return render(request, "hazards/stats.html", ctx)
