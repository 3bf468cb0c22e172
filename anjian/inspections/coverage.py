"""Patrol plans, coverage and submission rates (巡查计划、覆盖、轮次、提报率): the reads behind the
coverage board, the submission-rate page and the daily warnings.

"What was due from whom" is written once, here (DOMAIN §7):

- **Who owes what.** :func:`obligations` lists, for one inspection kind, every *operating*
  enterprise of a queryset (suspended and closed ones owe nothing) that a patrol rule covers, with
  the rule's interval. A grid patrol is owed by the enterprise's grid inspector, a town patrol by
  its town (the first nine digits of the region code), a self-check by the enterprise itself
  (:attr:`Duty.owner`). A monthly report is owed by every operating enterprise, one per month.
- **Which rule.** :func:`rule_for`: the rule of the longest region prefix of the enterprise's
  region wins; a rule without region is the default. With ``use_class_cycle`` the enterprise's
  supervision class cycle (``patrol_cycle_months`` × 30 days) replaces ``interval_days`` when it
  has a class. Rules and classes are a few rows, loaded once (:class:`PlanBook`) and resolved in
  Python per enterprise row (memoised per region and class), so 20,000 enterprises cost one
  ``values_list`` query, not one query each.
- **When (coverage, today).** Due date = last submitted visit (local date) + interval; never
  visited: as if visited on 1 January of the plan year (the calendar year of ``today``), so it is
  overdue once the year is older than the interval. Status: overdue (due date passed), due soon
  (due within ``SOON_DAYS``, due today included), done (visited, next visit later than that),
  pending (never visited, not due soon yet). Rounds (轮次) this year: expected =
  ceil(days of the year so far, today included / interval); done = submitted visits this year.
- **How many (rates, a period).** A period of D days (clipped at today) holds
  n = round(D / interval) windows of equal length (half up; a period shorter than half an interval
  requires nothing); a window is on time when it holds a submitted inspection of that kind. A
  monthly report is required for each month whose first day lies in the period and whose cut-off
  (``REPORT_CUTOFF_DAY`` of the next month) is before today; it is on time when submitted or
  approved and submitted by the end of the cut-off day (a returned report counts when corrected
  in time).

Every public reader starts from ``restrict()`` on enterprises, inspections and reports. The
daily job passes unscoped querysets to the same private functions. Each page costs a handful of
queries whatever the number of enterprises: enterprises (values_list), one grouped aggregate of
inspections (and one of reports), names of the rows' inspectors or towns.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from django.db.models import Case, Count, Max, Q, QuerySet, TextChoices, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import Region, User
from anjian.core.scoping import VIEW, region_contains, restrict, town_code
from anjian.enterprises.models import Enterprise, OperatingStatus, SupervisionClass
from anjian.inspections.models import (
    Inspection,
    InspectionKind,
    InspectionStatus,
    MonthlyReport,
    MonthlyReportStatus,
    PatrolRule,
)

SOON_DAYS = 14  # "due soon": the due date is at most this many days away
DAYS_PER_MONTH = 30  # a supervision class cycle in months, as a patrol interval in days
REPORT_CUTOFF_DAY = 10  # a month's report is on time when submitted by this day of the next month
PLANNED_KINDS = (InspectionKind.GRID_PATROL, InspectionKind.TOWN_PATROL, InspectionKind.SELF_CHECK)
GROUPS = ("inspector", "town")
NO_INSPECTOR = "none"
ON_TIME_REPORT_STATUSES = (MonthlyReportStatus.SUBMITTED, MonthlyReportStatus.APPROVED)


class CoverageStatus(TextChoices):
    DONE = "done", _("已巡查")
    PENDING = "pending", _("待巡查")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")


def local_today() -> dt.date:
    """Today in the platform's time zone (settings.TIME_ZONE)."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def town_of(region_id: str) -> str:
    return town_code(region_id)


# --- plans --------------------------------------------------------------------------------------


def _attr(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def rule_for(enterprise, kind: str, rules: Iterable[PatrolRule]) -> PatrolRule | None:
    """The rule that applies to ``enterprise`` (a model or a dict with ``region_id``) for
    ``kind``: the longest region prefix of its region wins, a rule without region is the default;
    None when no rule covers it (nothing is due)."""
    region = _attr(enterprise, "region_id") or ""
    best, best_length = None, -1
    for rule in rules:
        if rule.kind != kind:
            continue
        prefix = rule.region_id or ""
        if (not prefix or region_contains(prefix, region)) and len(prefix) > best_length:
            best, best_length = rule, len(prefix)
    return best


def class_cycles() -> dict[int, int]:
    """Supervision class id → patrol cycle in months."""
    return dict(SupervisionClass.objects.values_list("pk", "patrol_cycle_months"))


def interval_for(enterprise, kind: str, rules: Iterable[PatrolRule], cycles: dict[int, int]) -> int | None:
    """Days between two visits of ``kind`` the plan asks of ``enterprise``; None: not planned."""
    rule = rule_for(enterprise, kind, rules)
    if rule is None:
        return None
    class_id = _attr(enterprise, "supervision_class_id")
    if rule.use_class_cycle and class_id in cycles:
        return cycles[class_id] * DAYS_PER_MONTH
    return rule.interval_days


class PlanBook:
    """The patrol rules and class cycles, loaded once (a few rows), resolved per enterprise in
    Python and memoised per (region, class, kind)."""

    def __init__(self, rules: Sequence[PatrolRule] | None = None, cycles: dict[int, int] | None = None):
        self.rules = list(PatrolRule.objects.all()) if rules is None else list(rules)
        self.cycles = class_cycles() if cycles is None else cycles
        self._memo: dict[tuple[str, int | None, str], int | None] = {}

    def interval(self, region_id: str, class_id: int | None, kind: str) -> int | None:
        key = (region_id, class_id, kind)
        if key not in self._memo:
            entry = {"region_id": region_id, "supervision_class_id": class_id}
            self._memo[key] = interval_for(entry, kind, self.rules, self.cycles)
        return self._memo[key]


# --- what was due from whom ---------------------------------------------------------------------


@dataclass(slots=True)
class Duty:
    """One enterprise's duty of one kind under the plan."""

    enterprise_id: int
    name: str
    region_id: str
    inspector_id: int | None
    interval: int
    kind: str

    @property
    def town(self) -> str:
        return town_of(self.region_id)

    @property
    def owner(self):
        """Who owes it: the grid inspector (grid patrol), the town (town patrol), the enterprise."""
        if self.kind == InspectionKind.GRID_PATROL:
            return self.inspector_id
        if self.kind == InspectionKind.TOWN_PATROL:
            return self.town
        return self.enterprise_id


def required_enterprises(enterprises: QuerySet) -> list[tuple]:
    """(pk, name, region_id, supervision_class_id, grid_inspector_id) of the operating ones."""
    return list(
        enterprises.filter(status=OperatingStatus.OPERATING)
        .order_by("region_id", "pk")
        .values_list("pk", "name", "region_id", "supervision_class_id", "grid_inspector_id")
    )


def obligations(enterprises: QuerySet | list[tuple], kind: str, book: PlanBook | None = None) -> list[Duty]:
    """What is due from whom for ``kind``: one :class:`Duty` per operating enterprise that a rule
    covers. ``enterprises`` is a queryset (already scoped) or rows of :func:`required_enterprises`."""
    book = book or PlanBook()
    rows = required_enterprises(enterprises) if isinstance(enterprises, QuerySet) else enterprises
    duties = []
    for pk, name, region_id, class_id, inspector_id in rows:
        interval = book.interval(region_id, class_id, kind)
        if interval:
            duties.append(Duty(pk, name, region_id, inspector_id, interval, kind))
    return duties


def scoped_enterprises(user) -> QuerySet:
    return restrict(Enterprise.objects.all(), user, VIEW)


def scoped_inspections(user) -> QuerySet:
    return restrict(Inspection.objects.all(), user, VIEW)


def scoped_reports(user) -> QuerySet:
    return restrict(MonthlyReport.objects.all(), user, VIEW)


# --- coverage -----------------------------------------------------------------------------------


@dataclass(slots=True)
class CoverageRow:
    duty: Duty
    last: dt.date | None
    due: dt.date
    days_left: int
    status: str
    visits: int  # submitted visits of the kind this year
    rounds_expected: int

    @property
    def rounds_done(self) -> int:
        """Visits this year counted up to the rounds expected (extra visits to one enterprise
        do not make up for another's missed round)."""
        return min(self.visits, self.rounds_expected)

    @property
    def enterprise_id(self) -> int:
        return self.duty.enterprise_id

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def year_start(today: dt.date) -> dt.date:
    return today.replace(month=1, day=1)


def rounds_expected(today: dt.date, interval: int) -> int:
    """Rounds of the plan year begun by ``today``: ceil(days so far, today included / interval)."""
    return math.ceil(((today - year_start(today)).days + 1) / interval)


def status_of(days_left: int, visited: bool) -> str:
    if days_left < 0:
        return CoverageStatus.OVERDUE
    if days_left <= SOON_DAYS:
        return CoverageStatus.DUE_SOON
    return CoverageStatus.DONE if visited else CoverageStatus.PENDING


def last_visits(inspections: QuerySet, kind: str, today: dt.date) -> dict[int, tuple[dt.date, int]]:
    """enterprise id → (local date of the last submitted visit of ``kind`` up to ``today``, visits
    this year): one grouped aggregate; the database turns the time into the local date."""
    grouped = (
        inspections.filter(
            kind=kind, status=InspectionStatus.SUBMITTED, submitted_at__lt=day_start(today + dt.timedelta(days=1))
        )
        .values("enterprise_id")
        .annotate(
            last=TruncDate(Max("submitted_at"), tzinfo=timezone.get_default_timezone()),
            year=Count("id", filter=Q(submitted_at__gte=day_start(year_start(today)))),
        )
        .order_by()
        .values_list("enterprise_id", "last", "year")
    )
    return {pk: (last, year) for pk, last, year in grouped}


def coverage_rows(
    enterprises: QuerySet | list[tuple], inspections: QuerySet, kind: str, today: dt.date, book: PlanBook | None = None
) -> list[CoverageRow]:
    """Coverage of ``kind`` on ``today`` for the operating enterprises given (unscoped here)."""
    duties = obligations(enterprises, kind, book)
    visits = last_visits(inspections, kind, today)
    start = year_start(today)
    expected = {}  # per interval
    rows = []
    for duty in duties:
        last, this_year = visits.get(duty.enterprise_id, (None, 0))
        due = (last or start) + dt.timedelta(days=duty.interval)
        days_left = (due - today).days
        if duty.interval not in expected:
            expected[duty.interval] = rounds_expected(today, duty.interval)
        rows.append(
            CoverageRow(
                duty, last, due, days_left, status_of(days_left, last is not None), this_year, expected[duty.interval]
            )
        )
    return rows


def coverage(user, kind: str, today: dt.date | None = None) -> list[CoverageRow]:
    """Coverage of ``kind`` for every operating enterprise in the user's scope (see the module)."""
    if kind not in PLANNED_KINDS:
        raise ValueError(f"kind must be one of {PLANNED_KINDS}")
    return coverage_rows(scoped_enterprises(user), scoped_inspections(user), kind, today or local_today())


# --- the board ----------------------------------------------------------------------------------


@dataclass
class BoardFigures:
    enterprises: int = 0
    done: int = 0
    pending: int = 0
    due_soon: int = 0
    overdue: int = 0
    rounds_done: int = 0
    rounds_expected: int = 0

    @property
    def completion(self) -> float | None:
        """Rounds done / rounds expected this year, in percent."""
        return _percent(self.rounds_done, self.rounds_expected)

    def add_row(self, row: CoverageRow) -> None:
        self.enterprises += 1
        setattr(self, row.status, getattr(self, row.status) + 1)
        self.rounds_done += row.rounds_done
        self.rounds_expected += row.rounds_expected

    def add(self, other: BoardFigures) -> None:
        for f in fields(BoardFigures):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class BoardRow(BoardFigures):
    key: str = ""
    label: str = ""
    detail: str = ""  # the inspector's grid, or the town's code


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def group_key(row: CoverageRow, group: str) -> str:
    if group == "inspector":
        return str(row.duty.inspector_id) if row.duty.inspector_id else NO_INSPECTOR
    return row.duty.town


def board(rows: Iterable[CoverageRow], group: str) -> list[BoardRow]:
    """Per grid inspector (``group="inspector"``) or per town: enterprises, done, pending, due
    soon, overdue, rounds done / expected. Names in one query."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {GROUPS}")
    grouped: dict[str, BoardRow] = {}
    for row in rows:
        key = group_key(row, group)
        entry = grouped.get(key)
        if entry is None:
            entry = grouped[key] = BoardRow(key=key)
        entry.add_row(row)
    keys = [key for key in grouped if key != NO_INSPECTOR]
    if group == "inspector":
        people = User.objects.filter(pk__in=[int(k) for k in keys]).values_list(
            "pk", "display_name", "username", "region__name"
        )
        for pk, name, username, region in people:
            grouped[str(pk)].label, grouped[str(pk)].detail = name or username, region or ""
        if NO_INSPECTOR in grouped:
            grouped[NO_INSPECTOR].label = str(_("未指定网格员"))
    else:
        for code, name in Region.objects.filter(code__in=keys).values_list("code", "name"):
            grouped[code].label, grouped[code].detail = name, code
    for entry in grouped.values():
        entry.label = entry.label or entry.key
    return sorted(grouped.values(), key=lambda r: (r.key == NO_INSPECTOR, -r.overdue, r.label, r.key))


def board_total(rows: Iterable[BoardRow], label: str = "") -> BoardRow:
    total = BoardRow(key="total", label=label)
    for row in rows:
        total.add(row)
    return total


def due_list(rows: Iterable[CoverageRow], group: str | None = None, key: str | None = None) -> list[CoverageRow]:
    """The drill-down: rows due soon or overdue (of one inspector or town), most urgent first."""
    wanted = (CoverageStatus.OVERDUE, CoverageStatus.DUE_SOON)
    chosen = [r for r in rows if r.status in wanted and (group is None or group_key(r, group) == key)]
    return sorted(chosen, key=lambda r: (r.due, r.duty.name, r.duty.enterprise_id))


# --- submission rates ---------------------------------------------------------------------------

RATE_KINDS = (InspectionKind.SELF_CHECK, InspectionKind.GRID_PATROL, InspectionKind.TOWN_PATROL)
RATE_PARTS = ("self_check", "grid_patrol", "town_patrol", "report")


def windows(period_days: int, interval: int) -> int:
    """How many visits a period of ``period_days`` days requires at one per ``interval`` days:
    round(period / interval), half up (0 for a period shorter than half an interval)."""
    if period_days <= 0 or interval <= 0:
        return 0
    return (2 * period_days + interval) // (2 * interval)


def window_bounds(period_from: dt.date, period_days: int, n: int) -> list[dt.date]:
    """The n + 1 boundaries of n windows of (nearly) equal length: from + floor(k·D/n) days."""
    return [period_from + dt.timedelta(days=k * period_days // n) for k in range(n + 1)]


def report_deadline(month: dt.date) -> dt.date:
    """The last on-time day of a month's report: the cut-off day of the next month."""
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following.replace(day=REPORT_CUTOFF_DAY)


def report_months(period_from: dt.date, period_to: dt.date, today: dt.date) -> list[dt.date]:
    """Months whose report the period requires: first day in the period, cut-off before today."""
    months = []
    month = period_from if period_from.day == 1 else (period_from.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    while month <= period_to:
        if report_deadline(month) < today:
            months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class RateFigures:
    self_check_required: int = 0
    self_check_on_time: int = 0
    grid_patrol_required: int = 0
    grid_patrol_on_time: int = 0
    town_patrol_required: int = 0
    town_patrol_on_time: int = 0
    report_required: int = 0
    report_on_time: int = 0

    def rate(self, part: str) -> float | None:
        return _percent(getattr(self, f"{part}_on_time"), getattr(self, f"{part}_required"))

    @property
    def self_check_rate(self) -> float | None:
        return self.rate("self_check")

    @property
    def grid_patrol_rate(self) -> float | None:
        return self.rate("grid_patrol")

    @property
    def town_patrol_rate(self) -> float | None:
        return self.rate("town_patrol")

    @property
    def report_rate(self) -> float | None:
        return self.rate("report")

    @property
    def required(self) -> int:
        return sum(getattr(self, f"{part}_required") for part in RATE_PARTS)

    @property
    def on_time(self) -> int:
        return sum(getattr(self, f"{part}_on_time") for part in RATE_PARTS)

    @property
    def overall_rate(self) -> float | None:
        return _percent(self.on_time, self.required)

    def add(self, other: RateFigures) -> None:
        for f in fields(RateFigures):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class RateRow(RateFigures):
    key: str = ""
    label: str = ""
    town: str = ""


@dataclass
class Rates:
    period_from: dt.date
    period_to: dt.date  # clipped at today
    months: list[dt.date]
    enterprises: list[RateRow] = field(default_factory=list)
    towns: list[RateRow] = field(default_factory=list)
    total: RateRow = field(default_factory=lambda: RateRow(key="total"))


def _bump(row: RateRow, name: str, n: int) -> None:
    setattr(row, name, getattr(row, name) + n)


def rate_rows(
    enterprises: QuerySet,
    inspections: QuerySet,
    reports: QuerySet,
    period_from: dt.date,
    period_to: dt.date,
    today: dt.date,
    book: PlanBook | None = None,
) -> Rates:
    """Submission rates of the given (already scoped) sets; see the module docstring."""
    book = book or PlanBook()
    end = min(period_to, today)
    period_days = (end - period_from).days + 1
    months = report_months(period_from, end, today)
    result = Rates(period_from=period_from, period_to=end, months=months)
    base = required_enterprises(enterprises)
    rows: dict[int, RateRow] = {
        pk: RateRow(key=str(pk), label=name, town=town_of(region_id)) for pk, name, region_id, _c, _i in base
    }
    if not rows:
        return result

    # Inspections: the windows each (enterprise, kind) requires, and those holding a visit — one
    # grouped query per enterprise, a distinct count of window numbers per (kind, window count).
    needed: dict[tuple[int, str], int] = {}
    for kind in RATE_KINDS:
        required = f"{kind}_required"
        for pk, _name, region_id, class_id, _inspector in base:
            interval = book.interval(region_id, class_id, kind)
            n = windows(period_days, interval) if interval else 0
            if n:
                needed[(pk, kind)] = n
                _bump(rows[pk], required, n)
    counts = {}
    for kind, n in sorted(set((kind, n) for (_pk, kind), n in needed.items())):
        bounds = [day_start(b) for b in window_bounds(period_from, period_days, n)]
        number = Case(
            *(When(submitted_at__lt=bounds[k + 1], then=Value(k)) for k in range(n - 1)), default=Value(n - 1)
        )
        counts[f"{kind}_{n}"] = Count(number, distinct=True, filter=Q(kind=kind))
    if counts:
        grouped = (
            inspections.filter(
                status=InspectionStatus.SUBMITTED,
                kind__in=RATE_KINDS,
                submitted_at__gte=day_start(period_from),
                submitted_at__lt=day_start(end + dt.timedelta(days=1)),
            )
            .values("enterprise_id")
            .annotate(**counts)
            .order_by()
        )
        for values in grouped:
            pk = values["enterprise_id"]
            row = rows.get(pk)
            if row is None:
                continue
            for kind in RATE_KINDS:
                n = needed.get((pk, kind))
                if n:
                    _bump(row, f"{kind}_on_time", values[f"{kind}_{n}"])

    # Monthly reports: one per required month, on time when in by the cut-off.
    if months:
        for row in rows.values():
            row.report_required = len(months)
        on_time = Q()
        for month in months:
            on_time |= Q(month=month, submitted_at__lt=day_start(report_deadline(month) + dt.timedelta(days=1)))
        grouped = (
            reports.filter(month__in=months, status__in=ON_TIME_REPORT_STATUSES)
            .values("enterprise_id")
            .annotate(on_time=Count("id", filter=on_time))
            .order_by()
            .values_list("enterprise_id", "on_time")
        )
        for pk, n in grouped:
            if pk in rows:
                rows[pk].report_on_time = n

    towns: dict[str, RateRow] = {}
    for row in rows.values():
        town = towns.get(row.town)
        if town is None:
            town = towns[row.town] = RateRow(key=row.town, town=row.town)
        town.add(row)
        result.total.add(row)
    for code, name in Region.objects.filter(code__in=list(towns)).values_list("code", "name"):
        towns[code].label = name
    for town in towns.values():
        town.label = town.label or town.key
    result.enterprises = list(rows.values())
    result.towns = sorted(towns.values(), key=lambda r: r.key)
    return result


def submission_rates(user, period_from: dt.date, period_to: dt.date, today: dt.date | None = None) -> Rates:
    """Per enterprise and per town in the user's scope: the share of required self-checks, grid
    patrols, town patrols and monthly reports done on time in the period (see the module)."""
    return rate_rows(
        scoped_enterprises(user),
        scoped_inspections(user),
        scoped_reports(user),
        period_from,
        period_to,
        today or local_today(),
    )


# --- warnings -----------------------------------------------------------------------------------


def overdue_counts(today: dt.date, book: PlanBook | None = None) -> tuple[dict[int, int], dict[str, dict[str, int]]]:
    """For the daily warning, over the whole platform: overdue grid-patrol visits per grid
    inspector, and per town the overdue grid patrols (of its inspectors' enterprises) and town
    patrols."""
    book = book or PlanBook()
    base = required_enterprises(Enterprise.objects.all())
    per_inspector: dict[int, int] = defaultdict(int)
    per_town: dict[str, dict[str, int]] = defaultdict(lambda: {"grid": 0, "town": 0})
    for row in coverage_rows(base, Inspection.objects.all(), InspectionKind.GRID_PATROL, today, book):
        if row.status == CoverageStatus.OVERDUE:
            if row.duty.inspector_id:
                per_inspector[row.duty.inspector_id] += 1
            per_town[row.duty.town]["grid"] += 1
    for row in coverage_rows(base, Inspection.objects.all(), InspectionKind.TOWN_PATROL, today, book):
        if row.status == CoverageStatus.OVERDUE:
            per_town[row.duty.town]["town"] += 1
    return dict(per_inspector), dict(per_town)


def missing_reports(today: dt.date) -> dict[int, list[dt.date]]:
    """Operating enterprise id → months whose report is missing after the cut-off: last month's
    (once this month's cut-off day has passed) and the month before (its cut-off passed last
    month). Submitted or approved counts; draft and returned do not."""
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    before = (last_month - dt.timedelta(days=1)).replace(day=1)
    months = [m for m in (before, last_month) if report_deadline(m) < today]
    if not months:
        return {}
    done = defaultdict(set)
    for pk, month in MonthlyReport.objects.filter(month__in=months, status__in=ON_TIME_REPORT_STATUSES).values_list(
        "enterprise_id", "month"
    ):
        done[pk].add(month)
    missing = {}
    operating = Enterprise.objects.filter(status=OperatingStatus.OPERATING).values_list("pk", flat=True)
    for pk in operating.iterator(chunk_size=5000):
        lacking = [m for m in months if m not in done.get(pk, ())]
        if lacking:
            missing[pk] = lacking
    return missing
