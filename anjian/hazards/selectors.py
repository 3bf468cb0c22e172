"""Reads of hazards that pages and the API serve: statistics, tiles, the ledger. Every one starts
from ``restrict()``, so a figure never counts a hazard its reader may not see.

Statistics follow the hazards *found* in a period (reported_at within it, cancelled ones left
out): of those, how many are closed, still open, overdue, major and open, repeated; the
rectification rate is closed / found, the on-time rate is closed by the deadline / closed (a
hazard closed on the spot has no deadline and counts as on time), the average days to close is
closed_at − reported_at over the closed ones (DOMAIN §3, "usual figures"). All counting happens
in the database, one grouped query per table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from anjian.core.models import Region
from anjian.core.scoping import VIEW, region_condition, restrict, town_code_of
from anjian.enterprises.models import Enterprise
from anjian.hazards.models import OPEN_STATUSES, Hazard, HazardCategory, HazardLevel, HazardStatus

TOP_ENTERPRISES = 50
GROUPINGS = ("town", "enterprise", "category", "month")
FILTERS = ("region", "industry", "category", "level", "source")
MONTHS_PER_PASS = 24  # up to this many months, the month series rides along the town query


def scoped_hazards(user, action: str = VIEW) -> QuerySet:
    return restrict(Hazard.objects.all(), user, action)


# --- figures -------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The counts of one group; rates and averages are derived, so rows add up exactly."""

    found: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    major_open: int = 0
    repeated: int = 0
    on_time: int = 0
    close_time: dt.timedelta = field(default_factory=dt.timedelta)  # sum over the closed ones

    @property
    def rectification_rate(self) -> float | None:
        return _percent(self.closed, self.found)

    @property
    def on_time_rate(self) -> float | None:
        return _percent(self.on_time, self.closed)

    @property
    def avg_days(self) -> float | None:
        if not self.closed:
            return None
        return round(self.close_time.total_seconds() / self.closed / 86400, 1)

    def add(self, other: Figures) -> None:
        for f in fields(Figures):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict:
        return {
            "found": self.found,
            "closed": self.closed,
            "open": self.open,
            "overdue": self.overdue,
            "major_open": self.major_open,
            "repeated": self.repeated,
            "rectification_rate": self.rectification_rate,
            "on_time_rate": self.on_time_rate,
            "avg_days": self.avg_days,
        }


@dataclass
class StatRow(Figures):
    key: str = ""
    label: str = ""

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **super().as_dict()}


FIGURE_NAMES = [f.name for f in fields(Figures)]


def _aggregates() -> dict:
    is_open = Q(status__in=OPEN_STATUSES)
    closed = Q(status=HazardStatus.CLOSED)
    return {
        "found": Count("*"),
        "closed": Count("id", filter=closed),
        "open": Count("id", filter=is_open),
        "overdue": Count("id", filter=is_open & Q(overdue=True)),
        "major_open": Count("id", filter=is_open & Q(level=HazardLevel.MAJOR)),
        "repeated": Count("id", filter=Q(repeated=True)),
        "on_time": Count("id", filter=closed & (Q(deadline__isnull=True) | Q(closed_at__date__lte=F("deadline")))),
        "close_time": Sum(
            ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField()), filter=closed
        ),
    }


def _row(values: dict, key, label: str = "") -> StatRow:
    figures = {name: values[name] or (dt.timedelta() if name == "close_time" else 0) for name in FIGURE_NAMES}
    return StatRow(key=key, label=label, **figures)


# --- the found set -------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def found_hazards(user, *, period_from: dt.date | None = None, period_to: dt.date | None = None, **filters) -> QuerySet:
    """The hazards a statistic counts: in the user's scope, found in the period, not cancelled,
    narrowed by ``region`` (code prefix), ``industry`` (code prefix), ``category`` (a category or
    its parent), ``level`` and ``source``."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise TypeError(f"unknown statistics filter(s): {sorted(unknown)}")
    qs = scoped_hazards(user).exclude(status=HazardStatus.CANCELLED)
    if period_from:
        qs = qs.filter(reported_at__gte=_day_start(period_from))
    if period_to:
        qs = qs.filter(reported_at__lt=_day_start(period_to + dt.timedelta(days=1)))
    if filters.get("region"):
        qs = qs.filter(region_condition("region", filters["region"]))
    if filters.get("industry"):
        qs = qs.filter(enterprise__industry__code__startswith=filters["industry"])
    if filters.get("category"):
        category = int(filters["category"])
        ids = [category, *HazardCategory.objects.filter(parent_id=category).values_list("pk", flat=True)]
        qs = qs.filter(category_id__in=ids)
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    return qs


# --- statistics ----------------------------------------------------------------------------------


def months_between(start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    """The first days of the months from ``start``'s to ``end``'s."""
    if not start or not end or start > end:
        return []
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = _next_month(current)
    return months


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _local_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _by_town(qs: QuerySet, extra: dict | None = None) -> tuple[list[StatRow], list[dict]]:
    """Rows per town (the first nine digits of the region code), named with one more query."""
    grouped = list(
        qs.annotate(town=town_code_of("region_id"))
        .values("town")
        .annotate(**_aggregates(), **(extra or {}))
        .order_by("town")
    )
    codes = [values["town"] for values in grouped]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [_row(values, values["town"], names.get(values["town"], values["town"])) for values in grouped], grouped


def _by_month(qs: QuerySet, months: list[dt.date]) -> list[StatRow]:
    """Rows per month of finding, every month of the period present (empty ones too)."""
    rows = {month: StatRow(key=f"{month:%Y-%m}", label=f"{month:%Y-%m}") for month in months}
    grouped = qs.annotate(month=TruncMonth("reported_at")).values("month").annotate(**_aggregates()).order_by()
    for values in grouped:
        month = _local_month(values["month"])
        rows[month] = _row(values, f"{month:%Y-%m}", f"{month:%Y-%m}")
    return [rows[month] for month in sorted(rows)]


def _by_enterprise(qs: QuerySet) -> list[StatRow]:
    grouped = list(
        qs.values("enterprise_id")
        .annotate(**_aggregates())
        .order_by("-open", "-found", "enterprise_id")[:TOP_ENTERPRISES]
    )
    names = dict(Enterprise.objects.filter(pk__in=[v["enterprise_id"] for v in grouped]).values_list("pk", "name"))
    return [_row(v, str(v["enterprise_id"]), names.get(v["enterprise_id"], "")) for v in grouped]


def _by_category(qs: QuerySet) -> list[StatRow]:
    grouped = {v["category_id"]: v for v in qs.values("category_id").annotate(**_aggregates()).order_by()}
    categories = HazardCategory.objects.filter(pk__in=list(grouped)).order_by("rank", "code")
    return [_row(grouped[c.pk], str(c.pk), c.name) for c in categories.only("pk", "name")]


def hazard_statistics(
    user, *, group_by: str = "town", period_from: dt.date | None = None, period_to: dt.date | None = None, **filters
) -> list[StatRow]:
    """Figures per town (code prefix of 9), per enterprise (the 50 with most open hazards),
    per category or per month of finding, within the user's scope. One grouped query (and one
    for the names of towns and enterprises)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    qs = found_hazards(user, period_from=period_from, period_to=period_to, **filters)
    if group_by == "town":
        return _by_town(qs)[0]
    if group_by == "month":
        if period_from is None or period_to is None:
            first_last = qs.aggregate(first=Min("reported_at"), last=Max("reported_at"))
            months = months_between(
                period_from or _local_date(first_last["first"]), period_to or _local_date(first_last["last"])
            )
        else:
            months = months_between(period_from, period_to)
        return _by_month(qs, months)
    return _by_enterprise(qs) if group_by == "enterprise" else _by_category(qs)


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


@dataclass
class Overview:
    """What the statistics page opens with: the town table (and bar chart) and the found /
    closed series per month (line chart)."""

    towns: list[StatRow]
    months: list[tuple[dt.date, int, int]]  # (month, found, of which closed)


def hazard_overview(user, *, period_from: dt.date, period_to: dt.date, **filters) -> Overview:
    """The town rows and the month series from ONE grouped query: each month's found and closed
    are filtered counts in the same pass, so the database reads the period's rows once. Periods
    longer than ``MONTHS_PER_PASS`` months take a second, grouped-by-month query instead."""
    qs = found_hazards(user, period_from=period_from, period_to=period_to, **filters)
    months = months_between(period_from, period_to)
    monthly = {}
    if len(months) <= MONTHS_PER_PASS:
        for i, month in enumerate(months):
            window = Q(reported_at__gte=_day_start(month), reported_at__lt=_day_start(_next_month(month)))
            monthly[f"m{i}_found"] = Count("id", filter=window)
            monthly[f"m{i}_closed"] = Count("id", filter=window & Q(status=HazardStatus.CLOSED))
    towns, grouped = _by_town(qs, monthly)
    if monthly:
        series = [
            (month, sum(v[f"m{i}_found"] for v in grouped), sum(v[f"m{i}_closed"] for v in grouped))
            for i, month in enumerate(months)
        ]
    else:
        series = [(dt.date.fromisoformat(f"{row.key}-01"), row.found, row.closed) for row in _by_month(qs, months)]
    return Overview(towns=towns, months=series)


def total_row(rows: Iterable[StatRow], label: str = "") -> StatRow:
    total = StatRow(key="total", label=label)
    for row in rows:
        total.add(row)
    return total


# --- tiles ---------------------------------------------------------------------------------------


def month_start() -> dt.datetime:
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def hazard_totals(user) -> dict[str, int]:
    """The tiles of a home page or the statistics page: open, overdue, major open, closed this
    month (two small queries)."""
    scoped = scoped_hazards(user)
    counts = scoped.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("*"),
        overdue=Count("id", filter=Q(overdue=True)),
        major_open=Count("id", filter=Q(level=HazardLevel.MAJOR)),
    )
    counts["closed_month"] = scoped.filter(status=HazardStatus.CLOSED, closed_at__gte=month_start()).count()
    return counts


# --- the ledger ----------------------------------------------------------------------------------


def ledger_enterprise(user, enterprise_id) -> Enterprise:
    """The enterprise whose ledger the user asks for; DoesNotExist when it is not in scope."""
    return restrict(Enterprise.objects.all(), user, VIEW).select_related("region").get(pk=enterprise_id)


def enterprise_ledger(user, enterprise: Enterprise, *, period_from: dt.date, period_to: dt.date) -> QuerySet:
    """Every hazard of the enterprise found in the period (cancelled ones too: the ledger is the
    record), oldest first, with what its rows show."""
    return (
        scoped_hazards(user)
        .filter(
            enterprise_id=enterprise.pk,
            reported_at__gte=_day_start(period_from),
            reported_at__lt=_day_start(period_to + dt.timedelta(days=1)),
        )
        .select_related("category", "responsible", "verified_by")
        .order_by("reported_at", "id")
    )


# The category of a finding that names none (a member of the public who is not sure, a failed
# check whose item has no category): 作业环境与现场管理.
FALLBACK_CATEGORY_CODE = "S08"


def fallback_category() -> HazardCategory | None:
    """The fallback hazard category (S08), or the first leaf category where S08 is missing."""
    return (
        HazardCategory.objects.filter(code=FALLBACK_CATEGORY_CODE).first()
        or HazardCategory.objects.filter(parent__isnull=False).order_by("rank", "code").first()
        or HazardCategory.objects.first()
    )
