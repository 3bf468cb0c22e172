"""Helpers the risk module's API parts share: choice labels, id filters.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy

from anjian.core.registry import Filter


def display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def id_filter(name: str, label) -> Filter:
    """A list filter by the id of a related record (a malformed id matches nothing)."""

    def condition(value: str) -> Q:
        return Q(**{f"{name}_id": int(value)}) if value.isdigit() else Q(pk__in=[])

    return Filter(name, label, f"{name}_id", condition=condition)


def enterprise_filter() -> Filter:
    return id_filter("enterprise", gettext_lazy("企业ID"))
