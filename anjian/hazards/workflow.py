"""The hazard's transition table (DOMAIN §3), declared once on the kernel's workflow: states,
actions, who may, and the target state. Services move hazards only through ``HAZARD_FLOW``.

reported ─assign→ assigned ─rectify→ submitted ─accept→ closed
                     ↑                   │
                     └──────return───────┘
reported ─close_on_spot→ closed (general hazard fixed at once, if the enterprise allows it)
any open ─cancel→ cancelled (government only, with a reason)
assigned ─assign→ assigned (re-assign: other person, deadline or measures)
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core import audit
from anjian.core.context import current_origin
from anjian.core.workflow import Transition, Workflow
from anjian.hazards import priority, rules
from anjian.hazards.models import Hazard, HazardStatus, HazardTransition

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
ENTERPRISE_MANAGERS = rules.ENTERPRISE_MANAGERS


def log_step(hazard, actor, action: str, from_status: str, to_status: str, comment: str = "", data=None):
    """One HazardTransition row: the hazard's own log, with the position of the step."""
    data = data or {}
    return HazardTransition.objects.create(
        hazard=hazard,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
        ip=current_origin().ip,
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        comment=comment,
        data=audit._json_value(data),
    )


def _reprioritise(hazard) -> None:
    hazard.priority = priority.for_hazard(hazard, timezone.localdate())


OPEN = (HazardStatus.REPORTED, HazardStatus.ASSIGNED, HazardStatus.SUBMITTED)

HAZARD_FLOW = Workflow(
    model=Hazard,
    transitions=[
        Transition(
            ASSIGN,
            _("分派"),
            (HazardStatus.REPORTED, HazardStatus.ASSIGNED),
            HazardStatus.ASSIGNED,
            rules.may_assign_hazard,
        ),
        Transition(RECTIFY, _("提交整改"), (HazardStatus.ASSIGNED,), HazardStatus.SUBMITTED, rules.may_rectify_hazard),
        Transition(ACCEPT, _("验收销号"), (HazardStatus.SUBMITTED,), HazardStatus.CLOSED, rules.may_verify_hazard),
        Transition(RETURN, _("退回"), (HazardStatus.SUBMITTED,), HazardStatus.ASSIGNED, rules.may_verify_hazard),
        Transition(
            CLOSE_ON_SPOT, _("立查立改"), (HazardStatus.REPORTED,), HazardStatus.CLOSED, rules.may_close_hazard_on_spot
        ),
        Transition(CANCEL, _("撤销"), OPEN, HazardStatus.CANCELLED, rules.may_cancel_hazard),
    ],
    log=log_step,
    on_move=_reprioritise,
    extra_labels={REPORT: _("上报"), ESCALATE: _("逾期升级"), OVERDUE: _("逾期")},
)

TRANSITIONS = HAZARD_FLOW.transitions
ACTION_LABELS = HAZARD_FLOW.labels()


def allowed_actions(user, hazard) -> list[str]:
    """Actions the user may take on the hazard in its current state (for buttons and API hints)."""
    return HAZARD_FLOW.allowed(user, hazard)
