"""``manage.py hazard_sweep [--date YYYY-MM-DD]``: run the daily overdue / escalation / priority
sweep now (the job runs it at 00:20 every day). Idempotent; ``--date`` back-runs a past day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from anjian.hazards.sweep import local_today, sweep


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Mark overdue hazards, escalate them, recompute priorities and notify (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, help="the day to sweep for (default: today in Asia/Shanghai)")

    def handle(self, *args, date: dt.date | None = None, **options):
        result = sweep(date or local_today())
        self.stdout.write(
            f"{result.today}: overdue {result.overdue}, "
            + ", ".join(f"escalated to level {level} {n}" for level, n in result.escalated.items())
            + f", priorities {result.priorities}, messages {result.messages}"
        )
