"""Choices for list filters that depend on where the user sits in the region tree."""

from __future__ import annotations

from django.db.models import QuerySet

from anjian.core.models import Region, RegionLevel, User
from anjian.core.roles import GOVERNMENT_ROLES, Role
from anjian.core.scoping import region_condition

# Above this level a list of every grid inspector is too long to choose from.
INSPECTOR_FILTER_MIN_LEVEL = RegionLevel.DISTRICT


def region_and_ancestors(code: str) -> list[str]:
    """The code itself and every prefix of it: the region and all regions above it."""
    return [code[:n] for n in range(2, len(code) + 1)]


def subregion_choices(user: User) -> list[tuple[str, str]]:
    """The regions one level below the user's own (a drill-down: a district officer picks a town,
    a province officer a city). The filter value is a code prefix, so any level works."""
    if user.is_platform_admin and not user.region_id:
        parent_filter = {"parent__isnull": True}
    elif user.role in GOVERNMENT_ROLES and user.region_id:
        parent_filter = {"parent_id": user.region_id}
    else:
        return []
    return list(Region.objects.filter(**parent_filter).order_by("code").values_list("code", "name"))


def grid_inspectors(user: User) -> QuerySet:
    """The active grid inspectors of the user's area (every one for the platform admin; none for
    a user without a region): whom he may put in charge of an enterprise, or filter by."""
    queryset = User.objects.filter(role=Role.GRID_INSPECTOR, is_active=True)
    if user.is_platform_admin:
        return queryset
    return queryset.filter(region_condition("region", user.region_id))


def grid_inspector_choices(user: User) -> list[tuple[str, str]]:
    """Grid inspectors of a district-level (or lower) user's area; none for wider areas."""
    if not (user.role in GOVERNMENT_ROLES and user.region_id) or user.region.level < INSPECTOR_FILTER_MIN_LEVEL:
        return []
    rows = (
        grid_inspectors(user)
        .order_by("region_id", "display_name")
        .values_list("pk", "display_name", "username", "region__name")
    )
    return [(str(pk), f"{name or username} · {region}") for pk, name, username, region in rows]
