"""Core models served through the registry: the region tree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core import registry
from anjian.core.models import Region
from anjian.core.registry import Column, Filter, Resource
from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES
from anjian.core.scoping import CHANGE, CREATE, ScopeSpec


def region_scope(queryset, user):
    """Government users see their subtree; enterprise users the chain above their enterprise."""
    if user.role in GOVERNMENT_ROLES and user.region_id:
        return queryset.filter(code__startswith=user.region_id)
    if user.role in ENTERPRISE_ROLES and user.enterprise_id:
        code = user.enterprise.region_id
        return queryset.filter(code__in=[code[:n] for n in range(2, len(code) + 1)])
    if user.role in AGENCY_ROLES and user.agency_id:
        code = user.agency.region_id
        return queryset.filter(code__in=[code[:n] for n in range(2, len(code) + 1)])
    return queryset.none()


def _level_choices(user):
    return [(str(value), label) for value, label in Region._meta.get_field("level").choices]


REGION = registry.register(
    Resource(
        model=Region,
        slug="regions",
        namespace="core",
        scope=ScopeSpec(custom=region_scope, roles={CHANGE: frozenset(), CREATE: frozenset()}),
        columns=[
            Column("code", _("区划代码"), sort="code", link=True),
            Column("name", _("名称"), sort="name", link=True),
            Column("level", _("层级"), sort="level", value=lambda r: r.get_level_display()),
            Column("parent__name", _("上级")),
        ],
        filters=[Filter("level", _("层级"), "level", kind="choice", choices=_level_choices)],
        search_fields=["name__icontains", "code__startswith"],
        default_ordering=["code"],
        select_related=["parent"],
        detail_sections=[(_("区划信息"), ["code", "name", "level", "parent", "center_lat", "center_lng"])],
    )
)
