"""``manage.py verify_audit``: walk the audit chain; exit 1 and name the first broken entry."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anjian.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail (exit status 1 when it is broken)."

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"OK: {report.checked} entries")
            return
        self.stderr.write(f"BROKEN at entry #{report.broken_at}: {report.reason}")
        raise SystemExit(1)
