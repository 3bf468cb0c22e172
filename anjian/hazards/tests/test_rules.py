"""The hazard permission predicates (hazards/rules.py), allowed and refused, and the fallback
category shared by the public report, inspections and risk checks."""

from __future__ import annotations

from anjian.hazards import rules
from anjian.hazards.models import HazardCategory, HazardLevel, HazardPolicy, HazardSource
from anjian.hazards.selectors import fallback_category
from anjian.hazards.tests.factories import HazardFactory


def test_enterprise_manager_and_government(world):
    hazard = HazardFactory(enterprise=world.enterprise_a)
    assert rules.is_enterprise_manager(world.enterprise_admin_a, hazard)
    assert rules.is_enterprise_manager(world.enterprise_admin_a)
    assert not rules.is_enterprise_manager(world.enterprise_admin_b, hazard)
    assert not rules.is_enterprise_manager(world.employee_a, hazard)
    assert not rules.is_enterprise_manager(world.town_admin_a, hazard)
    assert rules.is_government(world.grid_inspector_a) and rules.is_government(world.platform_admin)
    assert not rules.is_government(world.enterprise_admin_a)


def test_assign_rectify_and_cancel(world):
    own = HazardFactory(enterprise=world.enterprise_a)
    found = HazardFactory(enterprise=world.enterprise_a, source=HazardSource.PATROL)
    assert rules.may_assign_hazard(world.enterprise_admin_a, own)
    assert not rules.may_assign_hazard(world.grid_inspector_a, own)  # the enterprise's own finding
    assert rules.may_assign_hazard(world.grid_inspector_a, found)
    assert not rules.may_assign_hazard(world.employee_a, own)
    own.responsible = world.employee_a
    assert rules.may_rectify_hazard(world.employee_a, own)
    assert not rules.may_rectify_hazard(world.employee_a, found)  # not his
    assert not rules.may_rectify_hazard(world.grid_inspector_a, found)
    assert rules.may_cancel_hazard(world.town_admin_a, own)
    assert not rules.may_cancel_hazard(world.enterprise_admin_a, own)


def test_verify_goes_to_government_for_its_findings_and_major_hazards(world):
    general = HazardFactory(enterprise=world.enterprise_a)
    major = HazardFactory(enterprise=world.enterprise_a, level=HazardLevel.MAJOR)
    found = HazardFactory(enterprise=world.enterprise_a, source=HazardSource.PATROL)
    assert rules.may_verify_hazard(world.enterprise_admin_a, general)
    assert not rules.may_verify_hazard(world.town_admin_a, general)
    for hazard in (major, found):
        assert rules.may_verify_hazard(world.town_admin_a, hazard)
        assert not rules.may_verify_hazard(world.enterprise_admin_a, hazard)


def test_close_on_spot_needs_a_general_hazard_and_the_policy(world):
    general = HazardFactory(enterprise=world.enterprise_a)
    major = HazardFactory(enterprise=world.enterprise_a, level=HazardLevel.MAJOR)
    HazardPolicy.objects.update_or_create(enterprise=world.enterprise_a, defaults={"allow_close_on_spot": True})
    assert rules.may_close_hazard_on_spot(world.enterprise_admin_a, general)
    assert not rules.may_close_hazard_on_spot(world.enterprise_admin_a, major)
    assert not rules.may_close_hazard_on_spot(world.employee_a, general)
    HazardPolicy.objects.filter(enterprise=world.enterprise_a).update(allow_close_on_spot=False)
    assert not rules.may_close_hazard_on_spot(world.enterprise_admin_a, general)


def test_fallback_category_is_s08_or_the_first_leaf(db):
    assert fallback_category().code == "S08"
    HazardCategory.objects.filter(code="S08").update(code="S08X")
    fallback = fallback_category()
    assert fallback is not None and fallback.parent_id is not None
