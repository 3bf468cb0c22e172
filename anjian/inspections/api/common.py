"""What the inspection API modules share: value types and small helpers.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from typing import Literal

from pydantic import ConfigDict

from anjian.core.models import User
from anjian.inspections.models import (
    AnswerResult,
    InspectionKind,
)

KindValue = Literal[tuple(InspectionKind.values)]
ResultValue = Literal[tuple(AnswerResult.values)]


def _required(*names: str) -> ConfigDict:
    """Documented as required in the OpenAPI schema; checked by the route after the scope check."""
    return ConfigDict(json_schema_extra={"required": list(names)})


def _request_user(context) -> User | None:
    return getattr((context or {}).get("request"), "auth", None)


def _display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""
