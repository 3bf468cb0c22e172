"""Who may do what with a hazard (scope aside: ``restrict`` decides which hazards a user sees,
and the transition table which states an action applies to). Each predicate is named once here;
the workflow, pages, API and services ask it."""

from __future__ import annotations

from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, ENTERPRISE_SAFETY_MANAGERS, GOVERNMENT_ROLES
from anjian.hazards.models import HazardLevel

# Enterprise roles that run the loop inside the enterprise (assign, verify, close on the spot).
ENTERPRISE_MANAGERS = ENTERPRISE_SAFETY_MANAGERS


def is_enterprise_manager(user, obj=None) -> bool:
    """A safety manager of the hazard's enterprise (of any enterprise when ``obj`` is None)."""
    if user.role not in ENTERPRISE_MANAGERS or not user.enterprise_id:
        return False
    return obj is None or user.enterprise_id == obj.enterprise_id


def is_government(user, obj=None) -> bool:
    """A government officer (or the platform admin): supervises, re-checks, cancels."""
    return bool(user.is_platform_admin) or user.role in GOVERNMENT_ROLES


def _manages_or_found_it(user, hazard) -> bool:
    # The enterprise handles its own findings; for government findings the inspector may too.
    return is_enterprise_manager(user, hazard) or (hazard.government_found and is_government(user))


def may_assign_hazard(user, obj) -> bool:
    return _manages_or_found_it(user, obj)


def may_rectify_hazard(user, obj) -> bool:
    """The enterprise's managers, or the responsible person of the enterprise."""
    return is_enterprise_manager(user, obj) or (user.role in ENTERPRISE_ROLES and obj.responsible_id == user.pk)


def may_verify_hazard(user, obj) -> bool:
    """Accept or return a rectification. Government findings are verified by government on
    re-check (复查); a major hazard is closed out only after the supervisor's acceptance."""
    if obj.government_found or obj.level == HazardLevel.MAJOR:
        return is_government(user)
    return is_enterprise_manager(user, obj)


def may_close_hazard_on_spot(user, obj) -> bool:
    """立查立改: a general hazard fixed at once, where the enterprise's policy allows it."""
    from anjian.hazards.services import policy_for

    return (
        obj.level == HazardLevel.GENERAL
        and _manages_or_found_it(user, obj)
        and policy_for(obj.enterprise).allow_close_on_spot
    )


def may_cancel_hazard(user, obj=None) -> bool:
    """Only government cancels a hazard (with a reason)."""
    return is_government(user)


def may_report_hazard(user, obj=None) -> bool:
    """Anyone with an area or an enterprise reports what he finds (an account still waiting to be
    bound to an enterprise does not)."""
    return bool(user.is_platform_admin or user.role in GOVERNMENT_ROLES | ENTERPRISE_ROLES | AGENCY_ROLES)
