"""The risk module's declared actions (``anjian.risks.registry``): one declaration gives the page,
the API route with its OpenAPI body, the buttons and ``allowed_actions``, and the scope walk's
entry; the drawing page's JSON door uses the same form and service."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from anjian.core.api_auth import api_token_create
from anjian.hazards.tests.factories import photo
from anjian.risks import services
from anjian.risks.models import InspectionTask, RiskZone
from anjian.risks.registry import RISK_POINT, SITE_PLAN
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db

SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]
POINT_ACTIONS = ["edit", "assessments", "events", "measures", "inspection_points", "tasks", "archive", "stop_task"]


@pytest.fixture
def chain(world):
    return risk_chain(world.enterprise_admin_a, world.enterprise_a)


def test_the_declarations_are_the_routes():
    assert [action.name for action in RISK_POINT.actions] == ["new", *POINT_ACTIONS]
    assert [action.name for action in SITE_PLAN.actions] == ["new", "zones", "archive_zone"]
    routes = RISK_POINT.object_routes()
    for action in RISK_POINT.actions:
        assert (f"risks:risk-points-{action.slug}" in routes) is not action.collection
    assert "risks:site-plans-zones" in SITE_PLAN.object_routes()


def test_openapi_documents_each_action_with_its_form(client):
    paths = client.get("/api/v1/schema/").json()["paths"]
    assess = paths["/api/v1/risk-points/{pk}/assessments/"]
    assert set(assess) == {"get", "post"}  # the history and the action share the path
    body = assess["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"method", "lec_likelihood", "lec_exposure", "lec_consequence", "ls_likelihood", "ls_severity"} <= set(
        body["properties"]
    )
    stop = paths["/api/v1/risk-points/{pk}/stop-task/"]["post"]
    assert stop["requestBody"]["content"]["application/json"]["schema"]["required"] == ["task"]
    archive = paths["/api/v1/risk-points/{pk}/archive/"]["post"]["requestBody"]["content"]["application/json"]
    assert archive["schema"]["properties"]["archived"]["default"] is True
    zones = paths["/api/v1/site-plans/{pk}/zones/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(zones["required"]) == {"name", "polygon"}
    assert "/api/v1/site-plans/{pk}/archive-zone/" in paths
    upload = paths["/api/v1/site-plans/new/"]["post"]["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}  # the image is required
    assert {"title", "image"} <= set(upload["multipart/form-data"]["schema"]["required"])
    new_point = paths["/api/v1/risk-points/new/"]["post"]["requestBody"]["content"]["application/json"]
    assert {"name", "kind"} <= set(new_point["schema"]["required"])


def test_allowed_actions_follow_the_predicates(client, world, chain):
    def allowed(user):
        _token, key = api_token_create(user=user)
        url = f"/api/v1/risk-points/{chain.risk_point.pk}/"
        return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()["allowed_actions"]

    assert allowed(world.enterprise_admin_a) == POINT_ACTIONS
    assert allowed(world.town_admin_a) == []  # government supervises and reads


def test_the_add_a_measure_link_preselects_its_event(client, world, chain):
    client.force_login(world.enterprise_admin_a)
    url = reverse("risks:risk-points-measures", args=[chain.risk_point.pk])
    page = client.get(f"{url}?event={chain.event.pk}")
    assert page.status_code == 200
    assert str(page.context["form"]["event"].value()) == str(chain.event.pk)
    assert (
        f'href="{url}?event={chain.event.pk}"'
        in client.get(reverse("risks:risk-points-detail", args=[chain.risk_point.pk])).content.decode()
    )


def test_an_htmx_request_gets_the_panel_only(client, world, chain):
    client.force_login(world.enterprise_admin_a)
    url = reverse("risks:risk-points-assessments", args=[chain.risk_point.pk])
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="lec-fields"' in panel and "<nav" not in panel


def test_the_detail_page_stop_button_posts_to_the_action(client, world, chain):
    client.force_login(world.enterprise_admin_a)
    detail = reverse("risks:risk-points-detail", args=[chain.risk_point.pk])
    stop = reverse("risks:risk-points-stop-task", args=[chain.risk_point.pk])
    page = client.get(detail).content.decode()
    assert f'action="{stop}"' in page and f'id="stop-{chain.task.pk}"' in page
    response = client.post(stop, {"task": chain.task.pk})
    assert response.status_code == 302 and response.url == detail
    assert InspectionTask.objects.get(pk=chain.task.pk).archived


def test_zones_through_the_page_action_and_the_drawing_door_alike(client, world, chain):
    plan = services.site_plan_create(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, title="总图", image=photo()
    )
    client.force_login(world.enterprise_admin_a)
    action = reverse("risks:site-plans-zones", args=[plan.pk])
    bad = client.post(action, {"name": "罐区", "polygon": "[[0.1, 0.1], [0.5, 0.5]]"})
    assert bad.status_code == 400 and bad.context["form"].errors["polygon"] == ["区域至少需要三个顶点"]
    data = {"name": "罐区", "polygon": json.dumps(SQUARE), "risk_points": [chain.risk_point.pk]}
    assert client.post(action, data).status_code == 302
    zone = RiskZone.objects.get(plan=plan)
    assert list(zone.risk_points.all()) == [chain.risk_point]
    door = reverse("risks:site-plan-zones", args=[plan.pk])
    response = client.post(door, json.dumps({"archive": zone.pk}), content_type="application/json")
    assert response.status_code == 200 and response.json() == {"zones": []}
    remove = reverse("risks:site-plans-archive-zone", args=[plan.pk])
    assert client.post(remove, {"zone": zone.pk}).status_code == 400  # already removed: not a choice
    client.force_login(world.town_admin_a)
    assert 'id="action-refused"' in client.get(action).content.decode()
