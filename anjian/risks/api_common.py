"""Helpers the risk module's API parts share: required-in-schema markers, choice labels, id filters.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy
from pydantic import ConfigDict

from anjian.core.api_auth import ErrorOut
from anjian.core.registry import Filter

CREATED_ERRORS = {400: ErrorOut, 404: ErrorOut}


def required_in_schema(*names: str) -> ConfigDict:
    """Documented as required in the OpenAPI schema; checked by the route after the scope check."""
    return ConfigDict(json_schema_extra={"required": list(names)})


def display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def id_filter(name: str, label) -> Filter:
    """A list filter by the id of a related record (a malformed id matches nothing)."""

    def condition(value: str) -> Q:
        return Q(**{f"{name}_id": int(value)}) if value.isdigit() else Q(pk__in=[])

    return Filter(name, label, f"{name}_id", condition=condition)


def enterprise_filter() -> Filter:
    return id_filter("enterprise", gettext_lazy("企业ID"))


def blank_is_none(value):
    """A phone's browser sends an empty field as "": for a number that is "not given"."""
    return None if value == "" else value
