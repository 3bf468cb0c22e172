"""The four-colour map in a real browser: an enterprise admin draws a zone on his site plan with
the mouse, ticks an assessed 较大 risk point, saves, and the zone is painted orange by the colour
the server computed, before and after a reload; on a touch screen a zone is drawn by taps."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anjian.core.tests.factories import DEFAULT_PASSWORD
from anjian.risks import reference_data, services
from anjian.risks.models import MeasureKind, RiskBand, RiskBandVersion, RiskZone
from anjian.risks.tests.factories import risk_chain
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORANGE = "rgb(255, 140, 0)"  # FILLS["orange"] of anjian.risks.plan_views
GREY = "rgb(158, 158, 158)"


def plan_image(width: int = 800, height: int = 500) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (235, 240, 245)).save(buffer, format="PNG")
    return SimpleUploadedFile("厂区总平面图.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def plan_setup(e2e_world):
    world = e2e_world
    # a transactional test before this one flushed the reference tables the migrations filled
    reference_data.load_risk_bands(RiskBand, RiskBandVersion)
    reference_data.load_measure_kinds(MeasureKind)
    point = risk_chain(world.enterprise_admin_a, world.enterprise_a).risk_point  # LEC 270 → 较大
    assert point.level == "high"
    plan = services.site_plan_create(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, title="厂区总平面图", image=plan_image()
    )
    return world, plan, point


def _click_at(page, fractions, tap: bool = False):
    box = page.locator("#plan-svg").bounding_box()
    for fx, fy in fractions:
        x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        if tap:
            page.touchscreen.tap(x, y)
        else:
            page.mouse.click(x, y)


def _fill_of(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).fill")


def test_draw_a_zone_painted_in_its_highest_level(new_page, plan_setup):
    world, plan, point = plan_setup
    page = new_page()
    login(page, world.enterprise_admin_a.username, DEFAULT_PASSWORD)
    page.goto(f"/risks/plans/{plan.pk}/")
    page.wait_for_function("document.getElementById('plan-image').complete")
    assert page.locator("#zone-layer polygon").count() == 0

    page.click("#draw-start")
    _click_at(page, [(0.1, 0.1), (0.5, 0.12), (0.55, 0.6), (0.12, 0.55)])
    assert page.locator("#draft-layer .draft-vertex").count() == 4
    page.click("#draw-finish")
    page.fill("#zone-name", "空压机区域")
    page.check(f"#zone-point-{point.pk}")
    page.click("#zone-save")

    zone = "#zone-layer polygon[data-colour='orange']"
    page.wait_for_selector(zone)
    assert page.get_attribute(zone, "fill") == "#ff8c00"
    assert _fill_of(page, zone) == ORANGE
    assert page.locator("#draft-layer .draft-vertex").count() == 0
    assert "空压机区域" in page.inner_text("#zone-rows")
    shot(page, "site-plan-01-zone-drawn")

    saved = RiskZone.objects.get(plan=plan)
    assert saved.name == "空压机区域" and list(saved.risk_points.all()) == [point]
    assert len(saved.polygon) == 4
    assert abs(saved.polygon[0][0] - 0.1) < 0.01 and abs(saved.polygon[2][1] - 0.6) < 0.01

    page.reload()
    page.wait_for_selector(zone)
    assert _fill_of(page, zone) == ORANGE
    assert page.locator("#zone-layer text").first.text_content() == "空压机区域"
    assert page.locator("#zone-layer polygon").count() == 1


def test_draw_by_touch_and_remove(browser, live_server, plan_setup):
    world, plan, _point = plan_setup
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale="zh-CN"
    )
    try:
        page = context.new_page()
        login(page, world.enterprise_admin_a.username, DEFAULT_PASSWORD)
        page.goto(f"/risks/plans/{plan.pk}/")
        page.wait_for_function("document.getElementById('plan-image').complete")
        page.tap("#draw-start")
        _click_at(page, [(0.2, 0.2), (0.8, 0.2), (0.5, 0.8)], tap=True)
        assert page.locator("#draft-layer .draft-vertex").count() == 3
        page.tap("#draw-finish")
        page.fill("#zone-name", "办公楼")
        page.tap("#zone-save")
        zone = "#zone-layer polygon[data-colour='grey']"  # no assessed point chosen
        page.wait_for_selector(zone)
        assert _fill_of(page, zone) == GREY
        shot(page, "site-plan-02-touch")

        page.once("dialog", lambda dialog: dialog.accept())
        page.tap("#zone-rows .zone-remove")
        page.wait_for_selector("#zone-rows .zone-empty")
        assert page.locator("#zone-layer polygon").count() == 0
        assert RiskZone.objects.get(plan=plan).archived
    finally:
        context.close()
