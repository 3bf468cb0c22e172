"""Scheduled jobs of the enterprise archive."""

from __future__ import annotations

from anjian.core.jobs import crontab, periodic_task
from anjian.enterprises import importing


@periodic_task(crontab(minute="40"))
def purge_stale_import_uploads() -> int:
    """Hourly: remove Excel uploads that were never confirmed (idempotent)."""
    return importing.purge_stale_uploads()
