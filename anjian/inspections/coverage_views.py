"""The coverage board (巡查覆盖) and the submission-rate page (提报率). Thin doors over
anjian.inspections.coverage; every figure is within the reader's scope (government users see
their area, an enterprise user his enterprise).

- ``/inspections/coverage/?kind=grid_patrol|town_patrol|self_check&group=inspector|town``: tiles,
  a table per grid inspector (grid patrol) or per town, a stacked bar chart (static/anjian/
  coverage.js, data from a JSON script tag: CSP); ``&key=<inspector id | town code | all>`` adds the
  drill-down list of the enterprises due soon or overdue, each with a link to start an inspection
  (an htmx request for ``#coverage-drill`` gets only that list).
- ``/inspections/rates/?from=&to=&tab=town|enterprise[&export=xlsx]``: per town and per
  enterprise, the share of required self-checks, grid and town patrols and monthly reports done on
  time in the period, with totals; Excel export of either table.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from anjian.core.exporting import XLSX, workbook_bytes
from anjian.inspections import coverage, services
from anjian.inspections.models import InspectionKind

KIND_TABS = {
    InspectionKind.GRID_PATROL: gettext_lazy("网格巡查"),
    InspectionKind.TOWN_PATROL: gettext_lazy("镇街督查"),
    InspectionKind.SELF_CHECK: gettext_lazy("企业自查"),
}
GROUP_LABELS = {"inspector": gettext_lazy("按网格员"), "town": gettext_lazy("按镇街")}
DRILL_LIMIT = 300
START_PATH = "/inspections/start/enterprise/{pk}/"  # the inspection run pages (another door)
ALL = "all"


# One board row (a province has over a thousand inspectors: rendered here, not by the template loop).
ROW_HTML = (
    '<tr data-key="{key}"><th scope="row" class="fw-normal">{label}{detail}</th>'
    '<td class="text-end">{enterprises}</td><td class="text-end text-success">{done}</td>'
    '<td class="text-end">{pending}</td><td class="text-end">{due_soon}</td><td class="text-end">{overdue}</td>'
    '<td class="text-end">{rounds_done} / {rounds_expected}</td><td class="text-end">{completion}</td></tr>'
)
DRILL_LINK = '<a class="{css}" href="?{qs}&amp;key={key}#coverage-drill" hx-get="?{qs}&amp;key={key}" hx-target="#coverage-drill">{n}</a>'


def table_body(rows: list[coverage.BoardRow], querystring: str) -> str:
    """The board's rows as HTML: names escaped, numbers as they are (plain string formatting: a
    province has over a thousand inspectors, and per-cell escaping of integers is the slow part)."""
    qs = escape(querystring)

    def link(n: int, css: str, key: str) -> str:
        return DRILL_LINK.format(css=css, qs=qs, key=key, n=n) if n else "0"

    lines = []
    for row in rows:
        key = escape(row.key)
        detail = (
            f' <small class="text-muted">{escape(row.detail)}</small>' if row.detail and row.detail != row.key else ""
        )
        lines.append(
            ROW_HTML.format(
                key=key,
                label=escape(row.label),
                detail=detail,
                enterprises=row.enterprises,
                done=row.done,
                pending=row.pending,
                due_soon=link(row.due_soon, "link-warning", key),
                overdue=link(row.overdue, "link-danger fw-semibold", key),
                rounds_done=row.rounds_done,
                rounds_expected=row.rounds_expected,
                completion="—" if row.completion is None else row.completion,
            )
        )
    return mark_safe("\n".join(lines))  # every string above is escaped


def default_kind(user) -> str:
    for kind in services.kinds_for(user):
        if kind in KIND_TABS:
            return kind
    return InspectionKind.GRID_PATROL


def _groups(kind: str) -> list[str]:
    return ["inspector", "town"] if kind == InspectionKind.GRID_PATROL else ["town"]


@login_required
@require_GET
def coverage_board(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind")
    if kind not in KIND_TABS:
        kind = default_kind(user)
    groups = _groups(kind)
    group = request.GET.get("group") if request.GET.get("group") in groups else groups[0]
    key = (request.GET.get("key") or "").strip()[:20]
    today = coverage.local_today()
    rows = coverage.coverage(user, kind, today)

    drill = None
    if key:
        due = coverage.due_list(rows, None if key == ALL else group, None if key == ALL else key)
        can_start = kind in services.kinds_for(user)
        drill = {
            "key": key,
            "count": len(due),
            "rows": [
                (row, START_PATH.format(pk=row.enterprise_id) if can_start else None) for row in due[:DRILL_LIMIT]
            ],
            "more": max(len(due) - DRILL_LIMIT, 0),
        }
    base = {"kind": kind, "group": group}
    if drill is not None and request.htmx and request.htmx.target == "coverage-drill":
        return render(request, "inspections/coverage.html#drill", {"drill": drill, "kind": kind})

    table = coverage.board(rows, group)
    total = coverage.board_total(table, _("合计"))
    if drill is not None:
        label = dict((r.key, r.label) for r in table).get(key, _("全部"))
        drill["label"] = label
    ctx = {
        "kind": kind,
        "kind_tabs": [(k, label, urlencode({"kind": k})) for k, label in KIND_TABS.items()],
        "group": group,
        "group_tabs": [(g, GROUP_LABELS[g], urlencode({**base, "group": g})) for g in groups],
        "querystring": urlencode(base),
        "table": table,
        "table_body": table_body(table, urlencode(base)),
        "total": total,
        "drill": drill,
        "today": today,
        "soon_days": coverage.SOON_DAYS,
        "year": today.year,
        "chart": {
            "names": [row.label for row in table[:40]],
            "series": {s: [getattr(row, s) for row in table[:40]] for s in coverage.CoverageStatus.values},
            "labels": {s: str(label) for s, label in coverage.CoverageStatus.choices},
        },
        "region": getattr(user, "region", None),
    }
    return render(request, "inspections/coverage.html", ctx)


# --- submission rates ---------------------------------------------------------------------------

RATE_TABS = {"town": gettext_lazy("按镇街"), "enterprise": gettext_lazy("按企业")}
RATE_COLUMNS = [
    ("self_check", gettext_lazy("企业自查")),
    ("grid_patrol", gettext_lazy("网格巡查")),
    ("town_patrol", gettext_lazy("镇街督查")),
    ("report", gettext_lazy("月度报告")),
]
ENTERPRISE_PAGE = 50
MAX_PERIOD_DAYS = 3 * 366


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    start = today.replace(day=1)
    for _i in range(11):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, today


def parse_period(params, today: dt.date) -> tuple[dt.date, dt.date]:
    start, end = default_period(today)
    period_from = _date(params.get("from")) or start
    period_to = _date(params.get("to")) or end
    if period_from > period_to:
        period_from, period_to = period_to, period_from
    if (period_to - period_from).days > MAX_PERIOD_DAYS:
        period_from = period_to - dt.timedelta(days=MAX_PERIOD_DAYS)
    return period_from, period_to


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    start, _end = default_period(today)
    return [
        (_("上月"), last_month_end.replace(day=1), last_month_end),
        (_("本季度"), quarter, today),
        (_("本年"), today.replace(month=1, day=1), today),
        (_("近12个月"), start, today),
    ]


def _rate_cells(row: coverage.RateFigures) -> list:
    cells = []
    for part, _label in RATE_COLUMNS:
        cells += [getattr(row, f"{part}_on_time"), getattr(row, f"{part}_required"), row.rate(part)]
    return cells + [row.on_time, row.required, row.overall_rate]


def _pair(row: coverage.RateFigures, part: str) -> str:
    rate = row.rate(part)
    return (
        f'<td class="text-end">{getattr(row, f"{part}_on_time")}/{getattr(row, f"{part}_required")}</td>'
        f'<td class="text-end">{"—" if rate is None else rate}</td>'
    )


def rate_table_body(rows: list[tuple[coverage.RateRow, str]], tab: str) -> str:
    """The rate table's rows as HTML (over a thousand towns in a province): names escaped."""
    enterprise_url = reverse("enterprises:enterprises-detail", args=[0])[:-2]  # ".../0/" → prefix
    lines = []
    for row, town in rows:
        if tab == "enterprise":
            name = (
                f'<a href="{enterprise_url}{int(row.key)}/">{escape(row.label)}</a>'
                f' <small class="text-muted">{escape(town)}</small>'
            )
        else:
            name = escape(row.label)
        overall = "—" if row.overall_rate is None else row.overall_rate
        lines.append(
            f'<tr><th scope="row" class="fw-normal">{name}</th>'
            + "".join(_pair(row, part) for part, _label in RATE_COLUMNS)
            + f'<td class="text-end">{row.on_time}/{row.required}</td>'
            f'<td class="text-end fw-semibold">{overall}</td></tr>'
        )
    return mark_safe("\n".join(lines))  # every string above is escaped or a number


def _sorted_enterprises(rows: list[coverage.RateRow]) -> list[coverage.RateRow]:
    """Worst first; enterprises that owed nothing last."""
    return sorted(rows, key=lambda r: (r.overall_rate is None, r.overall_rate or 0, r.town, r.label))


def _xlsx(tab: str, rates: coverage.Rates, town_names: dict[str, str]) -> HttpResponse:
    headers = [str(_("镇街"))] if tab == "town" else [str(_("企业")), str(_("镇街"))]
    for _part, label in RATE_COLUMNS:
        headers += [f"{label}·{_('按时')}", f"{label}·{_('应报')}", f"{label}·{_('提报率(%)')}"]
    headers += [str(_("合计按时")), str(_("合计应报")), str(_("综合提报率(%)"))]
    if tab == "town":
        lines = [[row.label, *_rate_cells(row)] for row in rates.towns]
        lines.append([str(_("合计")), *_rate_cells(rates.total)])
    else:
        lines = [
            [row.label, town_names.get(row.town, row.town), *_rate_cells(row)]
            for row in _sorted_enterprises(rates.enterprises)
        ]
    title = f"{_('提报率')} · {RATE_TABS[tab]}"
    response = HttpResponse(workbook_bytes(title, headers, lines), content_type=XLSX)
    stamp = f"{rates.period_from:%Y%m%d}-{rates.period_to:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="submission-rates-{tab}-{stamp}.xlsx"'
    return response


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = coverage.local_today()
    period_from, period_to = parse_period(request.GET, today)
    tab = request.GET.get("tab") if request.GET.get("tab") in RATE_TABS else "town"
    result = coverage.submission_rates(user, period_from, period_to, today)
    town_names = {row.key: row.label for row in result.towns}
    if request.GET.get("export") == "xlsx":
        return _xlsx(tab, result, town_names)
    params = {"from": period_from.isoformat(), "to": period_to.isoformat()}
    page = None
    if tab == "enterprise":
        page = Paginator(_sorted_enterprises(result.enterprises), ENTERPRISE_PAGE).get_page(request.GET.get("page"))
        rows = [(row, town_names.get(row.town, row.town)) for row in page.object_list]
    else:
        rows = [(row, "") for row in result.towns]
    ctx = {
        "rates": result,
        "tab": tab,
        "tabs": [(key, label, urlencode({**params, "tab": key})) for key, label in RATE_TABS.items()],
        "columns": RATE_COLUMNS,
        "rows": rows,
        "table_body": rate_table_body(rows, tab),
        "page": page,
        "period_from": period_from,
        "period_to": period_to,
        "querystring": urlencode({**params, "tab": tab}),
        "presets": [(label, urlencode({"from": a, "to": b, "tab": tab})) for label, a, b in _presets(today)],
        "cutoff_day": coverage.REPORT_CUTOFF_DAY,
        "region": getattr(user, "region", None),
    }
    return render(request, "inspections/rates.html", ctx)
