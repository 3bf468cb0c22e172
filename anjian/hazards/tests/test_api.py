"""Hazards through the REST API: the whole loop, every transition refused in the wrong state, by
the wrong role and outside scope, field errors, list scoping and views, the criteria table."""

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from anjian.core.api_auth import api_token_create
from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards import criteria_data, services
from anjian.hazards.models import (
    Hazard,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardTransition,
    MajorHazardCriterion,
)
from anjian.hazards.tests.factories import PNG_BYTES, HazardFactory, category, photo

pytestmark = pytest.mark.django_db

LIST = "/api/v1/hazards/"
NOT_FOUND = {"detail": "未找到"}


def url(hazard, action: str = "") -> str:
    return f"{LIST}{hazard.pk}/{action}/" if action else f"{LIST}{hazard.pk}/"


def in_a_week() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


class Api:
    """A test client acting as one user through a bearer token."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        _token, key = api_token_create(user=user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self.headers)

    def post(self, path, data=None):
        return self.client.post(path, json.dumps(data or {}), content_type="application/json", **self.headers)

    def form(self, path, data=None, photos=()):
        """A multipart POST (fields plus ``photos``), as a phone's browser sends it."""
        body = {k: v for k, v in (data or {}).items() if v is not None}
        if photos:
            body["photos"] = list(photos)
        return self.client.post(path, body, **self.headers)


@pytest.fixture
def as_user(client):
    return lambda user: Api(client, user)


@pytest.fixture
def people(world):
    return {
        "safety": enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a"),
        "worker": world.employee_a,
    }


def reported(world, people, **kw) -> Hazard:
    defaults = dict(enterprise=world.enterprise_a, place="二号车间", category=category(), description="配电箱门缺失")
    defaults.update(kw)
    return services.hazard_report(actor=people["worker"], **defaults)


def assigned(world, people, **kw) -> Hazard:
    hazard = reported(world, people, **kw)
    return services.hazard_assign(
        actor=people["safety"],
        hazard=hazard,
        responsible=people["worker"],
        deadline=timezone.localdate() + dt.timedelta(days=7),
        measures="更换箱门",
    )


def submitted(world, people, **kw) -> Hazard:
    hazard = assigned(world, people, **kw)
    return services.hazard_rectify(actor=people["worker"], hazard=hazard, rectification="已更换", photos=[photo()])


def closed(world, people) -> Hazard:
    return services.hazard_accept(actor=people["safety"], hazard=submitted(world, people))


def state(hazard) -> dict:
    hazard.refresh_from_db()
    values = {f.attname: getattr(hazard, f.attname) for f in hazard._meta.concrete_fields}
    values["transitions"] = hazard.transitions.count()
    return values


def assign_body(people, **overrides) -> dict:
    body = {"responsible": people["worker"].pk, "deadline": in_a_week(), "measures": "更换箱门，线路穿管"}
    body.update(overrides)
    return body


def send(api: Api, hazard, action: str, people, photos=True):
    """A valid request for each transition route (the body the right user in the right state sends)."""
    if action == "assign":
        return api.post(url(hazard, "assign"), assign_body(people))
    if action == "rectify":
        return api.form(
            url(hazard, "rectify"), {"rectification": "已更换", "cost": "120.50"}, [photo()] if photos else ()
        )
    if action == "accept":
        return api.post(url(hazard, "accept"), {"comment": "合格"})
    if action == "return":
        return api.post(url(hazard, "return"), {"reason": "照片看不清"})
    if action == "close-on-spot":
        return api.form(url(hazard, "close-on-spot"), {"rectification": "当场整改"}, [photo()] if photos else ())
    if action == "cancel":
        return api.post(url(hazard, "cancel"), {"reason": "重复上报"})
    raise AssertionError(action)


ACTIONS = ["assign", "rectify", "accept", "return", "close-on-spot", "cancel"]


# --- the loop ---------------------------------------------------------------------------------


def test_the_whole_loop_through_the_api(as_user, world, people):
    worker, safety = as_user(people["worker"]), as_user(people["safety"])
    response = worker.form(
        f"{LIST}report/",
        {
            "place": "二号车间配电箱",
            "category": "S02",
            "description": "配电箱门缺失，线路裸露",
            "latitude": "31.45",
            "longitude": "121.10",
        },
        [photo("现场.png")],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["status"] == HazardStatus.REPORTED and body["enterprise"] == world.enterprise_a.pk
    assert body["source"] == HazardSource.SELF_CHECK and body["category"] == "S02"
    digest = hashlib.sha256(PNG_BYTES).hexdigest()
    assert [p["sha256"] for p in body["photos"]] == [digest]
    assert body["allowed_actions"] == []  # an employee does not assign

    detail = safety.get(f"{LIST}{pk}/").json()
    assert detail["allowed_actions"] == ["assign", "close_on_spot"]
    response = safety.post(
        f"{LIST}{pk}/assign/", assign_body(people, expected_version=detail["version"], measures="更换箱门")
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == HazardStatus.ASSIGNED and body["responsible"] == people["worker"].pk
    assert body["deadline"] == in_a_week() and body["version"] == detail["version"] + 1

    response = worker.form(
        f"{LIST}{pk}/rectify/",
        {"rectification": "已更换箱门，线路穿管", "cost": "350.00", "expected_version": body["version"]},
        [photo("整改后.png")],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == HazardStatus.SUBMITTED and body["cost"] == "350.00"

    response = safety.post(f"{LIST}{pk}/accept/", {"comment": "验收合格", "expected_version": body["version"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == HazardStatus.CLOSED and body["verified_by"] == people["safety"].pk
    assert body["closed_at"] and body["allowed_actions"] == []
    steps = body["transitions"]
    assert [s["action"] for s in steps] == ["report", "assign", "rectify", "accept"]
    assert [s["actor"] for s in steps] == [people["worker"].pk, people["safety"].pk, people["worker"].pk] + [
        people["safety"].pk
    ]
    rectify_step = steps[2]
    assert rectify_step["from_status"] == "assigned" and rectify_step["to_status"] == "submitted"
    assert [a["sha256"] for a in rectify_step["attachments"]] == [digest]
    assert rectify_step["attachments"][0]["id"] and rectify_step["attachments"][0]["url"]
    assert steps[1]["data"]["deadline"] == in_a_week()


def test_report_as_json(as_user, world, people):
    response = as_user(people["worker"]).post(
        f"{LIST}report/", {"place": "仓库", "category": "S03", "description": "灭火器过期", "suggested_level": "major"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise"] == world.enterprise_a.pk and body["suggested_level"] == HazardLevel.MAJOR
    assert body["level"] == HazardLevel.GENERAL  # the officer decides at assignment

    inspector = as_user(world.grid_inspector_a)
    response = inspector.post(f"{LIST}report/", {"place": "仓库", "category": "S03", "description": "通道堵塞"})
    assert response.status_code == 400 and response.json()["errors"] == {"enterprise": ["此字段为必填项"]}
    response = inspector.post(
        f"{LIST}report/",
        {"enterprise": world.enterprise_a.pk, "place": "仓库", "category": "S03", "description": "通道堵塞"},
    )
    assert response.status_code == 201 and response.json()["source"] == HazardSource.PATROL


def test_report_refuses_bad_input_and_other_areas(as_user, world, people):
    worker = as_user(people["worker"])
    response = worker.post(f"{LIST}report/", {"place": "", "category": "NOPE", "description": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"place", "category"}  # every field's problem at once
    response = worker.post(f"{LIST}report/", {"place": "仓库", "category": "NOPE", "description": "x", "color": "red"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"color"}
    response = worker.post(f"{LIST}report/", {"place": "仓库", "category": "NOPE", "description": "x"})
    assert response.status_code == 400 and response.json()["errors"] == {"category": ["不存在：NOPE"]}
    response = worker.form(
        f"{LIST}report/",
        {"place": "仓库", "category": "S02", "description": "x", "latitude": "91", "longitude": "121"},
        [photo()],
    )
    assert response.status_code == 400 and "latitude" in response.json()["errors"]
    fake = photo("伪装.png")
    fake.file.write(b"not an image")
    fake.file.seek(0)
    fake.size = len(b"not an image")
    fake.file.truncate(fake.size)
    response = worker.form(f"{LIST}report/", {"place": "仓库", "category": "S02", "description": "x"}, [fake])
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert not Hazard.objects.exists()
    # Another town's enterprise, or one that does not exist: the same answer, "not found".
    for enterprise_id in (world.enterprise_b.pk, world.enterprise_b.pk + 1000):
        body = {"enterprise": enterprise_id, "place": "仓库", "category": "S02", "description": "x"}
        response = as_user(world.town_admin_a).post(f"{LIST}report/", body)
        assert response.status_code == 400
        assert response.json()["errors"] == {"enterprise": [f"不存在：{enterprise_id}"]}
    assert not Hazard.objects.exists()


# --- refused transitions ------------------------------------------------------------------------


# (route, how to bring the hazard to a state where the route is illegal, who tries)
WRONG_STATE = [
    ("rectify", reported, "worker"),
    ("accept", reported, "safety"),
    ("return", assigned, "safety"),
    ("accept", assigned, "safety"),
    ("assign", submitted, "safety"),
    ("close-on-spot", assigned, "safety"),
    ("assign", closed, "safety"),
    ("cancel", closed, "town_admin_a"),
    ("rectify", closed, "worker"),
]


def _actor(world, people, who):
    return people.get(who) or getattr(world, who)


@pytest.mark.parametrize(("action", "make", "who"), WRONG_STATE, ids=[f"{a}-{m.__name__}" for a, m, _ in WRONG_STATE])
def test_transition_in_the_wrong_state_is_400_and_changes_nothing(as_user, world, people, action, make, who):
    hazard = make(world, people)
    before = state(hazard)
    response = send(as_user(_actor(world, people, who)), hazard, action, people)
    assert response.status_code == 400, response.content
    message = response.json()["errors"]["__all__"][0]
    assert f"隐患当前为“{hazard.get_status_display()}”" in message
    assert state(hazard) == before


WRONG_ROLE = [
    ("assign", reported, "worker"),  # an employee does not assign
    ("close-on-spot", reported, "worker"),
    ("cancel", reported, "safety"),  # only government cancels
    ("rectify", assigned, "other_worker"),  # not his task
    ("accept", submitted, "worker"),  # no self-acceptance
    ("return", submitted, "worker"),
    ("assign", reported, "town_admin_a"),  # the enterprise assigns its own findings
]


@pytest.mark.parametrize(("action", "make", "who"), WRONG_ROLE, ids=[f"{a}-{w}" for a, _, w in WRONG_ROLE])
def test_transition_by_the_wrong_role_is_400_and_changes_nothing(as_user, world, people, action, make, who):
    people["other_worker"] = enterprise_user(world.enterprise_a, role=Role.EMPLOYEE, username="other")
    hazard = make(world, people)
    before = state(hazard)
    response = send(as_user(_actor(world, people, who)), hazard, action, people)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["__all__"] == ["您无权对该隐患执行此操作"]
    assert state(hazard) == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
def test_transition_outside_scope_is_404_and_changes_nothing(as_user, world, people, action, outsider):
    hazard = reported(world, people) if action in {"assign", "close-on-spot", "cancel"} else submitted(world, people)
    before = state(hazard)
    api = as_user(getattr(world, outsider))
    assert api.get(url(hazard)).status_code == 404
    response = send(api, hazard, action, people)
    assert response.status_code == 404 and response.json() == NOT_FOUND
    assert state(hazard) == before


def test_missing_hazard_is_404(as_user, world, people):
    api = as_user(world.platform_admin)
    for path in (f"{LIST}999999/", f"{LIST}abc/", f"{LIST}999999/cancel/"):
        response = api.get(path) if path.count("/") == 5 else api.post(path, {"reason": "x"})
        assert response.status_code == 404 and response.json() == NOT_FOUND, path


# --- input errors ---------------------------------------------------------------------------------


def test_assign_field_errors(as_user, world, people):
    hazard = reported(world, people)
    safety = as_user(people["safety"])
    before = state(hazard)

    response = safety.post(url(hazard, "assign"), {})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"responsible", "deadline", "measures"}

    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = safety.post(url(hazard, "assign"), assign_body(people, deadline=yesterday))
    assert response.status_code == 400 and response.json()["errors"] == {"deadline": ["整改期限不能早于今天"]}

    for other in (world.enterprise_admin_b.pk, 999999):  # another enterprise's person reads as unknown
        response = safety.post(url(hazard, "assign"), assign_body(people, responsible=other))
        assert response.status_code == 400 and response.json()["errors"] == {"responsible": [f"不存在：{other}"]}

    response = safety.post(url(hazard, "assign"), assign_body(people, deadline="明天"))
    assert response.status_code == 400 and "deadline" in response.json()["errors"]
    response = safety.post(url(hazard, "assign"), assign_body(people, criteria=["ZZ-99"]))
    assert response.status_code == 400 and response.json()["errors"] == {"criteria": ["不存在：ZZ-99"]}
    response = safety.post(url(hazard, "assign"), assign_body(people, level="major"))
    assert response.status_code == 400 and all(k.startswith("plan_") for k in response.json()["errors"])
    assert state(hazard) == before


def test_major_hazard_with_criteria_and_plan(as_user, world, people):
    hazard = reported(world, people, suggested_level=HazardLevel.MAJOR)
    plan = {
        "goal": "消除泄爆缺陷",
        "measures": "加装泄爆片",
        "funds_and_materials": "5万元",
        "people": "设备科",
        "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "interim_measures": "停用该除尘器，设置警戒",
    }
    response = as_user(people["safety"]).post(
        url(hazard, "assign"),
        assign_body(people, criteria=["FC-03", "FC-10"], **{f"plan_{key}": value for key, value in plan.items()}),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["level"] == HazardLevel.MAJOR and body["supervised"]
    assert body["criteria"] == ["FC-03", "FC-10"]
    assert body["plan"]["goal"] == "消除泄爆缺陷" and body["plan"]["created_by"] == people["safety"].pk
    major = as_user(world.district_admin).get(LIST, {"view": "major"}).json()
    assert [item["id"] for item in major["items"]] == [hazard.pk]


def test_rectify_and_return_field_errors(as_user, world, people):
    hazard = assigned(world, people)
    worker = as_user(people["worker"])
    before = state(hazard)
    response = worker.form(url(hazard, "rectify"), {"rectification": "已更换"})
    assert response.status_code == 400 and response.json()["errors"] == {"photos": ["请上传整改后照片"]}
    response = worker.form(url(hazard, "rectify"), {}, [photo()])
    assert response.status_code == 400 and response.json()["errors"] == {"rectification": ["此字段为必填项"]}
    response = worker.form(url(hazard, "rectify"), {"rectification": "已更换", "cost": "-1"}, [photo()])
    assert response.status_code == 400 and "cost" in response.json()["errors"]
    assert state(hazard) == before

    hazard = submitted(world, people)
    before = state(hazard)
    response = as_user(people["safety"]).post(url(hazard, "return"), {"reason": " "})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"reason"}
    assert state(hazard) == before
    response = as_user(people["safety"]).post(url(hazard, "return"), {"reason": "照片看不清"})
    assert response.status_code == 200 and response.json()["status"] == HazardStatus.ASSIGNED
    assert response.json()["returned_count"] == 1


def test_close_on_spot_and_cancel(as_user, world, people):
    hazard = reported(world, people)
    response = send(as_user(people["safety"]), hazard, "close-on-spot", people, photos=False)
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    response = send(as_user(people["safety"]), hazard, "close-on-spot", people)
    assert response.status_code == 200 and response.json()["status"] == HazardStatus.CLOSED
    step = response.json()["transitions"][-1]
    assert step["action"] == "close_on_spot" and len(step["attachments"]) == 1

    other = reported(world, people, place="仓库")
    response = as_user(world.town_admin_a).post(url(other, "cancel"), {"reason": "重复上报"})
    assert response.status_code == 200
    assert response.json()["status"] == HazardStatus.CANCELLED and response.json()["cancel_reason"] == "重复上报"
    assert Hazard.objects.filter(pk=other.pk).exists()  # nothing is deleted


def test_stale_version_is_409_and_changes_nothing(as_user, world, people):
    hazard = reported(world, people)
    seen = hazard.version
    safety = as_user(people["safety"])
    assert safety.post(url(hazard, "assign"), assign_body(people, expected_version=seen)).status_code == 200
    before = state(hazard)
    response = safety.post(url(hazard, "assign"), assign_body(people, expected_version=seen, measures="另一方案"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "该隐患已被他人处理，请刷新后重试",
        "errors": {"expected_version": ["该隐患已被他人处理，请刷新后重试"]},
    }
    assert state(hazard) == before


# --- reads ------------------------------------------------------------------------------------------


def test_lists_are_scoped_per_role(as_user, world, people):
    a = reported(world, people)
    b = HazardFactory(enterprise=world.enterprise_b)

    def ids(user, **params):
        response = as_user(user).get(LIST, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert ids(world.district_admin) == {a.pk, b.pk}
    assert ids(world.platform_admin) == {a.pk, b.pk}
    assert ids(world.town_admin_a) == {a.pk}
    assert ids(world.town_admin_b) == {b.pk}
    assert ids(world.grid_inspector_a) == {a.pk}
    assert ids(world.enterprise_admin_a) == {a.pk}
    assert ids(people["worker"]) == {a.pk}
    assert ids(world.enterprise_admin_b) == {b.pk}
    assert ids(world.district_admin, region=world.regions["town_b"].code) == {b.pk}
    assert ids(world.district_admin, q="配电箱") == {a.pk, b.pk}


def test_list_views_and_filters(as_user, world, people):
    open_one = reported(world, people)
    done = closed(world, people)
    late = assigned(world, people, place="仓库")
    Hazard.objects.filter(pk=late.pk).update(overdue=True)
    cancelled = services.hazard_cancel(
        actor=world.town_admin_a, hazard=reported(world, people, place="门卫"), reason="误报"
    )
    api = as_user(world.district_admin)

    def ids(**params):
        response = api.get(LIST, params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(view="open") == {open_one.pk, late.pk}
    assert ids(view="overdue") == {late.pk}
    assert ids(view="closed_month") == {done.pk}
    assert ids(view="major") == set()
    assert ids(status="cancelled") == {cancelled.pk}
    assert ids(view="open", status="assigned") == {late.pk}
    assert ids(category=str(HazardCategory.objects.get(code="S02").pk)) == {open_one.pk, done.pk, late.pk, cancelled.pk}
    assert ids(source="patrol") == set()
    response = api.get(LIST, {"limit": 1, "sort": "-id"})
    assert response.json()["count"] == 4 and [i["id"] for i in response.json()["items"]] == [cancelled.pk]
    assert api.get(LIST, {"sort": "nonsense"}).status_code == 400
    assert api.get(LIST, {"limit": 0}).status_code == 400


def test_detail_shows_predecessors_and_allowed_actions(as_user, world, people):
    first = reported(world, people)
    second = reported(world, people)
    body = as_user(world.town_admin_a).get(url(second)).json()
    assert body["repeated"] and body["predecessors"] == [first.pk]
    assert body["allowed_actions"] == ["cancel"]
    assert body["plan"] is None and body["criteria"] == []
    assert [s["action"] for s in body["transitions"]] == ["report"]


def test_detail_query_count_does_not_grow_with_the_timeline(as_user, world, people, django_assert_max_num_queries):
    hazard = submitted(world, people)
    for _ in range(3):
        hazard = services.hazard_return(actor=people["safety"], hazard=hazard, reason="再改")
        hazard = services.hazard_rectify(
            actor=people["worker"], hazard=hazard, rectification="再次整改", photos=[photo()]
        )
    api = as_user(world.district_admin)
    api.get(url(hazard))
    with django_assert_max_num_queries(10):
        body = api.get(url(hazard)).json()
    assert len(body["transitions"]) == 9 and sum(len(s["attachments"]) for s in body["transitions"]) == 4


def test_openapi_lists_the_hazard_routes(client):
    paths = client.get("/api/v1/schema/").json()["paths"]
    expected = {
        "/api/v1/hazards/": {"get"},
        "/api/v1/hazards/report/": {"post"},
        "/api/v1/hazards/{pk}/": {"get"},
        "/api/v1/hazards/{pk}/history/": {"get"},
        "/api/v1/criteria/": {"get"},
        "/api/v1/hazard-categories/": {"get"},
        **{f"/api/v1/hazards/{{pk}}/{action}/": {"post"} for action in ACTIONS},
    }
    for path, methods in expected.items():
        assert methods <= set(paths.get(path, {})), path
    rectify = paths["/api/v1/hazards/{pk}/rectify/"]["post"]["requestBody"]["content"]
    assert "photos" in rectify["multipart/form-data"]["schema"]["properties"]
    assert "409" in paths["/api/v1/hazards/{pk}/assign/"]["post"]["responses"]
    report = paths["/api/v1/hazards/report/"]["post"]
    assert set(report["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "201" in report["responses"]


def test_unauthenticated_is_401(client, world, people):
    hazard = reported(world, people)
    assert client.get(LIST).status_code == 401
    assert client.post(url(hazard, "cancel"), "{}", content_type="application/json").status_code == 401


# --- reference tables -----------------------------------------------------------------------------


def test_criteria_are_loaded_and_listed(as_user, world):
    assert MajorHazardCriterion.objects.count() == len(criteria_data.CRITERIA)
    api = as_user(world.employee_a)
    body = api.get("/api/v1/criteria/").json()
    assert body["count"] == len(criteria_data.CRITERIA)
    assert {item["code"][:2] for item in body["items"]} == {
        "GM", "YJ", "YS", "JC", "JX", "QG", "FZ", "YC", "FC", "AN", "YX"
    }  # fmt: skip
    assert all(item["standard"] == criteria_data.STANDARD for item in body["items"])
    dust = api.get("/api/v1/criteria/", {"field": "粉尘防爆"}).json()
    assert dust["count"] == 10
    MajorHazardCriterion.objects.filter(code="FC-10").update(active=False, text="管理员改过")
    assert api.get("/api/v1/criteria/", {"field": "粉尘防爆"}).json()["count"] == 9


def test_criteria_loader_is_idempotent():
    MajorHazardCriterion.objects.filter(code="GM-01").update(text="改过", active=False)
    assert criteria_data.load_criteria(MajorHazardCriterion) == len(criteria_data.CRITERIA)
    assert criteria_data.load_criteria(MajorHazardCriterion) == len(criteria_data.CRITERIA)
    assert MajorHazardCriterion.objects.count() == len(criteria_data.CRITERIA)
    row = MajorHazardCriterion.objects.get(code="GM-01")
    assert row.text == criteria_data.CRITERIA[0][2] and not row.active  # text restored, switch kept


def test_criteria_table_shape():
    codes = [code for code, _field, _text in criteria_data.CRITERIA]
    assert len(codes) == len(set(codes))
    counts = {}
    for _code, field, text in criteria_data.CRITERIA:
        counts[field] = counts.get(field, 0) + 1
        assert text and len(text) < 200
    assert counts[criteria_data.MANAGEMENT] == 3
    special = counts[criteria_data.DUST] + counts[criteria_data.AMMONIA] + counts[criteria_data.CONFINED_SPACE]
    assert special == 14
    assert len(codes) + sum(criteria_data.MISSING.values()) == 64
    assert set(criteria_data.TO_VERIFY) <= set(codes)


def test_categories_are_listed(as_user, world):
    body = as_user(world.town_admin_b).get("/api/v1/hazard-categories/").json()
    assert body["count"] == HazardCategory.objects.count()
    by_code = {item["code"]: item for item in body["items"]}
    assert by_code["S02"]["parent"] == "S" and by_code["M"]["parent"] is None


def test_transition_rows_are_the_only_history(world, people):
    """Nothing in the API deletes: every step is a row, the hazard stays."""
    hazard = closed(world, people)
    assert HazardTransition.objects.filter(hazard=hazard).count() == 4


def test_a_public_reporter_stays_unknown_to_the_enterprise(as_user, world, people):
    hazard = services.hazard_report(
        actor=None,
        enterprise=world.enterprise_a,
        place="后门",
        category=HazardCategory.objects.get(code="S03"),
        description="消防通道堆放货物",
        source=HazardSource.PUBLIC,
        reporter_name="李先生 13800001111",
    )
    HazardTransition.objects.filter(hazard=hazard).update(ip="10.1.2.3")
    seen_by_enterprise = as_user(people["safety"]).get(url(hazard)).json()
    assert seen_by_enterprise["reporter_name"] == ""
    assert seen_by_enterprise["transitions"][0]["ip"] is None
    seen_by_town = as_user(world.town_admin_a).get(url(hazard)).json()
    assert seen_by_town["reporter_name"] == "李先生 13800001111"
    assert seen_by_town["transitions"][0]["ip"] == "10.1.2.3"


def test_a_deactivated_category_is_not_offered_for_new_reports(as_user, client, world, people):
    retired = HazardCategory.objects.get(code="S02")
    retired.active = False
    retired.save(update_fields=["active"])
    response = as_user(people["worker"]).post(
        f"{LIST}report/", {"place": "配电箱", "category": "S02", "description": "门缺失"}
    )
    assert response.status_code == 400 and "category" in response.json()["errors"]
    client.force_login(people["worker"])
    page = client.get("/hazards/report/").content.decode()
    assert retired.name not in page
