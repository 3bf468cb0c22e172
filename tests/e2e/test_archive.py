"""Two roles in a real browser: each sees only his own area, in Chinese by default."""

import pytest

from anjian.core.tests.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_town_admin_sees_only_his_town(new_page, e2e_world, live_server):
    world = e2e_world
    page = new_page()
    login(page, world.town_admin_a.username, DEFAULT_PASSWORD)
    assert "城厢镇" in page.inner_text("#home-title")
    page.click("text=企业档案")
    page.wait_for_selector("#resource-table")
    table = page.inner_text("#resource-table")
    assert world.enterprise_a.name in table
    assert world.enterprise_b.name not in table
    # search through htmx without a page reload
    page.fill("#q", "精密")
    page.wait_for_function("document.querySelector('#result-count').innerText.includes('1')")
    shot(page, "town-admin-list")
    page.click(f"text={world.enterprise_a.name}")
    page.wait_for_selector("#object-title")
    assert page.inner_text("#object-title") == world.enterprise_a.name
    assert page.is_visible("text=基本信息")
    # another town's enterprise answers 404
    response = page.goto(f"/enterprises/{world.enterprise_b.pk}/")
    assert response.status == 404


def test_enterprise_admin_on_a_phone_sees_only_his_enterprise(new_page, e2e_world):
    world = e2e_world
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, world.enterprise_admin_b.username, DEFAULT_PASSWORD)
    assert page.inner_text("#home-title") == world.enterprise_b.name
    shot(page, "enterprise-admin-home-phone")
    assert page.goto(f"/enterprises/{world.enterprise_a.pk}/").status == 404
    assert page.goto("/enterprises/").status == 200
    assert world.enterprise_a.name not in page.content()


def test_language_switch_to_english(new_page, e2e_world):
    page = new_page()
    login(page, e2e_world.district_admin.username, DEFAULT_PASSWORD)
    page.click("#language-switch button")
    page.wait_for_selector("html[lang=en]")
    assert "Enterprise archive" in page.content()
