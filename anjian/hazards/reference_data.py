"""Reference tables every installation starts with; administrators may change them later.

The rows are in anjian/hazards/data/categories.json and escalation_steps.json. The loaders create
what is missing and never change an existing row; they take the model class, so the data migration
can pass its historical model.
"""

from __future__ import annotations

from anjian.core.starter_data import read_data

# (code, name, parent code), parents first.
CATEGORIES: list[tuple[str, str, str | None]] = [
    (row["code"], row["name"], row["parent"]) for row in read_data("anjian.hazards", "categories.json")
]

# Overdue escalation (DOMAIN: grid → town → district at configurable steps): (level, days overdue).
ESCALATION_STEPS: list[tuple[int, int]] = [
    (row["level"], row["days_overdue"]) for row in read_data("anjian.hazards", "escalation_steps.json")
]


def load_categories(HazardCategory) -> None:
    by_code = {}
    for rank, (code, name, parent) in enumerate(CATEGORIES):
        obj, _ = HazardCategory.objects.get_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent), "rank": rank}
        )
        by_code[code] = obj


def load_escalation_steps(EscalationStep) -> None:
    # The defaults are the rows without region (migration 0002 ran before districts could override).
    default = {"region": None} if any(f.name == "region" for f in EscalationStep._meta.get_fields()) else {}
    for level, days in ESCALATION_STEPS:
        EscalationStep.objects.get_or_create(level=level, **default, defaults={"days_overdue": days})
