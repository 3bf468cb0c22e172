"""Submission rates (提报率) on a hand-built set, exact to the unit, under a frozen clock.

Period 2026-01-01 … 2026-03-31 (90 days), today 2026-04-15. With the default plan:
self-checks every 30 days → 3 windows (1 Jan, 31 Jan, 2 Mar – 31 Mar), grid patrols every 60 days
→ 2 windows (1 Jan, 15 Feb – 31 Mar), town patrols every 90 days → 1 window; monthly reports for
January, February and March (cut-offs 10 Feb, 10 Mar, 10 Apr, all before today)."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from anjian.enterprises.models import OperatingStatus
from anjian.enterprises.tests.factories import EnterpriseFactory
from anjian.inspections import coverage
from anjian.inspections.models import (
    InspectionKind,
    MonthlyReport,
    MonthlyReportStatus,
    PatrolRule,
)
from anjian.inspections.tests.factories import make_checklist
from anjian.inspections.tests.test_coverage import visit

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START, END, TODAY = dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 15)
GRID, TOWN, SELF = InspectionKind.GRID_PATROL, InspectionKind.TOWN_PATROL, InspectionKind.SELF_CHECK


def frozen(day: dt.date = TODAY):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI), tick=False)


def report(enterprise, month: dt.date, status: str, submitted: dt.datetime | None):
    return MonthlyReport.objects.create(
        enterprise=enterprise, region_id=enterprise.region_id, month=month, status=status, submitted_at=submitted
    )


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def hand_built(world):
    checklist_version = make_checklist().current_version
    a, b = world.enterprise_a, world.enterprise_b
    # A: self-checks in windows 1 and 3 (two in window 1 count once), a grid patrol in window 2,
    # no town patrol; January's report on time, February's late, March's returned.
    for day in (dt.date(2026, 1, 5), dt.date(2026, 1, 20), dt.date(2026, 3, 3)):
        visit(a, SELF, day, checklist_version)
    visit(a, GRID, dt.date(2026, 2, 20), checklist_version)
    visit(a, GRID, dt.date(2025, 12, 31), checklist_version)  # before the period
    visit(a, TOWN, dt.date(2026, 4, 2), checklist_version)  # after it
    visit(a, SELF, dt.date(2026, 2, 10), checklist_version, submitted=False)  # a draft
    report(a, dt.date(2026, 1, 1), MonthlyReportStatus.APPROVED, local(2026, 2, 8, 10))
    report(a, dt.date(2026, 2, 1), MonthlyReportStatus.APPROVED, local(2026, 3, 12, 10))
    report(a, dt.date(2026, 3, 1), MonthlyReportStatus.RETURNED, local(2026, 4, 1, 10))
    # B: every window; reports: on the cut-off day late in the evening (on time), just after
    # midnight the day after (late), March submitted early and waiting for review (on time).
    for day in (dt.date(2026, 1, 10), dt.date(2026, 2, 10), dt.date(2026, 3, 10)):
        visit(b, SELF, day, checklist_version)
    visit(b, GRID, dt.date(2026, 1, 10), checklist_version)
    visit(b, GRID, dt.date(2026, 3, 1), checklist_version)
    visit(b, TOWN, dt.date(2026, 2, 1), checklist_version)
    report(b, dt.date(2026, 1, 1), MonthlyReportStatus.APPROVED, local(2026, 2, 10, 23, 30))
    report(b, dt.date(2026, 2, 1), MonthlyReportStatus.SUBMITTED, local(2026, 3, 11, 0, 30))
    report(b, dt.date(2026, 3, 1), MonthlyReportStatus.SUBMITTED, local(2026, 3, 31, 16))
    # A suspended enterprise of town A owes nothing, whatever it did.
    closed = EnterpriseFactory(region=world.regions["grid_a"], status=OperatingStatus.SUSPENDED)
    visit(closed, SELF, dt.date(2026, 1, 5), checklist_version)
    report(closed, dt.date(2026, 1, 1), MonthlyReportStatus.APPROVED, local(2026, 2, 1, 9))
    return {"a": a, "b": b, "closed": closed}


def figures(row) -> tuple:
    return (
        (row.self_check_on_time, row.self_check_required),
        (row.grid_patrol_on_time, row.grid_patrol_required),
        (row.town_patrol_on_time, row.town_patrol_required),
        (row.report_on_time, row.report_required),
    )


def test_windows_and_months():
    assert coverage.windows(90, 30) == 3
    assert coverage.windows(90, 60) == 2  # 1.5 rounds half up
    assert coverage.windows(89, 60) == 1
    assert coverage.windows(14, 30) == 0  # shorter than half an interval: nothing due
    assert coverage.windows(15, 30) == 1
    assert coverage.windows(365, 60) == 6
    assert coverage.window_bounds(START, 90, 3) == [
        START,
        dt.date(2026, 1, 31),
        dt.date(2026, 3, 2),
        dt.date(2026, 4, 1),
    ]
    assert coverage.report_deadline(dt.date(2026, 12, 1)) == dt.date(2027, 1, coverage.REPORT_CUTOFF_DAY)
    assert coverage.report_months(START, END, TODAY) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    # On 10 April March's report may still come in: not required yet.
    assert coverage.report_months(START, END, dt.date(2026, 4, 10)) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert coverage.report_months(dt.date(2026, 1, 15), END, TODAY) == [dt.date(2026, 2, 1), dt.date(2026, 3, 1)]


def test_rates_exact_on_a_hand_built_set(world, hand_built):
    with frozen():
        rates = coverage.submission_rates(world.district_admin, START, END)
    rows = {int(row.key): row for row in rates.enterprises}
    assert set(rows) == {hand_built["a"].pk, hand_built["b"].pk}  # not the suspended one
    a, b = rows[hand_built["a"].pk], rows[hand_built["b"].pk]
    assert figures(a) == ((2, 3), (1, 2), (0, 1), (1, 3))
    assert figures(b) == ((3, 3), (2, 2), (1, 1), (2, 3))
    assert (a.on_time, a.required, a.overall_rate) == (4, 9, 44.4)
    assert (a.self_check_rate, a.grid_patrol_rate, a.town_patrol_rate, a.report_rate) == (66.7, 50.0, 0.0, 33.3)
    assert (b.on_time, b.required, b.overall_rate) == (8, 9, 88.9)
    towns = {row.key: row for row in rates.towns}
    assert figures(towns["320585100"]) == figures(a) and towns["320585100"].label == "城厢镇"
    assert figures(towns["320585101"]) == figures(b)
    assert figures(rates.total) == ((5, 6), (3, 4), (1, 2), (3, 6))
    assert rates.total.overall_rate == round(100 * 12 / 18, 1)


def test_a_region_plan_changes_what_is_required(world, hand_built):
    PatrolRule.objects.create(region=world.regions["town_a"], kind=SELF, interval_days=45)  # 2 windows
    with frozen():
        rates = coverage.submission_rates(world.district_admin, START, END)
    a = next(row for row in rates.enterprises if row.key == str(hand_built["a"].pk))
    # Windows 1 Jan – 15 Feb and 15 Feb – 31 Mar: visits on 5 and 20 Jan, 3 Mar → both.
    assert (a.self_check_on_time, a.self_check_required) == (2, 2)


def test_rates_are_scoped(world, hand_built):
    with frozen():
        town_b = coverage.submission_rates(world.town_admin_b, START, END)
        own = coverage.submission_rates(world.enterprise_admin_a, START, END)
    assert [row.key for row in town_b.enterprises] == [str(hand_built["b"].pk)]
    assert figures(town_b.total) == ((3, 3), (2, 2), (1, 1), (2, 3))
    assert [row.key for row in own.enterprises] == [str(hand_built["a"].pk)]


def test_period_is_clipped_at_today(world, hand_built):
    with frozen(dt.date(2026, 1, 20)):
        rates = coverage.submission_rates(world.district_admin, START, END)
    assert rates.period_to == dt.date(2026, 1, 20) and rates.months == []
    # 20 days: one self-check window (20 / 30 rounds to 1), no 60- or 90-day patrol yet.
    assert figures(rates.total) == ((2, 2), (0, 0), (0, 0), (0, 0))


def test_rates_page_and_export(client, world, hand_built):
    client.force_login(world.district_admin)
    url = reverse("inspections:rates")
    params = {"from": START.isoformat(), "to": END.isoformat()}
    with frozen():
        page = client.get(url, params)
        enterprises = client.get(url, {**params, "tab": "enterprise"})
        export = client.get(url, {**params, "tab": "town", "export": "xlsx"})
        export_enterprises = client.get(url, {**params, "tab": "enterprise", "export": "xlsx"})
    html = page.content.decode()
    assert page.status_code == 200 and "城厢镇" in html and "66.7" in html
    assert hand_built["a"].name in enterprises.content.decode()
    sheet = load_workbook(io.BytesIO(export.content)).active
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    assert lines[1][:4] == ["城厢镇", 2, 3, 66.7] and lines[-1][0] == "合计" and lines[-1][-3:] == [12, 18, 66.7]
    sheet = load_workbook(io.BytesIO(export_enterprises.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == [hand_built["a"].name, hand_built["b"].name]  # worst first


def test_rates_page_for_town_b_shows_only_its_own(client, world, hand_built):
    client.force_login(world.town_admin_b)
    with frozen():
        html = client.get(reverse("inspections:rates"), {"tab": "enterprise"}).content.decode()
    assert hand_built["b"].name in html and hand_built["a"].name not in html
