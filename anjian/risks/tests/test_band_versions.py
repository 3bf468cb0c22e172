"""Risk bands are versioned: an edit publishes a new version, old assessments keep their level
and the version they were computed with, new ones use the new version; page and API show it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from anjian.core.models import AuditEntry
from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.risks import bands, services
from anjian.risks.models import RiskBand

pytestmark = pytest.mark.django_db


def _band(method, level):
    return bands.current_bands().get(method=method, level=level)


def test_editing_a_band_publishes_a_version_and_old_assessments_keep_theirs(client, world):
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so")
    point = services.risk_point_create(
        actor=officer, enterprise=world.enterprise_a, data={"name": "喷涂房", "kind": "area"}
    )
    old = services.risk_assess(actor=officer, risk_point=point, method="lec", likelihood=3, exposure=6, consequence=7)
    assert old.score == D("126") and old.level == "general" and old.band_version.number == 1
    version_1 = old.band_version
    general = _band("lec", "general")

    client.force_login(world.platform_admin)
    url = reverse("core:reference-edit", args=["risk-bands", general.pk])
    assert client.post(url, {"lower": "70", "upper": "120"}).status_code == 302

    # Version 2: general (70, 120], high (120, 320]; version 1 is untouched.
    assert bands.current_version("lec").number == 2
    assert (_band("lec", "general").upper, _band("lec", "high").lower) == (D("120"), D("120"))
    assert RiskBand.objects.get(band_version=version_1, level="general").upper == D("160")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "publish" and [D(v) for v in entry.changes["upper"]] == [D("160"), D("120")]

    old.refresh_from_db()
    assert old.level == "general" and old.band_version == version_1
    new = services.risk_assess(actor=officer, risk_point=point, method="lec", likelihood=3, exposure=6, consequence=7)
    assert new.level == "high" and new.band_version.number == 2
    # LS bands are a separate set, still at version 1.
    assert bands.current_version("ls").number == 1

    # The old version's rows cannot be edited any more.
    stale = reverse("core:reference-edit", args=["risk-bands", general.pk])
    assert client.get(stale).status_code == 404

    # The page and the API show which version each assessment used.
    client.force_login(officer)
    page = client.get(reverse("risks:risk-points-detail", args=[point.pk])).content.decode()
    assert "第1版" in page and "第2版" in page
    from anjian.core.api_auth import api_token_create

    _token, key = api_token_create(user=officer)
    body = client.get(f"/api/v1/risk-points/{point.pk}/assessments/", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert sorted(item["band_version"] for item in body["items"]) == [1, 2]


@pytest.mark.parametrize(
    ("level", "data", "field"),
    [
        ("general", {"lower": "70", "upper": "60"}, "upper"),  # empty band
        ("general", {"lower": "70", "upper": "400"}, "upper"),  # swallows the band above
        ("general", {"lower": "0", "upper": "160"}, "lower"),  # swallows the band below
        ("low", {"lower": "5", "upper": "70"}, "lower"),  # the lowest band starts where it starts
        ("general", {"lower": "abc", "upper": "160"}, "lower"),
    ],
)
def test_bad_bounds_are_refused_and_publish_nothing(client, world, level, data, field):
    band = _band("lec", level)
    client.force_login(world.platform_admin)
    audits = AuditEntry.objects.count()
    response = client.post(reverse("core:reference-edit", args=["risk-bands", band.pk]), data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert bands.current_version("lec").number == 1 and AuditEntry.objects.count() == audits


def test_bands_cannot_be_created_or_deactivated(client, world):
    band = _band("ls", "low")
    client.force_login(world.platform_admin)
    assert client.get(reverse("core:reference-create", args=["risk-bands"])).status_code == 404
    assert (
        client.post(reverse("core:reference-toggle", args=["risk-bands", band.pk]), {"active": "0"}).status_code == 404
    )
