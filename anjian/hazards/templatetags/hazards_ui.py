"""Small helpers of the hazard pages."""

from __future__ import annotations

from django import template
from django.utils import timezone

from anjian.hazards.registry import VIEWS

register = template.Library()


@register.simple_tag
def hazard_tabs(current: str = "", counts: dict | None = None) -> list[tuple[str, object, int | None, bool]]:
    """The list tabs (the registry's "view" filter values): key, label, count (None: not counted
    yet), active."""
    return [(key, label, (counts or {}).get(key), key == current) for key, (label, _c) in VIEWS.items()]


@register.filter
def deadline_state(hazard) -> str:
    """ "overdue", "soon" (two days or less) or "" for an open hazard's deadline."""
    if not hazard.is_open or not hazard.deadline:
        return ""
    today = timezone.localdate()
    if hazard.overdue or hazard.deadline < today:
        return "overdue"
    if (hazard.deadline - today).days <= 2:
        return "soon"
    return ""


@register.filter
def status_style(status: str) -> str:
    """The badge classes of a hazard status."""
    from anjian.hazards.views import STATUS_STYLES

    return STATUS_STYLES.get(status, "text-bg-secondary")
