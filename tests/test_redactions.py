"""Redactions declared once on a resource (``Resource.redactions``) and applied by the kernel on
every door: a public reporter's name, phone and address stay unknown to the enterprise he
reported on the hazard page (facts and history), the API detail, list and history, and the list
page and Excel export, while the government sees them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from anjian.core.api_auth import api_token_create
from anjian.core.registry import Column
from anjian.hazards import views
from anjian.hazards.models import Hazard
from anjian.hazards.registry import HAZARD
from tests.test_scope_registry import _xlsx_text

pytestmark = pytest.mark.django_db

REPORTER = "李先生"
PHONE = "13912345678"
REPORTER_IP = "10.9.8.7"


@pytest.fixture
def public_hazard(client, world) -> Hazard:
    """A 群众举报 sent through the enterprise's QR code page, from a known address."""
    cache.clear()
    url = reverse("hazards:public-report", args=[views.public_token(world.enterprise_a.pk)])
    body = {"place": "仓库东侧", "description": "消防通道堆放杂物", "reporter_name": REPORTER, "phone": PHONE}
    response = client.post(url, body, REMOTE_ADDR=REPORTER_IP)
    assert response.status_code == 200, response.content.decode()[:500]
    cache.clear()
    hazard = Hazard.objects.get()
    assert PHONE in hazard.reporter_name
    return hazard


def _api(client, user):
    _token, key = api_token_create(user=user)
    return lambda path, params=None: client.get(path, params or {}, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize(("reader", "sees"), [("enterprise_admin_a", False), ("town_admin_a", True)])
def test_hazard_page_hides_the_reporter_from_the_enterprise(client, world, public_hazard, reader, sees):
    client.force_login(getattr(world, reader))
    response = client.get(reverse("hazards:hazards-detail", args=[public_hazard.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    history = html[html.index('id="history"') :]
    for secret in (REPORTER, PHONE, REPORTER_IP):
        assert (secret in html) is sees, secret
        assert (secret in history) is sees, f"{secret} in the history tab"


@pytest.mark.parametrize(("reader", "sees"), [("enterprise_admin_a", False), ("town_admin_a", True)])
def test_api_detail_list_and_history_hide_the_reporter_from_the_enterprise(client, world, public_hazard, reader, sees):
    get = _api(client, getattr(world, reader))
    detail = get(f"/api/v1/hazards/{public_hazard.pk}/")
    assert detail.status_code == 200
    assert (PHONE in detail.json()["reporter_name"]) is sees
    listed = get("/api/v1/hazards/")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    if not sees:  # list rows carry fewer fields; whatever they carry, never the reporter
        assert PHONE not in listed.content.decode() and REPORTER not in listed.content.decode()
    history = get(f"/api/v1/hazards/{public_hazard.pk}/history/")
    assert history.status_code == 200
    created = [entry for entry in history.json()["items"] if entry["action"] == "create"]
    assert created, "the report wrote an audit entry"
    assert ("reporter_name" in created[0]["changes"]) is sees
    assert (created[0]["ip"] == REPORTER_IP) is sees
    assert (PHONE in history.content.decode()) is sees
    assert (REPORTER_IP in history.content.decode()) is sees


@pytest.mark.parametrize(("reader", "sees"), [("enterprise_admin_a", False), ("town_admin_a", True)])
def test_list_page_and_export_hide_a_redacted_column(client, world, public_hazard, monkeypatch, reader, sees):
    """Any list column or export cell showing a redacted field is empty for that reader."""
    monkeypatch.setattr(HAZARD, "columns", [*HAZARD.columns, Column("reporter_name", "发现人")])
    client.force_login(getattr(world, reader))
    url = reverse("hazards:hazards-list")
    page = client.get(url)
    assert page.status_code == 200
    assert public_hazard.place in page.content.decode()
    assert (PHONE in page.content.decode()) is sees
    export = client.get(url, {"export": "xlsx"})
    assert export.status_code == 200
    text = _xlsx_text(export.content)
    assert public_hazard.place.encode() in text
    assert (PHONE.encode() in text) is sees


def test_redacted_copy_leaves_the_record_untouched(world, public_hazard):
    shown = HAZARD.redacted(world.enterprise_admin_a, public_hazard)
    assert shown.reporter_name == "" and shown.pk == public_hazard.pk
    assert PHONE in public_hazard.reporter_name
    public_hazard.refresh_from_db()
    assert PHONE in public_hazard.reporter_name
    assert HAZARD.redacted(world.town_admin_a, public_hazard) is public_hazard
