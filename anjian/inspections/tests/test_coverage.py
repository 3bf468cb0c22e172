"""Patrol plans and the coverage board under a frozen clock (Asia/Shanghai): rule resolution,
statuses at their boundaries, rounds, the per-inspector and per-town board, scoping."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from anjian.core.roles import Role
from anjian.core.tests.factories import government_user
from anjian.enterprises.models import OperatingStatus, SupervisionClass
from anjian.enterprises.tests.factories import EnterpriseFactory, enterprise_user
from anjian.inspections import coverage
from anjian.inspections.coverage import CoverageStatus
from anjian.inspections.models import Inspection, InspectionKind, InspectionStatus, PatrolRule
from anjian.inspections.tests.factories import make_checklist

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 5, 10)  # day 130 of the year
GRID, TOWN, SELF = InspectionKind.GRID_PATROL, InspectionKind.TOWN_PATROL, InspectionKind.SELF_CHECK


def frozen(day: dt.date = TODAY, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def checklist_version(db):
    return make_checklist().current_version


def visit(enterprise, kind, day: dt.date, checklist_version, *, inspector=None, hour: int = 10, submitted: bool = True):
    """A submitted inspection of ``kind`` at ``enterprise`` on ``day`` (local time)."""
    moment = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)
    return Inspection.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        checklist_version=checklist_version,
        kind=kind,
        inspector=inspector or enterprise.grid_inspector or _someone(),
        status=InspectionStatus.SUBMITTED if submitted else InspectionStatus.DRAFT,
        started_at=moment - dt.timedelta(minutes=30),
        submitted_at=moment if submitted else None,
    )


def _someone():
    from anjian.core.models import User

    return User.objects.order_by("pk").first()


def by_enterprise(rows):
    return {row.enterprise_id: row for row in rows}


# --- rules --------------------------------------------------------------------------------------


def test_rule_resolution_default_region_override_and_class_cycle(world):
    rules = list(PatrolRule.objects.all())
    ent = world.enterprise_a
    default = coverage.rule_for(ent, GRID, rules)
    assert default.region_id is None and default.interval_days == 60  # shipped defaults
    assert coverage.rule_for(ent, SELF, rules).interval_days == 30
    assert coverage.rule_for(ent, InspectionKind.DEPARTMENT, rules) is None  # no plan, nothing due

    district = PatrolRule.objects.create(region=world.regions["district"], kind=GRID, interval_days=45)
    town = PatrolRule.objects.create(region=world.regions["town_a"], kind=GRID, interval_days=40)
    rules = list(PatrolRule.objects.all())
    assert coverage.rule_for(ent, GRID, rules) == town  # the longest prefix wins
    assert coverage.rule_for(world.enterprise_b, GRID, rules) == district
    assert coverage.rule_for({"region_id": "110101"}, GRID, rules).region_id is None  # elsewhere: default

    cycles = coverage.class_cycles()
    d_class = SupervisionClass.objects.get(code="D")
    ent.supervision_class = d_class
    ent.save()
    assert coverage.interval_for(ent, GRID, rules, cycles) == 40  # the region plan overrides the class
    town.use_class_cycle = True
    town.save()
    rules = list(PatrolRule.objects.all())
    assert coverage.interval_for(ent, GRID, rules, cycles) == d_class.patrol_cycle_months * coverage.DAYS_PER_MONTH
    ent.supervision_class = None
    ent.save()
    assert coverage.interval_for(ent, GRID, rules, cycles) == 40  # no class: the rule's own interval


def test_the_plan_book_resolves_per_row_and_memoises(world, django_assert_num_queries):
    PatrolRule.objects.create(region=world.regions["town_b"], kind=SELF, interval_days=15)
    with django_assert_num_queries(2):  # rules and classes, once
        book = coverage.PlanBook()
    with django_assert_num_queries(0):
        assert book.interval(world.enterprise_b.region_id, None, SELF) == 15
        assert book.interval(world.enterprise_a.region_id, None, SELF) == 30
        assert book.interval(world.enterprise_a.region_id, None, InspectionKind.AGENCY) is None


# --- statuses and rounds ------------------------------------------------------------------------


def test_statuses_at_their_boundaries(world, checklist_version):
    grid = world.regions["grid_a"]
    inspector = world.grid_inspector_a
    due_today = EnterpriseFactory(region=grid, grid_inspector=inspector, name="到期当天")
    late_one_day = EnterpriseFactory(region=grid, grid_inspector=inspector, name="逾期一天")
    soon_edge = EnterpriseFactory(region=grid, grid_inspector=inspector, name="14天后到期")
    done = EnterpriseFactory(region=grid, grid_inspector=inspector, name="15天后到期")
    never = EnterpriseFactory(region=grid, grid_inspector=inspector, name="从未巡查")
    visit(due_today, GRID, TODAY - dt.timedelta(days=60), checklist_version)
    visit(late_one_day, GRID, TODAY - dt.timedelta(days=61), checklist_version)
    visit(soon_edge, GRID, TODAY - dt.timedelta(days=46), checklist_version)
    visit(done, GRID, TODAY - dt.timedelta(days=45), checklist_version)
    visit(done, GRID, TODAY + dt.timedelta(days=3), checklist_version)  # after "today": not counted
    visit(done, TOWN, TODAY, checklist_version)  # another kind: not counted
    visit(never, GRID, TODAY, checklist_version, submitted=False)  # a draft is no visit
    with frozen():
        rows = by_enterprise(coverage.coverage(world.district_admin, GRID))
    assert (rows[due_today.pk].status, rows[due_today.pk].days_left) == (CoverageStatus.DUE_SOON, 0)
    assert rows[due_today.pk].due == TODAY
    assert (rows[late_one_day.pk].status, rows[late_one_day.pk].days_overdue) == (CoverageStatus.OVERDUE, 1)
    assert (rows[soon_edge.pk].status, rows[soon_edge.pk].days_left) == (CoverageStatus.DUE_SOON, 14)
    assert (rows[done.pk].status, rows[done.pk].days_left) == (CoverageStatus.DONE, 15)
    # Never visited: due 60 days after 1 January (1 March), so overdue by 10 May.
    assert rows[never.pk].last is None and rows[never.pk].due == dt.date(2026, 3, 2)
    assert rows[never.pk].status == CoverageStatus.OVERDUE


def test_never_visited_is_pending_early_in_the_year_and_due_on_its_day(world):
    ent = world.enterprise_a
    with frozen(dt.date(2026, 1, 10)):
        row = by_enterprise(coverage.coverage(world.district_admin, GRID))[ent.pk]
    assert (row.status, row.due, row.days_left) == (CoverageStatus.PENDING, dt.date(2026, 3, 2), 51)
    with frozen(dt.date(2026, 3, 2)):
        assert by_enterprise(coverage.coverage(world.district_admin, GRID))[ent.pk].status == CoverageStatus.DUE_SOON
    with frozen(dt.date(2026, 3, 3)):
        assert by_enterprise(coverage.coverage(world.district_admin, GRID))[ent.pk].status == CoverageStatus.OVERDUE


def test_local_day_decides_a_late_evening_visit(world, checklist_version):
    # 23:30 in Shanghai on 10 March is 15:30 UTC: still 10 March for the plan.
    visit(world.enterprise_a, GRID, dt.date(2026, 3, 11), checklist_version, hour=23)
    with frozen():
        row = by_enterprise(coverage.coverage(world.district_admin, GRID))[world.enterprise_a.pk]
    assert row.last == dt.date(2026, 3, 11) and row.due == dt.date(2026, 5, 10)


def test_rounds_this_year(world, checklist_version):
    ent = world.enterprise_a
    other = EnterpriseFactory(region=world.regions["grid_a"], grid_inspector=world.grid_inspector_a)
    visit(ent, GRID, dt.date(2025, 12, 20), checklist_version)  # last year: no round of this year
    for day in (dt.date(2026, 1, 15), dt.date(2026, 3, 10)):
        visit(ent, GRID, day, checklist_version)
    for day in (dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 3, 5), dt.date(2026, 4, 5)):
        visit(other, GRID, day, checklist_version)
    with frozen():
        rows = by_enterprise(coverage.coverage(world.district_admin, GRID))
    assert coverage.rounds_expected(TODAY, 60) == 3  # ceil(130 / 60)
    assert (rows[ent.pk].visits, rows[ent.pk].rounds_done, rows[ent.pk].rounds_expected) == (2, 2, 3)
    assert (rows[other.pk].visits, rows[other.pk].rounds_done) == (4, 3)  # extra visits do not carry over
    assert coverage.rounds_expected(dt.date(2026, 1, 1), 60) == 1
    assert coverage.rounds_expected(dt.date(2026, 3, 1), 60) == 1  # day 60
    assert coverage.rounds_expected(dt.date(2026, 3, 2), 60) == 2  # day 61


# --- the board ----------------------------------------------------------------------------------


@pytest.fixture
def area(world, checklist_version):
    """Town A: inspector A with four enterprises (done, due soon, overdue, never) and one
    unassigned enterprise; a suspended one; town B: enterprise B (overdue) and its inspector."""
    grid_a, grid_b = world.regions["grid_a"], world.regions["grid_b"]
    inspector_b = government_user(Role.GRID_INSPECTOR, grid_b, username="grid_b", display_name="沙溪网格员")
    world.enterprise_b.grid_inspector = inspector_b
    world.enterprise_b.save()
    a = world.enterprise_a
    soon = EnterpriseFactory(region=grid_a, grid_inspector=world.grid_inspector_a)
    late = EnterpriseFactory(region=grid_a, grid_inspector=world.grid_inspector_a)
    never = EnterpriseFactory(region=grid_a, grid_inspector=world.grid_inspector_a)
    orphan = EnterpriseFactory(region=world.regions["grid_a2"], grid_inspector=None)
    EnterpriseFactory(region=grid_a, grid_inspector=world.grid_inspector_a, status=OperatingStatus.SUSPENDED)
    visit(a, GRID, dt.date(2026, 5, 1), checklist_version)
    visit(soon, GRID, dt.date(2026, 3, 20), checklist_version)  # due 19 May: soon
    visit(late, GRID, dt.date(2026, 2, 1), checklist_version)  # due 2 April: overdue
    visit(orphan, GRID, dt.date(2026, 4, 20), checklist_version, inspector=world.town_admin_a)
    visit(world.enterprise_b, GRID, dt.date(2026, 1, 2), checklist_version)  # due 3 March: overdue
    visit(a, TOWN, dt.date(2026, 4, 1), checklist_version, inspector=world.town_admin_a)
    return {"a": a, "soon": soon, "late": late, "never": never, "orphan": orphan, "inspector_b": inspector_b}


def test_board_per_inspector(world, area):
    with frozen():
        rows = coverage.coverage(world.district_admin, GRID)
        table = {row.key: row for row in coverage.board(rows, "inspector")}
    assert len(rows) == 6  # the suspended enterprise owes nothing
    mine = table[str(world.grid_inspector_a.pk)]
    assert (mine.enterprises, mine.done, mine.pending, mine.due_soon, mine.overdue) == (4, 1, 0, 1, 2)
    assert (mine.rounds_done, mine.rounds_expected) == (3, 12)
    assert mine.label == world.grid_inspector_a.display_name and mine.detail == "中区一网格"
    other = table[str(area["inspector_b"].pk)]
    assert (other.enterprises, other.overdue, other.rounds_done) == (1, 1, 1)
    orphan = table[coverage.NO_INSPECTOR]
    assert (orphan.enterprises, orphan.done) == (1, 1)
    total = coverage.board_total(table.values())
    assert (total.enterprises, total.done, total.due_soon, total.overdue) == (6, 2, 1, 3)
    assert total.completion == round(100 * 5 / 18, 1)


def test_board_per_town_and_town_patrols(world, area):
    with frozen():
        grid = {r.key: r for r in coverage.board(coverage.coverage(world.district_admin, GRID), "town")}
        town = {r.key: r for r in coverage.board(coverage.coverage(world.district_admin, TOWN), "town")}
    assert (grid["320585100"].enterprises, grid["320585100"].overdue, grid["320585100"].label) == (5, 2, "城厢镇")
    assert (grid["320585101"].enterprises, grid["320585101"].overdue) == (1, 1)
    # Town patrols every 90 days: enterprise A visited 1 April (done); the others never, due 1 April.
    assert (town["320585100"].done, town["320585100"].overdue) == (1, 4)
    assert (town["320585101"].done, town["320585101"].overdue) == (0, 1)


def test_due_list_drills_into_one_inspector(world, area):
    with frozen():
        rows = coverage.coverage(world.district_admin, GRID)
    due = coverage.due_list(rows, "inspector", str(world.grid_inspector_a.pk))
    assert [r.enterprise_id for r in due] == [area["never"].pk, area["late"].pk, area["soon"].pk]  # by due date
    assert {r.enterprise_id for r in coverage.due_list(rows)} == {
        area["never"].pk,
        area["late"].pk,
        area["soon"].pk,
        world.enterprise_b.pk,
    }


def test_scoping_town_b_sees_nothing_of_town_a(world, area):
    with frozen():
        town_b = coverage.coverage(world.town_admin_b, GRID)
        inspector = coverage.coverage(world.grid_inspector_a, GRID)
        own = coverage.coverage(world.enterprise_admin_a, SELF)
        outsider_self = coverage.coverage(world.enterprise_admin_b, SELF)
    assert {r.enterprise_id for r in town_b} == {world.enterprise_b.pk}
    assert {r.enterprise_id for r in inspector} == {area["a"].pk, area["soon"].pk, area["late"].pk, area["never"].pk}
    assert [r.enterprise_id for r in own] == [world.enterprise_a.pk]
    assert [r.enterprise_id for r in outsider_self] == [world.enterprise_b.pk]


def test_board_query_count_does_not_grow_with_enterprises(world, checklist_version, django_assert_max_num_queries):
    for _i in range(30):
        ent = EnterpriseFactory(region=world.regions["grid_a"], grid_inspector=world.grid_inspector_a)
        visit(ent, GRID, dt.date(2026, 4, 1), checklist_version)
    with frozen(), django_assert_max_num_queries(5):  # rules, classes, enterprises, visits, names
        coverage.board(coverage.coverage(world.district_admin, GRID), "inspector")


# --- the page -----------------------------------------------------------------------------------


def test_coverage_page_per_inspector_with_drill_down(client, world, area):
    client.force_login(world.district_admin)
    with frozen():
        page = client.get(reverse("inspections:coverage"), {"kind": GRID, "group": "inspector"})
        assert page.status_code == 200
        html = page.content.decode()
        assert world.grid_inspector_a.display_name in html and 'id="coverage-data"' in html
        drill = client.get(
            reverse("inspections:coverage"),
            {"kind": GRID, "group": "inspector", "key": world.grid_inspector_a.pk},
            headers={"HX-Request": "true", "HX-Target": "coverage-drill"},
        )
    body = drill.content.decode()
    assert drill.status_code == 200 and "<html" not in body
    assert area["late"].name in body and area["a"].name not in body
    assert "/inspections/start/enterprise/" not in body  # a district admin does not patrol


def test_coverage_page_offers_the_inspector_to_start(client, world, area):
    client.force_login(world.grid_inspector_a)
    with frozen():
        page = client.get(reverse("inspections:coverage"), {"key": "all"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/inspections/start/enterprise/{area['late'].pk}/" in html
    assert world.enterprise_b.name not in html


def test_coverage_page_for_town_b_and_an_enterprise(client, world, area):
    client.force_login(world.town_admin_b)
    with frozen():
        html = client.get(reverse("inspections:coverage"), {"kind": GRID, "key": "all"}).content.decode()
    assert world.enterprise_b.name in html and world.enterprise_a.name not in html
    user = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so_a")
    client.force_login(user)
    with frozen():
        page = client.get(reverse("inspections:coverage"))
    assert page.status_code == 200 and 'id="kind-self_check"' in page.content.decode()


# --- the daily warning ------------------------------------------------------------------------


def test_the_daily_warning_tells_the_right_people_once_a_day(world, area):
    from anjian.core.jobs import zoned_crontab
    from anjian.core.models import Notification
    from anjian.inspections import jobs
    from anjian.inspections.tests.test_rates import report

    assert jobs.WARN_AT == (7, 30)
    assert zoned_crontab(*jobs.WARN_AT, utc=True)(dt.datetime(2026, 5, 9, 23, 30))  # 07:30 on the 10th in Shanghai
    report(world.enterprise_a, dt.date(2026, 3, 1), "approved", dt.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI))

    # 10 May 07:30: the task computes today in Shanghai (the UTC date is still the 9th).
    with time_machine.travel(dt.datetime(2026, 5, 9, 23, 30, tzinfo=dt.UTC), tick=False):
        result = jobs.inspection_warnings_daily.call_local()
    assert result["today"] == "2026-05-10"
    inbox = {n.recipient.username: n for n in Notification.objects.select_related("recipient")}
    assert set(inbox) == {"grid_a", "grid_b", "town_a", "town_b", "ent_b"}
    assert inbox["grid_a"].title == "巡查逾期提醒" and "2家" in inbox["grid_a"].body
    assert "1家" in inbox["grid_b"].body
    assert "网格巡查逾期2家" in inbox["town_a"].body and "镇街督查逾期4家" in inbox["town_a"].body
    assert "网格巡查逾期1家" in inbox["town_b"].body and "镇街督查逾期1家" in inbox["town_b"].body
    # On 10 May April's report may still come in; March's is missing for B only.
    assert "2026-03" in inbox["ent_b"].body and "2026-04" not in inbox["ent_b"].body
    assert inbox["ent_b"].url == "/inspections/monthly-reports/submit/?month=2026-03"

    # A rerun the same day sends nothing.
    with frozen(dt.date(2026, 5, 10), hour=15):
        again = jobs.warn()
    assert again["messages"] == 0 and again["skipped"] == 5
    assert Notification.objects.count() == 5

    # The next day: everybody again, and April's report is now late for both enterprises.
    with frozen(dt.date(2026, 5, 11), hour=7):
        jobs.warn()
    assert Notification.objects.count() == 11
    latest = Notification.objects.filter(recipient=world.enterprise_admin_a).get()
    assert "2026-04" in latest.body and "2026-03" not in latest.body
    assert "2026-03、2026-04" in Notification.objects.filter(recipient=world.enterprise_admin_b).latest("id").body


def test_no_warning_for_suspended_or_visited_enterprises(world, checklist_version):
    from anjian.core.models import Notification
    from anjian.inspections import jobs

    world.enterprise_b.status = OperatingStatus.CLOSED
    world.enterprise_b.save()
    visit(world.enterprise_a, GRID, dt.date(2026, 1, 20), checklist_version)
    visit(world.enterprise_a, TOWN, dt.date(2026, 1, 20), checklist_version, inspector=world.town_admin_a)
    with frozen(dt.date(2026, 2, 1), hour=8):  # no visit overdue; December's report is missing
        jobs.warn()
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"ent_a"}
