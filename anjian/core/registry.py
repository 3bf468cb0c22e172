"""The registry: each app declares its models once (scope, columns, filters, search, sorting,
detail sections, forms, services) and the generic views, exports, API helpers and the
registry-driven scope test are all driven from these declarations."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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


TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off"})
MAX_FILTER_LENGTH = 100
_REGION_CODE = re.compile(r"[0-9]{2,20}")
_INTEGER = re.compile(r"-?[0-9]{1,18}")  # fits every integer column of every database
_INTEGER_FIELDS = (models.IntegerField, models.AutoField, models.BigAutoField, models.SmallAutoField)


@dataclass(frozen=True)
class Filter:
    """A filter of a list page and of the API list. ``kind`` says what a value must look like:
    choice (one of ``choices``, or of ``shape``), multi (several of them), text, region (a division
    code: digits), boolean, date (ISO ``YYYY-MM-DD``), id (an integer). ``clean`` checks a value
    before it reaches the ORM; a bad value is a message on the page and a 400 on the API."""

    name: str
    label: str | Promise
    lookup: str  # ORM lookup applied with the submitted value, e.g. "industry__code__startswith"
    kind: str = "choice"
    choices: Callable[[Any], Sequence[tuple[str, str]]] | None = None  # (user) -> choices
    # value -> condition, for filters that are not one lookup (e.g. "open", "closed this month")
    condition: Callable[[str], Q] | None = None
    # A regular expression a value must match in full, instead of being among ``choices`` (for
    # long choice lists, or prefixes finer than the listed ones).
    shape: str | None = None

    def clean(self, value: str, user: Any = None, model: type[Model] | None = None, choices=None) -> Any:
        """The value as the query uses it (a ``date``, ``bool``, ``int`` or text), or a
        ``ValidationError`` saying what is wrong. ``choices``: the already loaded ``choices(user)``."""
        if not isinstance(value, str) or "\x00" in value or len(value) > MAX_FILTER_LENGTH:
            raise ValidationError(_("值无效"))
        if self.kind == "boolean":
            lowered = value.lower()
            if lowered not in TRUE_VALUES | FALSE_VALUES:
                raise ValidationError(_("请选择“是”或“否”"))
            return lowered in TRUE_VALUES
        if self.kind == "date":
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is None:
                raise ValidationError(_("请输入有效的日期（YYYY-MM-DD）"))
            return day
        if self.kind == "region":
            if not _REGION_CODE.fullmatch(value):
                raise ValidationError(_("请输入有效的区划代码"))
            return value
        if self.kind == "id":
            if not _INTEGER.fullmatch(value):
                raise ValidationError(_("请输入整数"))
            return int(value)
        if self.shape is not None:
            if not re.fullmatch(self.shape, value):
                raise ValidationError(_("请选择有效的选项"))
        elif self.kind in {"choice", "multi"} and self.choices is not None and "__startswith" not in self.lookup:
            options = self.choices(user) if choices is None else choices
            # An empty list (a user without drill-down) leaves the shape check below to decide.
            if options and value not in {str(key) for key, _label in options}:
                raise ValidationError(_("请选择有效的选项"))
        return self._field_value(value, model)

    def _field_value(self, value: str, model: type[Model] | None) -> Any:
        """Check a value against the model field the lookup ends on (an integer id, a number …)."""
        target = self.lookup_field(model)
        while target is not None and target.is_relation and getattr(target, "target_field", None) is not None:
            target = target.target_field  # a foreign key by its column: the key's own type
        if target is None or isinstance(target, (models.CharField, models.TextField)):
            return value
        if isinstance(target, _INTEGER_FIELDS) and not _INTEGER.fullmatch(value):
            raise ValidationError(_("请输入整数"))
        try:
            return target.to_python(value)
        except (ValidationError, ValueError, TypeError, ArithmeticError):
            raise ValidationError(_("值无效")) from None

    def lookup_field(self, model: type[Model] | None) -> models.Field | None:
        """The concrete field the lookup path ends on (through relations), or None."""
        if model is None or not self.lookup:
            return None
        target = None
        for part in self.lookup.split("__"):
            try:
                found = model._meta.get_field(part)
            except FieldDoesNotExist:
                break  # a lookup or transform ("startswith", "date", "gte")
            if found.is_relation and found.related_model is not None and part != getattr(found, "attname", None):
                # A relation by name: the path goes on in the related model; a value here is its key.
                model = found.related_model
                target = model._meta.pk
            else:
                target = found
        return target if isinstance(target, models.Field) else None

    def is_date_on_datetime(self, model: type[Model] | None) -> bool:
        """A date filter on a date-and-time column without ``__date``: compare by day."""
        return (
            self.kind == "date"
            and isinstance(self.lookup_field(model), models.DateTimeField)
            and "date" not in self.lookup.split("__")
        )


@dataclass(frozen=True)
class Redaction:
    """Fields of a record that some readers may not see (a public reporter's identity, a masked
    number), declared once on the resource. The kernel applies it on every door: the detail page
    sections, the history (page and API), the API output, list pages and Excel exports."""

    fields: tuple[str, ...]
    hidden: Callable[[Any, Model], bool]  # (user, record) -> True when the user may not see them
    # Audit actions made by the protected person: their IP (and device) is hidden too.
    ip_of: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # fields the predicate reads, loaded by list pages and exports


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
    # Declared actions (``anjian.core.actions.Action``): page button + form, API route, allowed
    # actions, scope walk — all from these declarations.
    actions: list[Any] = field(default_factory=list)
    action_template: str = "core/action.html"
    # (user, instance) -> extra context for the action pages (badges, next step …)
    action_context: Callable[[Any, Model], dict] | None = None
    # Fields hidden from some readers on every door (detail, history, API, list, export).
    redactions: list[Redaction] = field(default_factory=list)

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
        for redaction in self.redactions:
            names.update(redaction.needs)
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
        names += [self.url_name(action.slug) for action in self.actions if action.page and not action.collection]
        return names + [name for _label, name, _pred in self.detail_actions] + list(self.extra_routes)

    def action(self, name: str):
        """The declared action of that name (KeyError if none)."""
        for action in self.actions:
            if action.name == name:
                return action
        raise KeyError(name)

    def allowed_actions(self, user, instance: Model) -> list:
        """The declared actions ``user`` may take on ``instance`` now."""
        return [action for action in self.actions if not action.collection and action.allowed(user, instance)]

    def sort_options(self) -> dict[str, str]:
        return {c.name: c.sort for c in self.columns if c.sort}

    # --- redactions: one place that says what a reader may not see ---------------------------

    def hidden_fields(self, user: Any, obj: Model) -> frozenset[str]:
        """The fields of ``obj`` that ``user`` may not see (from ``redactions``)."""
        hidden: set[str] = set()
        for redaction in self.redactions:
            if redaction.hidden(user, obj):
                hidden.update(redaction.fields)
        return frozenset(hidden)

    def hidden_ip_actions(self, user: Any, obj: Model) -> frozenset[str]:
        """Audit actions of ``obj`` whose IP address ``user`` may not see."""
        return frozenset(
            action for redaction in self.redactions if redaction.hidden(user, obj) for action in redaction.ip_of
        )

    def redacted(self, user: Any, obj: Model) -> Model:
        """``obj`` as ``user`` may see it: a copy with the hidden fields emptied (for output only;
        the record itself and its cached relations are untouched)."""
        hidden = self.hidden_fields(user, obj) if self.redactions else frozenset()
        if not hidden:
            return obj
        shown = copy.copy(obj)
        shown._state = copy.copy(obj._state)
        shown._state.fields_cache = dict(obj._state.fields_cache)
        for name in hidden:
            model_field = obj._meta.get_field(name)
            if model_field.is_relation:
                shown.__dict__[model_field.attname] = None
                shown._state.fields_cache[name] = None
            else:
                shown.__dict__[model_field.attname] = None if model_field.null else model_field.get_default()
        return shown

    def column_hidden(self, column: Column, hidden: frozenset[str]) -> bool:
        """Whether a list or export column shows one of the ``hidden`` fields."""
        paths = (column.name, *(column.fields or ()))
        return any(path.split("__")[0] in hidden for path in paths)


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
