"""Reads of the agencies app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from anjian.agencies.models import ServiceContract


def contracted_enterprise_ids(agency_id: int) -> QuerySet:
    """The ids of the enterprises holding an active contract with the agency today: what its
    users see (``anjian.core.scoping`` asks it through ``register_agency_enterprises``)."""
    today = timezone.localdate()
    return ServiceContract.objects.filter(
        agency_id=agency_id, active=True, start_date__lte=today, end_date__gte=today
    ).values("enterprise_id")
