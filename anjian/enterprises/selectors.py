"""Reads of the enterprise archive that pages and the API serve; all start from restrict()."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from anjian.core.models import Region, RegionLevel, User
from anjian.core.scoping import VIEW, restrict, town_code_of
from anjian.enterprises.models import BindingToken, Enterprise
from anjian.enterprises.services import enterprise_for_phone

__all__ = [
    "enterprise_for_phone",
    "government_overview",
    "enterprise_home",
    "agency_enterprises",
    "current_binding_token",
]


def scoped_enterprises(user: User, action: str = VIEW) -> QuerySet:
    return restrict(Enterprise.objects.all(), user, action)


def government_overview(user: User) -> dict:
    """Counts for a government home page: total, per town, per supervision class."""
    enterprises = scoped_enterprises(user)
    by_town = dict(
        enterprises.annotate(town=town_code_of("region_id"))
        .values_list("town")
        .annotate(n=Count("id"))
        .values_list("town", "n")
    )
    towns = {r.code: r.name for r in Region.objects.filter(code__in=list(by_town), level=RegionLevel.TOWN)}
    by_class = list(
        enterprises.values_list("supervision_class__code", "supervision_class__label")
        .annotate(n=Count("id"))
        .order_by("supervision_class__code")
    )
    return {
        "total": sum(by_town.values()),
        "towns": sorted(((towns.get(code, code), code, n) for code, n in by_town.items()), key=lambda t: t[1]),
        "classes": by_class,
        "region": user.region,
    }


def enterprise_home(user: User) -> Enterprise:
    return (
        scoped_enterprises(user)
        .select_related("region", "industry", "supervision_class", "grid_inspector")
        .get(pk=user.enterprise_id)
    )


def agency_enterprises(user: User) -> QuerySet:
    return scoped_enterprises(user).select_related("region", "industry").order_by("name")


def current_binding_token(enterprise: Enterprise) -> BindingToken | None:
    """The enterprise's newest binding code that is still unused and valid, if any."""
    from django.utils import timezone

    return (
        BindingToken.objects.filter(enterprise=enterprise, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-expires_at", "-id")
        .first()
    )
