"""Scheduled jobs of the hazard loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from anjian.core.jobs import HUEY, crontab, periodic_task
from anjian.hazards import sweep

# When the daily sweep runs, in the platform's time zone (Asia/Shanghai): just after midnight,
# so lists are right when people start work.
SWEEP_AT = (0, 20)


def zoned_crontab(
    hour: int, minute: int, *, utc: bool | None = None, local_zone: dt.tzinfo | None = None
) -> Callable[[dt.datetime], bool]:
    """A huey schedule check for ``hour:minute`` every day in settings.TIME_ZONE.

    huey tests a crontab against a naive timestamp: UTC when the queue has ``utc=True`` (its
    default), else the consumer machine's local time. A bare ``crontab(hour=0)`` would so fire at
    08:00 in Shanghai; this converts the timestamp to the platform's zone first. ``utc`` and
    ``local_zone`` are for tests (default: the queue's setting, the machine's zone)."""
    rule = crontab(minute=str(minute), hour=str(hour))

    def check(timestamp: dt.datetime) -> bool:
        in_utc = HUEY.utc if utc is None else utc
        if timestamp.tzinfo is None:
            if in_utc:
                timestamp = timestamp.replace(tzinfo=dt.UTC)
            elif local_zone is not None:
                timestamp = timestamp.replace(tzinfo=local_zone)
            else:
                timestamp = timestamp.astimezone()  # naive = this machine's local time
        return rule(timestamp.astimezone(timezone.get_default_timezone()).replace(tzinfo=None))

    return check


@periodic_task(zoned_crontab(*SWEEP_AT))
def hazard_sweep_daily() -> dict[str, Any]:
    """Daily at 00:20 Asia/Shanghai: mark overdue hazards, escalate them, re-rank every open one,
    tell the people concerned. "Today" is taken in Shanghai here, not from the consumer's clock.
    Idempotent: a rerun the same day changes nothing; after a missed day it catches up."""
    return sweep.sweep(sweep.local_today()).as_dict()
