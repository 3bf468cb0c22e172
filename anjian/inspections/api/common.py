"""What the inspection API modules share: value types and small helpers.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from typing import Literal

from ninja import Field
from pydantic import ConfigDict

from anjian.core.models import User
from anjian.enterprises.models import VenueType
from anjian.inspections.models import (
    AnswerResult,
    AnswerType,
    InspectionKind,
)

KindValue = Literal[tuple(InspectionKind.values)]
ResultValue = Literal[tuple(AnswerResult.values)]
AnswerTypeValue = Literal[tuple(AnswerType.values)]
VenueValue = Literal[tuple(VenueType.values)]
Number = Field(None, max_digits=12, decimal_places=3)


def _required(*names: str) -> ConfigDict:
    """Documented as required in the OpenAPI schema; checked by the route after the scope check."""
    return ConfigDict(json_schema_extra={"required": list(names)})


def _request_user(context) -> User | None:
    return getattr((context or {}).get("request"), "auth", None)


def _display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""
