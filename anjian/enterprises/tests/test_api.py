"""The enterprise archive through the REST API: scope, filters, writes through the services,
field errors, history, query counts."""

import json

import pytest

from anjian.core.api_auth import api_token_create
from anjian.core.audit import history
from anjian.core.models import AuditEntry
from anjian.core.roles import Role
from anjian.core.tests.factories import UserFactory, government_user
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.factories import (
    EnterpriseFactory,
    IndustryFactory,
    SupervisionClassFactory,
    TagFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/enterprises/"


def detail_url(enterprise) -> str:
    return f"{LIST}{enterprise.pk}/"


class Api:
    """A test client acting as one user through a bearer token."""

    def __init__(self, client, user):
        self.client = client
        _token, key = api_token_create(user=user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, **self.headers)

    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json", **self.headers)

    def patch(self, url, data):
        return self.client.patch(url, json.dumps(data), content_type="application/json", **self.headers)


@pytest.fixture
def as_user(client):
    return lambda user: Api(client, user)


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["name"] for item in body["items"]}


def new_data(world, **overrides):
    data = {
        "credit_code": make_credit_code(800001),
        "name": "太仓市新建精工有限公司",
        "legal_representative": "李明",
        "address": "城厢镇朝阳路8号",
        "region": world.regions["grid_a"].code,
    }
    data.update(overrides)
    return data


def state(enterprise) -> dict:
    enterprise.refresh_from_db()
    values = {f.attname: getattr(enterprise, f.attname) for f in enterprise._meta.concrete_fields}
    values["tags"] = sorted(enterprise.tags.values_list("name", flat=True))
    return values


# --- reads ------------------------------------------------------------------------------------


def test_list_is_scoped_per_role(world, as_user):
    a, b = world.enterprise_a.name, world.enterprise_b.name
    expected = {
        "platform_admin": {a, b},
        "district_admin": {a, b},
        "town_admin_a": {a},
        "town_admin_b": {b},
        "grid_inspector_a": {a},
        "enterprise_admin_a": {a},
        "employee_a": {a},
        "enterprise_admin_b": {b},
    }
    for role, visible in expected.items():
        assert names(as_user(getattr(world, role)).get(LIST)) == visible, role
    assert names(as_user(UserFactory(role=Role.PENDING)).get(LIST)) == set()
    assert names(as_user(government_user(Role.GRID_INSPECTOR, world.regions["grid_a2"])).get(LIST)) == set()


def test_list_filters_search_and_sort_match_the_page(world, as_user):
    chem = IndustryFactory(code="C26", name="化学原料和化学制品制造业")
    dust, ammonia = TagFactory(name="涉爆粉尘"), TagFactory(name="液氨制冷")
    class_a = SupervisionClassFactory(code="A", label="重点", patrol_cycle_months=1)
    world.enterprise_b.industry = chem
    world.enterprise_b.scale = "medium"
    world.enterprise_b.supervision_class = class_a
    world.enterprise_b.save()
    world.enterprise_b.tags.set([dust, ammonia])
    world.enterprise_a.tags.set([dust])
    closed = EnterpriseFactory(region=world.regions["grid_a2"], name="已关闭五金厂", status="closed", staff_count=3)
    a, b = world.enterprise_a.name, world.enterprise_b.name
    api = as_user(world.district_admin)

    assert names(api.get(LIST, {"region": world.regions["town_a"].code})) == {a, closed.name}
    assert names(api.get(LIST, {"industry": "C2"})) == {b}
    assert names(api.get(LIST, {"scale": "medium"})) == {b}
    assert names(api.get(LIST, {"class": "A"})) == {b}
    assert names(api.get(f"{LIST}?tag=涉爆粉尘&tag=液氨制冷")) == {a, b}
    assert names(api.get(LIST, {"tag": "液氨制冷"})) == {b}
    assert names(api.get(LIST, {"inspector": world.grid_inspector_a.pk})) == {a}
    assert names(api.get(LIST, {"status": "closed"})) == {closed.name}
    assert names(api.get(LIST, {"q": "沙溪"})) == {b}
    assert names(api.get(LIST, {"q": world.enterprise_a.credit_code[:12]})) >= {a}
    ordered = api.get(LIST, {"sort": "staff_count"}).json()["items"]
    assert ordered[0]["name"] == closed.name
    page = api.get(LIST, {"limit": 1, "offset": 1, "sort": "-staff_count"}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    # A filter never widens the scope.
    assert names(as_user(world.town_admin_a).get(LIST, {"region": world.regions["town_b"].code})) == set()


def test_list_rows_carry_related_names(world, as_user):
    world.enterprise_a.tags.set([TagFactory(name="有限空间")])
    row = next(i for i in as_user(world.district_admin).get(LIST).json()["items"] if i["id"] == world.enterprise_a.pk)
    assert row["region_name"] == "中区一网格"
    assert row["grid_inspector"] == world.grid_inspector_a.pk
    assert row["grid_inspector_name"] == str(world.grid_inspector_a)
    assert row["tags"] == ["有限空间"]
    assert row["status_display"] == "在产"


def test_list_has_no_n_plus_one(world, as_user, client, django_assert_max_num_queries):
    tags = [TagFactory(name=f"标签{i}") for i in range(3)]
    industry = IndustryFactory(code="C34")
    klass = SupervisionClassFactory()
    for i in range(15):
        enterprise = EnterpriseFactory(
            region=world.regions["grid_a"],
            industry=industry,
            supervision_class=klass,
            grid_inspector=world.grid_inspector_a,
        )
        enterprise.tags.set(tags[: i % 3 + 1])
    api = as_user(world.district_admin)
    api.get(LIST)  # the first request also stamps the token's last_used_at
    with django_assert_max_num_queries(4):  # token, count, page with joins, tags
        response = api.get(LIST, {"limit": 200})
    assert response.json()["count"] == 17


def test_detail_has_the_whole_archive(world, as_user):
    from anjian.core.tests.factories import DepartmentFactory

    e = world.enterprise_a
    e.industry = IndustryFactory(code="C34", name="通用设备制造业")
    klass = e.supervision_class = SupervisionClassFactory(code="B", label="一般", patrol_cycle_months=3)
    e.supervising_department = DepartmentFactory(code="yjj", name="应急管理局")
    e.building_area = "1200.50"
    e.hazardous_chemicals = "液氨"
    e.save()
    e.tags.set([TagFactory(name="液氨制冷")])
    body = as_user(world.enterprise_admin_a).get(detail_url(e)).json()
    assert body["id"] == e.pk
    assert body["industry"] == "C34" and body["industry_name"] == e.industry.name
    assert body["supervision_class"] == "B" and body["supervision_class_label"] == klass.label
    assert body["supervision_class_patrol_cycle_months"] == klass.patrol_cycle_months
    assert body["supervising_department"] == "yjj" and body["supervising_department_name"] == "应急管理局"
    assert body["region_full_name"] == "太仓市城厢镇中区社区中区一网格"
    assert body["tags"] == ["液氨制冷"]
    assert body["hazardous_chemicals"] == "液氨"
    assert body["building_area"] == "1200.50"
    assert body["standardization_grade_display"] == "未达标"
    for field in ("licences", "special_equipment", "special_operations", "major_hazard_sources", "admin_phone"):
        assert field in body


# --- out of scope: 404 everywhere, nothing changes --------------------------------------------


ROUTES = [
    ("get", "{}", None),
    ("patch", "{}", {"name": "篡改", "address": "篡改"}),
    ("post", "{}move/", {"region": "320585101001001"}),
    ("get", "{}history/", None),
]


@pytest.mark.parametrize(("method", "path", "data"), ROUTES, ids=["detail", "patch", "move", "history"])
@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
def test_outsiders_get_404_and_change_nothing(world, as_user, outsider, method, path, data):
    enterprise = world.enterprise_a
    url = path.format(detail_url(enterprise))
    args = [url, data] if data is not None else [url]
    outsider_api, insider_api = as_user(getattr(world, outsider)), as_user(world.district_admin)
    before = state(enterprise)
    entries = AuditEntry.objects.exclude(model="core.apitoken").count()
    response = getattr(outsider_api, method)(*args)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到"}
    assert state(enterprise) == before
    assert AuditEntry.objects.exclude(model="core.apitoken").count() == entries
    # The same call succeeds for the district admin: the 404 is the scope, not the route.
    assert getattr(insider_api, method)(*args).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    # PATCH needs the change scope (404 like missing); a declared action on a record the user sees
    # is refused with the reason (400).
    [("patch", "{}", {"address": "新地址"}, 404), ("post", "{}move/", {"region": "320585100001002"}, 400)],
    ids=["patch", "move"],
)
def test_an_employee_may_read_but_not_change(world, as_user, method, path, data, status):
    enterprise = world.enterprise_a
    api = as_user(world.employee_a)
    assert api.get(detail_url(enterprise)).status_code == 200
    before = state(enterprise)
    assert getattr(api, method)(path.format(detail_url(enterprise)), data).status_code == status
    assert state(enterprise) == before


def test_unknown_and_malformed_ids_are_404(world, as_user):
    api = as_user(world.platform_admin)
    assert api.get(f"{LIST}999999/").status_code == 404
    assert api.get(f"{LIST}abc/").json() == {"detail": "未找到"}
    assert api.patch(f"{LIST}abc/", {"address": "x"}).status_code == 404


# --- create -----------------------------------------------------------------------------------


def test_government_creates_through_the_service(world, as_user):
    industry = IndustryFactory(code="C34", name="通用设备制造业")
    TagFactory(name="涉爆粉尘")
    SupervisionClassFactory(code="B")
    data = new_data(
        world,
        industry="C34",
        tags=["涉爆粉尘"],
        supervision_class="B",
        grid_inspector=world.grid_inspector_a.pk,
        scale="micro",
        staff_count=12,
        building_area="880.5",
        established_on="2015-06-01",
        contact_phone="13912345678",
    )
    response = as_user(world.town_admin_a).post(LIST, data)
    assert response.status_code == 201, response.content
    body = response.json()
    enterprise = Enterprise.objects.get(pk=body["id"])
    assert enterprise.region == world.regions["grid_a"]
    assert list(enterprise.tags.values_list("name", flat=True)) == ["涉爆粉尘"]
    assert enterprise.grid_inspector == world.grid_inspector_a
    assert str(enterprise.building_area) == "880.50"
    assert body["industry_name"] == industry.name and body["tags"] == ["涉爆粉尘"]
    entry = history(enterprise).get()
    assert entry.action == "create" and entry.actor == world.town_admin_a


def _wrong_check_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"credit_code": _wrong_check_char(make_credit_code(800001))}, {"credit_code"}),
        ({"credit_code": "lower-case-junk"}, {"credit_code"}),
        ({"name": None, "address": ""}, {"name", "address"}),
        ({"staff_count": "many", "latitude": "north"}, {"staff_count", "latitude"}),
        ({"tags": "涉爆粉尘"}, {"tags"}),
        ({"scale": "huge"}, {"scale"}),
        ({"established_on": "2015-13-45"}, {"established_on"}),
        ({"contact_phone": "12345"}, {"contact_phone"}),
        ({"region": "320585101001001"}, {"region"}),  # town B's grid: outside town A
        ({"region": "999999999"}, {"region"}),  # no such division
        ({"region": "320585"}, {"region"}),  # a district, not a town or below
        ({"industry": "Z99", "tags": ["没有这个标签"]}, {"industry", "tags"}),
        ({"grid_inspector": 999999}, {"grid_inspector"}),
        ({"unknown_field": 1}, {"unknown_field"}),
    ],
    ids=[
        "checksum",
        "format",
        "required",
        "types",
        "list-type",
        "choice",
        "date",
        "phone",
        "region-out-of-scope",
        "region-unknown",
        "region-level",
        "unknown-keys",
        "inspector-unknown",
        "extra-field",
    ],
)
def test_create_refuses_bad_input_with_field_errors(world, as_user, overrides, fields):
    count = Enterprise.objects.count()
    response = as_user(world.town_admin_a).post(LIST, new_data(world, **overrides))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "提交的数据有误"
    assert set(body["errors"]) == fields
    assert all(messages and all(isinstance(m, str) and m for m in messages) for messages in body["errors"].values())
    assert Enterprise.objects.count() == count


def test_missing_required_fields_are_all_named(world, as_user):
    response = as_user(world.town_admin_a).post(LIST, {})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"credit_code", "name", "legal_representative", "address", "region"}
    assert response.json()["errors"]["name"] == ["此字段为必填项"]


def test_duplicate_credit_code_is_a_field_error(world, as_user):
    response = as_user(world.district_admin).post(LIST, new_data(world, credit_code=world.enterprise_b.credit_code))
    assert response.status_code == 400
    assert response.json()["errors"]["credit_code"] == ["该统一社会信用代码已建档"]


def test_out_of_scope_region_message(world, as_user):
    response = as_user(world.town_admin_a).post(LIST, new_data(world, region=world.regions["grid_b"].code))
    assert response.json()["errors"]["region"] == [f"不在您的管辖范围内：{world.regions['grid_b'].code}"]
    response = as_user(world.town_admin_a).post(LIST, new_data(world, region="999999999"))
    assert response.json()["errors"]["region"] == ["不存在：999999999"]


def test_an_inspector_of_another_town_reads_as_unknown(world, as_user):
    other = government_user(Role.GRID_INSPECTOR, world.regions["grid_b"])
    response = as_user(world.town_admin_a).post(LIST, new_data(world, grid_inspector=other.pk))
    assert response.json()["errors"]["grid_inspector"] == [f"不存在：{other.pk}"]


@pytest.mark.parametrize("role", ["enterprise_admin_a", "employee_a"])
def test_only_managers_create(world, as_user, role):
    response = as_user(getattr(world, role)).post(LIST, new_data(world))
    assert response.status_code == 404
    assert not Enterprise.objects.filter(name="太仓市新建精工有限公司").exists()


# --- update -----------------------------------------------------------------------------------


def test_enterprise_admin_patches_his_profile(world, as_user):
    enterprise = world.enterprise_a
    api = as_user(world.enterprise_admin_a)
    response = api.patch(detail_url(enterprise), {"safety_manager": "赵安全", "staff_count": 48, "latitude": None})
    assert response.status_code == 200, response.content
    assert response.json()["safety_manager"] == "赵安全"
    enterprise.refresh_from_db()
    assert (enterprise.safety_manager, enterprise.staff_count, enterprise.latitude) == ("赵安全", 48, None)
    assert history(enterprise).first().changes["staff_count"] == [35, 48]


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "改名"}, "name"), ({"region": "320585100001002"}, "region"), ({"tags": []}, "tags")],
    ids=["name", "region", "tags"],
)
def test_enterprise_admin_cannot_touch_supervisor_fields(world, as_user, data, field):
    enterprise = world.enterprise_a
    before = state(enterprise)
    response = as_user(world.enterprise_admin_a).patch(detail_url(enterprise), {**data, "principal": "钱经理"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert response.json()["errors"][field] == ["无权修改此字段"]
    assert state(enterprise) == before


def test_government_patch_sets_relations_and_clears(world, as_user):
    enterprise = world.enterprise_a
    TagFactory(name="涉爆粉尘")
    TagFactory(name="有限空间")
    api = as_user(world.town_admin_a)
    response = api.patch(detail_url(enterprise), {"tags": ["涉爆粉尘", "有限空间"], "name": "城厢精密机械股份有限公司"})
    assert response.status_code == 200, response.content
    assert sorted(response.json()["tags"]) == ["有限空间", "涉爆粉尘"]
    response = api.patch(detail_url(enterprise), {"grid_inspector": None, "tags": []})
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.grid_inspector is None and not enterprise.tags.exists()
    assert enterprise.name == "城厢精密机械股份有限公司"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": None}, "name"),
        ({"staff_count": -1}, "staff_count"),
        ({"region": "320585101001001"}, "region"),
        ({"credit_code": "91320585000000001X"}, "credit_code"),
        ({"safety_manager_phone": "abc"}, "safety_manager_phone"),
    ],
    ids=["null-required", "negative", "region-out-of-scope", "checksum", "phone"],
)
def test_bad_patch_is_a_field_error_and_changes_nothing(world, as_user, data, field):
    enterprise = world.enterprise_a
    before = state(enterprise)
    response = as_user(world.town_admin_a).patch(detail_url(enterprise), data)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert state(enterprise) == before


# --- move and history -------------------------------------------------------------------------


def test_move_to_another_grid(world, as_user):
    enterprise = world.enterprise_a
    inspector = government_user(Role.GRID_INSPECTOR, world.regions["grid_a2"])
    response = as_user(world.town_admin_a).post(
        f"{detail_url(enterprise)}move/", {"region": world.regions["grid_a2"].code, "grid_inspector": inspector.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["region"] == world.regions["grid_a2"].code
    assert response.json()["grid_inspector"] == inspector.pk
    assert history(enterprise).first().changes["region"] == ["中区一网格", "中区二网格"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"region": "320585101001001"}, "region"),
        ({"region": "nope"}, "region"),
        ({}, "region"),
        ({"region": "320585100001002", "grid_inspector": "x"}, "grid_inspector"),
    ],
    ids=["out-of-scope", "unknown", "missing", "type"],
)
def test_bad_move_is_400(world, as_user, data, field):
    enterprise = world.enterprise_a
    before = state(enterprise)
    response = as_user(world.town_admin_a).post(f"{detail_url(enterprise)}move/", data)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert state(enterprise) == before


def test_enterprise_admin_cannot_move(world, as_user):
    response = as_user(world.enterprise_admin_a).post(
        f"{detail_url(world.enterprise_a)}move/", {"region": world.regions["grid_a2"].code}
    )
    assert response.status_code == 400 and response.json()["errors"] == {"__all__": ["您无权对该企业档案执行此操作"]}
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.region_id != world.regions["grid_a2"].code


def test_history_lists_audit_entries_newest_first(world, as_user):
    enterprise = world.enterprise_a
    api = as_user(world.town_admin_a)
    api.patch(detail_url(enterprise), {"address": "城厢镇新址1号"})
    api.patch(detail_url(enterprise), {"staff_count": 40})
    body = as_user(world.enterprise_admin_a).get(f"{detail_url(enterprise)}history/").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert first["seq"] > second["seq"]
    assert first["changes"]["staff_count"] == [35, 40]
    assert second["changes"]["address"][1] == "城厢镇新址1号"
    assert first["actor"] == world.town_admin_a.pk and first["action"] == "update"
    assert len(first["hash"]) == 64


def test_an_empty_patch_writes_nothing(world, as_user):
    enterprise = world.enterprise_a
    before, entries = state(enterprise), history(enterprise).count()
    response = as_user(world.town_admin_a).patch(detail_url(enterprise), {})
    assert response.status_code == 200
    assert state(enterprise) == before
    assert history(enterprise).count() == entries
