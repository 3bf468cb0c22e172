"""Risk grading control through the REST API: the whole chain (risk point → assessment → event →
measure → inspection point → task), checks with photos that make hazards, the board, site plans
with zones, the monthly self-review; every write refused with field errors on bad input (nothing
changed), refused to government, and lists scoped per user."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.core.api_auth import api_token_create
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import photo
from anjian.risks.models import (
    ControlMeasure,
    InspectionPoint,
    InspectionTask,
    PointCheck,
    RiskAssessment,
    RiskEvent,
    RiskPoint,
    RiskReview,
    RiskZone,
    SitePlan,
)
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db
API = "/api/v1"
NOT_FOUND = {"detail": "未找到"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


class Api:
    """A test client acting as one user through a bearer token."""

    def __init__(self, client, user):
        self.client = client
        _token, key = api_token_create(user=user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self.headers)

    def post(self, path, data=None):
        return self.client.post(path, json.dumps(data or {}), content_type="application/json", **self.headers)

    def patch(self, path, data=None):
        return self.client.patch(path, json.dumps(data or {}), content_type="application/json", **self.headers)

    def form(self, path, data=None, **files):
        body = {k: v for k, v in (data or {}).items() if v is not None}
        body.update(files)
        return self.client.post(path, body, **self.headers)


@pytest.fixture
def as_user(client):
    return lambda user: Api(client, user)


def counts() -> dict[str, int]:
    models = (RiskPoint, RiskAssessment, RiskEvent, ControlMeasure, InspectionPoint, InspectionTask, PointCheck)
    return {
        **{model.__name__: model.objects.count() for model in models},
        "archived_tasks": InspectionTask.objects.filter(archived=True).count(),
        "hazards": Hazard.objects.count(),
        "zones": RiskZone.objects.filter(archived=False).count(),
        "plans": SitePlan.objects.count(),
        "reviews": RiskReview.objects.count(),
    }


def point_state(point: RiskPoint) -> dict:
    point.refresh_from_db()
    return {f.attname: getattr(point, f.attname) for f in point._meta.concrete_fields}


def refused(response, *fields: str) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(fields) <= set(body["errors"]), body
    return body


# --- the chain ----------------------------------------------------------------------------------


def test_the_risk_chain_through_the_api(as_user, world):
    admin = as_user(world.enterprise_admin_a)
    before = counts()
    refused(admin.post(f"{API}/risk-points/new/", {"place": "二车间"}), "name", "kind")
    refused(admin.post(f"{API}/risk-points/new/", {"name": "空压机房", "kind": "nope"}), "kind")
    assert counts() == before

    response = admin.post(
        f"{API}/risk-points/new/",
        {"name": "空压机房", "place": "二车间东侧", "kind": "equipment", "accident_types": ["vessel"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["enterprise"] == world.enterprise_a.pk  # an enterprise user's own by default
    assert body["level"] == "" and body["events"] == [] and body["latest_assessments"] == []
    url = f"{API}/risk-points/{pk}"
    point = RiskPoint.objects.get(pk=pk)

    # Edit (the page's form: every field, as on the page); a bad value is a 400 on that field
    # with nothing changed.
    state = point_state(point)
    fields = {"name": "空压机房", "place": "二车间东侧", "kind": "equipment", "accident_types": ["vessel"]}
    refused(admin.post(f"{url}/edit/", {**fields, "equipment_count": -1}), "equipment_count")
    refused(admin.post(f"{url}/edit/", {**fields, "name": None}), "name")
    assert point_state(point) == state
    response = admin.post(f"{url}/edit/", {**fields, "equipment_count": 3, "responsible_name": "王工"})
    assert response.status_code == 200, response.content
    assert response.json()["equipment_count"] == 3 and response.json()["name"] == "空压机房"

    # The declared actions the user may take now.
    assert {"assessments", "events", "measures", "tasks", "archive", "stop_task"} <= set(body["allowed_actions"])

    # Assessment (the page's form, flat): LEC 3 × 6 × 15 = 270 → 较大 (orange); a value off the
    # table is a 400 on that factor.
    lec = {"method": "lec", "lec_likelihood": 3, "lec_exposure": 6, "lec_consequence": 15}
    refused(admin.post(f"{url}/assessments/", {**lec, "lec_exposure": None}), "lec_exposure")
    refused(admin.post(f"{url}/assessments/", {**lec, "lec_likelihood": 4}), "lec_likelihood")
    refused(admin.post(f"{url}/assessments/", {**lec, "likelihood": 3}), "likelihood")  # not a field
    assert point_state(point) == {**state, "equipment_count": 3, "responsible_name": "王工"}
    assert not RiskAssessment.objects.exists()
    response = admin.post(f"{url}/assessments/", {**lec, "note": "首次"})
    assert response.status_code == 200, response.content  # the point, assessed
    assert response.json()["level"] == "high" and response.json()["colour"] == "orange"
    assert response.json()["latest_assessments"][0]["note"] == "首次"
    admin.post(f"{url}/assessments/", {"method": "ls", "ls_likelihood": 2, "ls_severity": 2})
    history = admin.get(f"{url}/assessments/").json()
    assert history["count"] == 2 and history["items"][0]["method"] == "ls"

    # Event → measure (the event must be this point's).
    before = counts()
    refused(admin.post(f"{url}/events/", {"name": "储气罐超压爆炸"}), "accident_type")
    assert counts() == before
    response = admin.post(f"{url}/events/", {"name": "储气罐超压爆炸", "accident_type": "vessel"})
    assert response.status_code == 200, response.content
    [event] = [e["id"] for e in response.json()["events"] if e["name"] == "储气罐超压爆炸"]
    other = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    before = counts()
    refused(admin.post(f"{url}/measures/", {"event": event}), "kind", "description", "owning_level")
    refused(
        admin.post(
            f"{url}/measures/",
            {"event": other.event.pk, "kind": "engineering", "description": "安全阀校验", "owning_level": "team"},
        ),
        "event",
    )
    assert counts() == before
    response = admin.post(
        f"{url}/measures/",
        {"event": event, "kind": "engineering", "description": "安全阀每年校验", "owning_level": "team"},
    )
    assert response.status_code == 200, response.content
    [measure] = [m for e in response.json()["events"] for m in e["measures"]]
    assert measure["national_kind"] == "engineering"
    measure = measure["id"]

    # Inspection point → task.
    refused(admin.post(f"{url}/inspection-points/", {"place": "罐区"}), "name")
    response = admin.post(f"{url}/inspection-points/", {"name": "1号储气罐"})
    assert response.status_code == 200, response.content
    [made] = response.json()["inspection_points"]
    inspection_point = made["id"]
    assert made["place"] == "二车间东侧"  # the risk point's place when left out
    before = counts()
    refused(admin.post(f"{url}/tasks/", {"measure": measure}), "point", "cycle", "owner")
    refused(
        admin.post(
            f"{url}/tasks/",
            {"measure": measure, "point": other.inspection_point.pk, "cycle": "day", "owner": world.employee_a.pk},
        ),
        "point",
    )
    refused(
        admin.post(
            f"{url}/tasks/",
            {"measure": measure, "point": inspection_point, "cycle": "day", "owner": world.enterprise_admin_b.pk},
        ),
        "owner",
    )
    assert counts() == before
    response = admin.post(
        f"{url}/tasks/",
        {"measure": measure, "point": inspection_point, "cycle": "day", "owner": world.employee_a.pk},
    )
    assert response.status_code == 200, response.content
    [task] = response.json()["inspection_points"][0]["tasks"]
    assert task["content"] == "安全阀每年校验" and task["due_from"] is not None

    # The detail shows the whole chain, the latest assessments and the owning-level gaps.
    detail = admin.get(f"{url}/").json()
    assert [m["id"] for e in detail["events"] for m in e["measures"]] == [measure]
    assert [t["id"] for p in detail["inspection_points"] for t in p["tasks"]] == [task["id"]]
    assert [a["method"] for a in detail["latest_assessments"]] == ["ls", "lec"]
    assert detail["level"] == "low" and detail["colour"] == "blue"
    assert isinstance(detail["control_gaps"], list)

    # Stopping a task: it must be this point's.
    before = counts()
    refused(admin.post(f"{url}/stop-task/", {}), "task")
    refused(admin.post(f"{url}/stop-task/", {"task": other.task.pk}), "task")
    assert counts() == before
    response = admin.post(f"{url}/stop-task/", {"task": task["id"]})
    assert response.status_code == 200 and response.json()["inspection_points"][0]["tasks"] == []
    assert InspectionTask.objects.get(pk=task["id"]).archived

    # Archive, then restore.
    response = admin.post(f"{url}/archive/", {})
    assert response.status_code == 200 and response.json()["archived"] is True
    assert InspectionPoint.objects.get(pk=inspection_point).archived
    assert admin.post(f"{url}/archive/", {"archived": False}).json()["archived"] is False


def test_government_reads_but_does_not_write(as_user, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    town = as_user(world.town_admin_a)
    url = f"{API}/risk-points/{chain.risk_point.pk}"
    assert town.get(f"{url}/").status_code == 200
    before, state = counts(), point_state(chain.risk_point)
    writes = [
        town.post(f"{url}/edit/", {"name": "篡改", "kind": "area"}),
        town.post(f"{url}/archive/", {}),
        town.post(f"{url}/assessments/", {"method": "ls", "ls_likelihood": 5, "ls_severity": 5}),
        town.post(f"{url}/events/", {"name": "篡改", "accident_type": "fire"}),
        town.post(f"{url}/inspection-points/", {"name": "篡改"}),
        town.post(f"{url}/stop-task/", {"task": chain.task.pk}),
        town.form(
            f"{API}/inspection-points/{chain.inspection_point.pk}/checks/",
            {"results": json.dumps([{"task": chain.task.pk, "passed": True}])},
        ),
    ]
    for response in writes:
        assert response.status_code in (400, 403), response.content
    # who may not add a risk point does not find the route
    new = town.post(f"{API}/risk-points/new/", {"enterprise": world.enterprise_a.pk, "name": "篡改", "kind": "area"})
    assert new.status_code == 404
    assert town.post(f"{API}/risk-reviews/confirm/", {"enterprise": world.enterprise_a.pk}).status_code == 404
    assert counts() == before
    assert point_state(chain.risk_point) == state


def test_lists_only_show_the_users_area(as_user, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    other = risk_chain(world.enterprise_admin_b, world.enterprise_b, level=("ls", "5", None, "5"))
    services_check = as_user(world.employee_a).form(
        f"{API}/inspection-points/{chain.inspection_point.pk}/checks/",
        {"results": json.dumps([{"task": chain.task.pk, "passed": True}])},
    )
    assert services_check.status_code == 200, services_check.content  # the point's detail
    assert services_check.json()["id"] == chain.inspection_point.pk

    def ids(user, path, params=None):
        response = as_user(user).get(f"{API}/{path}/", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(world.town_admin_b, "risk-points") == {other.risk_point.pk}
    assert ids(world.enterprise_admin_a, "risk-points") == {chain.risk_point.pk}
    assert ids(world.district_admin, "risk-points") == {chain.risk_point.pk, other.risk_point.pk}
    assert ids(world.town_admin_b, "inspection-points") == {other.inspection_point.pk}
    assert ids(world.town_admin_b, "point-checks") == set()
    assert len(ids(world.town_admin_a, "point-checks")) == 1
    assert as_user(world.town_admin_b).get(f"{API}/risk-points/{chain.risk_point.pk}/").json() == NOT_FOUND
    board = as_user(world.town_admin_b).get(f"{API}/inspection-points/board/").json()
    assert [p["id"] for p in board["items"]] == [other.inspection_point.pk]

    # Filters: level, kind, enterprise, region prefix, search.
    district = world.district_admin
    assert ids(district, "risk-points", {"level": "major"}) == {other.risk_point.pk}
    assert ids(district, "risk-points", {"level": "high"}) == {chain.risk_point.pk}
    assert ids(district, "risk-points", {"kind": "area"}) == set()
    assert ids(district, "risk-points", {"enterprise": world.enterprise_a.pk}) == {chain.risk_point.pk}
    bad = as_user(district).get(f"{API}/risk-points/", {"enterprise": "x"})  # a bad filter: 400 naming it
    assert bad.status_code == 400 and "enterprise" in bad.json()["errors"]
    assert ids(district, "risk-points", {"region": world.regions["town_b"].code}) == {other.risk_point.pk}
    assert ids(district, "risk-points", {"q": "沙溪"}) == {other.risk_point.pk}
    assert ids(district, "inspection-points", {"enterprise": world.enterprise_b.pk}) == {other.inspection_point.pk}


# --- checks and the board ---------------------------------------------------------------------


def test_a_failed_check_makes_a_hazard_and_the_board_turns_yellow(as_user, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour", evidence="photo")
    worker = as_user(world.employee_a)
    url = f"{API}/inspection-points/{chain.inspection_point.pk}/checks/"
    task = chain.task.pk
    failed = json.dumps([{"task": task, "passed": False, "note": "压力表指针超红线"}])

    before = counts()
    refused(worker.form(url, {}), "results")
    refused(worker.form(url, {"results": "不是JSON"}), "results")
    refused(worker.form(url, {"results": failed}), "results")  # a failure needs a photo
    refused(worker.form(url, {"results": failed, "photos_999": photo()}), "photos_999")
    refused(worker.form(url, {"results": failed, "latitude": "31.4"}, **{f"photos_{task}": photo()}), "latitude")
    not_a_photo = SimpleUploadedFile("假.png", b"not an image", content_type="image/png")
    refused(worker.form(url, {"results": failed}, **{f"photos_{task}": not_a_photo}), f"photos_{task}")
    # a JSON body carries the list itself (and no photos: the failure is refused for want of one)
    refused(worker.post(url, {"results": json.loads(failed)}), "results")
    refused(worker.post(url, {"results": {"task": task}}), "results")
    refused(worker.post(url, {"results": json.loads(failed), "hazard": 1}), "hazard")  # unknown field
    assert counts() == before

    response = worker.form(
        url,
        {"results": failed, "latitude": "31.45", "longitude": "121.1"},
        **{f"photos_{task}": [photo("前.png"), photo("后.png")]},
    )
    assert response.status_code == 200, response.content  # the inspection point's detail
    point = response.json()
    assert point["id"] == chain.inspection_point.pk and point["colour"] == "yellow"
    [check] = worker.get(f"{API}/point-checks/", {"enterprise": world.enterprise_a.pk}).json()["items"]
    check = worker.get(f"{API}/point-checks/{check['id']}/").json()
    assert check["passed"] is False and check["task"] == task
    assert len(check["photos"]) == 2
    hazard = Hazard.objects.get(pk=check["hazard"])
    assert hazard.enterprise_id == world.enterprise_a.pk and "压力表指针超红线" in hazard.description

    board = worker.get(f"{API}/inspection-points/board/", {"enterprise": world.enterprise_a.pk}).json()
    [row] = board["items"]
    assert row["colour"] == "yellow" and row["tasks"][0]["colour"] == "yellow"
    assert board["counts"]["yellow"] == 1
    detail = worker.get(f"{API}/inspection-points/{chain.inspection_point.pk}/").json()
    assert detail["colour"] == "yellow"
    assert worker.get(f"{API}/point-checks/{check['id']}/").json()["hazard"] == hazard.pk


def test_the_board_is_red_after_a_missed_hourly_window(as_user, world):
    with time_machine.travel(at(2026, 3, 2, 9, 10), tick=False):
        chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour")
        leader = as_user(world.town_admin_a)
        row = leader.get(f"{API}/inspection-points/board/").json()["items"][0]
        assert row["colour"] == "pending"
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        leader = as_user(world.town_admin_a)
        board = leader.get(f"{API}/inspection-points/board/", {"colour": "red"}).json()
        [row] = board["items"]
        assert row["id"] == chain.inspection_point.pk
        [task] = row["tasks"]
        assert task["colour"] == "red"
        assert dt.datetime.fromisoformat(task["overdue_since"]) == at(2026, 3, 2, 10)
        assert leader.get(f"{API}/inspection-points/{chain.inspection_point.pk}/").json()["colour"] == "red"


# --- site plans and zones ---------------------------------------------------------------------


def test_site_plan_and_zones(as_user, world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    other = risk_chain(world.enterprise_admin_b, world.enterprise_b)
    admin = as_user(world.enterprise_admin_a)
    before = counts()
    refused(admin.form(f"{API}/site-plans/new/", {"title": "厂区总平面图"}), "image")
    refused(admin.form(f"{API}/site-plans/new/", {}, image=photo()), "title")
    assert (
        as_user(world.town_admin_a)
        .form(f"{API}/site-plans/new/", {"enterprise": world.enterprise_a.pk, "title": "图"}, image=photo())
        .status_code
        == 404  # who may not upload a plan does not find the route
    )
    assert counts() == before

    response = admin.form(f"{API}/site-plans/new/", {"title": "厂区总平面图"}, image=photo())
    assert response.status_code == 201, response.content
    plan = response.json()
    assert (plan["width"], plan["height"]) == (1, 1) and plan["image"]["content_type"] == "image/png"
    url = f"{API}/site-plans/{plan['id']}/zones"

    square = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]
    refused(admin.post(f"{url}/", {"name": "空压站", "polygon": [[0.1, 0.1], [0.2, 0.2]]}), "polygon")
    refused(admin.post(f"{url}/", {"polygon": square}), "name")
    refused(
        admin.post(f"{url}/", {"name": "空压站", "polygon": square, "risk_points": [other.risk_point.pk]}),
        "risk_points",
    )
    refused(admin.post(f"{url}/", {"name": "空压站", "polygon": square, "zone": 999999}), "zone")
    assert counts() == before | {"plans": before["plans"] + 1}

    response = admin.post(f"{url}/", {"name": "空压站", "polygon": square, "risk_points": [chain.risk_point.pk]})
    assert response.status_code == 200, response.content
    [zone] = response.json()["zones"]
    assert zone["risk_points"] == [chain.risk_point.pk]
    assert (zone["level"], zone["colour"]) == ("high", "orange")
    response = admin.post(f"{url}/", {"zone": zone["id"], "name": "空压站（东）", "polygon": square})
    assert [(z["name"], z["level"]) for z in response.json()["zones"]] == [("空压站（东）", "")]

    plan_url = f"{API}/site-plans/{plan['id']}"
    refused(admin.post(f"{plan_url}/archive-zone/", {}), "zone")
    response = admin.post(f"{plan_url}/archive-zone/", {"zone": zone["id"]})
    assert response.status_code == 200 and response.json()["zones"] == []
    assert as_user(world.town_admin_b).get(f"{API}/site-plans/{plan['id']}/").json() == NOT_FOUND


# --- the monthly self-review ------------------------------------------------------------------


def test_monthly_review(as_user, world):
    admin = as_user(world.enterprise_admin_a)
    refused(admin.post(f"{API}/risk-reviews/confirm/", {}), "__all__")  # nothing registered yet
    risk_chain(world.enterprise_admin_a, world.enterprise_a)
    response = admin.post(f"{API}/risk-reviews/confirm/", {"note": "本月无变化"})
    assert response.status_code == 201, response.content
    review = response.json()
    assert review["counts"]["high"] == 1 and review["note"] == "本月无变化"
    refused(admin.post(f"{API}/risk-reviews/confirm/", {}), "__all__")  # once a month
    assert RiskReview.objects.count() == 1
    assert as_user(world.town_admin_a).get(f"{API}/risk-reviews/").json()["count"] == 1
    assert as_user(world.town_admin_a).get(f"{API}/risk-reviews/{review['id']}/").status_code == 200
    assert as_user(world.town_admin_b).get(f"{API}/risk-reviews/").json()["count"] == 0
    # another enterprise's staff cannot name enterprise A (only the platform administrator names one)
    refused(
        as_user(world.enterprise_admin_b).post(f"{API}/risk-reviews/confirm/", {"enterprise": world.enterprise_a.pk}),
        "enterprise",
    )
    assert as_user(world.town_admin_a).post(f"{API}/risk-reviews/confirm/", {}).status_code == 404
    assert RiskReview.objects.count() == 1


def test_the_check_is_the_declared_action_with_its_results_schema(client):
    from anjian.risks.registry import CHECK_ACTION, INSPECTION_POINT

    assert CHECK_ACTION in INSPECTION_POINT.actions and not CHECK_ACTION.page
    operation = client.get(f"{API}/schema/").json()["paths"]["/api/v1/inspection-points/{pk}/checks/"]["post"]
    content = operation["requestBody"]["content"]
    results = content["application/json"]["schema"]["properties"]["results"]
    assert results["type"] == "array" and set(results["items"]["required"]) == {"task", "passed"}
    assert "results" in content["application/json"]["schema"]["required"]
    assert "photos_<" in results["description"]  # the photos go as multipart files photos_<task id>
    assert set(operation["responses"]) >= {"200", "400", "404"}
