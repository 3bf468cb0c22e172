"""The enterprise register's permission predicates (enterprises/rules.py), allowed and refused."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from anjian.core.roles import Role
from anjian.core.tests.factories import government_user
from anjian.enterprises import rules
from anjian.enterprises.tests.factories import enterprise_user


def test_is_enterprise_manager(world):
    for user in (world.platform_admin, world.district_admin, world.town_admin_a, world.grid_inspector_a):
        assert rules.is_enterprise_manager(user)
    officer = government_user(Role.DEPARTMENT_OFFICER, world.regions["district"], username="dept")
    for user in (officer, world.enterprise_admin_a, world.employee_a, AnonymousUser()):
        assert not rules.is_enterprise_manager(user)


def test_may_edit_enterprise_profile(world):
    safety = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a")
    assert rules.may_edit_enterprise_profile(world.enterprise_admin_a, world.enterprise_a)
    assert rules.may_edit_enterprise_profile(safety, world.enterprise_a)
    assert not rules.may_edit_enterprise_profile(world.enterprise_admin_a, world.enterprise_b)
    assert not rules.may_edit_enterprise_profile(world.employee_a, world.enterprise_a)
    assert not rules.may_edit_enterprise_profile(world.town_admin_a, world.enterprise_a)
