"""Benchmark scenarios. Each runs a real request through the Django stack and has a baseline: the
raw SQL that yields the same rows (or, for login, the work a login cannot avoid)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client

DEMO_PASSWORD = "Anjian@2026"
PAGE = 25

LIST_COLUMNS = """
    e.id, e.name, e.credit_code, r.name, i.name, e.scale, sc.code, e.legal_representative,
    u.display_name, e.staff_count, e.status
    FROM enterprises_enterprise e
    JOIN core_region r ON r.code = e.region_id
    LEFT JOIN enterprises_industry i ON i.code = e.industry_id
    LEFT JOIN enterprises_supervisionclass sc ON sc.id = e.supervision_class_id
    LEFT JOIN core_user u ON u.id = e.grid_inspector_id
"""


def raw(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def user_with(role: str, region_code: str, username: str):
    """A bench account of ``role`` attached to ``region_code`` (created once)."""
    from anjian.core.models import User

    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "region_id": region_code, "display_name": username}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@dataclass
class Scenario:
    name: str
    client: Client = field(default_factory=Client)

    def setup(self) -> None: ...

    def run(self) -> None: ...

    def baseline(self) -> None: ...


@dataclass
class ArchiveList(Scenario):
    """The enterprise-archive list page of a government user, with one filter."""

    role: str = "district_admin"
    region_code: str = "320585"
    filter_param: str = "industry"
    filter_value: str = "C"
    filter_sql: str = "e.industry_id LIKE %s"

    def setup(self) -> None:
        self.user = user_with(self.role, self.region_code, f"bench_{self.role}_{self.region_code}")
        self.client.force_login(self.user)
        self.url = f"/enterprises/?{self.filter_param}={self.filter_value}"
        self.where = f"e.region_id LIKE %s AND {self.filter_sql}"
        self.params = [self.region_code + "%", self.filter_value + ("%" if "LIKE" in self.filter_sql else "")]
        response = self.client.get(self.url)
        assert response.status_code == 200, response.status_code

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        raw(f"SELECT COUNT(*) FROM enterprises_enterprise e WHERE {self.where}", self.params)
        raw(f"SELECT {LIST_COLUMNS} WHERE {self.where} ORDER BY e.id DESC LIMIT {PAGE}", self.params)


@dataclass
class EnterpriseDetail(Scenario):
    def setup(self) -> None:
        from anjian.enterprises.models import Enterprise

        self.user = user_with("district_admin", "320585", "bench_district_admin_320585")
        self.client.force_login(self.user)
        self.enterprise = Enterprise.objects.filter(region__code__startswith="320585").order_by("id").first()
        self.url = f"/enterprises/{self.enterprise.pk}/"
        assert self.client.get(self.url).status_code == 200

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        pk = self.enterprise.pk
        raw(
            "SELECT e.*, r.name, i.name, sc.code, sc.label, u.display_name, d.name FROM enterprises_enterprise e"
            " JOIN core_region r ON r.code = e.region_id LEFT JOIN enterprises_industry i ON i.code = e.industry_id"
            " LEFT JOIN enterprises_supervisionclass sc ON sc.id = e.supervision_class_id"
            " LEFT JOIN core_user u ON u.id = e.grid_inspector_id"
            " LEFT JOIN core_department d ON d.id = e.supervising_department_id"
            " WHERE e.id = %s AND e.region_id LIKE %s",
            [pk, "320585%"],
        )
        raw(
            "SELECT t.name FROM enterprises_tag t JOIN enterprises_enterprise_tags et ON et.tag_id = t.id"
            " WHERE et.enterprise_id = %s",
            [pk],
        )
        raw(
            "SELECT * FROM core_auditentry WHERE model = %s AND object_id = %s ORDER BY seq DESC LIMIT 50",
            ["enterprises.enterprise", str(pk)],
        )


@dataclass
class TokenLogin(Scenario):
    """POST /api/v1/auth/token/; baseline: fetch the user row and verify the password hash."""

    def setup(self) -> None:
        self.user = user_with("district_admin", "320585", "bench_district_admin_320585")
        self.body = json.dumps({"username": self.user.username, "password": DEMO_PASSWORD})
        response = self.client.post("/api/v1/auth/token/", self.body, content_type="application/json")
        assert response.status_code == 200, response.content

    def run(self) -> None:
        self.client.post("/api/v1/auth/token/", self.body, content_type="application/json")

    def baseline(self) -> None:
        row = raw("SELECT password FROM core_user WHERE username = %s", [self.user.username])[0]
        check_password(DEMO_PASSWORD, row[0])


@dataclass
class ApiEnterpriseList(Scenario):
    """GET /api/v1/enterprises/?industry=C with a bearer token."""

    def setup(self) -> None:
        self.user = user_with("district_admin", "320585", "bench_district_admin_320585")
        body = json.dumps({"username": self.user.username, "password": DEMO_PASSWORD})
        token = self.client.post("/api/v1/auth/token/", body, content_type="application/json").json()["token"]
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        self.url = "/api/v1/enterprises/?industry=C&limit=25"
        assert self.client.get(self.url, **self.headers).status_code == 200

    def run(self) -> None:
        self.client.get(self.url, **self.headers)

    def baseline(self) -> None:
        params = ["320585%", "C%"]
        where = "e.region_id LIKE %s AND e.industry_id LIKE %s"
        raw(f"SELECT COUNT(*) FROM enterprises_enterprise e WHERE {where}", params)
        raw(
            f"SELECT e.*, r.name, i.name, sc.code, u.display_name FROM {LIST_COLUMNS.split('FROM', 1)[1]}"
            f" WHERE {where} ORDER BY e.id DESC LIMIT {PAGE}",
            params,
        )


# --- Hazards (issue 4) -------------------------------------------------------------------------

OPEN_STATUSES_SQL = "('reported', 'assigned', 'submitted')"
HAZARD_LIST_COLUMNS = """
    h.id, h.enterprise_id, h.place, h.category_id, h.level, h.source, h.status, h.reported_at, h.responsible_id,
    h.deadline, h.priority, e.id, e.name, c.id, c.name, u.id, u.display_name
    FROM hazards_hazard h
    JOIN enterprises_enterprise e ON e.id = h.enterprise_id
    JOIN hazards_hazardcategory c ON c.id = h.category_id
    LEFT JOIN core_user u ON u.id = h.responsible_id
"""


def _require_hazards() -> None:
    from anjian.hazards.models import Hazard

    assert Hazard.objects.exists(), "no hazards: run `python -m bench` (it adds them) or `manage.py demo`"


@dataclass
class HazardOpenList(Scenario):
    """The first page of a government user's open hazards (/hazards/?view=open), 一线三排 order;
    baseline: the count and the page's rows with their joins."""

    role: str = "district_admin"
    region_code: str = "320585"

    def setup(self) -> None:
        _require_hazards()
        self.user = user_with(self.role, self.region_code, f"bench_{self.role}_{self.region_code}")
        self.client.force_login(self.user)
        self.url = "/hazards/?view=open"
        self.where = f"h.region_id LIKE %s AND h.status IN {OPEN_STATUSES_SQL}"
        self.params = [self.region_code + "%"]
        response = self.client.get(self.url)
        assert response.status_code == 200, response.status_code
        rows = self.rows()
        assert rows and all(f'href="/hazards/{row[0]}/"' in response.content.decode() for row in rows[:5])

    def rows(self) -> list:
        return raw(
            f"SELECT {HAZARD_LIST_COLUMNS} WHERE {self.where} ORDER BY h.priority DESC, h.id DESC LIMIT {PAGE}",
            self.params,
        )

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        raw(f"SELECT COUNT(*) FROM hazards_hazard h WHERE {self.where}", self.params)
        self.rows()


@dataclass
class HazardStatsPage(Scenario):
    """The statistics page (/hazards/stats/: last twelve months, by town); baseline: the same
    aggregates in raw SQL — the tiles' two counts, the town GROUP BY with the month series, and the
    towns' names."""

    role: str = "district_admin"
    region_code: str = "320585"

    def setup(self) -> None:
        import datetime as dt

        from django.conf import settings
        from django.utils import timezone

        from anjian.hazards import selectors
        from anjian.hazards.stats_views import default_period

        _require_hazards()
        self.user = user_with(self.role, self.region_code, f"bench_{self.role}_{self.region_code}")
        self.client.force_login(self.user)
        self.url = "/hazards/stats/"
        assert self.client.get(self.url).status_code == 200
        start, end = default_period(timezone.localdate())
        day = selectors._day_start
        self.months = [(day(m), day(selectors._next_month(m))) for m in selectors.months_between(start, end)]
        self.month_start = selectors.month_start()
        self.period = [day(start), day(end + dt.timedelta(days=1))]
        self.tz = settings.TIME_ZONE
        overview = selectors.hazard_overview(self.user, period_from=start, period_to=end)
        grouped = self.grouped()
        assert [(r[0], r[1], r[2]) for r in grouped] == [(t.key, t.found, t.closed) for t in overview.towns]

    def grouped(self) -> list:
        closed, is_open = "status = 'closed'", f"status IN {OPEN_STATUSES_SQL}"
        months = []
        for lower, upper in self.months:
            window = f"reported_at >= '{lower.isoformat()}' AND reported_at < '{upper.isoformat()}'"
            months += [f"COUNT(id) FILTER (WHERE {window})", f"COUNT(id) FILTER (WHERE {window} AND {closed})"]
        return raw(
            f"SELECT substring(region_id, 1, 9) AS town, COUNT(*), COUNT(id) FILTER (WHERE {closed}),"
            f" COUNT(id) FILTER (WHERE {is_open}), COUNT(id) FILTER (WHERE {is_open} AND overdue),"
            f" COUNT(id) FILTER (WHERE {is_open} AND level = 'major'), COUNT(id) FILTER (WHERE repeated),"
            f" COUNT(id) FILTER (WHERE {closed} AND (deadline IS NULL"
            f" OR (closed_at AT TIME ZONE %s)::date <= deadline)),"
            f" SUM(closed_at - reported_at) FILTER (WHERE {closed}), {', '.join(months)}"
            " FROM hazards_hazard WHERE region_id LIKE %s AND status <> 'cancelled'"
            " AND reported_at >= %s AND reported_at < %s GROUP BY 1 ORDER BY 1",
            [self.tz, self.region_code + "%", *self.period],
        )

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        prefix = self.region_code + "%"
        raw(
            "SELECT COUNT(*), COUNT(id) FILTER (WHERE overdue), COUNT(id) FILTER (WHERE level = 'major')"
            f" FROM hazards_hazard WHERE region_id LIKE %s AND status IN {OPEN_STATUSES_SQL}",
            [prefix],
        )
        raw(
            "SELECT COUNT(*) FROM hazards_hazard WHERE region_id LIKE %s AND status = 'closed' AND closed_at >= %s",
            [prefix, self.month_start],
        )
        towns = [row[0] for row in self.grouped()]
        raw("SELECT code, name FROM core_region WHERE code = ANY(%s)", [towns])


SCENARIOS: list[Scenario] = [
    ArchiveList(name="archive list · district, industry=C"),
    ArchiveList(
        name="archive list · town, scale=small",
        role="town_admin",
        region_code="320585100",
        filter_param="scale",
        filter_value="small",
        filter_sql="e.scale = %s",
    ),
    ArchiveList(name="archive list · province (20k), industry=C", region_code="32"),
    EnterpriseDetail(name="enterprise detail page"),
    TokenLogin(name="token login (POST /api/v1/auth/token/)"),
    ApiEnterpriseList(name="API enterprise list · district, industry=C"),
    HazardOpenList(name="hazard list · district, open"),
    HazardOpenList(name="hazard list · town, open", role="town_admin", region_code="320585100"),
    HazardStatsPage(name="hazard statistics page · district"),
]


# --- Inspections: coverage and submission rates (issue 5) ---------------------------------------


def _require_inspections() -> None:
    from anjian.inspections.models import Inspection

    assert Inspection.objects.exists(), "no inspections: run `python -m bench` (it adds them) or `manage.py demo`"


def interval_sql(kind: str, enterprise: str = "e", supervision_class: str = "sc") -> str:
    """The patrol plan as one SQL expression over an enterprise row (NULL: not planned): the rule of
    the longest region prefix, the default otherwise, the class cycle where the rule says so. Built
    from the rule table (digits and integers only, so inlined)."""
    from anjian.inspections.coverage import DAYS_PER_MONTH
    from anjian.inspections.models import PatrolRule

    rules = sorted(PatrolRule.objects.filter(kind=kind), key=lambda r: -len(r.region_id or ""))

    def days(rule) -> str:
        if rule.use_class_cycle:
            return f"COALESCE({supervision_class}.patrol_cycle_months * {DAYS_PER_MONTH}, {int(rule.interval_days)})"
        return str(int(rule.interval_days))

    cases = [
        f"WHEN {enterprise}.region_id LIKE '{rule.region_id}%' THEN {days(rule)}"
        for rule in rules
        if rule.region_id and rule.region_id.isdigit()
    ]
    default = next((days(rule) for rule in rules if rule.region_id is None), "NULL")
    return f"(CASE {' '.join(cases)} ELSE {default} END)" if cases else f"({default})"


@dataclass
class CoverageBoard(Scenario):
    """The coverage board (/inspections/coverage/, grid patrols per inspector) of a government
    user; baseline: the same figures in one SQL statement — the plan's interval per enterprise,
    the last visit and this year's visits per enterprise (the aggregate), statuses and rounds per
    inspector — and the inspectors' names."""

    role: str = "district_admin"
    region_code: str = "320585"
    kind: str = "grid_patrol"

    def setup(self) -> None:
        import datetime as dt

        from django.conf import settings

        from anjian.inspections import coverage

        _require_inspections()
        self.user = user_with(self.role, self.region_code, f"bench_{self.role}_{self.region_code}")
        self.client.force_login(self.user)
        self.url = f"/inspections/coverage/?kind={self.kind}&group=inspector"
        assert self.client.get(self.url).status_code == 200
        today = coverage.local_today()
        start = coverage.year_start(today)
        self.params = {
            "prefix": self.region_code + "%",
            "kind": self.kind,
            "tz": settings.TIME_ZONE,
            "year_start": coverage.day_start(start),
            "year_start_date": start,
            "tomorrow": coverage.day_start(today + dt.timedelta(days=1)),
            "today": today,
            "elapsed": (today - start).days + 1,
            "soon": coverage.SOON_DAYS,
        }
        self.interval = interval_sql(self.kind)
        expected = [
            (None if r.key == coverage.NO_INSPECTOR else int(r.key), r.enterprises, r.done, r.pending)
            + (r.due_soon, r.overdue, r.rounds_done, r.rounds_expected)
            for r in coverage.board(coverage.coverage(self.user, self.kind, today), "inspector")
        ]
        got = [tuple(row) for row in self.grouped()]
        assert sorted(got, key=str) == sorted(expected, key=str), "baseline and selector disagree"
        self.figures = got

    def grouped(self) -> list:
        return raw(
            f"""
            WITH e AS (
                SELECT e.id, e.grid_inspector_id, {self.interval} AS days
                FROM enterprises_enterprise e
                LEFT JOIN enterprises_supervisionclass sc ON sc.id = e.supervision_class_id
                WHERE e.region_id LIKE %(prefix)s AND e.status = 'operating'
            ), v AS (
                SELECT enterprise_id, MAX(submitted_at) AS last,
                       COUNT(*) FILTER (WHERE submitted_at >= %(year_start)s) AS year
                FROM inspections_inspection
                WHERE region_id LIKE %(prefix)s AND kind = %(kind)s AND status = 'submitted'
                      AND submitted_at < %(tomorrow)s
                GROUP BY enterprise_id
            ), r AS (
                SELECT e.grid_inspector_id AS inspector, v.last IS NOT NULL AS visited,
                       COALESCE((v.last AT TIME ZONE %(tz)s)::date, %(year_start_date)s::date) + e.days
                           - %(today)s::date AS days_left,
                       COALESCE(v.year, 0) AS year,
                       CEIL(%(elapsed)s::numeric / e.days)::int AS expected
                FROM e LEFT JOIN v ON v.enterprise_id = e.id
                WHERE e.days IS NOT NULL
            )
            SELECT inspector, COUNT(*),
                   COUNT(*) FILTER (WHERE days_left > %(soon)s AND visited),
                   COUNT(*) FILTER (WHERE days_left > %(soon)s AND NOT visited),
                   COUNT(*) FILTER (WHERE days_left BETWEEN 0 AND %(soon)s),
                   COUNT(*) FILTER (WHERE days_left < 0),
                   SUM(LEAST(year, expected))::int, SUM(expected)::int
            FROM r GROUP BY inspector
            """,
            self.params,
        )

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        ids = [row[0] for row in self.grouped() if row[0] is not None]
        raw(
            "SELECT u.id, u.display_name, u.username, r.name FROM core_user u"
            " LEFT JOIN core_region r ON r.code = u.region_id WHERE u.id = ANY(%s)",
            [ids],
        )


@dataclass
class SubmissionRates(Scenario):
    """The submission-rate page (/inspections/rates/: the last twelve months, per town) of a
    government user; baseline: the same per-town figures in one SQL statement — each enterprise's
    plan, the windows of the period each kind requires and those holding a submitted inspection
    (window index ((d + 1)·n − 1) div D), the monthly reports in by their cut-off — and the towns'
    names."""

    role: str = "district_admin"
    region_code: str = "320585"

    def setup(self) -> None:
        import datetime as dt

        from django.conf import settings

        from anjian.inspections import coverage, coverage_views

        _require_inspections()
        self.user = user_with(self.role, self.region_code, f"bench_{self.role}_{self.region_code}")
        self.client.force_login(self.user)
        self.url = "/inspections/rates/"
        assert self.client.get(self.url).status_code == 200
        today = coverage.local_today()
        start, end = coverage_views.parse_period({}, today)
        end = min(end, today)
        months = coverage.report_months(start, end, today)
        self.params = {
            "prefix": self.region_code + "%",
            "tz": settings.TIME_ZONE,
            "from": start,
            "from_at": coverage.day_start(start),
            "to_at": coverage.day_start(end + dt.timedelta(days=1)),
            "days": (end - start).days + 1,
            "months": months,
            "cutoff": coverage.REPORT_CUTOFF_DAY - 1,
        }
        self.intervals = {kind: interval_sql(kind) for kind in ("self_check", "grid_patrol", "town_patrol")}
        rates = coverage.submission_rates(self.user, start, end, today)
        expected = [
            (
                r.key,
                r.self_check_on_time,
                r.self_check_required,
                r.grid_patrol_on_time,
                r.grid_patrol_required,
                r.town_patrol_on_time,
                r.town_patrol_required,
                r.report_on_time,
                r.report_required,
            )
            for r in rates.towns
        ]
        got = [tuple(row) for row in self.grouped()]
        assert got == expected, "baseline and selector disagree"

    def grouped(self) -> list:
        def n(kind: str) -> str:  # windows required: round(D / interval), half up
            return f"COALESCE((2 * %(days)s + {self.intervals[kind]}) / (2 * {self.intervals[kind]}), 0)"

        return raw(
            f"""
            WITH e AS (
                SELECT e.id, substring(e.region_id, 1, 9) AS town,
                       {n("self_check")} AS n_self, {n("grid_patrol")} AS n_grid, {n("town_patrol")} AS n_town
                FROM enterprises_enterprise e
                LEFT JOIN enterprises_supervisionclass sc ON sc.id = e.supervision_class_id
                WHERE e.region_id LIKE %(prefix)s AND e.status = 'operating'
            ), i AS (
                SELECT i.enterprise_id, i.kind,
                       ((i.submitted_at AT TIME ZONE %(tz)s)::date - %(from)s::date) AS d
                FROM inspections_inspection i
                WHERE i.region_id LIKE %(prefix)s AND i.status = 'submitted'
                      AND i.kind IN ('self_check', 'grid_patrol', 'town_patrol')
                      AND i.submitted_at >= %(from_at)s AND i.submitted_at < %(to_at)s
            ), w AS (
                SELECT i.enterprise_id,
                       COUNT(DISTINCT ((i.d + 1) * e.n_self - 1) / %(days)s)
                           FILTER (WHERE i.kind = 'self_check' AND e.n_self > 0) AS self,
                       COUNT(DISTINCT ((i.d + 1) * e.n_grid - 1) / %(days)s)
                           FILTER (WHERE i.kind = 'grid_patrol' AND e.n_grid > 0) AS grid,
                       COUNT(DISTINCT ((i.d + 1) * e.n_town - 1) / %(days)s)
                           FILTER (WHERE i.kind = 'town_patrol' AND e.n_town > 0) AS town
                FROM i JOIN e ON e.id = i.enterprise_id
                GROUP BY i.enterprise_id
            ), m AS (
                SELECT enterprise_id, COUNT(*) AS on_time
                FROM inspections_monthlyreport
                WHERE region_id LIKE %(prefix)s AND month = ANY(%(months)s::date[])
                      AND status IN ('submitted', 'approved')
                      AND (submitted_at AT TIME ZONE %(tz)s)::date
                          <= (month + interval '1 month')::date + %(cutoff)s
                GROUP BY enterprise_id
            )
            SELECT e.town,
                   COALESCE(SUM(w.self), 0)::int, SUM(e.n_self)::int,
                   COALESCE(SUM(w.grid), 0)::int, SUM(e.n_grid)::int,
                   COALESCE(SUM(w.town), 0)::int, SUM(e.n_town)::int,
                   COALESCE(SUM(m.on_time), 0)::int, (COUNT(*) * cardinality(%(months)s::date[]))::int
            FROM e LEFT JOIN w ON w.enterprise_id = e.id LEFT JOIN m ON m.enterprise_id = e.id
            GROUP BY e.town ORDER BY e.town
            """,
            self.params,
        )

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        towns = [row[0] for row in self.grouped()]
        raw("SELECT code, name FROM core_region WHERE code = ANY(%s)", [towns])


SCENARIOS += [
    CoverageBoard(name="coverage board · district (grid patrol)"),
    CoverageBoard(name="coverage board · town (grid patrol)", role="town_admin", region_code="320585100"),
    CoverageBoard(name="coverage board · province (grid patrol)", region_code="32"),
    SubmissionRates(name="submission rates · district"),
    SubmissionRates(name="submission rates · province", region_code="32"),
]


# --- Risks: the government risk database (issue 6) ----------------------------------------------


def _require_risk_points() -> None:
    from anjian.risks.models import RiskPoint

    if not RiskPoint.objects.exists():
        raise SystemExit("the data set has no risk points: rebuild it (drop anjian_bench) or run the risk demo")


@dataclass
class RiskDatabase(Scenario):
    """The area's risk database (every enterprise's risk points) filtered by level, as a
    government user pages it: the count, one page and the level tiles."""

    role: str = "district_admin"
    region_code: str = "320585"
    level: str = "major"
    page: int = 1

    def setup(self) -> None:
        _require_risk_points()
        self.user = user_with(self.role, self.region_code, f"bench_{self.role}_{self.region_code}")
        self.client.force_login(self.user)
        self.url = f"/risks/points/?level={self.level}&page={self.page}"
        assert self.client.get(self.url).status_code == 200

    def run(self) -> None:
        self.client.get(self.url)

    def baseline(self) -> None:
        prefix = self.region_code + "%"
        where = "p.region_id LIKE %s AND p.level = %s"
        raw(f"SELECT COUNT(*) FROM risks_riskpoint p WHERE {where}", [prefix, self.level])
        raw(
            "SELECT p.id, p.name, e.name, p.kind, p.place, p.level, p.collected_at FROM risks_riskpoint p"
            f" JOIN enterprises_enterprise e ON e.id = p.enterprise_id WHERE {where}"
            f" ORDER BY p.id DESC LIMIT {PAGE} OFFSET {PAGE * (self.page - 1)}",
            [prefix, self.level],
        )
        raw("SELECT level, COUNT(*) FROM risks_riskpoint WHERE region_id LIKE %s GROUP BY level", [prefix])


SCENARIOS += [
    RiskDatabase(name="risk database · district, level=major"),
    RiskDatabase(
        name="risk database · town, level=general", role="town_admin", region_code="320585100", level="general"
    ),
    RiskDatabase(name="risk database · province, level=high, page 40", region_code="32", level="high", page=40),
]


# --- Audit: concurrent writers (issue 11) --------------------------------------------------------


def _audit_writer(job: tuple[int, int, int, int, str]) -> None:
    """One writer (in a pool process, with its own connection): ``writes`` transactions for one
    enterprise, each two ``enterprise_update`` calls (two audit entries) with ``hold_ms`` of other
    work between them. ``mode``: "on" (audit as it is), "shared" (every entry on one chain head,
    as before issue 11), "off" (``audit.record`` a no-op)."""
    import time

    from django.db import transaction

    from anjian.core import audit
    from anjian.core.models import User
    from anjian.enterprises.models import Enterprise
    from anjian.enterprises.services import enterprise_update

    enterprise_pk, user_pk, writes, hold_ms, mode = job
    user = User.objects.get(pk=user_pk)
    record, partition_of = audit.record, audit.partition_of
    if mode == "off":
        audit.record = lambda **kwargs: None
    elif mode == "shared":
        audit.partition_of = lambda instance: audit.PLATFORM
    try:
        for _ in range(writes):
            with transaction.atomic():
                enterprise = Enterprise.objects.get(pk=enterprise_pk)
                staff = enterprise.staff_count or 0
                enterprise = enterprise_update(actor=user, enterprise=enterprise, data={"staff_count": staff + 1})
                time.sleep(hold_ms / 1000)  # the rest of the request: a photo stored, a document rendered …
                enterprise_update(actor=user, enterprise=enterprise, data={"staff_count": staff})
    finally:
        audit.record, audit.partition_of = record, partition_of


@dataclass
class AuditWriters(Scenario):
    """``writers`` processes (as web workers are), each on its own connection, each running
    ``writes`` transactions for its own enterprise at the same time. A transaction is one
    request's worth of writing: an ``enterprise_update`` (which appends an audit entry), ``hold_ms``
    of other work, a second ``enterprise_update``, commit; the first entry's chain head stays locked
    until commit. Baseline: the same with ``audit.record`` a no-op. The ratio is what the audit
    costs under concurrency. With ``shared_chain`` every entry goes on one chain head (the design
    before issue 11): the writers queue on it."""

    writers: int = 8
    writes: int = 5
    hold_ms: int = 5
    shared_chain: bool = False

    def setup(self) -> None:
        import multiprocessing

        from django.db import connections

        from anjian.enterprises.models import Enterprise

        user = user_with("district_admin", "320585", "bench_district_admin_320585")
        pks = list(
            Enterprise.objects.filter(region__code__startswith="320585").order_by("id").values_list("pk", flat=True)
        )[: self.writers]
        assert len(pks) == self.writers, "not enough enterprises in district 320585"
        self.jobs = [(pk, user.pk, self.writes, self.hold_ms, "shared" if self.shared_chain else "on") for pk in pks]
        connections.close_all()  # the pool's processes must not share this process's connection
        self.pool = multiprocessing.get_context("fork").Pool(self.writers)
        self.run()

    def _all(self, mode: str) -> None:
        self.pool.map(_audit_writer, [(*job[:4], mode) for job in self.jobs], chunksize=1)

    def run(self) -> None:
        self._all("shared" if self.shared_chain else "on")

    def baseline(self) -> None:
        self._all("off")


SCENARIOS += [
    AuditWriters(name="audit · 8 writers, 8 enterprises"),
    AuditWriters(name="audit · 8 writers, one shared chain (old)", shared_chain=True),
]
