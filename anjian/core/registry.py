"""The registry: each app declares its models once (scope, columns, filters, search, sorting,
detail sections, forms, services) and the generic views, exports, API helpers and the
registry-driven scope test are all driven from these declarations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise

from anjian.core.scoping import ScopeSpec, register_scope


@dataclass(frozen=True)
class Column:
    """A column of a list page and of its Excel export."""

    name: str  # attribute path with "__" (e.g. "region__name") or a callable's key
    label: str | Promise | None = None
    sort: str | None = None  # ORDER BY field; None: not sortable
    link: bool = False  # render as a link to the detail page
    badge: bool = False  # render as a coloured badge
    value: Callable[[Model], Any] | None = None  # computes the value instead of the path
    # The fields the cell needs, so list pages load only those (default: the path itself).
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Filter:
    """A filter of a list page. ``kind``: choice, multi, text, region, boolean."""

    name: str
    label: str | Promise
    lookup: str  # ORM lookup applied with the submitted value, e.g. "industry__code__startswith"
    kind: str = "choice"
    choices: Callable[[Any], Sequence[tuple[str, str]]] | None = None  # (user) -> choices
    # value -> condition, for filters that are not one lookup (e.g. "open", "closed this month")
    condition: Callable[[str], Q] | None = None


@dataclass
class Resource:
    model: type[Model]
    slug: str  # URL segment, e.g. "enterprises"
    scope: ScopeSpec
    columns: list[Column] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    search_fields: list[str] = field(default_factory=list)
    search_placeholder: str | Promise = ""
    default_ordering: list[str] = field(default_factory=lambda: ["-pk"])
    select_related: list[str] = field(default_factory=list)
    prefetch_related: list[str] = field(default_factory=list)
    # Detail page: [(section title, [field names or (label, callable)])]
    detail_sections: list[tuple[Any, list[Any]]] = field(default_factory=list)
    # (user, instance or None) -> form class for create/edit; None = no editing for that user
    form_for: Callable[[Any, Model | None], type | None] | None = None
    # service functions: create(actor=, data=) -> instance; update(actor=, instance=, data=) -> instance
    create_service: Callable[..., Model] | None = None
    update_service: Callable[..., Model] | None = None
    page_size: int = 25
    namespace: str = ""  # URL namespace of the app serving it
    detail_template: str = "core/resource_detail.html"
    # (user, instance) -> extra context for a detail template that extends the generic one
    detail_context: Callable[[Any, Model], dict] | None = None
    list_template: str = "core/resource_list.html"
    # extra buttons on the detail page: [(label, url name, role predicate)]
    detail_actions: list[tuple[Any, str, Callable[[Any, Model], bool]]] = field(default_factory=list)
    list_actions: list[tuple[Any, str, Callable[[Any], bool]]] = field(default_factory=list)
    # other URL names taking this resource's primary key that are not buttons (forms reached from
    # the detail page, JSON endpoints), so the scope test walks them too
    extra_routes: list[str] = field(default_factory=list)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def url_name(self, view: str) -> str:
        base = f"{self.slug}-{view}"
        return f"{self.namespace}:{base}" if self.namespace else base

    def base_queryset(self) -> QuerySet:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def search_spans_many(self) -> bool:
        """Whether a search path crosses a one-to-many or many-to-many relation (rows would repeat)."""
        for path in self.search_fields:
            model = self.model
            for part in path.split("__")[:-1]:
                try:
                    field = model._meta.get_field(part)
                except Exception:
                    break
                if field.one_to_many or field.many_to_many:
                    return True
                if not field.is_relation:
                    break
                model = field.related_model
        return False

    def search_condition(self, text: str) -> Q:
        condition = Q()
        for path in self.search_fields:
            condition |= Q(**{path: text})
        return condition

    def list_fields(self) -> list[str]:
        """The fields list pages and exports load (``QuerySet.only``): what the columns need."""
        names = {"pk"} | {sort for sort in self.sort_options().values() if "__" not in sort}
        for column in self.columns:
            names.update(column.fields if column.fields is not None else (column.name,))
        return sorted(names - {"pk"}) + [self.model._meta.pk.name]

    def choice_labels(self) -> dict[str, dict]:
        """``{column: {value: label}}`` for columns showing a field with choices, in the active
        language; built once per page instead of a ``get_FOO_display()`` call per cell."""
        labels = {}
        for column in self.columns:
            if column.value is not None or "__" in column.name:
                continue
            try:
                field = self.model._meta.get_field(column.name)
            except Exception:  # a computed column
                continue
            if field.choices:
                labels[column.name] = {value: str(label) for value, label in field.flatchoices}
        return labels

    def list_relations(self) -> list[str]:
        """The relations ``list_fields`` traverse, for ``select_related`` on list pages."""
        paths = {field.rsplit("__", 1)[0] for field in self.list_fields() if "__" in field}
        return sorted(paths)

    def object_routes(self) -> list[str]:
        """Every URL name that acts on one record of this resource (used by the scope test)."""
        names = [self.url_name("detail")]
        if self.form_for is not None:
            names.append(self.url_name("edit"))
        return names + [name for _label, name, _pred in self.detail_actions] + list(self.extra_routes)

    def sort_options(self) -> dict[str, str]:
        return {c.name: c.sort for c in self.columns if c.sort}


_resources: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    """Register a resource and its scope. Called from each app's ``registry.py``."""
    if resource.slug in _resources and _resources[resource.slug].model is not resource.model:
        raise ValueError(f"resource slug {resource.slug!r} registered twice")
    _resources[resource.slug] = resource
    register_scope(resource.model, resource.scope)
    return resource


def get(slug: str) -> Resource:
    return _resources[slug]


def for_model(model: type[Model]) -> Resource:
    for resource in _resources.values():
        if resource.model is model:
            return resource
    raise LookupError(model)


def all_resources() -> list[Resource]:
    return list(_resources.values())
