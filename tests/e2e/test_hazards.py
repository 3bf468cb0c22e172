"""The hazard loop in a real browser on a phone: a worker reports with a photo, the safety officer
assigns it back to him, he rectifies with an after-photo, the officer accepts; the town sees it
closed this month and the other town does not."""

import struct
import zlib

import pytest

from anjian.core.roles import Role
from anjian.core.tests.factories import DEFAULT_PASSWORD
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards.models import Hazard, HazardCategory, HazardStatus
from anjian.hazards.reference_data import load_categories
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TAICANG = {"latitude": 31.4497, "longitude": 121.1003}


def png(width: int = 96, height: int = 72, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A small solid-colour PNG made in memory (what a phone camera would send, in miniature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def phone(new_page, username: str, located: bool = False):
    page = new_page(viewport=PHONE)
    if located:
        page.context.grant_permissions(["geolocation"])
        page.context.set_geolocation(TAICANG)
    login(page, username, DEFAULT_PASSWORD)
    return page


def test_report_assign_rectify_accept_on_a_phone(new_page, e2e_world):
    world = e2e_world
    load_categories(HazardCategory)  # a transactional test before this one flushed the reference tables
    worker = world.employee_a
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a", display_name="王安全")

    # The worker reports from his phone, with a photo and the phone's position.
    page = phone(new_page, worker.username, located=True)
    shot(page, "hazard-01-worker-home-phone")
    page.click("#home-report")
    page.wait_for_selector("#report-form")
    page.fill("#id_place", "二号车间配电房")
    page.select_option("#id_category", label="电气安全")
    page.fill("#id_description", "配电箱门缺失，线路裸露")
    page.set_input_files("#id_photos", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png()}])
    page.wait_for_selector("#id_photos-previews img")
    page.wait_for_function("document.querySelector('[data-geo-status]').classList.contains('text-success')")
    shot(page, "hazard-02-report-form-phone")
    page.click("#report-submit")
    page.wait_for_selector("#object-title")
    hazard = Hazard.objects.get()
    assert page.inner_text("#object-title") == "二号车间配电房"
    assert hazard.latitude == pytest.approx(TAICANG["latitude"])
    assert page.is_visible("#photos-before img")
    assert page.is_visible("#no-action")  # an employee does not assign
    shot(page, "hazard-03-reported-detail-phone")

    # The safety officer assigns it to the worker, in the page's action panel.
    boss = phone(new_page, officer.username)
    boss.click("#home-mine")
    boss.wait_for_selector("#section-to-assign")
    boss.click(f"#section-to-assign a[href='/hazards/{hazard.pk}/assign/']")
    boss.wait_for_selector("#action-assign-form")
    assert not boss.is_visible("#plan-fields")  # a general hazard needs no governance plan
    boss.click("label[for=id_level_1]")  # 重大隐患: the plan appears …
    assert boss.is_visible("#plan-fields")
    boss.click("label[for=id_level_0]")  # … and goes again for a general one
    assert not boss.is_visible("#plan-fields")
    boss.select_option("#id_responsible", str(worker.pk))
    boss.fill("#id_measures", "更换箱门，线路穿管")
    shot(boss, "hazard-04-assign-form-phone")
    boss.click("#action-submit")
    boss.wait_for_selector("#hazard-responsible")
    assert "整改中" in boss.inner_text("#hazard-status")

    # The worker finds his task and rectifies it with an after-photo.
    page.goto("/")
    page.click("#home-mine")
    page.wait_for_selector("#section-tasks .hazard-card")
    shot(page, "hazard-05-my-tasks-phone")
    page.click(f"#section-tasks a[href='/hazards/{hazard.pk}/rectify/']")
    page.wait_for_selector("#action-rectify-form")
    page.fill("#id_rectification", "已更换箱门，线路穿管敷设")
    page.fill("#id_cost", "350")
    page.set_input_files(
        "#id_photos", files=[{"name": "整改后.png", "mimeType": "image/png", "buffer": png(rgb=(40, 160, 80))}]
    )
    page.wait_for_selector("#id_photos-previews img")
    shot(page, "hazard-06-rectify-form-phone")
    page.click("#action-submit")
    page.wait_for_selector("#photos-after img")
    assert "待验收" in page.inner_text("#hazard-status")

    # The officer accepts: the loop is closed.
    boss.reload()
    boss.click("#action-accept")
    boss.wait_for_selector("#action-accept-form")
    boss.fill("#id_comment", "验收合格")
    boss.click("#action-submit")
    boss.wait_for_function("document.querySelector('#hazard-status').innerText.includes('已销号')")
    assert boss.locator("#timeline > li").count() == 4
    shot(boss, "hazard-07-closed-detail-phone")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED and hazard.verified_by == officer

    # The town officer sees it among this month's closures; the other town does not.
    town = phone(new_page, world.town_admin_a.username)
    town.click(".navbar-toggler")  # the menu folds away on a phone
    town.click("#mainnav >> text=隐患排查")
    town.wait_for_selector("#hazard-tabs #count-closed_month")
    assert town.inner_text("#count-closed_month") == "1"
    town.click("#tab-closed_month")
    town.wait_for_selector("#resource-table")
    assert "二号车间配电房" in town.inner_text("#resource-table")
    shot(town, "hazard-08-town-list-phone")
    other = phone(new_page, world.town_admin_b.username)
    other.goto("/hazards/?view=closed_month")
    assert "二号车间配电房" not in other.inner_text("#resource-table")
    assert other.goto(f"/hazards/{hazard.pk}/").status == 404
