"""Actions declared once. An app lists each action of a model in its registry entry::

    Resource(..., actions=[
        Action("assign", form=AssignForm, workflow=HAZARD_FLOW, service=services.hazard_assign,
               record_arg="hazard", form_kwargs=lambda user, hazard: {"user": user, "hazard": hazard}),
        Action("archive", _("归档"), form=None, may=rules.may_edit_point, service=services.point_archive),
    ])

and the kernel turns each declaration into
- the page: a button on the detail page, a form (``GET``; an htmx request gets the panel
  fragment) and its submission (``POST``) at ``<slug>/<pk>/<action>/`` (``anjian.core.views``);
- the API route ``POST /api/v1/<slug>/{pk}/<action>/`` taking JSON or multipart, whose body in the
  OpenAPI schema is derived from the same form (``anjian.core.api``);
- ``allowed_actions`` on the API detail and the buttons on the page, from one predicate;
- the audit entry and the transition row (``anjian.core.workflow`` for stateful models; the
  service records it for the others);
- an entry in the registry-driven scope walk (``Resource.object_routes``).

The input is a Django form: it validates page posts and API bodies alike, with the same
translated messages. The service re-checks every rule (``Workflow.move`` does for transitions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.workflow import Guard, Workflow

STALE = "stale"
REQUIRED = gettext_lazy("此字段为必填项")
DJANGO_REQUIRED = forms.Field.default_error_messages["required"]


@dataclass(frozen=True)
class Action:
    """One thing a user does to one record.

    ``service(actor=…, <record_arg>=record, **form.service_kwargs(), [expected_version=…])`` does
    it; ``form`` (optional) is its input; who may and in which states come from ``workflow`` (its
    transition of the same name) or from ``may`` and ``states``."""

    name: str
    label: Any = None
    service: Callable[..., Any] | None = None
    form: type[forms.Form] | None = None
    workflow: Workflow | None = None
    may: Guard | None = None
    states: tuple[str, ...] | None = None
    state_field: str = "status"
    record_arg: str = "record"
    form_kwargs: Callable[[Any, Model], dict[str, Any]] | None = None
    style: str = "primary"
    icon: str = ""
    help: Any = ""
    done: Any = ""
    template: str | None = None
    api: bool = True
    button: bool = True  # offered as a button on the detail page (the list page for a collection action)
    # A collection action acts on no record: it makes one (e.g. report a hazard). Its page is
    # ``<slug>/<action>/``, its API route ``POST /<slug>/<action>/`` (201 with the new record);
    # ``may(user, None)`` decides who may, and anyone else gets 404 as for a hidden record.
    collection: bool = False
    # False: a special page of the app serves it (a phone flow) and calls this declaration; the
    # kernel then mounts only the API route.
    page: bool = True

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @property
    def title(self) -> Any:
        if self.label is not None:
            return self.label
        if self.workflow is not None:
            return self.workflow.label(self.name)
        return self.name

    @property
    def versioned(self) -> bool:
        return self.workflow is not None and bool(self.workflow.version_field)

    def version_of(self, record: Model) -> int | None:
        return getattr(record, self.workflow.version_field) if self.versioned else None

    def refusal(self, user, record: Model | None) -> str | None:
        """Why ``user`` may not take this action on ``record`` now, or None."""
        if record is None:  # a collection action
            if self.may is not None and not self.may(user, None):
                return _("您无权执行此操作")
            return None
        if self.workflow is not None and self.name in self.workflow.transitions:
            problem = self.workflow.refusal(user, record, self.name)
            if problem:
                return problem
        noun = record._meta.verbose_name
        if self.states is not None and getattr(record, self.state_field) not in self.states:
            display = getattr(record, f"get_{self.state_field}_display", lambda: "")()
            return _("%(model)s当前为“%(state)s”，不能%(action)s") % {
                "model": noun,
                "state": display,
                "action": self.title,
            }
        if self.may is not None and not self.may(user, record):
            return _("您无权对该%(model)s执行此操作") % {"model": noun}
        return None

    def allowed(self, user, record: Model | None) -> bool:
        return self.refusal(user, record) is None

    def build_form(self, user, record: Model | None, data=None, files=None, initial=None, **extra) -> forms.Form:
        """The action's form (``extra``: what a special page adds, e.g. the enterprise it was
        opened for)."""
        form_class = self.form or forms.Form
        kwargs = {**(self.form_kwargs(user, record) if self.form_kwargs else {}), **extra}
        form = form_class(initial=initial, **kwargs) if data is None else form_class(data, files, **kwargs)
        for field in form.fields.values():
            if field.error_messages.get("required") is DJANGO_REQUIRED:
                field.error_messages["required"] = REQUIRED  # the API's wording, page and API alike
        return form

    @staticmethod
    def result_record(record: Model, result: Any) -> Model:
        """Where the user goes after the action: the new record of the same model the service
        returned (e.g. a copy), otherwise the record acted on."""
        return result if isinstance(result, type(record)) and result.pk is not None else record

    def perform(self, *, actor, record: Model, form: forms.Form, expected_version: int | None = None) -> Any:
        """Call the service with the form's cleaned input. Raises the service's ValidationError."""
        if hasattr(form, "service_kwargs"):
            kwargs = form.service_kwargs()
        else:
            kwargs = dict(form.cleaned_data)
        if self.versioned:
            kwargs["expected_version"] = expected_version
        if record is None:
            return self.service(actor=actor, **kwargs)
        return self.service(actor=actor, **{self.record_arg: record}, **kwargs)


def is_stale(exc: ValidationError) -> bool:
    """A refusal because somebody else moved the record first."""
    return not hasattr(exc, "error_dict") and any(error.code == STALE for error in exc.error_list)


def allowed_actions(user, actions: list[Action], record: Model) -> list[Action]:
    return [action for action in actions if action.allowed(user, record)]


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """A form's errors as ``{field: [messages]}`` (non-field errors under ``__all__``)."""
    return {name: [str(message) for message in errors] for name, errors in form.errors.items()}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form, per field where the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- the API body, derived from the form -----------------------------------------------------


def is_file_field(field: forms.Field) -> bool:
    return isinstance(field, forms.FileField)


def _field_schema(field: forms.Field) -> dict[str, Any]:
    """The JSON schema of one form field's value (a field may give its own: ``json_schema()``)."""
    schema: dict[str, Any]
    if hasattr(field, "json_schema"):
        schema = field.json_schema()
    elif isinstance(field, forms.ModelMultipleChoiceField):
        key = field.to_field_name
        schema = {"type": "array", "items": {"type": "string"} if key else {"type": "integer"}}
    elif isinstance(field, forms.ModelChoiceField):
        schema = {"type": "string"} if field.to_field_name else {"type": "integer"}
    elif isinstance(field, forms.MultipleChoiceField):
        schema = {"type": "array", "items": {"type": "string"}}
        values = [str(value) for value, _label in field.choices if not isinstance(_label, (list, tuple))]
        if values:
            schema["items"]["enum"] = values
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string"}
        values = [
            str(value) for value, _label in field.choices if value != "" and not isinstance(_label, (list, tuple))
        ]
        if values:
            schema["enum"] = values
    elif isinstance(field, forms.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):  # before IntegerField, their base
        schema = {"type": "number"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, forms.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif is_file_field(field):
        schema = {"type": "array", "items": {"type": "string", "format": "binary"}}
    else:
        schema = {"type": "string"}
        if getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
    for attr, key in (("min_value", "minimum"), ("max_value", "maximum")):
        value = getattr(field, attr, None)
        if isinstance(value, (int, float)) and schema.get("type") in {"integer", "number"}:
            schema[key] = value
    if not field.required and schema.get("type") != "array":
        schema = {"anyOf": [schema, {"type": "null"}]}
    description = str(field.label or "")
    if field.help_text:
        description = f"{description}：{field.help_text}" if description else str(field.help_text)
    if description:
        schema["description"] = description
    return schema


def default_of(field: forms.Field) -> Any:
    """The value an API body may leave out (the form's initial choice, e.g. the general level)."""
    initial = field.initial
    if callable(initial) or isinstance(initial, (list, dict)):
        return None
    return str(initial) if initial is not None and not isinstance(initial, (bool, int, float)) else initial


def with_defaults(form: forms.Form, data) -> Any:
    """``data`` with the omitted fields that have a default filled in (API bodies only)."""
    for name, field in form.fields.items():
        if name not in data and not is_file_field(field) and default_of(field) is not None:
            data[name] = default_of(field)
    return data


def body_schema(action: Action, *, files: bool) -> dict[str, Any]:
    """The request body of an action's API route, from its form's declared fields."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    fields = action.form.base_fields if action.form is not None else {}
    for name, field in fields.items():
        if is_file_field(field) and not files:
            continue
        properties[name] = _field_schema(field)
        if default_of(field) is not None:
            properties[name]["default"] = default_of(field)
        elif field.required:
            required.append(name)
    if action.versioned:
        properties["expected_version"] = {
            "anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}],
            "description": _("记录的版本号（详情中的 version）；他人已先处理时返回 409"),
        }
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def request_body(action: Action) -> dict[str, Any]:
    """The OpenAPI requestBody: JSON, and multipart when the form takes files (multipart only
    when a file is required). A form whose files are named at run time (``takes_files = True``,
    e.g. photos per task) is offered as multipart too."""
    fields = action.form.base_fields.values() if action.form is not None else []
    file_fields = [field for field in fields if is_file_field(field)]
    content: dict[str, Any] = {}
    if not any(field.required for field in file_fields):
        content["application/json"] = {"schema": body_schema(action, files=False)}
    if file_fields or getattr(action.form, "takes_files", False):
        content["multipart/form-data"] = {"schema": body_schema(action, files=True)}
    return {"required": bool(content.get("multipart/form-data")) or bool(action.form), "content": content}
