"""Scheduled jobs of the hazard loop."""

from __future__ import annotations

from typing import Any

from anjian.core.jobs import periodic_task, zoned_crontab
from anjian.hazards import sweep

# When the daily sweep runs, in the platform's time zone (Asia/Shanghai): just after midnight,
# so lists are right when people start work.
SWEEP_AT = (0, 20)


@periodic_task(zoned_crontab(*SWEEP_AT))
def hazard_sweep_daily() -> dict[str, Any]:
    """Daily at 00:20 Asia/Shanghai: mark overdue hazards, escalate them, re-rank every open one,
    tell the people concerned. "Today" is taken in Shanghai here, not from the consumer's clock.
    Idempotent: a rerun the same day changes nothing; after a missed day it catches up."""
    return sweep.sweep(sweep.local_today()).as_dict()
