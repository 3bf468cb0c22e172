"""The pages that run an inspection on a phone: start, one item per screen, the list, sign and
submit, my inspections, the detail page. The services are tested in test_services.py; here we
test the doors (and that they leave the rules to the services)."""

import base64
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.core.attachments import attachments_for
from anjian.core.models import Attachment
from anjian.hazards.models import Hazard, HazardSource
from anjian.hazards.tests.factories import PNG_BYTES, photo
from anjian.inspections import services
from anjian.inspections.models import AnswerResult, Inspection, InspectionAnswer, InspectionStatus
from anjian.inspections.tests.factories import make_checklist

pytestmark = pytest.mark.django_db

START = reverse("inspections:inspection-start")
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()


def run_url(inspection, position=None):
    args = [inspection.pk] if position is None else [inspection.pk, position]
    return reverse("inspections:inspection-run", args=args)


def submit_url(inspection):
    return reverse("inspections:inspections-submit", args=[inspection.pk])


def detail_url(inspection):
    return reverse("inspections:inspections-detail", args=[inspection.pk])


def start_url(enterprise):
    return reverse("inspections:inspection-start-enterprise", args=[enterprise.pk])


@pytest.fixture
def checklist(world):
    return make_checklist()


@pytest.fixture
def draft(world, checklist):
    """A grid patrol of enterprise A by its grid inspector."""
    return services.inspection_start(actor=world.grid_inspector_a, enterprise=world.enterprise_a, template=checklist)


def answer_all(actor, inspection):
    items = list(inspection.checklist_version.items.order_by("position"))
    services.inspection_answer(actor=actor, inspection=inspection, item=items[0], result="pass")
    services.inspection_answer(actor=actor, inspection=inspection, item=items[1], number_value=Decimal("2"))
    services.inspection_answer(actor=actor, inspection=inspection, item=items[2], result="pass", photos=[photo()])


def text(response) -> str:
    return response.content.decode()


# --- the whole flow ---------------------------------------------------------------------------


def test_start_answer_each_item_sign_and_submit(client, world, checklist):
    client.force_login(world.grid_inspector_a)

    # Choose the enterprise by a search (htmx fragment), then the checklist; the kind is shown.
    picker = reverse("enterprises:picker")
    found = client.get(
        picker, {"q": "城厢", "link": "inspections:inspection-start-enterprise"}, headers={"HX-Request": "true"}
    )
    assert found.status_code == 200 and world.enterprise_a.name in text(found)
    assert "<html" not in text(found) and f'href="{start_url(world.enterprise_a)}"' in text(found)
    assert world.enterprise_a.name in text(client.get(START, {"q": "城厢"}))  # the same without script
    assert world.enterprise_b.name not in text(client.get(START, {"q": "沙溪"}))  # another town's
    page = client.get(start_url(world.enterprise_a))
    assert page.status_code == 200
    assert re.search(rf'value="{checklist.pk}".*?配电房体检卡.*?3 项.*?v1</span>', text(page), re.S)
    assert "网格巡查" in text(page)
    response = client.post(
        start_url(world.enterprise_a),
        {"template": checklist.pk, "kind": "grid_patrol", "latitude": "31.4497", "longitude": "121.1003"},
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(inspection, 1)
    assert inspection.inspector == world.grid_inspector_a and inspection.latitude == pytest.approx(31.4497)

    # Item 1: a failure needs a note or a photo; with both it is saved and the next item opens.
    page = client.get(run_url(inspection, 1))
    assert "第 1/3 项" in text(page) and 'capture="environment"' in text(page)
    refused = client.post(run_url(inspection, 1), {"result": "fail"})
    assert refused.status_code == 400 and "不合格项请写明情况或拍照" in text(refused)
    assert not InspectionAnswer.objects.exists()
    response = client.post(
        run_url(inspection, 1),
        {"result": "fail", "note": "箱门缺失", "photos": [photo()], "latitude": "31.45", "longitude": "121.1"},
    )
    assert response.status_code == 302 and response["Location"] == run_url(inspection, 2)
    first = InspectionAnswer.objects.get(item__position=1)
    assert first.result == AnswerResult.FAIL and first.latitude == pytest.approx(31.45)
    assert attachments_for(first).count() == 1

    # Item 2: a number with its range; 12 Ω is outside 0–4 and becomes a failure.
    page = client.get(run_url(inspection, 2))
    assert "0 – 4 Ω" in text(page) and 'data-max="4.000"' in text(page)
    assert client.post(run_url(inspection, 2), {"result": ""}).status_code == 400  # no value
    response = client.post(run_url(inspection, 2), {"result": "", "number_value": "12"})
    assert response["Location"] == run_url(inspection, 3)
    assert InspectionAnswer.objects.get(item__position=2).result == AnswerResult.FAIL

    # Item 3 needs a photo; after the last item, all answered, signing comes next.
    refused = client.post(run_url(inspection, 3), {"result": "pass"})
    assert refused.status_code == 400 and "此项须拍照" in text(refused)
    response = client.post(run_url(inspection, 3), {"result": "pass", "photos": [photo()]})
    assert response["Location"] == submit_url(inspection)

    # The list shows every item's state.
    listing = text(client.get(reverse("inspections:inspection-run-list", args=[inspection.pk])))
    assert listing.count("不合格</span>") == 2 and "12 Ω" in listing

    # Sign (a PNG drawn on the canvas) and submit: two failures become two linked hazards.
    page = text(client.get(submit_url(inspection)))
    assert re.search(r'id="count-pass">1<', page) and re.search(r'id="count-fail">2<', page)
    unsigned = client.post(submit_url(inspection), {"signed_by": "王网格", "summary": "配电房问题两处"})
    assert unsigned.status_code == 400 and "请在框内手写签名" in text(unsigned)
    response = client.post(
        submit_url(inspection), {"signed_by": "王网格", "summary": "配电房问题两处", "signature_data": SIGNATURE}
    )
    assert response.status_code == 302 and response["Location"] == detail_url(inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED and inspection.signed_by == "王网格"
    assert attachments_for(inspection).get().content_type == "image/png"
    hazards = list(Hazard.objects.order_by("pk"))
    assert len(hazards) == 2 and all(h.source == HazardSource.PATROL for h in hazards)
    assert hazards[0].inspection_answer == first

    # The detail page: counts, photos, signature, and each failure's hazard with its status.
    page = text(client.get(detail_url(inspection)))
    assert "形成隐患 2 条" in page and 'id="inspection-signature"' in page
    for hazard in hazards:
        assert reverse("hazards:hazards-detail", args=[hazard.pk]) in page
    assert "箱门缺失" in page and "测量值 12 Ω" in page
    assert page.count("attachment-photos") == 2
    # … and the hazard links back to the inspection and its item.
    hazard_page = text(client.get(reverse("hazards:hazards-detail", args=[hazards[0].pk])))
    assert 'id="hazard-inspection"' in hazard_page and detail_url(inspection) in hazard_page
    assert "第1项" in hazard_page


def test_the_run_page_resumes_at_the_first_open_item(client, world, draft):
    item = draft.checklist_version.items.get(position=1)
    services.inspection_answer(actor=world.grid_inspector_a, inspection=draft, item=item, result="pass")
    client.force_login(world.grid_inspector_a)
    page = text(client.get(run_url(draft)))
    assert "第 2/3 项" in page and "接地电阻" in page
    mine = text(client.get(reverse("inspections:inspection-mine")))
    assert world.enterprise_a.name in mine and "1/3" in mine and run_url(draft) in mine


def test_not_applicable_needs_no_value_or_photo(client, world, draft):
    client.force_login(world.grid_inspector_a)
    assert client.post(run_url(draft, 2), {"result": "na"}).status_code == 302
    assert client.post(run_url(draft, 3), {"result": "na"}).status_code == 302
    assert set(InspectionAnswer.objects.values_list("result", flat=True)) == {AnswerResult.NA}


def test_submit_lists_what_is_missing_with_links(client, world, draft):
    item = draft.checklist_version.items.get(position=1)
    services.inspection_answer(actor=world.grid_inspector_a, inspection=draft, item=item, result="pass")
    client.force_login(world.grid_inspector_a)
    page = text(client.get(submit_url(draft)))
    assert "还有 2 项未检查" in page and f'href="{run_url(draft, 3)}"' in page
    response = client.post(submit_url(draft), {"signed_by": "王网格", "signature_data": SIGNATURE})
    assert response.status_code == 400
    errors = re.search(r'id="item-errors".*?</ul>', text(response), re.S).group(0)
    assert f'<a class="alert-link" href="{run_url(draft, 2)}">第2项未检查</a>' in errors
    assert f'href="{run_url(draft, 3)}"' in errors
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    assert not Attachment.objects.filter(owner_model="inspections.inspection").exists()


def test_a_bad_signature_is_refused(client, world, draft):
    answer_all(world.grid_inspector_a, draft)
    client.force_login(world.grid_inspector_a)
    for bad in ("data:image/png;base64,bm90IGEgcG5n", "data:image/png;base64,@@@", "data:text/html,<b>"):
        response = client.post(submit_url(draft), {"signed_by": "王网格", "signature_data": bad})
        assert response.status_code == 400 and "签名图片无效" in text(response)
    assert Inspection.objects.get().status == InspectionStatus.DRAFT


# --- who may write ----------------------------------------------------------------------------


def test_only_the_inspector_answers_others_read(client, world, draft):
    client.force_login(world.district_admin)  # sees it, did not start it
    for url in (run_url(draft), run_url(draft, 1), submit_url(draft)):
        page = client.get(url)
        assert page.status_code == 200 and "只有检查人本人可以填写这次检查" in text(page)
        assert 'id="answer-form"' not in text(page) and 'id="submit-form"' not in text(page)
    refused = client.post(run_url(draft, 1), {"result": "pass"})
    assert refused.status_code == 400 and "只有检查人本人可以填写这次检查" in text(refused)
    refused = client.post(submit_url(draft), {"signed_by": "x", "signature_data": SIGNATURE})
    assert refused.status_code == 400
    assert not InspectionAnswer.objects.exists()
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    detail = text(client.get(detail_url(draft)))
    assert "检查进行中" in detail and run_url(draft) not in detail  # no "继续检查" for him


def test_outsiders_get_404_on_every_run_page(client, world, draft):
    list_url = reverse("inspections:inspection-run-list", args=[draft.pk])
    for outsider in (world.town_admin_b, world.enterprise_admin_b):
        client.force_login(outsider)
        for url in (run_url(draft), run_url(draft, 1), submit_url(draft)):
            assert client.get(url).status_code == 404
            assert client.post(url, {"result": "pass", "signed_by": "x", "photos": [photo()]}).status_code == 404
        assert client.get(list_url).status_code == 404
        assert client.post(list_url).status_code == 405  # read-only page
    assert not InspectionAnswer.objects.exists()


def test_a_missing_item_is_404(client, world, draft):
    client.force_login(world.grid_inspector_a)
    assert client.get(run_url(draft, 4)).status_code == 404
    assert client.post(run_url(draft, 4), {"result": "pass"}).status_code == 404


def test_submitted_inspections_are_read_only(client, world, draft):
    answer_all(world.grid_inspector_a, draft)
    services.inspection_submit(actor=world.grid_inspector_a, inspection=draft, signed_by="王网格")
    client.force_login(world.grid_inspector_a)
    page = text(client.get(run_url(draft, 1)))
    assert "这次检查已提交，不能再修改" in page and 'id="answer-form"' not in page
    refused = client.post(run_url(draft, 1), {"result": "fail", "note": "改"})
    assert refused.status_code == 400 and "这次检查已提交" in text(refused)
    assert InspectionAnswer.objects.get(item__position=1).result == AnswerResult.PASS
    assert client.post(submit_url(draft), {"signed_by": "x", "signature_data": SIGNATURE}).status_code == 400
    detail = text(client.get(detail_url(draft)))
    assert "签名提交" not in detail and "继续检查" not in detail


# --- start ------------------------------------------------------------------------------------


def test_an_enterprise_starts_only_its_own_self_check(client, world, checklist):
    client.force_login(world.enterprise_admin_a)
    page = text(client.get(START))
    assert world.enterprise_a.name in page and "企业自查" in page and 'id="enterprise-search"' not in page
    assert client.get(start_url(world.enterprise_b)).status_code == 404
    assert client.post(start_url(world.enterprise_b), {"template": checklist.pk}).status_code == 404
    response = client.post(START, {"template": checklist.pk, "kind": "self_check"})
    assert response.status_code == 302
    assert Inspection.objects.get().kind == "self_check"


def test_start_refuses_a_checklist_that_does_not_apply(client, world, checklist):
    other = services.checklist_create(actor=world.enterprise_admin_b, name="沙溪日检", items=[{"text": "通道"}])
    client.force_login(world.grid_inspector_a)
    response = client.post(start_url(world.enterprise_a), {"template": other.pk, "kind": "grid_patrol"})
    assert response.status_code == 400 and "该体检卡不适用于此企业" in text(response)
    response = client.post(start_url(world.enterprise_a), {"template": checklist.pk, "kind": "self_check"})
    assert response.status_code == 400  # not the grid inspector's kind
    assert not Inspection.objects.exists()


def test_the_enterprise_page_offers_to_start(client, world, checklist):
    client.force_login(world.grid_inspector_a)
    page = text(client.get(reverse("enterprises:enterprises-detail", args=[world.enterprise_a.pk])))
    assert start_url(world.enterprise_a) in page and "开始检查" in page
    listing = text(client.get(reverse("inspections:inspections-list")))
    assert START in listing and reverse("inspections:inspection-mine") in listing


# --- versions and the detail page -------------------------------------------------------------


def test_an_old_inspection_keeps_showing_its_old_items(client, world, checklist, draft):
    answer_all(world.grid_inspector_a, draft)
    services.inspection_submit(actor=world.grid_inspector_a, inspection=draft, signed_by="王网格")
    services.checklist_publish(actor=None, template=checklist, items=[{"text": "新增：应急照明完好"}], note="修订")
    client.force_login(world.district_admin)
    page = text(client.get(detail_url(draft)))
    assert "配电箱门完好、上锁" in page and "接地电阻" in page and "v1" in page
    assert "应急照明" not in page
    checklist.refresh_from_db()
    client.force_login(world.grid_inspector_a)
    start = text(client.get(start_url(world.enterprise_a)))
    assert re.search(rf'value="{checklist.pk}".*?配电房体检卡.*?>1 项.*?v2</span>', start, re.S)
    client.post(start_url(world.enterprise_a), {"template": checklist.pk, "kind": "grid_patrol"})
    new = Inspection.objects.exclude(pk=draft.pk).get()
    page = text(client.get(run_url(new, 1)))
    assert "第 1/1 项" in page and "应急照明完好" in page
    assert "接地电阻" in text(client.get(run_url(draft, 2)))  # the old screens too


def big_checklist(n: int):
    template = make_checklist("大体检卡")
    services.checklist_publish(
        actor=None,
        template=template,
        items=[{"text": f"第{i}项内容", "photo_required": i % 3 == 0} for i in range(1, n + 1)],
    )
    template.refresh_from_db()
    return template


def test_run_and_detail_pages_run_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    template = big_checklist(30)
    inspection = services.inspection_start(
        actor=world.grid_inspector_a, enterprise=world.enterprise_a, template=template
    )
    for item in inspection.checklist_version.items.all():
        services.inspection_answer(
            actor=world.grid_inspector_a, inspection=inspection, item=item, result="fail", note="x", photos=[photo()]
        )
    client.force_login(world.grid_inspector_a)
    list_url = reverse("inspections:inspection-run-list", args=[inspection.pk])
    for url in (run_url(inspection, 5), list_url, submit_url(inspection), detail_url(inspection)):
        client.get(url)  # warm caches
    with django_assert_max_num_queries(10):
        assert client.get(run_url(inspection, 5)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(list_url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(submit_url(inspection)).status_code == 200
    services.inspection_submit(actor=world.grid_inspector_a, inspection=inspection, signed_by="王网格")
    with django_assert_max_num_queries(12):
        page = client.get(detail_url(inspection))
    assert page.status_code == 200 and text(page).count("item-hazard") == 30
    with django_assert_max_num_queries(6):
        assert client.get(reverse("inspections:inspection-mine")).status_code == 200


def test_inspection_qr_leads_to_the_start_of_that_enterprise(client, world, settings):
    from django.urls import reverse

    settings.SITE_URL = "https://anjian.example.gov.cn"
    url = reverse("inspections:inspection-start-qr", args=[world.enterprise_a.pk])
    client.force_login(world.grid_inspector_a)
    body = client.get(url).content.decode()
    start = reverse("inspections:inspection-start-enterprise", args=[world.enterprise_a.pk])
    assert f"https://anjian.example.gov.cn{start}" in body and "<svg" in body
    for outsider in (world.town_admin_b, world.enterprise_admin_a):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
