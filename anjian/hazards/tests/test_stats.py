"""Hazard statistics: exact figures on a hand-built set, scoping by town and enterprise, the page,
its htmx tabs and its Excel export."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from anjian.hazards import selectors
from anjian.hazards.models import HazardLevel, HazardStatus
from anjian.hazards.tests.factories import HazardFactory, category

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
FROM, TO = dt.date(2021, 1, 1), dt.date(2021, 6, 30)
URL = "/hazards/stats/"
PERIOD = {"from": "2021-01-01", "to": "2021-06-30"}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def hazards(world):
    a, b = world.enterprise_a, world.enterprise_b
    closed = HazardStatus.CLOSED
    return {
        # closed on its deadline day: on time, 3.0 days
        "h1": HazardFactory(
            enterprise=a,
            status=closed,
            reported_at=at(2021, 3, 2, 10),
            deadline=dt.date(2021, 3, 5),
            closed_at=at(2021, 3, 5, 10),
        ),
        # closed half an hour after the deadline day ended (local time): late, 10.6 days
        "h2": HazardFactory(
            enterprise=a,
            status=closed,
            reported_at=at(2021, 3, 10, 10),
            deadline=dt.date(2021, 3, 20),
            closed_at=at(2021, 3, 21, 0, 30),
        ),
        "h3": HazardFactory(
            enterprise=a,
            status=HazardStatus.ASSIGNED,
            reported_at=at(2021, 4, 1, 9),
            deadline=dt.date(2021, 4, 8),
            overdue=True,
        ),
        "h4": HazardFactory(
            enterprise=a,
            status=HazardStatus.ASSIGNED,
            level=HazardLevel.MAJOR,
            reported_at=at(2021, 4, 2, 9),
            deadline=dt.date(2099, 1, 1),
        ),
        # closed on the spot, no deadline: on time; repeated; another category
        "h5": HazardFactory(
            enterprise=a,
            status=closed,
            repeated=True,
            category=category("S03"),
            reported_at=at(2021, 4, 3, 9),
            closed_at=at(2021, 4, 3, 9, 30),
        ),
        "cancelled": HazardFactory(enterprise=a, status=HazardStatus.CANCELLED, reported_at=at(2021, 4, 4, 9)),
        "before": HazardFactory(
            enterprise=a, status=closed, reported_at=at(2020, 12, 31, 23), closed_at=at(2021, 1, 2)
        ),
        "b1": HazardFactory(enterprise=b, status=HazardStatus.REPORTED, reported_at=at(2021, 3, 15, 9)),
    }


def stats(user, **kw):
    return selectors.hazard_statistics(user, period_from=FROM, period_to=TO, **kw)


def figures(row) -> dict:
    return {k: v for k, v in row.as_dict().items() if k not in ("key", "label")}


def test_town_figures_are_exact(world, hazards):
    rows = stats(world.district_admin)
    assert [(r.key, r.label) for r in rows] == [("320585100", "城厢镇"), ("320585101", "沙溪镇")]
    avg = round((3 * 86400 + (10 * 86400 + 14.5 * 3600) + 1800) / 3 / 86400, 1)
    assert avg == 4.5
    assert figures(rows[0]) == {
        "found": 5,
        "closed": 3,
        "open": 2,
        "overdue": 1,
        "major_open": 1,
        "repeated": 1,
        "rectification_rate": 60.0,
        "on_time_rate": 66.7,
        "avg_days": avg,
    }
    assert figures(rows[1]) == {
        "found": 1,
        "closed": 0,
        "open": 1,
        "overdue": 0,
        "major_open": 0,
        "repeated": 0,
        "rectification_rate": 0.0,
        "on_time_rate": None,
        "avg_days": None,
    }
    total = selectors.total_row(rows)
    assert (total.found, total.closed, total.rectification_rate, total.on_time_rate, total.avg_days) == (
        6,
        3,
        50.0,
        66.7,
        4.5,
    )


def test_other_groupings_add_up(world, hazards):
    by_month = stats(world.district_admin, group_by="month")
    assert [r.key for r in by_month] == ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06"]
    assert [(r.found, r.closed) for r in by_month] == [(0, 0), (0, 0), (3, 2), (3, 1), (0, 0), (0, 0)]
    by_category = stats(world.district_admin, group_by="category")
    assert {r.label: (r.found, r.closed, r.on_time) for r in by_category} == {
        "电气安全": (5, 2, 1),
        "消防安全": (1, 1, 1),
    }
    by_enterprise = stats(world.district_admin, group_by="enterprise")
    assert [(r.label, r.open) for r in by_enterprise] == [
        (world.enterprise_a.name, 2),
        (world.enterprise_b.name, 1),
    ]
    for rows in (by_month, by_category, by_enterprise):
        assert sum(r.found for r in rows) == 6


def test_filters_narrow_the_found_set(world, hazards):
    assert [r.found for r in stats(world.district_admin, level="major")] == [1]
    assert [r.found for r in stats(world.district_admin, region="320585101")] == [1]
    fire = category("S03")
    assert [r.found for r in stats(world.district_admin, category=str(fire.pk))] == [1]
    # the parent (现场管理类) takes in its children: S02 and S03 alike
    assert [r.found for r in stats(world.district_admin, category=str(fire.parent_id))] == [5, 1]
    with pytest.raises(TypeError):
        stats(world.district_admin, enterprise="1")
    with pytest.raises(ValueError):
        stats(world.district_admin, group_by="grid")


def test_town_officer_sees_only_his_town(world, hazards):
    for group_by in selectors.GROUPINGS:
        rows = stats(world.town_admin_b, group_by=group_by)
        assert sum(r.found for r in rows) == 1, group_by
    assert [r.label for r in stats(world.town_admin_b)] == ["沙溪镇"]
    assert [r.label for r in stats(world.town_admin_b, group_by="enterprise")] == [world.enterprise_b.name]
    assert [r.label for r in stats(world.town_admin_a)] == ["城厢镇"]
    assert sum(r.found for r in stats(world.enterprise_admin_b)) == 1
    assert selectors.hazard_totals(world.town_admin_b)["open"] == 1


def test_totals_count_now(world, hazards):
    now = timezone.now()
    HazardFactory(enterprise=world.enterprise_a, status=HazardStatus.CLOSED, reported_at=now, closed_at=now)
    assert selectors.hazard_totals(world.district_admin) == {
        "open": 3,
        "overdue": 1,
        "major_open": 1,
        "closed_month": 1,
    }
    assert selectors.hazard_totals(world.town_admin_b) == {"open": 1, "overdue": 0, "major_open": 0, "closed_month": 0}


# --- the page ------------------------------------------------------------------------------------


def test_page_shows_tiles_table_and_chart_data(client, world, hazards, django_assert_max_num_queries):
    client.force_login(world.district_admin)
    with django_assert_max_num_queries(14):
        response = client.get(URL, PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="stats-total"' in page and "城厢镇" in page and "沙溪镇" in page
    assert "<script>" not in page  # CSP: data only, drawn by static/anjian/stats.js
    assert "anjian/stats.js" in page and "vendor/echarts/echarts.min.js" in page
    data = json.loads(re.search(r'<script id="stats-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert data["towns"] == {"names": ["城厢镇", "沙溪镇"], "open": [2, 1], "overdue": [1, 0]}
    assert data["months"]["labels"][2] == "2021-03"
    assert data["months"]["found"] == [0, 0, 3, 3, 0, 0]


@pytest.mark.parametrize("tab", ["town", "enterprise", "category", "month"])
def test_tabs_answer_htmx_with_the_table_only(client, world, hazards, tab):
    client.force_login(world.district_admin)
    response = client.get(URL, {**PERIOD, "tab": tab}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="stats-table")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="stats-rows"' in body
    assert f'id="tab-{tab}"' in body and "active" in body


def test_page_is_scoped(client, world, hazards):
    client.force_login(world.town_admin_b)
    for tab in ("town", "enterprise", "category", "month"):
        page = client.get(URL, {**PERIOD, "tab": tab}).content.decode()
        assert "城厢镇" not in page and world.enterprise_a.name not in page
    client.force_login(world.enterprise_admin_b)
    page = client.get(URL, {**PERIOD, "tab": "enterprise"}).content.decode()
    assert world.enterprise_b.name in page and world.enterprise_a.name not in page


def test_page_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_parameters_fall_back(client, world, hazards):
    client.force_login(world.district_admin)
    response = client.get(URL, {"from": "yesterday", "to": "2021-13-40", "tab": "x", "region": "DROP", "level": "?"})
    assert response.status_code == 200
    # reversed dates are swapped, not refused
    assert client.get(URL, {"from": "2021-06-30", "to": "2021-01-01"}).status_code == 200


@pytest.mark.parametrize(
    ("user", "labels"), [("district_admin", ["城厢镇", "沙溪镇", "合计"]), ("town_admin_b", ["沙溪镇", "合计"])]
)
def test_excel_export_has_the_table(client, world, hazards, user, labels):
    client.force_login(getattr(world, user))
    response = client.get(URL, {**PERIOD, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("镇街", "发现", "已销号")
    assert [r[0] for r in rows[1:]] == labels
    if user == "district_admin":
        assert rows[1][1:] == (5, 3, 2, 1, 1, 1, 60.0, 66.7, 4.5)


def test_excel_export_by_enterprise_has_no_total(client, world, hazards):
    client.force_login(world.district_admin)
    response = client.get(URL, {**PERIOD, "tab": "enterprise", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [world.enterprise_a.name, world.enterprise_b.name]


def test_department_officer_sees_his_sector(client, world, hazards):
    from anjian.core.roles import Role
    from anjian.core.tests.factories import DepartmentFactory, government_user
    from anjian.enterprises.tests.factories import IndustryFactory

    world.enterprise_b.industry = IndustryFactory(code="C26", name="化学原料和化学制品制造业")
    world.enterprise_b.save()
    chemicals = DepartmentFactory(code="chem", name="化工监管科", industry_prefixes=["C26"])
    officer = government_user(Role.DEPARTMENT_OFFICER, world.regions["district"], department=chemicals)
    assert [(r.label, r.found) for r in stats(officer)] == [("沙溪镇", 1)]
    client.force_login(officer)
    page = client.get(URL, {**PERIOD, "tab": "enterprise"}).content.decode()
    assert world.enterprise_b.name in page and world.enterprise_a.name not in page


@pytest.mark.parametrize("start", [FROM, dt.date(2019, 1, 1)])  # one pass; more months than MONTHS_PER_PASS
def test_overview_month_series(world, hazards, start):
    overview = selectors.hazard_overview(world.district_admin, period_from=start, period_to=TO)
    months = selectors.months_between(start, TO)
    assert [m for m, _found, _closed in overview.months] == months
    series = {f"{m:%Y-%m}": (found, closed) for m, found, closed in overview.months}
    assert series["2021-03"] == (3, 2) and series["2021-04"] == (3, 1)
    assert sum(found for _m, found, _c in overview.months) == sum(row.found for row in overview.towns)
    assert [(r.key, r.found) for r in overview.towns] == [("320585100", 5 + (start < FROM)), ("320585101", 1)]
