"""The demo generator and the reference data migration."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from anjian.agencies.models import ServiceContract
from anjian.core.models import Department, Region, RegionLevel, User
from anjian.core.roles import Role
from anjian.core.validators import is_valid_credit_code
from anjian.demo.enterprises import DEMO_PASSWORD, NAMED_ACCOUNTS, make_credit_code, org_code_check
from anjian.enterprises.models import Enterprise, EnterpriseKind, Industry, SupervisionClass, Tag
from anjian.enterprises.reference_data import load_reference_data

pytestmark = pytest.mark.django_db


def demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


# --- reference data (loaded by migration enterprises 0002) --------------------------------------


def test_reference_migration_loads_gb4754_sections_and_divisions():
    sections = Industry.objects.filter(parent__isnull=True)
    divisions = Industry.objects.filter(parent__isnull=False)
    assert sections.count() == 20
    assert sorted(sections.values_list("code", flat=True)) == list("ABCDEFGHIJKLMNOPQRST")
    assert divisions.count() == 97
    assert all(len(code) == 3 for code in divisions.values_list("code", flat=True))
    c13 = Industry.objects.get(code="C13")
    assert (c13.name, c13.parent_id) == ("农副食品加工业", "C")
    assert Industry.objects.get(code="T97").name == "国际组织"
    assert divisions.filter(parent_id="C").count() == 31


def test_reference_migration_loads_classes_tags_and_departments():
    classes = {c.code: c.patrol_cycle_months for c in SupervisionClass.objects.all()}
    assert classes == {"A": 6, "B": 3, "C": 2, "D": 1}
    assert list(SupervisionClass.objects.values_list("code", flat=True)) == ["A", "B", "C", "D"]
    assert {"涉爆粉尘", "有限空间作业", "液氨制冷", "金属冶炼", "重大危险源"} <= set(
        Tag.objects.values_list("name", flat=True)
    )
    departments = {d.name: d for d in Department.objects.all()}
    assert departments["应急管理局"].is_comprehensive
    assert departments["教育局"].venue_types == ["school"]
    assert departments["住房和城乡建设局"].industry_prefixes == ["E"]
    assert departments["交通运输局"].industry_prefixes == ["G"]
    assert departments["商务局"].venue_types == ["market", "restaurant"]


def test_reference_data_is_idempotent_and_respects_admin_changes():
    assert all(counts == (0, 0) for counts in load_reference_data().values())
    SupervisionClass.objects.filter(code="A").update(patrol_cycle_months=12)
    Industry.objects.filter(code="C13").update(name="改过")
    load_reference_data(update=False)  # what the demo does: fill gaps, keep the administrator's values
    assert SupervisionClass.objects.get(code="A").patrol_cycle_months == 12
    assert Industry.objects.get(code="C13").name == "农副食品加工业"  # the standard always wins
    assert load_reference_data()["supervision_classes"] == (0, 1)
    assert SupervisionClass.objects.get(code="A").patrol_cycle_months == 6


# --- the demo -----------------------------------------------------------------------------------


def test_demo_creates_enterprises_grids_and_accounts(divisions, client):
    output = demo("--enterprises", "40", "--seed", "7")
    enterprises = list(Enterprise.objects.select_related("region__parent", "grid_inspector"))
    assert len(enterprises) == 40
    codes = [e.credit_code for e in enterprises]
    assert len(set(codes)) == 40
    assert all(is_valid_credit_code(code) and code[2:8] == "320585" for code in codes)
    for e in enterprises:
        assert e.region.level == RegionLevel.GRID and e.region.code.startswith("320585")
        assert e.region.parent.level in (RegionLevel.VILLAGE, RegionLevel.TOWN)
        assert e.region.code.startswith(e.region.parent.code)
        assert e.grid_inspector.region_id == e.region_id
        assert 31.3 < e.latitude < 31.8 and 120.9 < e.longitude < 121.4
        assert e.legal_representative and e.address.startswith("太仓市") and e.industry_id
    assert any(e.kind == EnterpriseKind.VENUE and e.venue_type == "school" for e in enterprises)
    # every town holds a grid; grids carry a centre
    towns = Region.objects.filter(parent_id="320585")
    assert towns.count() == 8
    for town in towns:
        assert Region.objects.filter(level=RegionLevel.GRID, code__startswith=town.code).exists()
    assert not Region.objects.filter(level=RegionLevel.GRID, center_lat__isnull=True).exists()

    # one account per role, each can log in with the printed password
    users = {u.username: u for u in User.objects.filter(username__in=NAMED_ACCOUNTS)}
    assert set(users) == set(NAMED_ACCOUNTS)
    assert {u.role for u in users.values()} == {r.value for r in Role} - {Role.PENDING}
    assert DEMO_PASSWORD in output
    for username in NAMED_ACCOUNTS:
        assert username in output
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    inspector = User.objects.filter(username__startswith="grid_").first()
    assert inspector is not None and client.login(username=inspector.username, password=DEMO_PASSWORD)

    # scopes: the enterprise accounts sit on one enterprise in `grid`'s grid
    demo_enterprise = users["ent_admin"].enterprise
    assert {users[name].enterprise for name in ("ent_leader", "safety", "worker")} == {demo_enterprise}
    assert demo_enterprise.region_id == users["grid"].region_id
    assert users["town"].region_id != users["town2"].region_id
    assert users["town"].region.parent_id == users["town2"].region.parent_id == "320585"
    assert users["dept_edu"].department.name == "教育局"
    # phone binding can be demonstrated: a pre-registered number nobody uses yet
    assert demo_enterprise.admin_phone and demo_enterprise.admin_phone in output
    assert not User.objects.filter(phone=demo_enterprise.admin_phone).exists()
    # the agency serves some enterprises of the district, among them the demo enterprise
    contracts = ServiceContract.objects.filter(agency=users["agency_admin"].agency, active=True)
    assert 1 < contracts.count() <= 10
    assert contracts.filter(enterprise=demo_enterprise).exists()
    assert (
        len(set(User.objects.exclude(phone="").values_list("phone", flat=True)))
        == User.objects.exclude(phone="").count()
    )


def test_if_empty_does_nothing_the_second_time(divisions):
    demo("--enterprises", "12", "--if-empty")
    counts = (Enterprise.objects.count(), Region.objects.count(), User.objects.count())
    output = demo("--enterprises", "12", "--if-empty")
    assert (Enterprise.objects.count(), Region.objects.count(), User.objects.count()) == counts
    assert "--if-empty" in output and "ent_admin" in output and DEMO_PASSWORD in output


def test_grids_hold_25_to_40_enterprises(divisions):
    demo("--enterprises", "600", "--seed", "3")
    sizes = list(Enterprise.objects.values("region_id").annotate(n=Count("id")).order_by().values_list("n", flat=True))
    assert len(sizes) >= 8
    assert 20 <= sum(sizes) / len(sizes) <= 45


def test_credit_codes_are_valid_and_unique():
    import random

    rng = random.Random(1)
    used: set[str] = set()
    codes = [make_credit_code(rng, "91", "320585", used) for _ in range(500)]
    assert len(set(codes)) == 500 and all(is_valid_credit_code(c) for c in codes)
    # the organisation code inside a real credit code (91330100 71610585-2 F)
    assert org_code_check("71610585") == "2"
