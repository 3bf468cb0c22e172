"""一线三排: the priority that orders every hazard list. One formula, used for one hazard (Python)
and for the daily set-based sweep (SQL), so both always agree."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Least

MAJOR = 1000
REPEATED = 200
PER_ESCALATION_LEVEL = 50
PER_DAY_OVERDUE = 5
MAX_DAYS_COUNTED = 365
CLOSED = -1


def compute(*, is_open: bool, major: bool, repeated: bool, escalation_level: int, deadline, today: dt.date) -> int:
    if not is_open:
        return CLOSED
    days_overdue = (today - deadline).days if deadline and deadline < today else 0
    return (
        (MAJOR if major else 0)
        + (REPEATED if repeated else 0)
        + escalation_level * PER_ESCALATION_LEVEL
        + min(days_overdue, MAX_DAYS_COUNTED) * PER_DAY_OVERDUE
    )


def for_hazard(hazard, today: dt.date) -> int:
    from anjian.hazards.models import HazardLevel

    return compute(
        is_open=hazard.is_open,
        major=hazard.level == HazardLevel.MAJOR,
        repeated=hazard.repeated,
        escalation_level=hazard.escalation_level,
        deadline=hazard.deadline,
        today=today,
    )


def expression(days_overdue):
    """The same formula as a database expression for open hazards; ``days_overdue`` is an
    expression giving whole days past the deadline (0 when not overdue)."""
    from anjian.hazards.models import HazardLevel

    return (
        Case(When(level=HazardLevel.MAJOR, then=Value(MAJOR)), default=Value(0), output_field=IntegerField())
        + Case(When(repeated=True, then=Value(REPEATED)), default=Value(0), output_field=IntegerField())
        + F("escalation_level") * PER_ESCALATION_LEVEL
        + Least(days_overdue, Value(MAX_DAYS_COUNTED)) * PER_DAY_OVERDUE
    )
