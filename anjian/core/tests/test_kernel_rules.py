"""The kernel's two shared rules: the region prefix and the acting enterprise."""

from __future__ import annotations

import pytest
from django.http import Http404

from anjian.core.choices import grid_inspectors
from anjian.core.models import Region
from anjian.core.roles import Role
from anjian.core.scoping import (
    acting_enterprise,
    acts_for_own_enterprise,
    district_code,
    own_enterprise,
    region_condition,
    region_contains,
    town_code,
    user_region_contains,
)
from anjian.core.tests.factories import government_user


def test_region_contains_is_the_subtree_and_never_the_empty_prefix():
    assert region_contains("320585100", "320585100001001")
    assert region_contains("320585100", "320585100")
    assert not region_contains("320585100", "320585101001")
    assert not region_contains("", "320585100")
    assert not region_contains(None, "320585100")
    assert not region_contains("320585", None)


def test_town_and_district_codes():
    assert town_code("320585100001001") == "320585100"
    assert district_code("320585100001001") == "320585"


@pytest.mark.django_db
def test_region_condition_filters_the_subtree_and_no_code_means_nothing(world):
    town_a = world.regions["town_a"].code
    found = set(Region.objects.filter(region_condition("", town_a)).values_list("code", flat=True))
    assert found == {town_a, "320585100001", "320585100001001", "320585100001002"}
    assert not Region.objects.filter(region_condition("", "")).exists()
    assert not Region.objects.filter(region_condition("", None)).exists()


def test_user_region_contains(world):
    assert user_region_contains(world.platform_admin, "320585101001001")
    assert user_region_contains(world.town_admin_a, "320585100001001")
    assert not user_region_contains(world.town_admin_a, "320585101001001")
    assert not user_region_contains(world.enterprise_admin_a, "320585100001001")  # no region


def test_an_enterprise_user_acts_for_his_own_enterprise_only(world):
    assert acts_for_own_enterprise(world.employee_a)
    assert not acts_for_own_enterprise(world.town_admin_a)
    assert acting_enterprise(world.employee_a) == world.enterprise_a
    assert acting_enterprise(world.employee_a, world.enterprise_a.pk) == world.enterprise_a
    assert acting_enterprise(world.employee_a, str(world.enterprise_a.pk)) == world.enterprise_a
    with pytest.raises(Http404):
        acting_enterprise(world.employee_a, world.enterprise_b.pk)
    assert own_enterprise(world.enterprise_admin_b) == world.enterprise_b


def test_others_act_for_the_enterprise_they_name_in_their_scope(world):
    assert acting_enterprise(world.town_admin_a) is None
    assert acting_enterprise(world.town_admin_a, "") is None
    assert acting_enterprise(world.town_admin_a, world.enterprise_a.pk) == world.enterprise_a
    assert acting_enterprise(world.platform_admin, world.enterprise_b.pk) == world.enterprise_b
    for requested in (world.enterprise_b.pk, 999999, "abc"):
        with pytest.raises(Http404):
            acting_enterprise(world.town_admin_a, requested)
    with pytest.raises(Http404):
        own_enterprise(world.town_admin_a)  # only an enterprise acts for itself


def test_pending_and_unbound_users_act_for_nobody(world):
    pending = government_user(Role.PENDING, None, username="pending")
    with pytest.raises(Http404):
        acting_enterprise(pending, world.enterprise_a.pk)
    unbound = world.employee_a
    unbound.enterprise = None
    with pytest.raises(Http404):
        acting_enterprise(unbound)


def test_grid_inspectors_of_the_users_area(world):
    other = government_user(Role.GRID_INSPECTOR, world.regions["grid_b"], username="grid_b")
    gone = government_user(Role.GRID_INSPECTOR, world.regions["grid_a2"], username="grid_gone", is_active=False)
    assert set(grid_inspectors(world.platform_admin)) == {world.grid_inspector_a, other}
    assert set(grid_inspectors(world.district_admin)) == {world.grid_inspector_a, other}
    assert set(grid_inspectors(world.town_admin_a)) == {world.grid_inspector_a}
    assert gone not in grid_inspectors(world.town_admin_a)
    assert not grid_inspectors(world.enterprise_admin_a).exists()
