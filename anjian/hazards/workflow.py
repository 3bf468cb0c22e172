"""The hazard's transition table (DOMAIN §3): states, actions, who may, and the target state.

reported ─assign→ assigned ─rectify→ submitted ─accept→ closed
                     ↑                   │
                     └──────return───────┘
reported ─close_on_spot→ closed (general hazard fixed at once, if the enterprise allows it)
any open ─cancel→ cancelled (government only, with a reason)
assigned ─assign→ assigned (re-assign: other person, deadline or measures)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from anjian.core.roles import ENTERPRISE_ROLES, GOVERNMENT_ROLES, Role
from anjian.hazards.models import HazardLevel, HazardStatus

REPORT = "report"
ASSIGN = "assign"
RECTIFY = "rectify"
ACCEPT = "accept"
RETURN = "return"
CLOSE_ON_SPOT = "close_on_spot"
CANCEL = "cancel"
ESCALATE = "escalate"
OVERDUE = "overdue"

# Enterprise roles that run the loop inside the enterprise.
ENTERPRISE_MANAGERS = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_LEADER, Role.SAFETY_OFFICER})

ACTION_LABELS = {
    REPORT: _("上报"),
    ASSIGN: _("分派"),
    RECTIFY: _("提交整改"),
    ACCEPT: _("验收销号"),
    RETURN: _("退回"),
    CLOSE_ON_SPOT: _("立查立改"),
    CANCEL: _("撤销"),
    ESCALATE: _("逾期升级"),
    OVERDUE: _("逾期"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(ASSIGN, (HazardStatus.REPORTED, HazardStatus.ASSIGNED), HazardStatus.ASSIGNED),
        Transition(RECTIFY, (HazardStatus.ASSIGNED,), HazardStatus.SUBMITTED),
        Transition(ACCEPT, (HazardStatus.SUBMITTED,), HazardStatus.CLOSED),
        Transition(RETURN, (HazardStatus.SUBMITTED,), HazardStatus.ASSIGNED),
        Transition(CLOSE_ON_SPOT, (HazardStatus.REPORTED,), HazardStatus.CLOSED),
        Transition(
            CANCEL, (HazardStatus.REPORTED, HazardStatus.ASSIGNED, HazardStatus.SUBMITTED), HazardStatus.CANCELLED
        ),
    )
}


def _is_enterprise_manager(user, hazard) -> bool:
    return user.role in ENTERPRISE_MANAGERS and user.enterprise_id == hazard.enterprise_id


def _is_government(user) -> bool:
    return user.is_platform_admin or user.role in GOVERNMENT_ROLES


def may(user, action: str, hazard) -> bool:
    """Whether ``user`` (already known to see ``hazard``) may perform ``action`` on it now,
    state aside. The service re-checks the state under a row lock."""
    if action == ASSIGN:
        # The enterprise assigns its own findings; for government findings the inspector may too.
        return _is_enterprise_manager(user, hazard) or (hazard.government_found and _is_government(user))
    if action == RECTIFY:
        return _is_enterprise_manager(user, hazard) or (
            user.role in ENTERPRISE_ROLES and hazard.responsible_id == user.pk
        )
    if action in (ACCEPT, RETURN):
        # Government findings are verified by government on re-check (复查); a major hazard is
        # closed out only after the supervisor's acceptance (DOMAIN §3).
        if hazard.government_found or hazard.level == HazardLevel.MAJOR:
            return _is_government(user)
        return _is_enterprise_manager(user, hazard)
    if action == CLOSE_ON_SPOT:
        from anjian.hazards.services import policy_for

        return (
            hazard.level == HazardLevel.GENERAL
            and policy_for(hazard.enterprise).allow_close_on_spot
            and (_is_enterprise_manager(user, hazard) or (hazard.government_found and _is_government(user)))
        )
    if action == CANCEL:
        return _is_government(user)
    return False


def allowed_actions(user, hazard) -> list[str]:
    """Actions the user may take on the hazard in its current state (for buttons and API hints)."""
    return [action for action, t in TRANSITIONS.items() if hazard.status in t.sources and may(user, action, hazard)]
