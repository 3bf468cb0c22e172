"""``manage.py export_dual_prevention --enterprise <credit code> [--output file]``: the enterprise's
dual-prevention document (the national JSON structure) to a file or standard output. An operator's
tool: it reads every record of the enterprise, unscoped, like the platform admin's download."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anjian.enterprises.models import Enterprise
from anjian.risks import dual_prevention


class Command(BaseCommand):
    help = "Export one enterprise's dual-prevention data (risk units, events, measures, tasks, records) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--enterprise", required=True, help="unified social credit code (统一社会信用代码)")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, enterprise: str, output: str | None = None, **options):
        code = enterprise.strip().upper()
        found = Enterprise.objects.select_related("region").filter(credit_code=code).first()
        if found is None:
            raise CommandError(f"no enterprise with credit code {code}")
        text = json.dumps(dual_prevention.export_enterprise(found), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
