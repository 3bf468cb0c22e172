"""Who may do what in the inspection module, each rule named once and used by the actions, the
pages, the API and the services alike (scope aside: ``restrict`` already decided the user sees
the record)."""

from __future__ import annotations

from anjian.core.roles import ENTERPRISE_ROLES, Role
from anjian.core.scoping import region_contains

# Enterprise roles that build and edit their own enterprise's checklists.
ENTERPRISE_CHECKLIST_EDITORS = frozenset({Role.ENTERPRISE_ADMIN, Role.SAFETY_OFFICER})
# Government roles that set the patrol plans of their own area.
PATROL_RULE_EDITORS = frozenset({Role.DISTRICT_ADMIN, Role.TOWN_ADMIN})


def may_create_checklist(user) -> bool:
    """Who may build a checklist of his own: an enterprise's admin or safety officer (for his
    enterprise), a district admin (for his district), the platform admin (the library)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    if user.role in ENTERPRISE_CHECKLIST_EDITORS:
        return bool(user.enterprise_id)
    return user.role == Role.DISTRICT_ADMIN and bool(user.region_id)


def may_edit_checklist(user, template) -> bool:
    """District admins edit their region's checklists, enterprises their own; the shipped library
    belongs to the platform admin."""
    if user.is_platform_admin:
        return True
    if template.owner_enterprise_id:
        return user.role in ENTERPRISE_CHECKLIST_EDITORS and user.enterprise_id == template.owner_enterprise_id
    if template.owner_region_id:
        return user.role == Role.DISTRICT_ADMIN and region_contains(user.region_id, template.owner_region_id)
    return False


def may_copy_checklist(user, template) -> bool:
    """A published checklist can be copied by anyone who may build one."""
    return template.current_version_id is not None and may_create_checklist(user)


def fills_inspection(user, inspection) -> bool:
    """Only the inspector fills, signs and submits his inspection (the state is the workflow's)."""
    return inspection.inspector_id == user.pk


def may_submit_monthly_report(user) -> bool:
    """An enterprise reports its month itself: its users, for their own enterprise."""
    return getattr(user, "role", None) in ENTERPRISE_ROLES and bool(user.enterprise_id)


def may_edit_patrol_rule(user, rule) -> bool:
    """The platform admin edits the defaults; district and town admins the rules of their own area."""
    if user.is_platform_admin:
        return True
    if user.role not in PATROL_RULE_EDITORS or rule is None or rule.region_id is None:
        return False
    return region_contains(user.region_id, rule.region_id)


def may_create_patrol_rule(user) -> bool:
    return user.is_platform_admin or user.role in PATROL_RULE_EDITORS
