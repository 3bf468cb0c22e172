"""Default patrol plan (issue defaults; regions override with their own rows).

The rows are in anjian/inspections/data/patrol_rules.json: grid inspector every two months, town
supervisors every three months, enterprises self-check at least monthly.
"""

from __future__ import annotations

from anjian.core.starter_data import read_data

# (kind, interval_days)
DEFAULT_RULES: list[tuple[str, int]] = [
    (row["kind"], row["interval_days"]) for row in read_data("anjian.inspections", "patrol_rules.json")
]


def load_patrol_rules(PatrolRule) -> None:
    for kind, days in DEFAULT_RULES:
        if not PatrolRule.objects.filter(region__isnull=True, kind=kind).exists():
            PatrolRule.objects.create(region=None, kind=kind, interval_days=days)
