"""Default patrol plan (issue defaults; regions override with their own rows)."""

from __future__ import annotations

DEFAULT_RULES = [
    # (kind, interval_days): grid inspector every two months, town supervisors every three months,
    # enterprises self-check at least monthly.
    ("grid_patrol", 60),
    ("town_patrol", 90),
    ("self_check", 30),
]


def load_patrol_rules(PatrolRule) -> None:
    for kind, days in DEFAULT_RULES:
        if not PatrolRule.objects.filter(region__isnull=True, kind=kind).exists():
            PatrolRule.objects.create(region=None, kind=kind, interval_days=days)
