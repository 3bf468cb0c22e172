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
from django.db.models.functions import Substr

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


# Whom an agency serves is the agencies app's business: it registers the answer at start-up
# (``AgenciesConfig.ready``), so the kernel names no app of the domain.
_agency_enterprises: Callable[[int], QuerySet] | None = None


def register_agency_enterprises(provider: Callable[[int], QuerySet]) -> None:
    """``provider(agency_id)``: the ids of the enterprises the agency serves today."""
    global _agency_enterprises
    _agency_enterprises = provider


def agency_enterprise_ids(agency_id: int) -> QuerySet | list:
    """The ids of the enterprises an agency serves (none while no app answers it)."""
    if _agency_enterprises is None:
        return []
    return _agency_enterprises(agency_id)


def get_scoped_or_404(queryset: QuerySet, user, action: str = VIEW, **lookup) -> Model:
    """The record, if the user may perform ``action`` on it; 404 otherwise (also for a malformed id)."""
    from django.core.exceptions import ValidationError
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    try:
        return get_object_or_404(restrict(queryset, user, action), **lookup)
    except (ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


# --- the region-prefix rule -------------------------------------------------------------------
# A region code is a path in the tree: a region's code starts with its ancestors' codes
# (district 6 digits, town 9, village 12, grid longer). These are the only functions outside
# ``scope_condition`` that know it.

DISTRICT_CODE_LENGTH = 6
TOWN_CODE_LENGTH = 9
VILLAGE_CODE_LENGTH = 12


def region_condition(path: str, code: str | None) -> Q:
    """Records whose region (a ``Region`` foreign key reached by ``path``; ``""`` for the region
    itself) lies in the subtree of ``code``. No code: nothing (never everything)."""
    lookup = f"{path}__code__startswith" if path else "code__startswith"
    return Q(**{lookup: code}) if code else Q(pk__in=[])


def region_contains(ancestor_code: str | None, code: str | None) -> bool:
    """Whether region ``code`` lies in the subtree of ``ancestor_code`` (itself included)."""
    return bool(ancestor_code) and bool(code) and code.startswith(ancestor_code)


def user_region_contains(user, code: str | None) -> bool:
    """Whether ``code`` lies in the user's own area (the platform admin's area is everything)."""
    return bool(user.is_platform_admin) or region_contains(user.region_id, code)


def town_code(code: str) -> str:
    """The code of the town (镇街) a region code lies in."""
    return code[:TOWN_CODE_LENGTH]


def district_code(code: str) -> str:
    """The code of the district (区县) a region code lies in."""
    return code[:DISTRICT_CODE_LENGTH]


def village_code(code: str) -> str:
    """The code of the village (村社区) a region code lies in (a grid's code is longer)."""
    return code[:VILLAGE_CODE_LENGTH]


def town_code_of(field: str) -> Substr:
    """The town code of a region-code field, as a database expression (for per-town counts)."""
    return Substr(field, 1, TOWN_CODE_LENGTH)


def district_code_of(field: str) -> Substr:
    """The district code of a region-code field, as a database expression."""
    return Substr(field, 1, DISTRICT_CODE_LENGTH)


# --- the acting enterprise --------------------------------------------------------------------


def enterprise_model() -> type[Model]:
    """The enterprise model, as the account's ``enterprise`` field names it (the kernel imports
    no domain app)."""
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.get_field("enterprise").related_model


def acts_for_own_enterprise(user) -> bool:
    """An enterprise user: he acts for his own enterprise only and never picks one."""
    return getattr(user, "role", None) in ENTERPRISE_ROLES


def own_enterprise(user, queryset: QuerySet | None = None) -> Model:
    """The enterprise of an enterprise user (for what only an enterprise does for itself, such as
    its monthly report); ``Http404`` for everybody else."""
    from django.http import Http404

    if not acts_for_own_enterprise(user):
        raise Http404
    return acting_enterprise(user, queryset=queryset)


def acting_enterprise(user, requested=None, queryset: QuerySet | None = None) -> Model | None:
    """The enterprise ``user`` acts for: an enterprise user's own (naming another is a 404);
    for everybody else the ``requested`` one (a pk) if in his scope, or None when none is named.
    Out of scope, missing, malformed and "no enterprise to act for" all raise ``Http404``."""
    from django.http import Http404

    if requested == "":
        requested = None
    if acts_for_own_enterprise(user):
        if not user.enterprise_id or (requested is not None and str(requested) != str(user.enterprise_id)):
            raise Http404
        requested = user.enterprise_id
    elif not getattr(user, "is_authenticated", False) or not (
        user.is_platform_admin or user.role in GOVERNMENT_ROLES or user.role in AGENCY_ROLES
    ):
        raise Http404
    if requested is None:
        return None
    if queryset is None:
        queryset = enterprise_model().objects.all()
    return get_scoped_or_404(queryset, user, VIEW, pk=requested)
