"""The hazard state machine: every allowed and refused transition, by role."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anjian.core.attachments import attachments_for
from anjian.core.roles import Role
from anjian.core.tests.factories import government_user
from anjian.enterprises.models import Enterprise
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards import services, workflow
from anjian.hazards.models import (
    EscalationLevel,
    Hazard,
    HazardLevel,
    HazardPolicy,
    HazardSource,
    HazardStatus,
    MajorHazardCriterion,
)
from anjian.hazards.tests.factories import category, photo

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


@pytest.fixture
def people(world):
    """Enterprise A's safety officer and a worker responsible for rectification."""
    return {
        "safety": enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a"),
        "worker": world.employee_a,
    }


def report(world, actor, **kw):
    defaults = dict(
        enterprise=world.enterprise_a,
        place="二号车间",
        category=category(),
        description="配电箱门缺失",
        photos=[photo()],
    )
    defaults.update(kw)
    return services.hazard_report(actor=actor, **defaults)


def assign(actor, hazard, responsible, **kw):
    defaults = dict(deadline=timezone.localdate() + dt.timedelta(days=7), measures="更换箱门，线路穿管")
    defaults.update(kw)
    return services.hazard_assign(actor=actor, hazard=hazard, responsible=responsible, **defaults)


def rectify(actor, hazard, **kw):
    defaults = dict(rectification="已更换箱门", cost=Decimal("350.00"), photos=[photo("整改后.png")])
    defaults.update(kw)
    return services.hazard_rectify(actor=actor, hazard=hazard, **defaults)


def test_full_loop_inside_the_enterprise(world, people):
    hazard = report(world, people["worker"])
    assert hazard.status == HazardStatus.REPORTED and hazard.source == HazardSource.SELF_CHECK
    assert len(attachments_for(hazard)) == 1
    hazard = assign(people["safety"], hazard, people["worker"])
    assert hazard.status == HazardStatus.ASSIGNED and hazard.responsible == people["worker"]
    hazard = rectify(people["worker"], hazard)
    assert hazard.status == HazardStatus.SUBMITTED
    step = hazard.transitions.get(action=workflow.RECTIFY)
    assert len(attachments_for(step)) == 1  # after-photo kept on the step
    hazard = services.hazard_accept(actor=people["safety"], hazard=hazard)
    assert hazard.status == HazardStatus.CLOSED and hazard.closed_at and hazard.verified_by == people["safety"]
    assert list(hazard.transitions.values_list("action", flat=True)) == ["report", "assign", "rectify", "accept"]


def test_return_goes_back_to_assigned_with_reason(world, people):
    hazard = rectify(people["worker"], assign(people["safety"], report(world, people["worker"]), people["worker"]))
    with pytest.raises(ValidationError):
        services.hazard_return(actor=people["safety"], hazard=hazard, reason="")
    hazard = services.hazard_return(actor=people["safety"], hazard=hazard, reason="照片看不清")
    assert hazard.status == HazardStatus.ASSIGNED and hazard.returned_count == 1
    assert not hazard.joint_rectification  # an enterprise's own return is not a failed re-check


@pytest.mark.parametrize(
    ("action", "status_needed"),
    [("rectify", "assigned"), ("accept", "submitted"), ("return", "submitted")],
)
def test_illegal_transitions_are_refused_and_change_nothing(world, people, action, status_needed):
    hazard = report(world, people["worker"])
    before = Hazard.objects.get(pk=hazard.pk)
    with pytest.raises(ValidationError) as exc:
        if action == "rectify":
            rectify(people["worker"], hazard)
        elif action == "accept":
            services.hazard_accept(actor=people["safety"], hazard=hazard)
        else:
            services.hazard_return(actor=people["safety"], hazard=hazard, reason="x")
    assert "待分派" in str(exc.value)
    after = Hazard.objects.get(pk=hazard.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert after.transitions.count() == 1


def test_roles_that_may_not_act(world, people):
    hazard = report(world, people["worker"])
    with pytest.raises(ValidationError):
        assign(people["worker"], hazard, people["worker"])  # an employee does not assign
    with pytest.raises(ValidationError):
        services.hazard_cancel(actor=people["safety"], hazard=hazard, reason="误报")  # only government cancels
    hazard = assign(people["safety"], hazard, people["worker"])
    other_worker = enterprise_user(world.enterprise_a, role=Role.EMPLOYEE, username="other")
    with pytest.raises(ValidationError):
        rectify(other_worker, hazard)  # not his task
    hazard = rectify(people["worker"], hazard)
    with pytest.raises(ValidationError):
        services.hazard_accept(actor=people["worker"], hazard=hazard)  # no self-acceptance


def test_outside_scope_is_does_not_exist(world, people):
    hazard = report(world, people["worker"])
    for outsider in (world.town_admin_b, world.enterprise_admin_b):
        with pytest.raises(Hazard.DoesNotExist):
            services.hazard_cancel(actor=outsider, hazard=hazard, reason="x")
    with pytest.raises(Enterprise.DoesNotExist):
        services.hazard_report(
            actor=world.enterprise_admin_b,
            enterprise=world.enterprise_a,
            place="x",
            category=category(),
            description="x",
        )


def test_assign_guards(world, people):
    hazard = report(world, people["worker"])
    with pytest.raises(ValidationError) as exc:
        assign(people["safety"], hazard, people["worker"], deadline=timezone.localdate() - dt.timedelta(days=1))
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        assign(people["safety"], hazard, world.enterprise_admin_b)  # another enterprise's person
    assert "responsible" in exc.value.message_dict
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.REPORTED


def test_rectify_needs_after_photos(world, people):
    hazard = assign(people["safety"], report(world, people["worker"]), people["worker"])
    with pytest.raises(ValidationError) as exc:
        rectify(people["worker"], hazard, photos=[])
    assert "photos" in exc.value.message_dict


def test_major_hazard_needs_plan_is_reported_and_supervised(world, people, settings):
    from anjian.core.models import Notification

    criterion = MajorHazardCriterion.objects.create(
        code="T-1", standard="测试", field="粉尘防爆", text="除尘系统未设泄爆装置"
    )
    hazard = report(world, people["worker"], suggested_level=HazardLevel.MAJOR)
    with pytest.raises(ValidationError) as exc:
        assign(people["safety"], hazard, people["worker"], criteria=[criterion])
    assert any(key.startswith("plan_") for key in exc.value.message_dict)
    plan = {
        "goal": "消除泄爆缺陷",
        "measures": "加装泄爆片",
        "funds_and_materials": "5万元",
        "people": "设备科",
        "deadline": timezone.localdate() + dt.timedelta(days=30),
        "interim_measures": "停用该除尘器，设置警戒",
    }
    hazard = assign(people["safety"], hazard, people["worker"], criteria=[criterion], plan=plan)
    assert hazard.level == HazardLevel.MAJOR and hazard.supervised and hazard.plan.goal == "消除泄爆缺陷"
    assert Notification.objects.filter(recipient=world.district_admin, title="重大事故隐患直报").exists()
    hazard = rectify(people["worker"], hazard)
    with pytest.raises(ValidationError):
        services.hazard_accept(actor=people["safety"], hazard=hazard)  # the supervisor accepts a major one
    hazard = services.hazard_accept(actor=world.town_admin_a, hazard=hazard)
    assert hazard.status == HazardStatus.CLOSED


def test_government_finding_is_rechecked_by_government_and_failure_escalates(world, people):
    from anjian.core.models import Notification

    hazard = report(world, world.grid_inspector_a)
    assert hazard.source == HazardSource.PATROL
    hazard = assign(world.grid_inspector_a, hazard, people["worker"])
    hazard = rectify(people["worker"], hazard)
    with pytest.raises(ValidationError):
        services.hazard_accept(actor=people["safety"], hazard=hazard)  # government verifies (复查)
    hazard = services.hazard_return(actor=world.grid_inspector_a, hazard=hazard, reason="复查仍有裸露线路")
    assert hazard.joint_rectification and hazard.escalation_level == EscalationLevel.TOWN
    assert Notification.objects.filter(recipient=world.town_admin_a, title="复查未通过，需联合整治").exists()


def test_close_on_spot_follows_the_enterprise_policy(world, people):
    hazard = report(world, people["safety"])
    HazardPolicy.objects.create(enterprise=world.enterprise_a, allow_close_on_spot=False)
    with pytest.raises(ValidationError):
        services.hazard_close_on_spot(actor=people["safety"], hazard=hazard, rectification="当场整改", photos=[photo()])
    HazardPolicy.objects.filter(enterprise=world.enterprise_a).update(allow_close_on_spot=True)
    hazard = services.hazard_close_on_spot(
        actor=people["safety"], hazard=hazard, rectification="当场整改", photos=[photo()]
    )
    assert hazard.status == HazardStatus.CLOSED


def test_cancel_by_government_with_reason_keeps_everything(world, people):
    hazard = report(world, people["worker"])
    with pytest.raises(ValidationError):
        services.hazard_cancel(actor=world.town_admin_a, hazard=hazard, reason=" ")
    hazard = services.hazard_cancel(actor=world.town_admin_a, hazard=hazard, reason="重复上报")
    assert hazard.status == HazardStatus.CANCELLED and Hazard.objects.filter(pk=hazard.pk).exists()
    with pytest.raises(ValidationError):
        services.hazard_cancel(actor=world.town_admin_a, hazard=hazard, reason="again")


def test_stale_version_loses(world, people):
    hazard = report(world, people["worker"])
    seen = hazard.version
    assign(people["safety"], hazard, people["worker"], expected_version=seen)
    with pytest.raises(ValidationError) as exc:
        assign(people["safety"], hazard, people["worker"], expected_version=seen, measures="另一个人的方案")
    assert "他人" in str(exc.value)
    assert Hazard.objects.get(pk=hazard.pk).measures == "更换箱门，线路穿管"


def test_repeated_hazards_are_flagged_and_linked(world, people):
    first = report(world, people["worker"], place="二号车间")
    second = report(world, people["worker"], place="二号车间 ".strip())
    third = report(world, people["worker"], place="三号车间")
    assert second.repeated and list(second.predecessors.all()) == [first]
    assert not first.repeated and not third.repeated
    assert second.priority > first.priority


def test_hazards_follow_their_enterprise_to_another_grid(world, people):
    from anjian.enterprises.services import enterprise_move

    hazard = report(world, people["worker"])
    enterprise_move(
        actor=world.town_admin_a, enterprise=world.enterprise_a, region=world.regions["grid_a2"], grid_inspector=None
    )
    hazard.refresh_from_db()
    assert hazard.region_id == world.regions["grid_a2"].code


def test_allowed_actions_for_buttons(world, people):
    hazard = report(world, people["worker"])
    assert workflow.allowed_actions(people["safety"], hazard) == ["assign", "close_on_spot"]
    assert workflow.allowed_actions(people["worker"], hazard) == []
    assert "cancel" in workflow.allowed_actions(world.town_admin_a, hazard)


def test_government_reporter_role_sets_source(world):
    dept = government_user(Role.DEPARTMENT_OFFICER, world.regions["district"])
    assert services.default_source(dept) == HazardSource.DEPARTMENT
    assert services.default_source(world.grid_inspector_a) == HazardSource.PATROL
    assert services.default_source(None) == HazardSource.IOT


def test_reporters_cannot_claim_another_source(world, people):
    with pytest.raises(ValidationError) as exc:
        report(world, world.grid_inspector_a, source=HazardSource.SELF_CHECK)
    assert "source" in exc.value.message_dict
    with pytest.raises(ValidationError):
        report(world, people["worker"], source=HazardSource.PATROL)
    assert report(world, people["worker"], source=HazardSource.MEETING).source == HazardSource.MEETING


def test_close_on_spot_is_not_offered_when_the_policy_is_off(world, people):
    hazard = report(world, people["safety"])
    HazardPolicy.objects.create(enterprise=world.enterprise_a, allow_close_on_spot=False)
    assert "close_on_spot" not in workflow.allowed_actions(people["safety"], hazard)
