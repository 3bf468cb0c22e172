"""Parsing and applying list parameters (search, filters, sort) from the registry, shared by the
list pages, their Excel export and the API list routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

from anjian.core.registry import Resource
from anjian.core.scoping import VIEW, restrict


@dataclass
class ListQuery:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # the accepted values as submitted
    sort: str = ""
    values: dict[str, list[Any]] = field(default_factory=dict)  # the same, as the query uses them
    errors: dict[str, list[str]] = field(default_factory=dict)  # refused filters: {name: [message]}

    def as_params(self) -> dict[str, list[str] | str]:
        params: dict[str, list[str] | str] = {name: values for name, values in self.filters.items()}
        if self.q:
            params["q"] = self.q
        if self.sort:
            params["sort"] = self.sort
        return params


def parse(resource: Resource, params: QueryDict | dict, user: Any = None) -> ListQuery:
    """Search, filters and sort from request parameters. Each filter value is checked by its kind
    (``Filter.clean``); a filter with a bad value is left out and named in ``errors``."""
    getlist = params.getlist if hasattr(params, "getlist") else (lambda k: _as_list(params.get(k)))
    filters: dict[str, list[str]] = {}
    values: dict[str, list[Any]] = {}
    errors: dict[str, list[str]] = {}
    for flt in resource.filters:
        raw = [v.strip() for v in getlist(flt.name) if isinstance(v, str) and v.strip()]
        raw = raw if flt.kind == "multi" else raw[:1]
        if not raw:
            continue
        choices = flt.choices(user) if flt.choices is not None and flt.kind in {"choice", "multi"} else None
        try:
            cleaned = [flt.clean(v, user, resource.model, choices=choices) for v in raw]
        except ValidationError as exc:
            errors[flt.name] = [str(message) for message in exc.messages]
            continue
        filters[flt.name] = raw
        values[flt.name] = cleaned
    sort = (getlist("sort") or [""])[0]
    if not isinstance(sort, str) or sort.lstrip("-") not in resource.sort_options():
        sort = ""
    q = (getlist("q") or [""])[0]
    q = q.replace("\x00", "").strip()[:100] if isinstance(q, str) else ""
    return ListQuery(q=q, filters=filters, sort=sort, values=values, errors=errors)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def apply(resource: Resource, queryset: QuerySet, query: ListQuery) -> QuerySet:
    by_name = {flt.name: flt for flt in resource.filters}
    for name, raw in query.filters.items():
        flt = by_name[name]
        values = query.values.get(name, raw)
        if flt.condition is not None:
            queryset = queryset.filter(flt.condition(raw[0]))
        elif flt.kind == "multi":
            # A subquery keeps one row per record however many values match.
            matching = resource.model._default_manager.filter(**{f"{flt.lookup}__in": values}).values("pk")
            queryset = queryset.filter(pk__in=matching)
        elif flt.kind == "boolean":
            value = values[0] if isinstance(values[0], bool) else values[0] in {"1", "true", "yes"}
            queryset = queryset.filter(**{flt.lookup: value})
        elif flt.is_date_on_datetime(resource.model):
            field_name, _sep, lookup = flt.lookup.partition("__")
            queryset = queryset.filter(**{f"{field_name}__date" + (f"__{lookup}" if lookup else ""): values[0]})
        else:
            queryset = queryset.filter(**{flt.lookup: values[0]})
    if query.q:
        condition = resource.search_condition(query.q)
        if resource.search_spans_many():
            # A subquery keeps one row per record however many related rows match.
            condition = Q(pk__in=resource.model._default_manager.filter(condition).values("pk"))
        queryset = queryset.filter(condition)
    if query.sort:
        column = resource.sort_options()[query.sort.lstrip("-")]
        descending = query.sort.startswith("-")
        queryset = queryset.order_by(f"-{column}" if descending else column, "-pk" if descending else "pk")
    else:
        queryset = queryset.order_by(*resource.default_ordering)
    return queryset


def scoped_list(resource: Resource, user, params: QueryDict | dict) -> tuple[QuerySet, ListQuery]:
    """The user's scoped, filtered, sorted queryset for a list page, export or API list."""
    query = parse(resource, params, user)
    return apply(resource, restrict(resource.base_queryset(), user, VIEW), query), query


def column_value(obj, column, labels: dict[str, dict] | None = None) -> object:
    """A cell's value: the column's function, else the attribute path; a field with choices shows
    its label (``labels`` from ``Resource.choice_labels()``, built once per page)."""
    if column.value is not None:
        return column.value(obj)
    value = obj
    for part in column.name.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    if labels and column.name in labels:
        return labels[column.name].get(value, value)
    return value
