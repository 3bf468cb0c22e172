"""Generic scoped routes of a registered resource (list, detail, create, update, history) and
the routes of its declared actions (``anjian.core.actions``), all starting from ``restrict()``.

No ``from __future__ import annotations``: django-ninja reads annotations at run time.
"""

import json
import keyword
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from anjian.core import audit, listing
from anjian.core.actions import Action, form_errors, is_stale, with_defaults
from anjian.core.actions import request_body as action_request_body
from anjian.core.api.base import DEFAULT_LIMIT, MAX_LIMIT, api, error_response
from anjian.core.api.inputs import Ref, resolve_refs
from anjian.core.api_auth import ErrorOut
from anjian.core.registry import Filter, Resource
from anjian.core.scoping import CHANGE, CREATE, VIEW, get_scoped_or_404, may

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
    # Collection actions ("/<action>/") before "/{pk}/", so their path is not read as a pk.
    for action in resource.actions:
        if action.api and action.collection:
            add_collection_action_route(router, served, action, out)
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
        if action.api and not action.collection:
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


def _bound_action_form(request: HttpRequest, action: Action, record: Model | None):
    """The action's form bound to the request body (JSON or multipart), defaults filled in;
    unknown fields are a 400. Returns (form, expected_version)."""
    data, files = _action_input(request)
    expected = _expected_version(data) if action.versioned else None
    form = action.build_form(request.auth, record, data, files)
    with_defaults(form, form.data)
    unknown = sorted(set(data) - set(form.fields))
    if unknown:
        raise DjangoValidationError({name: [_("不支持的字段")] for name in unknown})
    return form, expected


def add_collection_action_route(router: Router, served: Resource, action: Action, out: type[Schema]) -> None:
    """``POST /<slug>/<action>/``: a collection action (it makes a record) through the same form and
    service as its page; 201 with the new record. Who may not take it gets 404."""

    def run_collection_action(request: HttpRequest):
        if action.refusal(request.auth, None):
            raise Http404
        form, _expected = _bound_action_form(request, action, None)
        if not form.is_valid():
            return error_response(request, 400, _("提交的数据有误"), form_errors(form))
        made = action.perform(actor=request.auth, record=None, form=form)
        return Status(201, scoped_get(request, served, made.pk))

    with translation.override(settings.LANGUAGE_CODE):
        summary = str(action.title)
        body = action_request_body(action)
    router.add_api_operation(
        f"/{action.slug}/",
        ["POST"],
        run_collection_action,
        response={201: out, 400: ErrorOut, 404: ErrorOut},
        operation_id=f"{served.slug}_{action.name}",
        url_name=f"{served.slug}-{action.slug}",
        summary=summary,
        openapi_extra={"requestBody": body},
    )


def add_action_route(router: Router, served: Resource, action: Action, out: type[Schema]) -> None:
    """``POST /<slug>/{pk}/<action>/``: the declared action through the same form and service as the
    page. A refusal (state, role) is a 400, a stale ``expected_version`` a 409, out of scope 404."""

    def run_action(request: HttpRequest, pk: str):
        user = request.auth
        record = scoped_get(request, served, pk)
        form, expected = _bound_action_form(request, action, record)
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
