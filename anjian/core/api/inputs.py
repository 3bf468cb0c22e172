"""Input helpers shared by every app's API: strict input schemas, related records by key
(resolved inside the user's scope), PATCH schemas, photo and required-field checks.

No ``from __future__ import annotations``: django-ninja reads annotations at run time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, create_model

from anjian.core.api.base import api  # noqa: F401
from anjian.core.scoping import VIEW, restrict, scope_spec

# --- input helpers: related records by key, partial schemas ---------------------------------


class InputSchema(Schema):
    """Base of input schemas: unknown fields are an error, choices arrive as plain values."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class Ref:
    """An input field that names a related record by a key (a region code, an id, a tag name).

    The value is resolved to the record among ``choices(user)`` (default: ``restrict()`` on the
    model when it has a scope, otherwise all records). A key that exists but is not selectable
    says so when ``reveal`` (public keys such as division codes); otherwise it reads as unknown.
    """

    model: type[Model]
    key: str = "pk"
    many: bool = False
    choices: Callable[[Any], QuerySet] | None = None
    reveal: bool = True

    def candidates(self, user) -> QuerySet:
        if self.choices is not None:
            return self.choices(user)
        queryset = self.model._default_manager.all()
        try:
            scope_spec(self.model)
        except LookupError:
            return queryset
        return restrict(queryset, user, VIEW)


def resolve_refs(user, refs: dict[str, Ref], data: dict[str, Any]) -> dict[str, Any]:
    """Replace keys by records in ``data``; a bad key is a 400 on that field (all fields at once)."""
    out = dict(data)
    errors: dict[str, list[str]] = {}
    for name, ref in refs.items():
        if name not in data:
            continue
        value = data[name]
        if ref.many:
            values = list(dict.fromkeys(value or []))
        elif value is None or value == "":
            out[name] = None
            continue
        else:
            values = [value]
        found = {str(getattr(obj, ref.key)): obj for obj in ref.candidates(user).filter(**{f"{ref.key}__in": values})}
        missing = [v for v in values if str(v) not in found]
        if missing:
            existing = set()
            if ref.reveal:
                manager = ref.model._default_manager
                existing = {
                    str(v) for v in manager.filter(**{f"{ref.key}__in": missing}).values_list(ref.key, flat=True)
                }
            errors[name] = [
                (_("不在您的管辖范围内：%(value)s") if str(v) in existing else _("不存在：%(value)s")) % {"value": v}
                for v in missing
            ]
            continue
        out[name] = [found[str(v)] for v in values] if ref.many else found[str(values[0])]
    if errors:
        raise DjangoValidationError(errors)
    return out


def patch_schema(schema: type[Schema], name: str | None = None) -> type[Schema]:
    """The same fields as ``schema``, none required, no defaults applied: a PATCH body.
    Constraints and validators are kept; an explicit null is refused unless the field allows it."""
    fields = {}
    for field_name_, info in schema.model_fields.items():
        annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        fields[field_name_] = (annotation, Field(None, description=info.description, alias=info.alias))
    return create_model(name or f"{schema.__name__}Patch", __base__=schema, **fields)


# --- shared by the apps' API modules --------------------------------------------------------

MAX_PHOTOS = 9


def check_photos(photos, *, required: str = "") -> dict[str, list[str]]:
    """Photos are checked by content before anything is written: errors under ``photos``;
    ``required`` is the message when at least one photo is needed."""
    from anjian.core.attachments import validate_upload

    photos = [p for p in (photos or []) if p]
    messages: list[str] = []
    if required and not photos:
        messages.append(str(required))
    if len(photos) > MAX_PHOTOS:
        messages.append(_("最多上传 %(count)s 张照片") % {"count": MAX_PHOTOS})
    for photo in photos:
        try:
            validate_upload(photo, kind="photo")
        except DjangoValidationError as exc:
            messages.extend(f"{photo.name}：{message}" for message in exc.messages)
    return {"photos": messages} if messages else {}
