"""Reference tables (参数表): the small tables DOMAIN.md calls configurable — risk bands, level
control, measure kinds, hazard categories, escalation steps, major-hazard criteria, supervision
classes … Each app declares its tables in its ``registry.py`` with :func:`register`; the kernel
serves the pages (``reference_views.py``) and does every write here, audited.

Who owns a table: ``owner(user)`` (the platform admin by default). A table with
``district_override`` has a nullable ``region`` foreign key: rows without a region are the
defaults (the owner's), rows with a region are one district's overrides, edited by that
district's admin. A ``versioned`` table never changes a published row: an edit publishes a new
version through the app's ``publish`` service, so stored results keep the version they used.
Rows are never deleted (records point to them); they are deactivated and reactivated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.forms.models import fields_for_model, model_to_dict
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core import audit, menu
from anjian.core.roles import Role


def platform_admin(user) -> bool:
    return bool(getattr(user, "is_platform_admin", False))


@dataclass(frozen=True)
class ReferenceTable:
    model: type[Model]
    slug: str  # URL segment, unique among reference tables
    label: str | Promise
    fields: tuple[str, ...]  # the editable fields, in form order
    owner: Callable[[Any], bool] = platform_admin
    # The model has a nullable ``region`` FK: a district admin keeps overrides for his district.
    district_override: bool = False
    # An edit publishes a new version through ``publish`` instead of changing the row.
    versioned: bool = False
    # (actor=, instance=, values=) -> the new row of the new version; versioned tables only
    publish: Callable[..., Model] | None = None
    # () -> the rows the pages list and edit (e.g. a versioned table's current version)
    rows: Callable[[], QuerySet] | None = None
    columns: tuple[str, ...] = ()  # shown on the list (default: the fields)
    active_field: str | None = "active"  # None: rows cannot be deactivated
    allow_create: bool = True
    # form field overrides: {field name: () -> forms.Field}
    form_fields: dict[str, Callable[[], forms.Field]] = field(default_factory=dict)
    # (row) -> None, raising ValidationError({field: [...]}) for rules the model does not state
    validate: Callable[[Model], None] | None = None
    # list cells computed instead of the field's value: {column: (row) -> value}
    display: dict[str, Callable[[Model], Any]] = field(default_factory=dict)
    help_text: str | Promise = ""

    @property
    def list_columns(self) -> tuple[str, ...]:
        columns = self.columns or self.fields
        if self.district_override and "region" not in columns:
            columns = ("region", *columns)
        return columns

    def queryset(self) -> QuerySet:
        qs = self.rows() if self.rows is not None else self.model._default_manager.all()
        if self.district_override:
            qs = qs.select_related("region")
        return qs


_tables: dict[str, ReferenceTable] = {}


def register(table: ReferenceTable) -> ReferenceTable:
    """Declare a reference table. Called from each app's ``registry.py``."""
    if table.slug in _tables and _tables[table.slug].model is not table.model:
        raise ValueError(f"reference table {table.slug!r} registered twice")
    if table.versioned and table.publish is None:
        raise ValueError(f"reference table {table.slug!r} is versioned but has no publish service")
    _tables[table.slug] = table
    return table


def all_tables() -> list[ReferenceTable]:
    return list(_tables.values())


# --- who may -----------------------------------------------------------------------------------


def _district_of(user) -> str | None:
    """The district a district admin keeps overrides for (his region), else None."""
    if getattr(user, "role", None) == Role.DISTRICT_ADMIN and getattr(user, "region_id", None):
        return user.region_id
    return None


def may_open(table: ReferenceTable, user) -> bool:
    """Whether the user may open the table's pages at all."""
    return table.owner(user) or (table.district_override and _district_of(user) is not None)


def tables_for(user) -> list[ReferenceTable]:
    return [table for table in _tables.values() if may_open(table, user)]


def table_for(user, slug: str) -> ReferenceTable:
    """The table if the user may open it; missing and refused are both a 404."""
    table = _tables.get(slug)
    if table is None or not may_open(table, user):
        raise Http404
    return table


def visible_rows(table: ReferenceTable, user) -> QuerySet:
    """The rows the user sees on the table's list: all for the owner; the defaults and his own
    district's overrides for a district admin."""
    qs = table.queryset()
    if table.owner(user):
        return qs
    district = _district_of(user)
    if not table.district_override or district is None:
        return qs.none()
    return qs.filter(Q(region__isnull=True) | Q(region_id=district))


def may_change(table: ReferenceTable, user, row: Model | None) -> bool:
    """Whether the user may create (row None) or change this row."""
    if table.owner(user):
        return True
    district = _district_of(user)
    if not table.district_override or district is None:
        return False
    return row is None or row.region_id == district


def row_for(table: ReferenceTable, user, pk) -> Model:
    """A row the user may change; anything else (missing, another district's, a default for a
    district admin, an old version) is a 404."""
    try:
        row = table.queryset().filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        row = None
    if row is None or not may_change(table, user, row):
        raise Http404
    return row


# --- the form ----------------------------------------------------------------------------------


def form_class(table: ReferenceTable) -> type[forms.Form]:
    """A plain form of the table's editable fields (the service writes, never the form)."""
    from anjian.core.forms import BootstrapMixin

    fields = fields_for_model(table.model, fields=[f for f in table.fields if f not in table.form_fields])
    for name, make in table.form_fields.items():
        fields[name] = make()
    ordered = {name: fields[name] for name in table.fields}
    return type(f"{table.model.__name__}ReferenceForm", (BootstrapMixin, forms.Form), ordered)


def initial_for(table: ReferenceTable, row: Model | None) -> dict[str, Any]:
    return model_to_dict(row, fields=list(table.fields)) if row is not None else {}


# --- writes ------------------------------------------------------------------------------------


def _check(row: Model, table: ReferenceTable) -> None:
    """Every rule of the model (fields, uniqueness, constraints) and of the table."""
    row.full_clean()
    if table.validate is not None:
        table.validate(row)


def _values(table: ReferenceTable, data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in table.fields if name in data}


@transaction.atomic
def reference_row_create(*, actor, table: ReferenceTable, data: dict[str, Any]) -> Model:
    """A new row: a default for the owner, an override of his district for a district admin."""
    if not table.allow_create or table.versioned or not may_change(table, actor, None):
        raise ValidationError(_("您不能在此参数表中新增记录"))
    row = table.model(**_values(table, data))
    if table.district_override:
        row.region_id = None if table.owner(actor) else _district_of(actor)
    _check(row, table)
    row.save()
    audit.record(actor=actor, action="create", instance=row, changes=audit.diff({}, audit.snapshot(row)))
    return row


@transaction.atomic
def reference_row_update(*, actor, table: ReferenceTable, instance: Model, data: dict[str, Any]) -> Model:
    """Change a row; on a versioned table, publish a new version with the change instead."""
    row = table.model._default_manager.select_for_update().get(pk=instance.pk)
    if not may_change(table, actor, row) or not table.queryset().filter(pk=row.pk).exists():
        raise ValidationError(_("您不能修改这条记录"))
    before = audit.snapshot(row)
    values = _values(table, data)
    if table.versioned:
        new = table.publish(actor=actor, instance=row, values=values)
        audit.record(actor=actor, action="publish", instance=new, changes=audit.diff(before, audit.snapshot(new)))
        return new
    for name, value in values.items():
        setattr(row, name, value)
    _check(row, table)
    row.save()
    changes = audit.diff(before, audit.snapshot(row))
    if changes:
        audit.record(actor=actor, action="update", instance=row, changes=changes)
    return row


@transaction.atomic
def reference_row_set_active(*, actor, table: ReferenceTable, instance: Model, active: bool) -> Model:
    """Deactivate or reactivate a row. Nothing is deleted: stored records point to these rows."""
    if table.active_field is None:
        raise ValidationError(_("此参数表的记录不能停用"))
    row = table.model._default_manager.select_for_update().get(pk=instance.pk)
    if not may_change(table, actor, row):
        raise ValidationError(_("您不能修改这条记录"))
    before = getattr(row, table.active_field)
    if before == active:
        return row
    setattr(row, table.active_field, active)
    if active:  # a reactivated row must still fit beside the active ones
        _check(row, table)
    row.save(update_fields=[table.active_field])
    audit.record(
        actor=actor,
        action="reactivate" if active else "deactivate",
        instance=row,
        changes={table.active_field: [before, active]},
    )
    return row


menu.register_entry(
    menu.MenuEntry(
        "core.reference",
        gettext_lazy("参数表"),
        "core:reference-index",
        group="system",
        visible=lambda user: bool(tables_for(user)),
        order=30,
    )
)
