"""The kernel's declared actions and workflow, on a test-only module (tests/kernel_app) that
declares a stateful model with two actions and nothing else: its page buttons, forms, API routes,
OpenAPI entries, transition rows, audit entries and scope coverage all come from the kernel."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from anjian.core.api_auth import api_token_create
from anjian.core.models import AuditEntry, WorkflowTransition
from anjian.core.registry import get
from tests.kernel_app.models import OrderStatus, WorkOrder
from tests.kernel_app.workflow import ORDER_FLOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(world) -> WorkOrder:
    return WorkOrder.objects.create(enterprise=world.enterprise_a, region=world.enterprise_a.region, title="动火作业")


def api_post(client, user, path, data, *, json_body=True):
    _token, key = api_token_create(user=user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if json_body:
        return client.post(path, json.dumps(data), content_type="application/json", **headers)
    return client.post(path, data, **headers)


def test_the_detail_page_offers_exactly_the_allowed_actions(client, world, order):
    detail = reverse("kernel_app:work-orders-detail", args=[order.pk])
    approve = reverse("kernel_app:work-orders-approve", args=[order.pk])
    client.force_login(world.district_admin)
    page = client.get(detail).content.decode()
    assert approve in page
    assert reverse("kernel_app:work-orders-close", args=[order.pk]) not in page  # wrong state
    client.force_login(world.enterprise_admin_a)
    assert approve not in client.get(detail).content.decode()  # wrong role


def test_a_page_action_moves_the_record_with_a_transition_row_and_an_audit_entry(client, world, order):
    client.force_login(world.district_admin)
    url = reverse("kernel_app:work-orders-approve", args=[order.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="version" value="0"' in form.content.decode()
    response = client.post(url, {"note": "同意", "version": 0})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.version, order.approval_note) == (OrderStatus.APPROVED, 1, "同意")
    row = WorkflowTransition.objects.get(model="kernel_app.workorder", object_id=str(order.pk))
    assert (row.action, row.from_state, row.to_state, row.actor) == (
        "approve",
        "draft",
        "approved",
        world.district_admin,
    )
    entry = AuditEntry.objects.filter(model="kernel_app.workorder", object_id=str(order.pk)).latest("seq")
    assert entry.action == "approve"
    assert entry.changes["status"] == ["待审批", "已批准"]
    assert list(ORDER_FLOW.history(order)) == [row]


def test_page_refusals_answer_400_and_change_nothing(client, world, order):
    url = reverse("kernel_app:work-orders-approve", args=[order.pk])
    client.force_login(world.enterprise_admin_a)
    refused = client.get(url)
    assert "您无权对该工单执行此操作" in refused.content.decode()
    assert client.post(url, {"note": "自己批", "version": 0}).status_code == 400
    client.force_login(world.district_admin)
    empty = client.post(url, {"note": "", "version": 0})
    assert empty.status_code == 400
    stale = client.post(url, {"note": "同意", "version": 7})
    assert "该工单已被他人处理，请刷新后重试" in stale.content.decode()
    order.refresh_from_db()
    assert (order.status, order.version) == (OrderStatus.DRAFT, 0)
    assert not WorkflowTransition.objects.exists()


def test_htmx_gets_the_action_panel_fragment(client, world, order):
    client.force_login(world.district_admin)
    url = reverse("kernel_app:work-orders-approve", args=[order.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="action-form"' in fragment
    assert "<html" not in fragment


def test_the_api_route_runs_the_same_form_and_service(client, world, order):
    path = f"/api/v1/work-orders/{order.pk}/approve/"
    missing = api_post(client, world.district_admin, path, {})
    assert missing.status_code == 400
    assert "note" in missing.json()["errors"]
    unknown = api_post(client, world.district_admin, path, {"note": "同意", "colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["errors"]
    stale = api_post(client, world.district_admin, path, {"note": "同意", "expected_version": 3})
    assert stale.status_code == 409
    refused = api_post(client, world.enterprise_admin_a, path, {"note": "同意"})
    assert refused.status_code == 400
    assert refused.json()["errors"]["__all__"] == ["您无权对该工单执行此操作"]
    done = api_post(client, world.district_admin, path, {"note": "同意", "expected_version": 0})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "approved"
    again = api_post(client, world.district_admin, path, {"note": "再批"})
    assert again.status_code == 400
    assert "不能批准" in again.json()["errors"]["__all__"][0]
    closed = api_post(client, world.enterprise_admin_a, f"/api/v1/work-orders/{order.pk}/close/", {}, json_body=False)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_outsiders_get_404_from_the_api_and_change_nothing(client, world, order):
    for outsider in (world.town_admin_b, world.enterprise_admin_b):
        response = api_post(client, outsider, f"/api/v1/work-orders/{order.pk}/approve/", {"note": "越权"})
        assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_openapi_documents_each_action_with_its_body(client, world):
    schema = client.get("/api/v1/schema/").json()
    operation = schema["paths"]["/api/v1/work-orders/{pk}/approve/"]["post"]
    assert operation["operationId"] == "work-orders_approve"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["note"]
    assert set(body["properties"]) == {"note", "expected_version"}
    assert set(operation["responses"]) >= {"200", "400", "404", "409"}


def test_the_scope_walk_claims_the_action_routes():
    names = get("work-orders").object_routes()
    assert "kernel_app:work-orders-approve" in names and "kernel_app:work-orders-close" in names


def test_a_job_moves_as_the_system_without_scope_or_guard(world, order):
    ORDER_FLOW.move(actor=None, record=order.pk, name="approve", change=lambda o: None)
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_a_collection_action_makes_a_record_from_the_page_and_the_api(client, world):
    url = reverse("kernel_app:work-orders-open")
    client.force_login(world.enterprise_admin_a)
    assert url in client.get(reverse("kernel_app:work-orders-list")).content.decode()  # the list's button
    assert client.get(url).status_code == 200
    response = client.post(url, {"enterprise": world.enterprise_a.pk, "title": "受限空间"})
    order = WorkOrder.objects.get(title="受限空间")
    assert response.status_code == 302 and response.url == reverse("kernel_app:work-orders-detail", args=[order.pk])
    assert AuditEntry.objects.filter(model="kernel_app.workorder", object_id=str(order.pk), action="create").exists()
    # Another enterprise is not among the choices: a field error, nothing made.
    refused = client.post(url, {"enterprise": world.enterprise_b.pk, "title": "越权"})
    assert refused.status_code == 400 and not WorkOrder.objects.filter(title="越权").exists()
    made = api_post(
        client, world.town_admin_a, "/api/v1/work-orders/open/", {"enterprise": world.enterprise_a.pk, "title": "吊装"}
    )
    assert made.status_code == 201 and made.json()["title"] == "吊装"
    outside = api_post(
        client, world.town_admin_b, "/api/v1/work-orders/open/", {"enterprise": world.enterprise_a.pk, "title": "越权"}
    )
    assert outside.status_code == 400 and "enterprise" in outside.json()["errors"]
    schema = client.get("/api/v1/schema/").json()
    assert schema["paths"]["/api/v1/work-orders/open/"]["post"]["operationId"] == "work-orders_open"


def test_who_may_not_take_a_collection_action_gets_404(client, world):
    from anjian.core.roles import Role
    from anjian.enterprises.tests.factories import enterprise_user

    pending = enterprise_user(world.enterprise_a, role=Role.PENDING, username="pending_x")
    client.force_login(pending)
    assert client.get(reverse("kernel_app:work-orders-open")).status_code == 404
    assert api_post(client, world.platform_admin, "/api/v1/work-orders/open/", {"title": ""}).status_code == 400


def test_number_fields_are_numbers_in_the_openapi_body():
    from django import forms

    from anjian.core.actions import Action, body_schema

    class Measure(forms.Form):
        reading = forms.DecimalField(max_digits=6, decimal_places=2)
        count = forms.IntegerField()

    schema = body_schema(Action("measure", form=Measure), files=False)["properties"]
    assert schema["reading"]["type"] == "number" and schema["count"]["type"] == "integer"
