"""The four-colour map's doors: the upload page, the plan page and the zones JSON endpoint.
The services are tested in test_control.py; here the pages, the JSON and the scope."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anjian.core.models import Attachment
from anjian.hazards.tests.factories import PNG_BYTES, photo
from anjian.risks import services
from anjian.risks.models import RiskZone, SitePlan
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db

NEW = reverse("risks:site-plans-new")
SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]


@pytest.fixture
def plan(world):
    return services.site_plan_create(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, title="厂区总平面图", image=photo()
    )


def zones_url(plan):
    return reverse("risks:site-plan-zones", args=[plan.pk])


def post_json(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def assessed(world, level):
    """A risk point of enterprise A assessed at ``level`` (LEC values of each band)."""
    values = {
        "major": ("lec", "10", "6", "40"),  # 2400
        "high": ("lec", "3", "6", "15"),  # 270
        "general": ("lec", "3", "6", "7"),  # 126
        "low": ("lec", "1", "6", "3"),  # 18
    }[level]
    point = risk_chain(world.enterprise_admin_a, world.enterprise_a, level=values).risk_point
    assert point.level == level
    return point


# --- upload --------------------------------------------------------------------------------------


def test_upload_page_creates_the_plan_and_opens_it(client, world):
    client.force_login(world.enterprise_admin_a)
    assert client.get(NEW).status_code == 200
    upload = SimpleUploadedFile("总图.png", PNG_BYTES, content_type="image/png")
    response = client.post(NEW, {"title": "一号厂区", "image": upload})
    assert response.status_code == 302
    plan = SitePlan.objects.get(title="一号厂区")
    assert plan.enterprise == world.enterprise_a
    assert plan.image is not None and plan.width > 0 and plan.height > 0
    assert response.url == reverse("risks:site-plans-detail", args=[plan.pk])
    page = client.get(response.url).content.decode()
    # the image through the scoped attachment download, the overlay in plan pixels
    assert reverse("core:attachment-download", args=[plan.image_id]) in page
    assert f'viewBox="0 0 {plan.width} {plan.height}"' in page
    assert 'id="draw-start"' in page


def test_a_text_file_renamed_png_is_refused_and_nothing_saved(client, world):
    client.force_login(world.enterprise_admin_a)
    attachments = Attachment.objects.count()
    fake = SimpleUploadedFile("总图.png", "这不是图片".encode(), content_type="image/png")
    response = client.post(NEW, {"title": "一号厂区", "image": fake})
    assert response.status_code == 400
    assert "无法识别的图片" in response.content.decode()
    assert not SitePlan.objects.exists()
    assert Attachment.objects.count() == attachments


def test_upload_needs_an_editor(client, world):
    for user in (world.employee_a, world.town_admin_a, world.district_admin):
        client.force_login(user)
        assert client.get(NEW).status_code == 404
    client.force_login(world.enterprise_admin_a)
    assert NEW in client.get(reverse("risks:site-plans-list")).content.decode()


def test_platform_admin_picks_an_enterprise(client, world):
    client.force_login(world.platform_admin)
    response = client.post(NEW, {"enterprise": world.enterprise_b.pk, "title": "总图", "image": photo()})
    assert response.status_code == 302
    assert SitePlan.objects.get().enterprise == world.enterprise_b


# --- zones ---------------------------------------------------------------------------------------


def test_zone_saved_and_coloured_by_the_highest_level(client, world, plan):
    high, low = assessed(world, "high"), assessed(world, "low")
    client.force_login(world.enterprise_admin_a)
    assert client.get(zones_url(plan)).json() == {"zones": []}
    response = post_json(
        client, zones_url(plan), {"name": "压缩机房", "polygon": SQUARE, "risk_points": [low.pk, high.pk]}
    )
    assert response.status_code == 201
    zone = response.json()["zone"]
    assert zone["level"] == "high" and zone["colour"] == "orange"
    assert {p["id"] for p in zone["risk_points"]} == {high.pk, low.pk}
    listed = client.get(zones_url(plan)).json()["zones"]
    assert [(z["name"], z["colour"], z["polygon"]) for z in listed] == [("压缩机房", "orange", SQUARE)]
    # a major point added to the zone turns it red; a zone without assessed points is grey
    major = assessed(world, "major")
    response = post_json(
        client,
        zones_url(plan),
        {"zone": zone["id"], "name": "压缩机房", "polygon": SQUARE, "risk_points": [low.pk, major.pk]},
    )
    assert response.status_code == 200 and response.json()["zone"]["colour"] == "red"
    response = post_json(client, zones_url(plan), {"name": "办公楼", "polygon": SQUARE, "risk_points": []})
    assert response.json()["zone"]["colour"] == "grey"
    page = client.get(reverse("risks:site-plans-detail", args=[plan.pk])).content.decode()
    assert 'data-colour="red"' in page and "办公楼" in page


def test_zone_archived(client, world, plan):
    client.force_login(world.enterprise_admin_a)
    zone_id = post_json(client, zones_url(plan), {"name": "仓库", "polygon": SQUARE}).json()["zone"]["id"]
    response = post_json(client, zones_url(plan), {"archive": zone_id})
    assert response.status_code == 200 and response.json() == {"zones": []}
    assert RiskZone.objects.get(pk=zone_id).archived
    assert post_json(client, zones_url(plan), {"archive": zone_id}).status_code == 404


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        ([[0.1, 0.1], [0.5, 0.5]], "区域至少需要三个顶点"),
        ([[0.1, 0.1], [1.2, 0.1], [0.5, 0.5]], "区域顶点须在平面图内"),
        ([[0.1, -0.01], [0.5, 0.1], [0.5, 0.5]], "区域顶点须在平面图内"),
        ("0.1,0.1 0.5,0.1 0.5,0.5", "区域边界格式无效"),
    ],
)
def test_bad_polygon_is_refused_and_nothing_saved(client, world, plan, polygon, message):
    client.force_login(world.enterprise_admin_a)
    response = post_json(client, zones_url(plan), {"name": "罐区", "polygon": polygon})
    assert response.status_code == 400
    assert response.json()["errors"]["polygon"] == [message]
    assert not RiskZone.objects.exists()


def test_missing_name_and_bad_json_are_refused(client, world, plan):
    client.force_login(world.enterprise_admin_a)
    response = post_json(client, zones_url(plan), {"name": " ", "polygon": SQUARE})
    assert response.status_code == 400 and "name" in response.json()["errors"]
    response = client.post(zones_url(plan), data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]["__all__"]
    assert not RiskZone.objects.exists()


def test_a_point_of_another_enterprise_is_refused(client, world, plan):
    other = risk_chain(world.enterprise_admin_b, world.enterprise_b).risk_point
    client.force_login(world.enterprise_admin_a)
    response = post_json(client, zones_url(plan), {"name": "罐区", "polygon": SQUARE, "risk_points": [other.pk]})
    assert response.status_code == 400
    assert response.json()["errors"]["risk_points"] == ["请选择本企业的风险点"]
    assert not RiskZone.objects.exists()


def test_a_zone_of_another_plan_cannot_be_touched(client, world, plan):
    other = services.site_plan_create(
        actor=world.enterprise_admin_b, enterprise=world.enterprise_b, title="乙厂总图", image=photo()
    )
    theirs = services.risk_zone_save(actor=world.enterprise_admin_b, plan=other, data={"name": "乙", "polygon": SQUARE})
    client.force_login(world.enterprise_admin_a)
    assert post_json(client, zones_url(plan), {"archive": theirs.pk}).status_code == 404
    payload = {"zone": theirs.pk, "name": "改", "polygon": SQUARE}
    assert post_json(client, zones_url(plan), payload).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "乙" and not theirs.archived


def test_government_reads_but_cannot_draw(client, world, plan):
    zone = services.risk_zone_save(actor=world.enterprise_admin_a, plan=plan, data={"name": "仓库", "polygon": SQUARE})
    for user in (world.town_admin_a, world.district_admin, world.grid_inspector_a):
        client.force_login(user)
        assert client.get(zones_url(plan)).json()["zones"][0]["name"] == "仓库"
        page = client.get(reverse("risks:site-plans-detail", args=[plan.pk])).content.decode()
        assert "仓库" in page and 'id="draw-start"' not in page and 'id="zone-form"' not in page
        response = post_json(client, zones_url(plan), {"name": "新区", "polygon": SQUARE})
        assert response.status_code == 403 and response.json()["errors"]["__all__"]
        assert post_json(client, zones_url(plan), {"archive": zone.pk}).status_code == 403
    assert list(RiskZone.objects.values_list("name", "archived")) == [("仓库", False)]


@pytest.mark.parametrize("outsider", ["enterprise_admin_b", "town_admin_b"])
def test_outsiders_get_404_on_every_route(client, world, plan, outsider):
    zone = services.risk_zone_save(actor=world.enterprise_admin_a, plan=plan, data={"name": "仓库", "polygon": SQUARE})
    client.force_login(getattr(world, outsider))
    urls = [reverse("risks:site-plans-detail", args=[plan.pk]), zones_url(plan)]
    urls.append(reverse("core:attachment-download", args=[plan.image_id]))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert post_json(client, zones_url(plan), {"name": "篡改", "polygon": SQUARE}).status_code == 404
    assert post_json(client, zones_url(plan), {"archive": zone.pk}).status_code == 404
    zone.refresh_from_db()
    assert zone.name == "仓库" and not zone.archived
    assert RiskZone.objects.count() == 1
