"""The REST API under /api/v1/: one NinjaAPI, bearer-token auth, one error format, and generic
scoped helpers driven by the registry, so an app serves a registered resource in a few lines::

    # anjian/hazards/api.py
    from anjian.core.api import Ref, resource_router
    from anjian.hazards.registry import HAZARD

    router = resource_router(
        HAZARD,
        out=HazardOut,                  # detail schema (ninja Schema)
        item=HazardItem,                # list rows (defaults to ``out``)
        create=HazardIn,                # POST  -> HAZARD.create_service
        update=patch_schema(HazardIn),  # PATCH -> HAZARD.update_service
        refs={"enterprise": Ref(Enterprise)},  # FK inputs by key, resolved inside the user's scope
    )

    # Each action declared in the registry (``Resource.actions``) becomes
    # ``POST /<slug>/{pk}/<action>/`` with a body derived from its form; the detail schema gains
    # ``allowed_actions``. Other routes use the scoped helpers:
    @router.get("/{pk}/ledger/", url_name="hazards-ledger")
    def ledger(request, pk: str):
        hazard = scoped_get(request, router.api_resource.resource, pk)
        ...

``resource_router`` mounts the router at ``/<slug>/``; every ``anjian.<app>.api`` module is imported
when the URLs are built, so nothing else needs registering. Every route starts from ``restrict()``
(through ``anjian.core.listing.scoped_list`` and ``get_scoped_or_404``): out of scope answers 404
exactly like missing.

Errors always look like ``{"detail": "...", "errors": {"field": ["message", ...]}}``:
400 for invalid input (schema or service), 401 without a valid token, 404 for missing or out of
scope, 429 when login is throttled.

No ``from __future__ import annotations`` here: django-ninja reads annotations at run time and the
route functions below are built from local variables.
"""

import json
import keyword
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from importlib import import_module
from typing import Annotated, Any, Literal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, re_path, reverse
from django.utils import translation
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict, create_model

from anjian.core import audit, listing
from anjian.core.actions import Action, form_errors, is_stale, with_defaults
from anjian.core.actions import request_body as action_request_body
from anjian.core.api_auth import BearerToken, ErrorOut
from anjian.core.api_auth import router as auth_router
from anjian.core.models import Attachment
from anjian.core.registry import Filter, Resource
from anjian.core.scoping import CHANGE, CREATE, VIEW, get_scoped_or_404, may, restrict, scope_spec

DEFAULT_LIMIT = 25
MAX_LIMIT = 200


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese stays readable in the JSON


api = NinjaAPI(
    title="Anjian API",
    version="1",
    description="安监 · 安全生产监管平台 REST API。先用 POST /api/v1/auth/token/ 换取令牌，"
    "再在每个请求中发送 Authorization: Bearer <token>。",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    # "ninja" is in INSTALLED_APPS, so Swagger UI is served from ninja's own static files (no CDN).
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    auth=BearerToken(),
    renderer=Renderer(),
)


# --- the error format -------------------------------------------------------------------------


def error_response(request: HttpRequest, status: int, detail: str, errors: dict | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def not_found(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, _("未找到"))


api.add_exception_handler(Http404, not_found)
api.add_exception_handler(ObjectDoesNotExist, not_found)
# Forbidden and missing look the same (SPEC §1).
api.add_exception_handler(PermissionDenied, not_found)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, _("未提供有效的访问令牌，或令牌已过期、已吊销"))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# django-ninja's own fixed messages, in our language.
_NINJA_MESSAGES = {
    "Cannot parse request body": gettext_lazy("请求体不是有效的 JSON"),
    "Too many requests.": gettext_lazy("请求过于频繁，请稍后再试"),
    "Unauthorized": gettext_lazy("未提供有效的访问令牌，或令牌已过期、已吊销"),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = next((text for prefix, text in _NINJA_MESSAGES.items() if exc.message.startswith(prefix)), exc.message)
    if exc.status_code == 403:  # forbidden and missing look the same (SPEC §1)
        return not_found(request)
    return error_response(request, exc.status_code, message)


@api.exception_handler(DjangoValidationError)
def _service_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused: its field errors keep their names, anything else is under "__all__"."""
    if hasattr(exc, "error_dict"):
        errors = {name: [str(m) for m in DjangoValidationError(msgs).messages] for name, msgs in exc.error_dict.items()}
    else:
        errors = {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}
    return error_response(request, 400, _("提交的数据有误"), errors)


_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
# The view argument a schema is bound to; ninja puts it after the location.
_PARAM_NAMES = {"payload", "params", "filters", "credentials", "page"}


@api.exception_handler(NinjaValidationError)
def _input_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Schema errors as 400 with field names (ninja's default is 422 with pydantic's raw list).
    A malformed path parameter means "no such record": 404."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [part for part in error.get("loc", ()) if part != "__root__"]
        if loc and loc[0] == "path":
            return not_found(request)
        errors.setdefault(field_name(loc), []).append(error_message(error))
    return error_response(request, 400, _("提交的数据有误"), errors)


def field_name(loc: list) -> str:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _PARAM_NAMES:
        parts = parts[1:]
    names = [str(p) for p in parts if isinstance(p, str)]
    return names[0] if names else NON_FIELD_ERRORS


# Translated messages for pydantic's error types (pydantic itself speaks English only).
_MESSAGES = {
    "missing": gettext_lazy("此字段为必填项"),
    "int_parsing": gettext_lazy("请输入整数"),
    "int_type": gettext_lazy("请输入整数"),
    "int_from_float": gettext_lazy("请输入整数"),
    "float_parsing": gettext_lazy("请输入数字"),
    "float_type": gettext_lazy("请输入数字"),
    "decimal_parsing": gettext_lazy("请输入数字"),
    "decimal_type": gettext_lazy("请输入数字"),
    "decimal_max_digits": gettext_lazy("最多 %(max_digits)s 位数字"),
    "decimal_max_places": gettext_lazy("最多 %(decimal_places)s 位小数"),
    "decimal_whole_digits": gettext_lazy("整数部分最多 %(whole_digits)s 位"),
    "finite_number": gettext_lazy("请输入有限的数字"),
    "bool_parsing": gettext_lazy("请输入 true 或 false"),
    "bool_type": gettext_lazy("请输入 true 或 false"),
    "string_type": gettext_lazy("请输入文本"),
    "string_too_long": gettext_lazy("最多 %(max_length)s 个字符"),
    "string_too_short": gettext_lazy("至少 %(min_length)s 个字符"),
    "greater_than_equal": gettext_lazy("不能小于 %(ge)s"),
    "greater_than": gettext_lazy("必须大于 %(gt)s"),
    "less_than_equal": gettext_lazy("不能大于 %(le)s"),
    "less_than": gettext_lazy("必须小于 %(lt)s"),
    "enum": gettext_lazy("请选择有效的选项：%(expected)s"),
    "literal_error": gettext_lazy("请选择有效的选项：%(expected)s"),
    "date_parsing": gettext_lazy("请输入有效的日期（YYYY-MM-DD）"),
    "date_from_datetime_parsing": gettext_lazy("请输入有效的日期（YYYY-MM-DD）"),
    "date_from_datetime_inexact": gettext_lazy("请输入有效的日期（YYYY-MM-DD）"),
    "date_type": gettext_lazy("请输入有效的日期（YYYY-MM-DD）"),
    "datetime_parsing": gettext_lazy("请输入有效的时间（ISO 8601）"),
    "datetime_from_date_parsing": gettext_lazy("请输入有效的时间（ISO 8601）"),
    "datetime_type": gettext_lazy("请输入有效的时间（ISO 8601）"),
    "list_type": gettext_lazy("请提交一个列表"),
    "dict_type": gettext_lazy("格式不正确"),
    "model_type": gettext_lazy("格式不正确"),
    "model_attributes_type": gettext_lazy("格式不正确"),
    "json_invalid": gettext_lazy("请求体不是有效的 JSON"),
    "extra_forbidden": gettext_lazy("不支持的字段"),
}


def error_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return str(ctx["error"])  # our own validators raise translated messages
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("不能为空")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", _("格式不正确")))
    try:
        return str(template) % ctx
    except (KeyError, TypeError, ValueError):
        return str(template)


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


# --- shared schemas ---------------------------------------------------------------------------


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（最多 200）")
    offset: int = Field(0, ge=0, description="跳过条数")


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor: int | None = None
    actor_name: str
    action: str
    changes: dict[str, Any]
    ip: str | None = None
    hash: str

    @staticmethod
    def resolve_actor(obj) -> int | None:
        return obj.actor_id


class AuditPage(Schema):
    count: int
    items: list[AuditEntryOut]


# --- generic scoped helpers -------------------------------------------------------------------


def scoped_list(
    request: HttpRequest,
    resource: Resource,
    params=None,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of the user's scoped, filtered, sorted records: ``{"count", "items"}``.
    Parsing is the list pages' own (``anjian.core.listing``), so both doors filter alike."""
    queryset, query = listing.scoped_list(resource, request.auth, request.GET if params is None else params)
    if query.errors:  # a bad filter value: 400 naming the filter, never a 500 from the database
        raise DjangoValidationError(query.errors)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    items = list(queryset[offset : offset + limit])
    if resource.redactions:
        items = [resource.redacted(request.auth, obj) for obj in items]
    return {"count": queryset.count(), "items": items}


def scoped_get(request: HttpRequest, resource: Resource, pk, action: str = VIEW) -> Model:
    """One record in the user's scope for ``action``, or 404 (missing and out of scope alike)."""
    try:
        return get_scoped_or_404(resource.base_queryset(), request.auth, action, pk=pk)
    except (ValueError, TypeError, DjangoValidationError):  # a pk of the wrong shape
        raise Http404 from None


def check_editable(fields: Iterable[str], allowed: Iterable[str]) -> None:
    refused = sorted(set(fields) - set(allowed))
    if refused:
        raise DjangoValidationError({name: [_("无权修改此字段")] for name in refused})


@dataclass
class ApiResource:
    """A registered resource as the API serves it (see ``resource_router``)."""

    resource: Resource
    out: type[Schema]
    item: type[Schema]
    create: type[Schema] | None = None
    update: type[Schema] | None = None
    refs: dict[str, Ref] = field(default_factory=dict)
    editable: Callable[[Any, Model | None], Iterable[str]] | None = None

    def input_data(self, request: HttpRequest, payload: Schema, instance: Model | None) -> dict[str, Any]:
        data = payload.model_dump(exclude_unset=True)
        if self.editable is not None:
            check_editable(data, self.editable(request.auth, instance))
        return resolve_refs(request.auth, self.refs, data)

    def create_object(self, request: HttpRequest, payload: Schema) -> Model:
        resource = self.resource
        if resource.create_service is None or not may(request.auth, resource.model, CREATE):
            raise Http404
        obj = resource.create_service(actor=request.auth, data=self.input_data(request, payload, None))
        return resource.redacted(request.auth, scoped_get(request, resource, obj.pk))

    def update_object(self, request: HttpRequest, pk, payload: Schema) -> Model:
        resource = self.resource
        if resource.update_service is None:
            raise Http404
        obj = scoped_get(request, resource, pk, CHANGE)
        data = self.input_data(request, payload, obj)
        if data:  # an empty PATCH changes nothing and records nothing
            resource.update_service(actor=request.auth, instance=obj, data=data)
        return resource.redacted(request.auth, scoped_get(request, resource, obj.pk))


def list_query_schema(resource: Resource, name: str) -> type[Schema]:
    """Query parameters of a list route, from the registry: q, sort, every filter, limit, offset."""
    fields: dict[str, Any] = {"q": (str | None, Field(None, max_length=100, description="搜索"))}
    options = [*resource.sort_options()]
    if options:
        choices = tuple(option for name in options for option in (name, f"-{name}"))
        fields["sort"] = (Literal[choices] | None, Field(None, description="排序（加 - 为倒序）"))
    for flt in resource.filters:
        python_name = flt.name if flt.name.isidentifier() and not keyword.iskeyword(flt.name) else f"{flt.name}_"
        annotation = list[str] | None if flt.kind == "multi" else str | None
        fields[python_name] = (annotation, Field(None, alias=flt.name, description=str(flt.label)))
    return create_model(name, __base__=PageQuery, **fields)


def resource_router(
    resource: Resource,
    *,
    out: type[Schema],
    item: type[Schema] | None = None,
    create: type[Schema] | None = None,
    update: type[Schema] | None = None,
    refs: dict[str, Ref] | None = None,
    editable: Callable[[Any, Model | None], Iterable[str]] | None = None,
    extra_filters: Iterable[Filter] = (),
    select_related: Iterable[str] = (),
    prefetch_related: Iterable[str] = (),
    history: bool = True,
    mount: bool = True,
) -> Router:
    """Routes of a registered resource at ``/<slug>/``: list, detail, and where given create
    (POST, ``resource.create_service``), update (PATCH, ``resource.update_service``), history.

    ``editable(user, instance_or_None)`` names the fields the user may set; others are a 400 on that
    field. ``extra_filters``, ``select_related`` and ``prefetch_related`` add to the registry's for
    the API only (e.g. a list schema that shows many-to-many values)."""
    names = {flt.name for flt in resource.filters}
    served = replace(
        resource,
        filters=[*resource.filters, *(flt for flt in extra_filters if flt.name not in names)],
        select_related=list(dict.fromkeys([*resource.select_related, *select_related])),
        prefetch_related=list(dict.fromkeys([*resource.prefetch_related, *prefetch_related])),
    )
    item = item or out
    out = with_allowed_actions(out, resource)
    spec = ApiResource(
        resource=served, out=out, item=item, create=create, update=update, refs=refs or {}, editable=editable
    )
    slug = resource.slug
    model_name = resource.model.__name__
    with translation.override(settings.LANGUAGE_CODE):
        plural = str(resource.verbose_name_plural)
        singular = str(resource.verbose_name)
        list_params = list_query_schema(served, f"{model_name}ListQuery")
    page_schema = create_model(f"{model_name}Page", __base__=Schema, count=(int, ...), items=(list[spec.item], ...))

    router = Router(tags=[slug])
    router.api_resource = spec

    def list_objects(request: HttpRequest, params: Query[list_params]):
        return scoped_list(request, served, limit=params.limit, offset=params.offset)

    def get_object(request: HttpRequest, pk: str):
        return served.redacted(request.auth, scoped_get(request, served, pk))

    router.add_api_operation(
        "/",
        ["GET"],
        list_objects,
        response=page_schema,
        operation_id=f"{slug}_list",
        url_name=f"{slug}-list",
        summary=f"{plural}列表",
    )
    if create is not None:

        def create_object(request: HttpRequest, payload: create):
            return Status(201, spec.create_object(request, payload))

        router.add_api_operation(
            "/",
            ["POST"],
            create_object,
            response={201: out, 400: ErrorOut, 404: ErrorOut},
            operation_id=f"{slug}_create",
            url_name=f"{slug}-list",
            summary=f"新建{singular}",
        )
    router.add_api_operation(
        "/{pk}/",
        ["GET"],
        get_object,
        response={200: out, 404: ErrorOut},
        operation_id=f"{slug}_detail",
        url_name=f"{slug}-detail",
        summary=f"{singular}详情",
    )
    if update is not None:

        def update_object(request: HttpRequest, pk: str, payload: update):
            return spec.update_object(request, pk, payload)

        router.add_api_operation(
            "/{pk}/",
            ["PATCH"],
            update_object,
            response={200: out, 400: ErrorOut, 404: ErrorOut},
            operation_id=f"{slug}_update",
            url_name=f"{slug}-detail",
            summary=f"修改{singular}（只提交要改的字段）",
        )
    if history:

        def object_history(request: HttpRequest, pk: str, page: Query[PageQuery]):
            obj = scoped_get(request, served, pk)
            entries = audit.history(obj)
            items = audit.redacted_history(
                entries[page.offset : page.offset + page.limit],
                served.hidden_fields(request.auth, obj),
                served.hidden_ip_actions(request.auth, obj),
            )
            return {"count": entries.count(), "items": items}

        router.add_api_operation(
            "/{pk}/history/",
            ["GET"],
            object_history,
            response={200: AuditPage, 404: ErrorOut},
            operation_id=f"{slug}_history",
            url_name=f"{slug}-history",
            summary=f"{singular}变更记录（留痕）",
        )
    for action in resource.actions:
        if action.api:
            add_action_route(router, served, action, out)
    if mount:
        api.add_router(f"/{slug}/", router)
    return router


# --- declared actions (anjian.core.actions) --------------------------------------------------


def with_allowed_actions(out: type[Schema], resource: Resource) -> type[Schema]:
    """The detail schema with ``allowed_actions``: the declared actions the caller may take now."""
    if not resource.actions or "allowed_actions" in out.model_fields:
        return out
    names = "/".join(action.name for action in resource.actions)

    def resolve_allowed_actions(obj, context) -> list[str]:
        request = (context or {}).get("request")
        user = getattr(request, "auth", None)
        return [action.name for action in resource.allowed_actions(user, obj)] if user is not None else []

    return type(
        f"{out.__name__}Detail",
        (out,),
        {
            "__annotations__": {"allowed_actions": list[str]},
            "allowed_actions": Field(default_factory=list, description=f"当前用户现在可执行的操作：{names}"),
            "resolve_allowed_actions": staticmethod(resolve_allowed_actions),
            "__module__": out.__module__,
        },
    )


def _action_input(request: HttpRequest) -> tuple[Any, Any]:
    """The body as (data, files): JSON or multipart / urlencoded form data."""
    if request.content_type == "application/json" or not request.content_type:
        if not request.body:
            return {}, None
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise DjangoValidationError({NON_FIELD_ERRORS: [_("请求体不是有效的 JSON")]}) from None
        if not isinstance(data, dict):
            raise DjangoValidationError({NON_FIELD_ERRORS: [_("请求体须为 JSON 对象")]})
        return data, None
    return request.POST.copy(), request.FILES


def _expected_version(data) -> int | None:
    value = data.pop("expected_version", None)
    if isinstance(value, list):  # a QueryDict's pop gives the list of values
        value = value[-1] if value else None
    if value in (None, ""):
        return None
    try:
        number = int(value)
        if isinstance(value, float) or isinstance(value, bool) or number < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise DjangoValidationError({"expected_version": [_("请输入整数")]}) from None
    return number


def add_action_route(router: Router, served: Resource, action: Action, out: type[Schema]) -> None:
    """``POST /<slug>/{pk}/<action>/``: the declared action through the same form and service as the
    page. A refusal (state, role) is a 400, a stale ``expected_version`` a 409, out of scope 404."""

    def run_action(request: HttpRequest, pk: str):
        user = request.auth
        record = scoped_get(request, served, pk)
        data, files = _action_input(request)
        expected = _expected_version(data) if action.versioned else None
        form = action.build_form(user, record, data, files)
        with_defaults(form, form.data)
        unknown = sorted(set(data) - set(form.fields))
        if unknown:
            raise DjangoValidationError({name: [_("不支持的字段")] for name in unknown})
        if expected is not None and expected != action.version_of(record):
            message = action.workflow.stale().messages[0]
            return error_response(request, 409, message, {"expected_version": [message]})
        problem = action.refusal(user, record)
        if problem:
            raise DjangoValidationError(problem)
        if not form.is_valid():
            return error_response(request, 400, _("提交的数据有误"), form_errors(form))
        try:
            result = action.perform(actor=user, record=record, form=form, expected_version=expected)
        except DjangoValidationError as exc:
            if is_stale(exc):
                message = exc.messages[0]
                return error_response(request, 409, message, {"expected_version": [message]})
            raise
        return scoped_get(request, served, action.result_record(record, result).pk)

    with translation.override(settings.LANGUAGE_CODE):
        summary = str(action.title)
        body = action_request_body(action)
    router.add_api_operation(
        f"/{{pk}}/{action.slug}/",
        ["POST"],
        run_action,
        response={200: out, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        operation_id=f"{served.slug}_{action.name}",
        url_name=f"{served.slug}-{action.slug}",
        summary=summary,
        openapi_extra={"requestBody": body},
    )


# --- core resources ---------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_display: str
    parent: str | None = None
    parent_name: str | None = None

    @staticmethod
    def resolve_level_display(obj) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_parent_name(obj) -> str | None:
        return obj.parent.name if obj.parent_id else None


class RegionDetailOut(RegionOut):
    center_lat: float | None = None
    center_lng: float | None = None
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON 几何（若已导入）")


# --- shared by the apps' API modules --------------------------------------------------------

MAX_PHOTOS = 9
REQUIRED = "此字段为必填项"  # the message for a missing field (translated when shown)
Latitude = Field(None, ge=-90, le=90, description="纬度（WGS84）")
Longitude = Field(None, ge=-180, le=180, description="经度（WGS84）")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    kind: str
    uploaded_at: datetime
    lat: float | None = None
    lng: float | None = None
    url: str = Field(..., description="下载地址（网页登录会话）")

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api:attachment-file", args=[obj.pk])


def check_required(payload: Schema, *names: str) -> dict[str, list[str]]:
    return {name: [_(REQUIRED)] for name in names if getattr(payload, name) in (None, "")}


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


def raise_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise DjangoValidationError(errors)


class EnterpriseOwnedOut(Schema):
    """The fields every record that belongs to an enterprise shows: the enterprise and its area."""

    enterprise: int
    enterprise_name: str
    region: str = Field(..., description="区划/网格代码")

    @staticmethod
    def resolve_enterprise(obj) -> int:
        return obj.enterprise_id

    @staticmethod
    def resolve_enterprise_name(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_id


files_router = Router(tags=["attachments"])


@files_router.get(
    "/{pk}/",
    response={404: ErrorOut},
    url_name="attachment-file",
    summary="下载附件（照片、文件），仅限可查看其所属记录的用户",
)
def attachment_file(request: HttpRequest, pk: int, download: bool = False) -> HttpResponse:
    from anjian.core.attachments import attachment_response

    return attachment_response(pk, request.auth, download=download)


def _mount_core() -> None:
    from anjian.core.registry_entries import REGION

    api.add_router("/auth/", auth_router)
    api.add_router("/attachments/", files_router)
    resource_router(
        REGION,
        out=RegionDetailOut,
        item=RegionOut,
        history=False,
    )


_mount_core()


# --- URLs -------------------------------------------------------------------------------------


def discover() -> None:
    """Import the ``api`` module of every installed app of ours (one with a ``registry``), so each
    mounts its routers."""
    for config in apps.get_app_configs():
        if config.name != "anjian.core" and module_has_submodule(config.module, "registry"):
            if module_has_submodule(config.module, "api"):
                import_module(f"{config.name}.api")


app_name = "api"


def api_index(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: where the docs and the schema are (ninja's own root answers an HTML 404)."""
    return api.create_response(
        request,
        {
            "title": api.title,
            "version": api.version,
            "docs": reverse("api:openapi-view"),
            "schema": reverse("api:openapi-json"),
            "token": reverse("api:auth-token"),
        },
        status=200,
    )


def __getattr__(name: str):
    # ``include("anjian.core.api")`` asks for ``urlpatterns`` once the URL conf loads (apps ready);
    # building them lazily lets every app's api module import the helpers above first.
    if name == "urlpatterns":
        discover()
        # Last: any other path under the API answers in the API's format, not an HTML page. Only
        # paths ending in "/" so that APPEND_SLASH still redirects a missing slash.
        patterns = [
            path("", api_index, name="api-root") if getattr(p, "name", None) == "api-root" else p for p in api.urls[0]
        ]
        patterns.append(re_path(r"^(?:.*/)?$", not_found))
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
