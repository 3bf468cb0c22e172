"""Who may do what with the enterprise register (scope aside: ``restrict`` decides which
enterprises a user sees). Each predicate is named once here; pages, API, registry declarations
and services ask it."""

from __future__ import annotations

from anjian.core.roles import ENTERPRISE_PROFILE_EDITOR_ROLES, ENTERPRISE_REGISTRARS


def is_enterprise_manager(user, obj=None) -> bool:
    """A government officer who keeps the enterprise register of his area (creates, edits,
    moves enterprises, shows binding codes), or the platform admin."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_platform_admin) or user.role in ENTERPRISE_REGISTRARS


def may_edit_enterprise_profile(user, obj=None) -> bool:
    """An enterprise's admin or safety officer edits its own profile fields."""
    if not getattr(user, "is_authenticated", False) or user.role not in ENTERPRISE_PROFILE_EDITOR_ROLES:
        return False
    return bool(user.enterprise_id) and (obj is None or user.enterprise_id == obj.pk)
