"""``manage.py verify_audit``: walk every partition of the audit chain; exit 1 and name the first
broken link (its entry and partition)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anjian.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail, every partition (exit status 1 when one is broken)."

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"OK: {report.checked} entries")
            if options["verbosity"] > 1:
                self.stdout.write(f"{report.partitions} partitions")
            return
        self.stderr.write(f"BROKEN at entry #{report.broken_at}: {report.reason} (partition «{report.partition}»)")
        raise SystemExit(1)
