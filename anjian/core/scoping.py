"""The ONE scoping mechanism: ``restrict(queryset, user, action)``.

Every list, detail, export, API route, job that serves a user and (later) every dashboard starts
from it. A model declares how it reaches an enterprise and a region (a ``ScopeSpec`` in its
registry entry); the rules of SPEC §1 live here and nowhere else:

- platform admin: everything;
- government user: records whose region code starts with his region's code (prefix = subtree);
  a department officer of a sector department additionally only the enterprises of his sector;
- enterprise user: his own enterprise only;
- agency user: the enterprises that hold an active contract with his agency;
- anybody else (anonymous, pending accounts): nothing.

An action the user's role may not perform yields an empty queryset as well, so the door answers
404 either way: outside the scope and forbidden look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES, Role

VIEW = "view"
CHANGE = "change"
CREATE = "create"


@dataclass(frozen=True)
class ScopeSpec:
    """How a model reaches the scoping keys.

    ``enterprise``: lookup path to the enterprise (``""`` when the model *is* the enterprise).
    ``region``: lookup path to a ``Region`` foreign key (the region code), used for government
    users; defaults to ``<enterprise>__region``.
    ``roles``: per action, the roles allowed to perform it (``None``: every role that can see it).
    ``custom``: a function ``(queryset, user) -> queryset`` for models that scope differently
    (regions themselves, a user's own inbox).
    """

    enterprise: str | None = None
    region: str | None = None
    roles: dict[str, frozenset[str] | None] = field(default_factory=dict)
    custom: Callable[[QuerySet, object], QuerySet] | None = None

    def region_path(self) -> str | None:
        if self.region is not None:
            return self.region
        if self.enterprise is None:
            return None
        return f"{self.enterprise}__region" if self.enterprise else "region"

    def enterprise_prefix(self) -> str:
        return f"{self.enterprise}__" if self.enterprise else ""

    def enterprise_key(self) -> str:
        return f"{self.enterprise}_id" if self.enterprise else "pk"


_specs: dict[type[Model], ScopeSpec] = {}


def register_scope(model: type[Model], spec: ScopeSpec) -> None:
    _specs[model] = spec


def scope_spec(model: type[Model]) -> ScopeSpec:
    try:
        return _specs[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} has no scope; register it before serving it") from None


def may(user, model: type[Model], action: str) -> bool:
    """Whether the user's role may perform ``action`` on this model at all (scope aside)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    allowed = scope_spec(model).roles.get(action)
    return allowed is None or user.role in allowed


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The records of ``queryset`` that ``user`` may see (or perform ``action`` on)."""
    spec = scope_spec(queryset.model)
    if not may(user, queryset.model, action):
        return queryset.none()
    if user.is_platform_admin:
        return queryset
    if spec.custom is not None:
        return spec.custom(queryset, user)
    condition = scope_condition(spec, user)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def scope_condition(spec: ScopeSpec, user) -> Q | None:
    """The filter that expresses the user's scope for a model, or None for "nothing"."""
    role = user.role
    if role in GOVERNMENT_ROLES:
        region_path = spec.region_path()
        if region_path is None or not user.region_id:
            return None
        condition = Q(**{f"{region_path}__code__startswith": user.region_id})
        if role == Role.DEPARTMENT_OFFICER:
            sector = sector_condition(user, spec.enterprise_prefix())
            if sector is None:
                return None
            condition &= sector
        return condition
    if spec.enterprise is None:
        return None
    if role in ENTERPRISE_ROLES:
        if not user.enterprise_id:
            return None
        return Q(**{spec.enterprise_key(): user.enterprise_id})
    if role in AGENCY_ROLES:
        if not user.agency_id:
            return None
        return Q(**{f"{spec.enterprise_key()}__in": agency_enterprise_ids(user.agency_id)})
    return None


def sector_condition(user, prefix: str = "") -> Q | None:
    """A department officer's sector, as a filter on the enterprise reached by ``prefix``."""
    department = user.department
    if department is None:
        return None
    if department.is_comprehensive:
        return Q()
    condition = Q(pk__in=[])
    for code in department.industry_prefixes:
        condition |= Q(**{f"{prefix}industry__code__startswith": code})
    if department.venue_types:
        condition |= Q(**{f"{prefix}venue_type__in": department.venue_types})
    return condition


def agency_enterprise_ids(agency_id: int) -> QuerySet:
    from anjian.agencies.models import ServiceContract

    today = timezone.localdate()
    return ServiceContract.objects.filter(
        agency_id=agency_id, active=True, start_date__lte=today, end_date__gte=today
    ).values("enterprise_id")


def get_scoped_or_404(queryset: QuerySet, user, action: str = VIEW, **lookup) -> Model:
    """The record, if the user may perform ``action`` on it; 404 otherwise (also for a malformed id)."""
    from django.core.exceptions import ValidationError
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    try:
        return get_object_or_404(restrict(queryset, user, action), **lookup)
    except (ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
