"""A hazard's steps with their evidence, loaded once for the page and the API alike, and the one
rule about who may see who reported it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from anjian.core.attachments import owner_label
from anjian.core.models import Attachment, User
from anjian.core.roles import ENTERPRISE_ROLES
from anjian.hazards.models import Hazard, HazardSource, HazardTransition


@dataclass
class Timeline:
    steps: list[HazardTransition]
    report_photos: list[Attachment]  # owned by the hazard: taken when it was found
    step_photos: dict[str, list[Attachment]]  # by step id: evidence of that step (after-photos …)

    def photos_of(self, step: HazardTransition) -> list[Attachment]:
        return self.step_photos.get(str(step.pk), [])


def load_timeline(hazard: Hazard) -> Timeline:
    """Steps oldest first and every live attachment of the hazard and its steps: two queries."""
    steps = list(hazard.transitions.select_related("actor").order_by("at", "id"))
    hazard_label, step_label = owner_label(Hazard), owner_label(HazardTransition)
    attachments = (
        Attachment.objects.filter(archived_at__isnull=True)
        .filter(
            Q(owner_model=hazard_label, owner_id=str(hazard.pk))
            | Q(owner_model=step_label, owner_id__in=[str(s.pk) for s in steps])
        )
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    report_photos: list[Attachment] = []
    step_photos: dict[str, list[Attachment]] = defaultdict(list)
    for attachment in attachments:
        if attachment.owner_model == hazard_label:
            report_photos.append(attachment)
        else:
            step_photos[attachment.owner_id].append(attachment)
    return Timeline(steps=steps, report_photos=report_photos, step_photos=dict(step_photos))


def may_see_reporter(user: User | None, hazard: Hazard) -> bool:
    """A member of the public who reports an enterprise stays unknown to it (举报人保密):
    enterprise users see neither the name/contact nor the report step's IP."""
    return not (hazard.source == HazardSource.PUBLIC and getattr(user, "role", None) in ENTERPRISE_ROLES)
