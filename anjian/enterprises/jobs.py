"""Scheduled jobs of the enterprise archive."""

from __future__ import annotations

import datetime as dt

from anjian.core.jobs import crontab, periodic_task, register_credential_purge
from anjian.enterprises import importing
from anjian.enterprises.models import BindingToken


@periodic_task(crontab(minute="40"))
def purge_stale_import_uploads() -> int:
    """Hourly: remove Excel uploads that were never confirmed (idempotent)."""
    return importing.purge_stale_uploads()


def purge_expired_binding_tokens(cutoff: dt.datetime) -> int:
    """Unused binding codes that expired before ``cutoff``. A used one is kept: it records who
    bound which account (and the audit trail keeps the rest)."""
    return BindingToken.objects.filter(expires_at__lt=cutoff, used_at__isnull=True).delete()[0]


register_credential_purge("binding_tokens", purge_expired_binding_tokens)
