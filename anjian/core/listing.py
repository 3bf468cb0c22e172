"""Parsing and applying list parameters (search, filters, sort) from the registry, shared by the
list pages, their Excel export and the API list routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import QueryDict

from anjian.core.registry import Resource
from anjian.core.scoping import VIEW, restrict


@dataclass
class ListQuery:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""

    def as_params(self) -> dict[str, list[str] | str]:
        params: dict[str, list[str] | str] = {name: values for name, values in self.filters.items()}
        if self.q:
            params["q"] = self.q
        if self.sort:
            params["sort"] = self.sort
        return params


def parse(resource: Resource, params: QueryDict | dict) -> ListQuery:
    getlist = params.getlist if hasattr(params, "getlist") else (lambda k: [params[k]] if k in params else [])
    filters = {}
    for flt in resource.filters:
        values = [v.strip() for v in getlist(flt.name) if v and v.strip()]
        if values:
            filters[flt.name] = values if flt.kind == "multi" else values[:1]
    sort = (getlist("sort") or [""])[0]
    if sort.lstrip("-") not in resource.sort_options():
        sort = ""
    return ListQuery(q=(getlist("q") or [""])[0].strip()[:100], filters=filters, sort=sort)


def apply(resource: Resource, queryset: QuerySet, query: ListQuery) -> QuerySet:
    by_name = {flt.name: flt for flt in resource.filters}
    for name, values in query.filters.items():
        flt = by_name[name]
        if flt.condition is not None:
            queryset = queryset.filter(flt.condition(values[0]))
        elif flt.kind == "multi":
            # A subquery keeps one row per record however many values match.
            matching = resource.model._default_manager.filter(**{f"{flt.lookup}__in": values}).values("pk")
            queryset = queryset.filter(pk__in=matching)
        elif flt.kind == "boolean":
            queryset = queryset.filter(**{flt.lookup: values[0] in {"1", "true", "yes"}})
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
    query = parse(resource, params)
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
