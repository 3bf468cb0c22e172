"""The risk module's permission predicates (risks/rules.py), each allowed and refused, and a
failed point check that becomes a hazard with its evidence photos (as an inspection's does)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import AnonymousUser

from anjian.core.attachments import attachments_for
from anjian.core.roles import Role
from anjian.core.tests.factories import UserFactory
from anjian.hazards.models import Hazard
from anjian.hazards.selectors import fallback_category
from anjian.hazards.tests.factories import photo
from anjian.risks import rules, services
from anjian.risks.tests.factories import risk_chain


def test_may_edit_risk_point_allows_own_safety_staff_agency_and_platform(world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    point = chain.risk_point
    engineer = UserFactory(role=Role.AGENCY_ENGINEER)
    assert rules.may_edit_risk_point(world.enterprise_admin_a, point)
    assert rules.may_edit_risk_point(world.enterprise_admin_a, world.enterprise_a)
    assert rules.may_edit_risk_point(world.enterprise_admin_a)  # some enterprise at all
    assert rules.may_edit_risk_point(world.platform_admin, point)
    assert rules.may_edit_risk_point(engineer, point)  # restrict() limits him to his contracts


def test_may_edit_risk_point_refuses_others(world):
    point = risk_chain(world.enterprise_admin_a, world.enterprise_a).risk_point
    assert not rules.may_edit_risk_point(world.enterprise_admin_b, point)  # another enterprise
    assert not rules.may_edit_risk_point(world.employee_a, point)  # ticks points, keeps no list
    assert not rules.may_edit_risk_point(world.employee_a)
    assert not rules.may_edit_risk_point(world.district_admin, point)  # government reads
    assert not rules.may_edit_risk_point(world.district_admin)
    assert not rules.may_edit_risk_point(UserFactory(role=Role.AGENCY_STAFF), point)
    assert not rules.may_edit_risk_point(AnonymousUser())


def test_who_picks_the_enterprise(world):
    assert not rules.picks_enterprise(world.enterprise_admin_a)
    assert rules.picks_enterprise(world.platform_admin)
    assert rules.picks_enterprise(UserFactory(role=Role.AGENCY_ENGINEER))


def test_may_check_inspection_point(world):
    point = risk_chain(world.enterprise_admin_a, world.enterprise_a).inspection_point
    assert rules.may_check_inspection_point(world.employee_a, point)
    assert rules.may_check_inspection_point(world.platform_admin, point)
    assert not rules.may_check_inspection_point(world.enterprise_admin_b, point)
    assert not rules.may_check_inspection_point(world.grid_inspector_a, point)
    assert not rules.may_check_inspection_point(AnonymousUser(), point)


def test_a_failed_point_check_hazard_carries_the_evidence_photos(world):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="shift")
        [check] = services.point_check(
            actor=world.employee_a,
            point=chain.inspection_point,
            results=[{"task": chain.task.pk, "passed": False, "note": "压力表指针卡滞", "photos": [photo()]}],
        )
    hazard = Hazard.objects.get(pk=check.hazard_id)
    [evidence] = attachments_for(check)
    [hazard_photo] = attachments_for(hazard)
    assert hazard_photo.sha256 == evidence.sha256 and hazard_photo.kind == "photo"
    assert hazard.category == fallback_category() and hazard.category.code == "S08"
