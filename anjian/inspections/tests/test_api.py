"""Inspections through the REST API: a whole inspection from start to the hazards it makes,
checklist versions, monthly reports, every route refused outside scope, by the wrong person and
with bad input, and the lists scoped per role."""

import base64
import hashlib
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.core.api_auth import api_token_create
from anjian.hazards.models import Hazard, HazardSource, HazardStatus
from anjian.hazards.tests.factories import PNG_BYTES, photo
from anjian.inspections import services
from anjian.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
    MonthlyReport,
    MonthlyReportStatus,
)
from anjian.inspections.tests.factories import make_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_starter_library(db):
    """These tests count and page through checklists: start from an empty library."""
    from anjian.inspections import library_data, models

    library_data.unload_library(
        models.ChecklistTemplate, models.ChecklistVersion, models.ChecklistItem, models.Inspection
    )


API = "/api/v1"
NOT_FOUND = {"detail": "未找到"}
DIGEST = hashlib.sha256(PNG_BYTES).hexdigest()
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()


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

    def form(self, path, data=None, photos=(), **files):
        """A multipart POST (fields, ``photos`` and other files), as a phone's browser sends it."""
        body = {k: v for k, v in (data or {}).items() if v is not None}
        if photos:
            body["photos"] = list(photos)
        body.update(files)
        return self.client.post(path, body, **self.headers)


@pytest.fixture
def as_user(client):
    return lambda user: Api(client, user)


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def items_of(template: ChecklistTemplate) -> list[int]:
    return list(template.current_version.items.order_by("position").values_list("pk", flat=True))


def started(world, template=None, actor=None) -> Inspection:
    return services.inspection_start(
        actor=actor or world.grid_inspector_a, enterprise=world.enterprise_a, template=template or make_checklist()
    )


def inspection_state(inspection: Inspection) -> dict:
    inspection.refresh_from_db()
    values = {f.attname: getattr(inspection, f.attname) for f in inspection._meta.concrete_fields}
    values["answers"] = list(inspection.answers.values_list("item_id", "result", "note", "hazard_id"))
    values["hazards"] = Hazard.objects.count()
    return values


def report_state(report: MonthlyReport) -> dict:
    report.refresh_from_db()
    return {f.attname: getattr(report, f.attname) for f in report._meta.concrete_fields}


def template_state(template: ChecklistTemplate) -> dict:
    template.refresh_from_db()
    return {"current": template.current_version_id, "versions": template.versions.count(), "name": template.name}


# --- the whole inspection -----------------------------------------------------------------------


def test_the_whole_inspection_through_the_api(as_user, world):
    template = make_checklist()
    first, second, third = items_of(template)
    inspector = as_user(world.grid_inspector_a)

    response = inspector.post(
        f"{API}/inspections/start/",
        {"enterprise": world.enterprise_a.pk, "template": template.pk, "latitude": 31.45, "longitude": 121.1},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["kind"] == InspectionKind.GRID_PATROL and body["status"] == InspectionStatus.DRAFT
    assert body["enterprise"] == world.enterprise_a.pk and body["inspector"] == world.grid_inspector_a.pk
    assert body["checklist"] == template.pk and body["checklist_version"] == 1 and body["editable"]
    assert [a["item"] for a in body["answers"]] == [first, second, third]
    assert [a["result"] for a in body["answers"]] == ["", "", ""]
    assert "answers" in body["allowed_actions"]
    assert body["counts"] == {"total": 3, "answered": 0, "passed": 0, "failed": 0, "not_applicable": 0} | {
        "unanswered": 3
    }

    answers = f"{API}/inspections/{pk}/answers/"
    response = inspector.form(
        answers,
        {"item": first, "result": "fail", "note": "箱门缺失", "latitude": "31.45", "longitude": "121.10"},
        [photo("箱门.png")],
    )
    assert response.status_code == 200, response.content
    body = response.json()  # the inspection's detail, with every item's answer
    assert body["id"] == pk and body["counts"]["answered"] == 1
    answer = {a["item"]: a for a in body["answers"]}[first]
    assert answer["item"] == first and answer["result"] == "fail" and answer["note"] == "箱门缺失"
    assert answer["latitude"] == 31.45 and answer["hazard"] is None
    assert [p["sha256"] for p in answer["photos"]] == [DIGEST]
    attachment = answer["photos"][0]
    assert attachment["id"] and attachment["url"] == reverse("api:attachment-file", args=[attachment["id"]])
    assert inspector.get(attachment["url"]).status_code == 200

    # A reading outside 0–4 Ω is a failure whatever the phone says; its empty fields are "not given".
    response = inspector.form(
        answers, {"item": second, "result": "", "number_value": "12", "note": "", "latitude": "", "longitude": ""}
    )
    assert response.status_code == 200, response.content
    answer = {a["item"]: a for a in response.json()["answers"]}[second]
    assert answer["result"] == "fail" and answer["number_value"] == "12.000"
    response = inspector.form(answers, {"item": third, "result": "pass"}, [photo("灭火器.png")])
    assert response.status_code == 200, response.content

    response = inspector.form(
        f"{API}/inspections/{pk}/submit/",
        {"signed_by": "王网格", "summary": "两项不合格，已告知企业"},
        signature_file=photo("签名.png"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == InspectionStatus.SUBMITTED and body["submitted_at"] and not body["editable"]
    assert body["allowed_actions"] == []
    assert (body["passed"], body["failed"], body["not_applicable"]) == (1, 2, 0)
    assert body["counts"]["failed"] == 2 and body["counts"]["unanswered"] == 0
    assert body["signed_by"] == "王网格" and body["signature"]["sha256"] == DIGEST
    by_item = {a["item"]: a for a in body["answers"]}
    assert by_item[first]["hazard"] and by_item[second]["hazard"] and by_item[third]["hazard"] is None
    assert body["hazards"] == [by_item[first]["hazard"], by_item[second]["hazard"]]

    for item, words in ((first, "箱门缺失"), (second, "12.000Ω")):
        hazard = Hazard.objects.get(pk=by_item[item]["hazard"])
        assert hazard.source == HazardSource.PATROL and hazard.status == HazardStatus.REPORTED
        assert hazard.enterprise == world.enterprise_a and words in hazard.description
        assert hazard.inspection_answer == InspectionAnswer.objects.get(inspection_id=pk, item_id=item)
        assert inspector.get(f"{API}/hazards/{hazard.pk}/").status_code == 200

    # Submitted is frozen.
    before = inspection_state(Inspection.objects.get(pk=pk))
    response = inspector.form(answers, {"item": third, "result": "fail", "note": "改"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"__all__": ["检查记录当前为“已提交”，不能填写检查项"]}
    signed = {"signed_by": "王", "signature_data": SIGNATURE}
    assert inspector.form(f"{API}/inspections/{pk}/submit/", signed).status_code == 400
    assert inspection_state(Inspection.objects.get(pk=pk)) == before


def test_a_self_check_by_the_enterprise_needs_no_enterprise_id(as_user, world):
    template = make_checklist()
    response = as_user(world.enterprise_admin_a).post(f"{API}/inspections/start/", {"template": template.pk})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == InspectionKind.SELF_CHECK
    assert response.json()["enterprise"] == world.enterprise_a.pk


def test_submit_lists_what_is_missing(as_user, world):
    inspection = started(world)
    first, _second, _third = items_of(inspection.checklist_version.template)
    inspector = as_user(world.grid_inspector_a)
    response = inspector.form(f"{API}/inspections/{inspection.pk}/answers/", {"item": first, "result": "pass"})
    assert response.status_code == 200
    before = inspection_state(inspection)
    submit = f"{API}/inspections/{inspection.pk}/submit/"

    response = inspector.form(submit, {"summary": "未签名", "signature_data": SIGNATURE})
    assert response.status_code == 400 and response.json()["errors"] == {"signed_by": ["此字段为必填项"]}
    response = inspector.form(submit, {"signed_by": "王网格"})
    assert response.status_code == 400 and response.json()["errors"] == {"signature_data": ["请在框内手写签名"]}
    response = inspector.form(submit, {"signed_by": "王网格", "signature_data": SIGNATURE})
    assert response.status_code == 400
    assert response.json()["errors"] == {"answers": ["第2项未检查", "第3项未检查"]}
    fake = photo("签名.png")
    fake.file = type(fake.file)(b"not an image")
    fake.size = len(b"not an image")
    response = inspector.form(submit, {"signed_by": "王网格"}, signature_file=fake)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"signature_file"}
    assert inspection_state(inspection) == before


def test_only_the_inspector_fills_and_submits(as_user, world):
    inspection = started(world)
    first = items_of(inspection.checklist_version.template)[0]
    before = inspection_state(inspection)
    for user in (world.town_admin_a, world.enterprise_admin_a, world.district_admin):
        api = as_user(user)
        assert api.get(f"{API}/inspections/{inspection.pk}/").json()["editable"] is False
        assert "answers" not in api.get(f"{API}/inspections/{inspection.pk}/").json()["allowed_actions"]
        response = api.form(f"{API}/inspections/{inspection.pk}/answers/", {"item": first, "result": "pass"})
        assert response.status_code == 400
        assert response.json()["errors"] == {"__all__": ["您无权对该检查记录执行此操作"]}
        response = api.form(f"{API}/inspections/{inspection.pk}/submit/", {"signed_by": "张"})
        assert response.status_code == 400
        assert response.json()["errors"] == {"__all__": ["您无权对该检查记录执行此操作"]}
    assert inspection_state(inspection) == before


# --- outside scope ------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["town_admin_b", "enterprise_admin_b"])
def test_outsiders_get_404_on_every_route_and_change_nothing(as_user, world, outsider):
    template = services.checklist_create(actor=world.enterprise_admin_a, name="本厂日检", items=[{"text": "通道畅通"}])
    inspection = started(world, actor=world.enterprise_admin_a, template=template)
    item = items_of(template)[0]
    report = services.monthly_report_submit(
        actor=world.enterprise_admin_a,
        enterprise=world.enterprise_a,
        month=timezone.localdate(),
        data={"passages": "通道畅通"},
    )
    states = (template_state(template), inspection_state(inspection), report_state(report))
    api = as_user(getattr(world, outsider))
    i, c, r = (
        f"{API}/inspections/{inspection.pk}",
        f"{API}/checklists/{template.pk}",
        f"{API}/monthly-reports/{report.pk}",
    )
    for path in (f"{i}/", f"{i}/history/", f"{c}/", f"{c}/history/", f"{c}/versions/1/", f"{r}/", f"{r}/history/"):
        response = api.get(path)
        assert response.status_code == 404 and response.json() == NOT_FOUND, path
    requests = [
        api.form(f"{i}/answers/", {"item": item, "result": "fail", "note": "篡改"}, [photo()]),
        api.form(f"{i}/submit/", {"signed_by": "篡改"}),
        api.post(f"{c}/publish/", {"items": [{"text": "篡改"}], "note": "篡改"}),
        api.post(f"{r}/approve/"),
        api.post(f"{r}/return/", {"reason": "篡改"}),
        api.post(f"{API}/inspections/start/", {"enterprise": world.enterprise_a.pk, "template": template.pk}),
    ]
    for response in requests:
        assert response.status_code == 404 and response.json() == NOT_FOUND, response.request["PATH_INFO"]
    assert (template_state(template), inspection_state(inspection), report_state(report)) == states
    assert Inspection.objects.count() == 1


def test_missing_records_are_404(as_user, world):
    api = as_user(world.platform_admin)
    template = make_checklist()
    for path in (
        f"{API}/inspections/999999/",
        f"{API}/inspections/abc/",
        f"{API}/checklists/999999/",
        f"{API}/checklists/{template.pk}/versions/2/",
        f"{API}/checklists/{template.pk}/versions/x/",
        f"{API}/monthly-reports/999999/",
    ):
        response = api.get(path)
        assert response.status_code == 404 and response.json() == NOT_FOUND, path
    response = api.form(f"{API}/inspections/999999/answers/", {"item": 1, "result": "pass"})
    assert response.status_code == 404 and response.json() == NOT_FOUND
    response = as_user(world.town_admin_a).post(
        f"{API}/inspections/start/", {"enterprise": 999999, "template": template.pk}
    )
    assert response.status_code == 404 and response.json() == NOT_FOUND


# --- bad input ----------------------------------------------------------------------------------


def test_start_field_errors(as_user, world):
    template = make_checklist()
    town = as_user(world.town_admin_a)
    start = f"{API}/inspections/start/"

    response = town.post(start, {"template": template.pk})
    assert response.status_code == 400 and response.json()["errors"] == {"enterprise": ["此字段为必填项"]}
    response = town.post(start, {"enterprise": world.enterprise_a.pk})
    assert response.status_code == 400 and response.json()["errors"] == {"template": ["此字段为必填项"]}
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": 999999})
    assert response.status_code == 400 and response.json()["errors"] == {"template": ["不存在：999999"]}
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": template.pk, "kind": "agency"})
    assert response.status_code == 400 and response.json()["errors"] == {"kind": ["该检查类型与您的身份不符"]}
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": template.pk, "kind": "picnic"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"kind"}
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": template.pk, "latitude": 31.4})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"latitude"}
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": template.pk, "color": "red"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"color"}

    # Not for this enterprise: another enterprise's own checklist, or one for another industry.
    own_b = services.checklist_create(actor=world.enterprise_admin_b, name="沙溪日检", items=[{"text": "x"}])
    response = as_user(world.district_admin).post(start, {"enterprise": world.enterprise_a.pk, "template": own_b.pk})
    assert response.status_code == 400 and response.json()["errors"] == {"template": ["该体检卡不适用于此企业"]}
    mining = make_checklist("矿山体检卡", industry_prefixes=["B"])
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": mining.pk})
    assert response.status_code == 400 and response.json()["errors"] == {"template": ["该体检卡不适用于此企业"]}
    # The town cannot even see another enterprise's own checklist: it reads as unknown.
    response = town.post(start, {"enterprise": world.enterprise_a.pk, "template": own_b.pk})
    assert response.status_code == 400 and response.json()["errors"] == {"template": [f"不存在：{own_b.pk}"]}
    assert not Inspection.objects.exists()


def test_answer_field_errors(as_user, world):
    inspection = started(world)
    first, second, _third = items_of(inspection.checklist_version.template)
    other_item = items_of(make_checklist("另一张"))[0]
    inspector = as_user(world.grid_inspector_a)
    answers = f"{API}/inspections/{inspection.pk}/answers/"
    before = inspection_state(inspection)

    def errors(data, photos=()):
        response = inspector.form(answers, data, photos)
        assert response.status_code == 400, response.content
        return response.json()["errors"]

    assert errors({"result": "pass"}) == {"item": ["此字段为必填项"]}
    assert errors({"item": "abc", "result": "pass"}) == {"item": ["请输入整数"]}
    assert set(errors({"item": first, "result": "maybe"})) == {"result"}
    assert errors({"item": first}) == {"result": ["请选择合格、不合格或不适用"]}
    assert errors({"item": other_item, "result": "pass"}) == {"item": ["该检查项不属于这次检查的体检卡"]}
    assert errors({"item": second, "result": "pass"}) == {"number_value": ["请填写数值"]}
    assert set(errors({"item": second, "number_value": "很多"})) == {"number_value"}
    assert errors({"item": first, "result": "pass", "latitude": "31.4"}) == {"latitude": ["经纬度须同时提供"]}
    assert set(errors({"item": first, "result": "pass", "latitude": "91", "longitude": "121"})) == {"latitude"}
    fake = photo("伪装.png")
    fake.file = type(fake.file)(b"not an image")
    fake.size = len(b"not an image")
    assert set(errors({"item": first, "result": "fail"}, [fake])) == {"photos"}
    # The phone screen's rules hold for the API too (the same form).
    assert errors({"item": first, "result": "fail"}) == {"note": ["不合格项请写明情况或拍照"]}
    assert inspection_state(inspection) == before

    # A correction replaces the answer; N.A. needs no reading.
    assert inspector.form(answers, {"item": first, "result": "fail", "note": "x"}).status_code == 200
    response = inspector.form(answers, {"item": first, "result": "pass"})
    by_item = {a["item"]: a for a in response.json()["answers"]}
    assert response.status_code == 200 and by_item[first]["result"] == "pass" and by_item[first]["note"] == ""
    response = inspector.form(answers, {"item": second, "result": "na"})
    by_item = {a["item"]: a for a in response.json()["answers"]}
    assert response.status_code == 200 and by_item[second]["result"] == "na"
    assert inspection.answers.count() == 2


# --- checklists and their versions ----------------------------------------------------------------


def test_checklists_are_created_and_published_through_the_api(as_user, world):
    admin = as_user(world.enterprise_admin_a)
    body = {
        "name": "本厂配电房日检",
        "description": "每日开工前",
        "items": [
            {"text": "配电箱门完好、上锁", "clause": "GB 50054", "category": "S02"},
            {"text": "接地电阻", "answer_type": "number", "min_value": "0", "max_value": "4", "unit": "Ω"},
        ],
        "venue_types": [],
        "kinds": ["self_check"],
    }
    response = admin.post(f"{API}/checklists/create/", body)
    assert response.status_code == 201, response.content
    created = response.json()
    pk = created["id"]
    assert created["owner"] == "enterprise" and created["owner_enterprise"] == world.enterprise_a.pk
    assert created["current_version"] == 1 and created["editable"] and created["kinds"] == ["self_check"]
    assert [i["text"] for i in created["items"]] == ["配电箱门完好、上锁", "接地电阻"]
    assert created["items"][0]["category"] == "S02" and created["items"][1]["max_value"] == "4.000"
    assert [v["number"] for v in created["versions"]] == [1]

    bad = dict(body, items=[{"text": "a", "category": "NOPE"}, {"text": "b", "major_criterion": "ZZ-99"}])
    response = admin.post(f"{API}/checklists/create/", bad)
    assert response.status_code == 400
    assert response.json()["errors"] == {"items": ["第1项：隐患类别不存在：NOPE", "第2项：判定依据不存在：ZZ-99"]}
    response = admin.post(f"{API}/checklists/create/", dict(body, items=[{"text": "温度", "answer_type": "number"}]))
    assert response.status_code == 400 and response.json()["errors"] == {"items": ["第1项：数值题须给出下限或上限"]}
    response = admin.post(f"{API}/checklists/create/", dict(body, name=""))
    assert response.status_code == 400 and set(response.json()["errors"]) == {"name"}
    response = as_user(world.grid_inspector_a).post(f"{API}/checklists/create/", body)
    assert response.status_code == 404  # who may not create one does not see the action
    assert ChecklistTemplate.objects.count() == 1

    # An inspection on version 1, then version 2 is published.
    old = as_user(world.enterprise_admin_a).post(f"{API}/inspections/start/", {"template": pk}).json()
    template = ChecklistTemplate.objects.get(pk=pk)
    before = template_state(template)
    publish = f"{API}/checklists/{pk}/publish/"
    for data, errors in (
        ({"note": "修订"}, {"items": ["此字段为必填项"]}),
        ({"items": []}, {"items": ["体检卡至少需要一个检查项"]}),
        ({"items": [{"text": ""}]}, {"items": ["第1项：检查内容：这个字段是必填项。"]}),
    ):
        response = admin.post(publish, data)
        assert response.status_code == 400 and response.json()["errors"] == errors
    response = as_user(world.town_admin_a).post(publish, {"items": [{"text": "镇里改的"}]})
    assert response.status_code == 400 and response.json()["errors"] == {"__all__": ["您无权对该体检卡执行此操作"]}
    assert template_state(template) == before

    response = admin.post(publish, {"items": [{"text": "应急照明完好", "photo_required": True}], "note": "换新表"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current_version"] == 2 and [i["text"] for i in body["items"]] == ["应急照明完好"]
    assert [(v["number"], v["item_count"]) for v in body["versions"]] == [(2, 1), (1, 2)]
    assert body["versions"][0]["note"] == "换新表"

    detail = admin.get(f"{API}/inspections/{old['id']}/").json()
    assert detail["checklist_version"] == 1 and [a["text"] for a in detail["answers"]] == [
        "配电箱门完好、上锁",
        "接地电阻",
    ]
    v1 = admin.get(f"{API}/checklists/{pk}/versions/1/").json()
    assert (
        v1["number"] == 1
        and not v1["current"]
        and [i["text"] for i in v1["items"]]
        == [
            "配电箱门完好、上锁",
            "接地电阻",
        ]
    )
    v2 = as_user(world.district_admin).get(f"{API}/checklists/{pk}/versions/2/").json()
    assert v2["current"] and v2["items"][0]["photo_required"]
    new = as_user(world.enterprise_admin_a).post(f"{API}/inspections/start/", {"template": pk}).json()
    assert new["checklist_version"] == 2 and [a["text"] for a in new["answers"]] == ["应急照明完好"]


def test_library_checklists_belong_to_the_platform(as_user, world):
    library = make_checklist()
    response = as_user(world.district_admin).post(f"{API}/checklists/{library.pk}/publish/", {"items": [{"text": "x"}]})
    assert response.status_code == 400 and response.json()["errors"] == {"__all__": ["您无权对该体检卡执行此操作"]}
    response = as_user(world.platform_admin).post(f"{API}/checklists/{library.pk}/publish/", {"items": [{"text": "x"}]})
    assert response.status_code == 200 and response.json()["current_version"] == 2
    response = as_user(world.district_admin).post(
        f"{API}/checklists/create/",
        {"name": "区夏季检查", "items": [{"text": "防汛"}], "industry_prefixes": ["C33", "c34"]},
    )
    assert response.status_code == 201 and response.json()["owner"] == "region"
    assert response.json()["industry_prefixes"] == ["C33", "C34"]  # a list, or a text "C33, C34" as on the page
    assert response.json()["owner_region"] == world.district_admin.region_id


def test_checklist_list_is_scoped_and_searches_items(as_user, world):
    library = make_checklist()
    own_a = services.checklist_create(actor=world.enterprise_admin_a, name="本厂日检", items=[{"text": "通道畅通"}])
    district = services.checklist_create(actor=world.district_admin, name="区夏季检查", items=[{"text": "防汛沙袋"}])

    def ids(user, **params):
        response = as_user(user).get(f"{API}/checklists/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    everything = {library.pk, own_a.pk, district.pk}
    assert ids(world.platform_admin) == everything
    assert ids(world.district_admin) == everything
    assert ids(world.town_admin_a) == everything
    assert ids(world.town_admin_b) == {library.pk, district.pk}
    assert ids(world.enterprise_admin_a) == everything
    assert ids(world.enterprise_admin_b) == {library.pk, district.pk}
    assert ids(world.district_admin, q="接地") == {library.pk}  # an item of the current version
    assert ids(world.district_admin, q="通道") == {own_a.pk}
    assert ids(world.enterprise_admin_b, q="通道") == set()
    assert ids(world.district_admin, owner="library") == {library.pk}
    assert ids(world.district_admin, owner="enterprise") == {own_a.pk}
    row = as_user(world.district_admin).get(f"{API}/checklists/", {"q": "配电房"}).json()["items"][0]
    assert row["owner"] == "library" and row["current_version"] == 1 and "items" not in row


# --- monthly reports ------------------------------------------------------------------------------


def test_monthly_report_submit_return_resubmit_approve(as_user, world):
    enterprise, inspector = as_user(world.enterprise_admin_a), as_user(world.grid_inspector_a)
    reports = f"{API}/monthly-reports/"
    submit = f"{reports}submit/"  # the declared "submit" collection action
    response = enterprise.form(submit, {"month": this_month(), "passages": "通道畅通", "electrical": ""}, [photo()])
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["status"] == MonthlyReportStatus.SUBMITTED and body["month"] == this_month()
    assert body["enterprise"] == world.enterprise_a.pk and body["submitted_by"] == world.enterprise_admin_a.pk
    assert [p["sha256"] for p in body["photos"]] == [DIGEST]
    report = MonthlyReport.objects.get(pk=pk)

    # The enterprise does not review itself; a return needs a reason; nothing changes meanwhile.
    before = report_state(report)
    response = enterprise.post(f"{reports}{pk}/approve/")
    assert response.status_code == 400 and response.json()["errors"] == {
        "__all__": ["您无权对该月度安全情况报告执行此操作"]
    }
    response = enterprise.post(f"{reports}{pk}/return/", {"reason": "自己退回"})
    assert response.status_code == 400 and response.json()["errors"] == {
        "__all__": ["您无权对该月度安全情况报告执行此操作"]
    }
    response = inspector.post(f"{reports}{pk}/return/", {"reason": " "})
    assert response.status_code == 400 and response.json()["errors"] == {"reason": ["请填写退回原因"]}
    response = enterprise.form(submit, {"month": this_month(), "passages": "再交一次"})
    assert response.status_code == 400 and response.json()["errors"] == {
        "__all__": ["该月报告已提交，等待审核或已通过"]
    }
    assert report_state(report) == before

    response = inspector.post(f"{reports}{pk}/return/", {"reason": "缺少配电房照片"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == MonthlyReportStatus.RETURNED and body["return_reason"] == "缺少配电房照片"
    assert body["reviewed_by"] == world.grid_inspector_a.pk
    response = inspector.post(f"{reports}{pk}/approve/")
    assert response.status_code == 400 and response.json()["errors"] == {
        "__all__": ["月度安全情况报告当前为“已退回”，不能通过"]
    }

    response = enterprise.form(
        submit, {"month": this_month(), "passages": "通道畅通", "electrical": "已补配电房照片"}, [photo("配电房.png")]
    )
    assert response.status_code == 201, response.content  # the same report, corrected (201 as a new one)
    body = response.json()
    assert body["id"] == pk and body["status"] == MonthlyReportStatus.SUBMITTED
    assert body["electrical"] == "已补配电房照片" and len(body["photos"]) == 2

    response = inspector.post(f"{reports}{pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == MonthlyReportStatus.APPROVED
    assert response.json()["return_reason"] == ""
    history = as_user(world.district_admin).get(f"{reports}{pk}/history/").json()
    assert [e["action"] for e in history["items"]][:4] == ["approve", "submit", "attachment_add", "return"]


def test_monthly_report_input_and_roles(as_user, world):
    reports = f"{API}/monthly-reports/"
    submit = f"{reports}submit/"  # the declared "submit" collection action
    enterprise = as_user(world.enterprise_admin_a)
    for month in ("2025-13", "五月", ""):
        response = enterprise.form(submit, {"month": month, "passages": "x"})
        assert response.status_code == 400 and set(response.json()["errors"]) == {"month"}, month
    next_year = f"{timezone.localdate().year + 1}-01"
    response = enterprise.form(submit, {"month": next_year, "passages": "x"})
    assert response.status_code == 400 and response.json()["errors"] == {"month": ["不能提交未来月份的报告"]}
    response = enterprise.form(submit, {"month": this_month(), "passages": " "})
    assert response.status_code == 400 and response.json()["errors"] == {"passages": ["请至少填写一项情况"]}
    # Only an enterprise reports, for itself: for anyone else there is nothing to submit to.
    for user in (world.grid_inspector_a, world.district_admin, world.platform_admin):
        response = as_user(user).form(submit, {"month": this_month(), "passages": "x"})
        assert response.status_code == 404 and response.json() == NOT_FOUND
    assert not MonthlyReport.objects.exists()
    response = as_user(world.employee_a).form(submit, {"month": this_month(), "passages": "通道畅通"})
    assert response.status_code == 201 and response.json()["enterprise"] == world.enterprise_a.pk


# --- reads ------------------------------------------------------------------------------------------


def test_lists_are_scoped_per_role(as_user, world):
    template = make_checklist()
    a = started(world, template)
    b = services.inspection_start(actor=world.enterprise_admin_b, enterprise=world.enterprise_b, template=template)
    month = timezone.localdate()
    ra = services.monthly_report_submit(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, month=month, data={"passages": "a"}
    )
    rb = services.monthly_report_submit(
        actor=world.enterprise_admin_b, enterprise=world.enterprise_b, month=month, data={"passages": "b"}
    )

    def ids(user, resource, **params):
        response = as_user(user).get(f"{API}/{resource}/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    for user, inspections, reports in (
        (world.platform_admin, {a.pk, b.pk}, {ra.pk, rb.pk}),
        (world.district_admin, {a.pk, b.pk}, {ra.pk, rb.pk}),
        (world.town_admin_a, {a.pk}, {ra.pk}),
        (world.town_admin_b, {b.pk}, {rb.pk}),
        (world.grid_inspector_a, {a.pk}, {ra.pk}),
        (world.enterprise_admin_a, {a.pk}, {ra.pk}),
        (world.employee_a, {a.pk}, {ra.pk}),
        (world.enterprise_admin_b, {b.pk}, {rb.pk}),
    ):
        assert ids(user, "inspections") == inspections, user.username
        assert ids(user, "monthly-reports") == reports, user.username
    assert ids(world.district_admin, "inspections", kind="self_check") == {b.pk}
    assert ids(world.district_admin, "inspections", region=world.regions["town_a"].code) == {a.pk}
    assert ids(world.district_admin, "inspections", status="submitted") == set()
    assert ids(world.district_admin, "inspections", q="沙溪") == {b.pk}
    assert ids(world.district_admin, "monthly-reports", status="submitted") == {ra.pk, rb.pk}
    row = as_user(world.district_admin).get(f"{API}/inspections/", {"kind": "grid_patrol"}).json()["items"][0]
    assert row["checklist_name"] == "配电房体检卡" and row["inspector"] == world.grid_inspector_a.pk
    assert "answers" not in row


def test_inspection_detail_queries_do_not_grow_with_the_items(as_user, world, django_assert_max_num_queries):
    inspection = started(world)
    for item in inspection.checklist_version.items.all():
        services.inspection_answer(
            actor=world.grid_inspector_a,
            inspection=inspection,
            item=item,
            result="pass",
            number_value=Decimal("1") if item.answer_type == "number" else None,
            photos=[photo(), photo()],
        )
    api = as_user(world.district_admin)
    api.get(f"{API}/inspections/{inspection.pk}/")
    with django_assert_max_num_queries(10):
        body = api.get(f"{API}/inspections/{inspection.pk}/").json()
    assert body["counts"]["passed"] == 3 and sum(len(a["photos"]) for a in body["answers"]) == 6
