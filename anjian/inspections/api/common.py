"""What the inspection API modules share: value types and small helpers.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from typing import Literal

from anjian.core.models import User
from anjian.inspections.models import (
    InspectionKind,
)

KindValue = Literal[tuple(InspectionKind.values)]


def _request_user(context) -> User | None:
    return getattr((context or {}).get("request"), "auth", None)


def _display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""
