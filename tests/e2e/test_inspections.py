"""An inspection in a real browser on a phone: the grid inspector finds an enterprise and starts a
patrol there, fails the first item with a photo, measures a value in range, photographs the
photo item, signs with his finger and submits; the summary shows the one hazard it made, and the
hazard links back to the inspection."""

import pytest

from anjian.hazards.models import Hazard, HazardCategory, HazardSource
from anjian.hazards.reference_data import load_categories
from anjian.inspections.models import AnswerResult, Inspection, InspectionStatus
from anjian.inspections.tests.factories import make_checklist
from tests.e2e.conftest import shot
from tests.e2e.test_hazards import TAICANG, phone, png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign(page, selector: str = "#signature-pad") -> None:
    """Write a short scribble in the signature box, as a finger would."""
    box = page.locator(selector).bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    strokes = [
        [(0.15, 0.60), (0.22, 0.30), (0.28, 0.70), (0.34, 0.35), (0.40, 0.65)],
        [(0.50, 0.40), (0.62, 0.42), (0.56, 0.45), (0.56, 0.75)],
        [(0.70, 0.35), (0.72, 0.70), (0.85, 0.55)],
    ]
    for stroke in strokes:
        page.mouse.move(x + w * stroke[0][0], y + h * stroke[0][1])
        page.mouse.down()
        for px, py in stroke[1:]:
            page.mouse.move(x + w * px, y + h * py, steps=6)
        page.mouse.up()


def test_inspection_with_a_failed_item_and_photos_on_a_phone(new_page, e2e_world):
    world = e2e_world
    load_categories(HazardCategory)  # a transactional test before this one flushed the reference tables
    template = make_checklist()
    enterprise = world.enterprise_a

    # "开始检查" from the inspections list; the enterprise is found by a few characters of its name.
    page = phone(new_page, world.grid_inspector_a.username, located=True)
    page.goto("/inspections/")
    page.click("a[href='/inspections/start/']")
    page.wait_for_selector("#enterprise-search")
    page.fill("#enterprise-search", "城厢")
    page.wait_for_selector("#enterprise-found")
    assert "沙溪" not in page.inner_text("#enterprise-results")  # another town's enterprise
    shot(page, "inspection-00-choose-enterprise-phone")
    page.click(f"#enterprise-found a[href='/inspections/start/enterprise/{enterprise.pk}/']")
    page.wait_for_selector("#start-form")
    assert "网格巡查" in page.inner_text("#start-kind")
    if page.is_visible("#checklist-filter"):  # the starter library applies too (unless flushed before)
        page.fill("#checklist-filter", "配电房")
        assert page.locator("#checklist-choices label:visible").count() == 1
    choice = page.locator("#checklist-choices label", has=page.locator(f"input[value='{template.pk}']"))
    assert "配电房体检卡" in choice.inner_text() and "3 项" in choice.inner_text()
    choice.click()
    assert page.is_checked(f"#checklist-choices input[value='{template.pk}']")
    page.wait_for_function("document.querySelector('[data-geo-status]').classList.contains('text-success')")
    shot(page, "inspection-01-start-phone")
    page.click("#start-submit")
    page.wait_for_selector("#answer-form")
    inspection = Inspection.objects.get()
    assert inspection.latitude == pytest.approx(TAICANG["latitude"])
    assert page.inner_text("#item-progress") == "第 1/3 项"

    # Item 1 fails: a photo of the open box and a note, sent with the answer.
    page.set_input_files("#id_photos", files=[{"name": "配电箱.png", "mimeType": "image/png", "buffer": png()}])
    page.wait_for_selector("#id_photos-previews img")
    page.fill("#id_note", "配电箱门缺失，未上锁")
    page.wait_for_function("document.querySelector('[data-geo-status]').classList.contains('text-success')")
    shot(page, "inspection-02-item-fail-phone")
    page.click("#answer-fail")
    page.wait_for_function("document.querySelector('#item-progress').innerText === '第 2/3 项'")

    # Item 2 is a measurement: out of range shows as a failure before saving; in range passes.
    page.fill("#id_number_value", "12")
    assert "不合格" in page.inner_text("#number-verdict")
    assert "is-invalid" in page.get_attribute("#id_number_value", "class")
    shot(page, "inspection-03-number-out-of-range-phone")
    page.fill("#id_number_value", "3.2")
    assert "合格" in page.inner_text("#number-verdict") and "不合格" not in page.inner_text("#number-verdict")
    page.click("#answer-save")
    page.wait_for_function("document.querySelector('#item-progress').innerText === '第 3/3 项'")

    # Item 3 needs a photo: taken and sent with "合格"; then the list, then signing.
    assert "须拍照" in page.inner_text("#photo-button")
    page.set_input_files(
        "#id_photos", files=[{"name": "灭火器.png", "mimeType": "image/png", "buffer": png(rgb=(40, 160, 80))}]
    )
    page.wait_for_selector("#id_photos-previews img")
    page.click("#answer-pass")
    page.wait_for_selector("#submit-form")
    assert page.inner_text("#count-pass") == "2" and page.inner_text("#count-fail") == "1"
    assert page.inner_text("#count-open") == "0"
    page.goto(f"/inspections/{inspection.pk}/run/list/")
    assert page.locator("#item-list .badge.text-bg-danger").count() == 1
    shot(page, "inspection-04-list-phone")
    page.click("#list-submit")
    page.wait_for_selector("#submit-form")

    # Sign with a finger and submit.
    page.fill("#id_summary", "配电箱门缺失，限期整改")
    page.fill("#id_signed_by", "王网格")
    sign(page)
    page.wait_for_function("document.querySelector('#id_signature_data').value.startsWith('data:image/png')")
    assert not page.is_visible("#signature-hint")
    shot(page, "inspection-05-sign-phone")
    page.click("#submit-button")
    page.wait_for_selector("#inspection-hazards")

    # The summary: counts, one hazard made, the signature; the photos of the items.
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED and inspection.signed_by == "王网格"
    assert (inspection.passed, inspection.failed, inspection.not_applicable) == (2, 1, 0)
    assert "形成隐患 1 条" in page.inner_text("#badge-hazards")
    assert page.inner_text("#count-fail") == "1"
    assert page.is_visible("#inspection-signature")
    assert page.locator("#inspection-items .attachment-photos img").count() == 2
    page.wait_for_function("document.querySelector('#inspection-signature').naturalWidth > 0")
    shot(page, "inspection-06-summary-phone")

    # Follow the link to the hazard it made: reported by the patrol, pointing back to the item.
    hazard = Hazard.objects.get()
    answer = inspection.answers.get(item__position=1)
    assert answer.result == AnswerResult.FAIL and answer.hazard == hazard
    assert hazard.source == HazardSource.PATROL and "配电箱门缺失" in hazard.description
    page.click(f"#inspection-hazards a[href='/hazards/{hazard.pk}/']")
    page.wait_for_selector("#hazard-inspection")
    assert "第1项" in page.inner_text("#hazard-inspection")
    assert "配电箱门缺失" in page.inner_text("#hazard-description")
    shot(page, "inspection-07-hazard-phone")
    page.click("#hazard-inspection a")
    page.wait_for_selector("#inspection-items")

    # "My inspections" lists it among the recent submissions.
    page.goto("/inspections/mine/")
    assert enterprise.name in page.inner_text("#section-recent")
    shot(page, "inspection-08-mine-phone")
