import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anjian.core.roles import Role
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards.models import HazardSource, HazardStatus
from anjian.hazards.tests.factories import photo
from anjian.inspections import services
from anjian.inspections.models import AnswerResult, InspectionKind, InspectionStatus, MonthlyReportStatus
from anjian.inspections.tests.factories import make_checklist

pytestmark = pytest.mark.django_db


def run(actor, enterprise, template, answers, kind=None):
    inspection = services.inspection_start(actor=actor, enterprise=enterprise, template=template, kind=kind)
    items = list(template.current_version.items.all())
    for item, (result, value, note, photos) in zip(items, answers, strict=True):
        services.inspection_answer(
            actor=actor, inspection=inspection, item=item, result=result, number_value=value, note=note, photos=photos
        )
    return inspection


def test_a_failed_item_becomes_a_linked_hazard(world):
    template = make_checklist()
    inspection = run(
        world.grid_inspector_a,
        world.enterprise_a,
        template,
        [("fail", None, "箱门缺失", [photo()]), ("", Decimal("12"), "", []), ("pass", None, "", [photo()])],
    )
    inspection = services.inspection_submit(actor=world.grid_inspector_a, inspection=inspection, signed_by="王网格")
    assert inspection.status == InspectionStatus.SUBMITTED and inspection.kind == InspectionKind.GRID_PATROL
    assert (inspection.passed, inspection.failed, inspection.not_applicable) == (1, 2, 0)
    answers = list(inspection.answers.order_by("item__position"))
    assert answers[1].result == AnswerResult.FAIL  # 12 Ω is outside 0–4
    hazards = [a.hazard for a in answers if a.hazard_id]
    assert len(hazards) == 2
    assert all(h.source == HazardSource.PATROL and h.status == HazardStatus.REPORTED for h in hazards)
    assert hazards[0].inspection_answer == answers[0]  # both ways
    assert "箱门缺失" in hazards[0].description
    from anjian.core.attachments import attachments_for

    [item_photo] = attachments_for(answers[0])
    [hazard_photo] = attachments_for(hazards[0])
    assert hazard_photo.sha256 == item_photo.sha256  # the item's photo is the hazard's evidence


def test_submit_needs_every_item_photos_and_a_signature(world):
    template = make_checklist()
    inspection = run(
        world.enterprise_admin_a,
        world.enterprise_a,
        template,
        [("pass", None, "", []), ("", Decimal("1"), "", []), ("pass", None, "", [])],
    )
    with pytest.raises(ValidationError) as exc:
        services.inspection_submit(actor=world.enterprise_admin_a, inspection=inspection, signed_by="张")
    assert "第3项须拍照" in str(exc.value)
    with pytest.raises(ValidationError):
        services.inspection_submit(actor=world.enterprise_admin_a, inspection=inspection, signed_by=" ")


def test_only_the_inspector_fills_his_draft_and_submitted_is_frozen(world):
    template = make_checklist()
    inspection = services.inspection_start(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=template
    )
    item = template.current_version.items.first()
    with pytest.raises(ValidationError):
        services.inspection_answer(actor=world.employee_a, inspection=inspection, item=item, result="pass")
    for outsider in (world.town_admin_b, world.enterprise_admin_b):
        with pytest.raises(Exception) as exc:
            services.inspection_answer(actor=outsider, inspection=inspection, item=item, result="pass")
        assert exc.type.__name__ == "DoesNotExist"
    with pytest.raises(Enterprise.DoesNotExist):
        services.inspection_start(actor=world.enterprise_admin_b, enterprise=world.enterprise_a, template=template)


def test_kind_follows_the_role(world):
    template = make_checklist()
    with pytest.raises(ValidationError):
        services.inspection_start(
            actor=world.enterprise_admin_a,
            enterprise=world.enterprise_a,
            template=template,
            kind=InspectionKind.GRID_PATROL,
        )
    town = services.inspection_start(actor=world.town_admin_a, enterprise=world.enterprise_a, template=template)
    assert town.kind == InspectionKind.TOWN_PATROL


def test_versions_are_frozen_and_old_inspections_keep_their_items(world):
    template = make_checklist()
    old = services.inspection_start(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=template)
    services.checklist_publish(actor=None, template=template, items=[{"text": "新增：应急照明完好"}], note="修订")
    template.refresh_from_db()
    assert template.current_version.number == 2
    assert [i.text for i in old.checklist_version.items.all()][0] == "配电箱门完好、上锁"
    assert [i.text for i in template.current_version.items.all()] == ["新增：应急照明完好"]
    new = services.inspection_start(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=template)
    assert new.checklist_version.number == 2 and old.checklist_version.number == 1


def test_publish_checks_items_and_rights(world):
    template = make_checklist()
    with pytest.raises(ValidationError):
        services.checklist_publish(actor=None, template=template, items=[])
    with pytest.raises(ValidationError):
        services.checklist_publish(
            actor=None,
            template=template,
            items=[{"text": "温度", "answer_type": "number", "min_value": 5, "max_value": 1}],
        )
    with pytest.raises(ValidationError):
        services.checklist_publish(actor=world.district_admin, template=template, items=[{"text": "x"}])  # library


def test_enterprise_and_district_own_templates(world):
    own = services.checklist_create(actor=world.enterprise_admin_a, name="本厂日检", items=[{"text": "通道畅通"}])
    assert own.owner_enterprise == world.enterprise_a
    district = services.checklist_create(actor=world.district_admin, name="区夏季检查", items=[{"text": "防汛"}])
    assert district.owner_region_id == "320585"
    assert own in services.checklists_for(world.enterprise_a)
    assert own not in services.checklists_for(world.enterprise_b)
    assert district in services.checklists_for(world.enterprise_b)


def test_monthly_report_submit_return_resubmit_approve(world):
    month = timezone.localdate().replace(day=1)
    report = services.monthly_report_submit(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, month=month, data={"passages": "通道畅通"}
    )
    assert report.status == MonthlyReportStatus.SUBMITTED
    with pytest.raises(ValidationError):
        services.monthly_report_return(actor=world.grid_inspector_a, report=report, reason="")
    report = services.monthly_report_return(actor=world.grid_inspector_a, report=report, reason="缺少配电房照片")
    assert report.status == MonthlyReportStatus.RETURNED
    report = services.monthly_report_submit(
        actor=world.enterprise_admin_a,
        enterprise=world.enterprise_a,
        month=month,
        data={"passages": "通道畅通", "electrical": "已补配电房照片"},
        photos=[photo()],
    )
    with pytest.raises(ValidationError):
        services.monthly_report_approve(actor=world.enterprise_admin_a, report=report)
    with pytest.raises(Exception) as exc:
        services.monthly_report_approve(actor=world.town_admin_b, report=report)
    assert exc.type.__name__ == "DoesNotExist"
    report = services.monthly_report_approve(actor=world.grid_inspector_a, report=report)
    assert report.status == MonthlyReportStatus.APPROVED
    with pytest.raises(ValidationError):
        services.monthly_report_submit(
            actor=world.enterprise_admin_a, enterprise=world.enterprise_a, month=month, data={"passages": "改"}
        )
    with pytest.raises(ValidationError):
        services.monthly_report_submit(
            actor=world.enterprise_admin_a,
            enterprise=world.enterprise_a,
            month=month + dt.timedelta(days=40),
            data={"passages": "x"},
        )


def test_safety_officer_fills_a_self_check(world):
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so")
    template = make_checklist()
    inspection = services.inspection_start(actor=officer, enterprise=world.enterprise_a, template=template)
    assert inspection.kind == InspectionKind.SELF_CHECK
