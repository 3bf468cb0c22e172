"""Who may do what in the risk module (scope aside: ``restrict`` decides which records a user
sees). Each predicate is named once here; pages, API, registry declarations and services ask it."""

from __future__ import annotations

from anjian.core.roles import AGENCY_EXPERTS, ENTERPRISE_ROLES, ENTERPRISE_SAFETY_MANAGERS

# The enterprise staff who identify and assess risks (the employee ticks inspection points only).
RISK_EDITORS = ENTERPRISE_SAFETY_MANAGERS


def _enterprise_id(obj) -> int | None:
    """The enterprise a risk record (or the enterprise itself) belongs to."""
    return obj.enterprise_id if hasattr(obj, "enterprise_id") else obj.pk


def is_enterprise_risk_editor(user, obj=None) -> bool:
    """A safety manager bound to an enterprise (of ``obj``'s enterprise, when given)."""
    if user.role not in RISK_EDITORS or not user.enterprise_id:
        return False
    return obj is None or user.enterprise_id == _enterprise_id(obj)


def may_edit_risk_point(user, obj=None) -> bool:
    """Identifying and assessing risks is the enterprise's own duty (or its contracted agency's,
    whose scope ``restrict`` already limits); government supervises and reads. ``obj``: a risk
    record or an enterprise; None asks whether the user may edit any enterprise's risks at all
    (add a risk point, import a risk list, upload a site plan)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_platform_admin or is_enterprise_risk_editor(user, obj) or user.role in AGENCY_EXPERTS


def may_confirm_risk_review(user, obj=None) -> bool:
    """The monthly self-review is confirmed by the enterprise itself (its safety staff), or by
    the platform administrator for one; an agency or government reads it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_platform_admin or is_enterprise_risk_editor(user, obj)


def picks_enterprise(user) -> bool:
    """Whether the user chooses the enterprise he edits risks for (all but its own staff)."""
    return user.is_platform_admin or not is_enterprise_risk_editor(user)


def may_check_inspection_point(user, obj=None) -> bool:
    """Anyone of the enterprise may tick its points (the owner's stand-in included); the check
    names who did it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    if user.role not in ENTERPRISE_ROLES or not user.enterprise_id:
        return False
    return obj is None or user.enterprise_id == _enterprise_id(obj)


def may_draw_site_plan(user, plan) -> bool:
    """Drawing and removing zones: who may edit the enterprise's risks, on a current plan."""
    return may_edit_risk_point(user, plan) and not plan.archived
