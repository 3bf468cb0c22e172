"""The menu and the home page of every demo role, pinned: moving them onto the registry
(``anjian.core.menu``) must not change what any role sees, only the grouping."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from anjian.core.roles import Role
from anjian.core.tests.factories import DepartmentFactory, UserFactory, government_user
from anjian.enterprises.tests.factories import enterprise_user


class _NavLinks(HTMLParser):
    """(text, href) of every link of the main menu (#mainnav), dropdown toggles, the inbox bell
    and the user menu left out."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # >0 while inside #mainnav
        self.href: str | None = None
        self.text = ""
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag not in {"br", "img", "input", "hr"}
        elif attrs.get("id") == "mainnav":
            self.depth = 1
        if self.depth and tag == "a":
            href = attrs.get("href") or "#"
            skip = href == "#" or attrs.get("id") in {"nav-inbox", "user-menu"}
            self.href = None if skip else href
            self.text = ""

    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= tag not in {"br", "img", "input", "hr"}
        if tag == "a" and self.href is not None:
            self.links.append((" ".join(self.text.split()), self.href))
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.text += data


def menu_of(client, user) -> list[tuple[str, str]]:
    client.force_login(user)
    parser = _NavLinks()
    parser.feed(client.get(reverse("portal:inbox")).content.decode())
    return parser.links


GOV_ALL = [
    ("首页", "/"),
    ("企业档案", "/enterprises/"),
    ("隐患排查", "/hazards/"),
    ("隐患统计", "/hazards/stats/"),
    ("检查", "/inspections/"),
    ("体检卡", "/inspections/checklists/"),
    ("巡查覆盖", "/inspections/coverage/"),
    ("提报率", "/inspections/rates/"),
    ("巡查计划", "/inspections/patrol-rules/"),
    ("月度报告", "/inspections/monthly-reports/"),
    ("风险点", "/risks/points/"),
    ("巡检看板", "/risks/board/"),
    ("巡检点", "/risks/inspection-points/"),
    ("巡检记录", "/risks/checks/"),
    ("四色图", "/risks/plans/"),
    ("月度风险自查", "/risks/reviews/"),
    ("行政区划", "/core/regions/"),
    ("用户管理", "/core/users/"),
]
DOMAIN_LINKS = GOV_ALL[2:4] + [GOV_ALL[4], GOV_ALL[5], GOV_ALL[9]] + GOV_ALL[10:16]


@pytest.fixture
def users(world):
    from anjian.agencies.models import Agency, ServiceContract

    agency = Agency.objects.create(name="苏安评价", credit_code="91320585000000001X", region=world.regions["district"])
    ServiceContract.objects.create(
        agency=agency,
        enterprise=world.enterprise_a,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2099, 1, 1),
    )
    ent = world.enterprise_a
    return {
        "admin": world.platform_admin,
        "district": world.district_admin,
        "dept_edu": government_user(Role.DEPARTMENT_OFFICER, world.regions["district"], DepartmentFactory()),
        "town": world.town_admin_a,
        "grid": world.grid_inspector_a,
        "ent_admin": world.enterprise_admin_a,
        "ent_leader": enterprise_user(ent, role=Role.ENTERPRISE_LEADER),
        "safety": enterprise_user(ent, role=Role.SAFETY_OFFICER),
        "worker": world.employee_a,
        "agency_admin": UserFactory(role=Role.AGENCY_ADMIN, agency=agency),
        "engineer": UserFactory(role=Role.AGENCY_ENGINEER, agency=agency),
        "agency_staff": UserFactory(role=Role.AGENCY_STAFF, agency=agency),
        "pending": UserFactory(role=Role.PENDING),
    }


def expected_menu(name: str, world) -> list[tuple[str, str]]:
    own_archive = [("企业档案", f"/enterprises/{world.enterprise_a.pk}/")]
    if name in {"admin", "district", "dept_edu", "town", "grid"}:
        return GOV_ALL
    if name in {"ent_admin", "ent_leader", "safety"}:
        return [("首页", "/"), *own_archive, *DOMAIN_LINKS, ("用户管理", "/core/users/")]
    if name == "worker":
        return [("首页", "/"), *own_archive, *DOMAIN_LINKS]
    if name == "agency_admin":
        return [("首页", "/"), ("企业档案", "/enterprises/"), *DOMAIN_LINKS, ("用户管理", "/core/users/")]
    if name in {"engineer", "agency_staff"}:
        return [("首页", "/"), ("企业档案", "/enterprises/"), *DOMAIN_LINKS]
    assert name == "pending"
    return [("绑定企业", "/")]


ROLES = [
    "admin",
    "district",
    "dept_edu",
    "town",
    "grid",
    "ent_admin",
    "ent_leader",
    "safety",
    "worker",
    "agency_admin",
    "engineer",
    "agency_staff",
    "pending",
]


# Entries added after the menu moved onto the registry (new features, not part of the pin).
ADDED_SINCE = {"参数表"}  # the reference tables a user may edit (core/reference.py)


@pytest.mark.parametrize("name", ROLES)
def test_each_role_sees_exactly_its_menu_entries(client, world, users, name):
    menu = [(label, url) for label, url in menu_of(client, users[name]) if label not in ADDED_SINCE]
    assert menu == expected_menu(name, world)


def test_anonymous_sees_no_menu(client, world):
    response = client.get(reverse("login"))
    assert 'id="mainnav"' not in response.content.decode()


# What each role's home page shows: ids and links that the workbench widgets must keep.
HOME_MARKERS = {
    "admin": ["全平台", 'id="home-hazards"', 'id="home-report"', 'id="enterprise-total"', "hazard-summary-slot"],
    "district": ["城厢", 'id="home-hazards"', 'id="enterprise-total"', "按镇街", "按监管类别", "/enterprises/?region="],
    "town": ['id="home-hazards"', 'id="enterprise-total"', "/hazards/report/"],
    "grid": ['id="home-hazards"', 'id="enterprise-total"'],
    "ent_admin": [
        "城厢精密机械有限公司",
        'id="home-report"',
        'id="home-mine"',
        "本企业档案",
        "hazard-summary-slot",
        "统一社会信用代码",
    ],
    "worker": ['id="home-report"', 'id="home-mine"', "责任网格员"],
    "agency_admin": ["苏安评价", "服务企业", "城厢精密机械有限公司"],
    "pending": ["绑定您的企业", "扫码绑定", "没有企业预留您的手机号"],
}


@pytest.mark.parametrize("name", sorted(HOME_MARKERS))
def test_each_role_home_page_keeps_its_widgets(client, world, users, name):
    client.force_login(users[name])
    html = client.get(reverse("home")).content.decode()
    assert 'id="home-title"' in html
    for marker in HOME_MARKERS[name]:
        assert marker in html, marker
