"""The NinjaAPI under /api/v1/ and its one error format: ``{"detail", "errors": {field: [..]}}``;
400 for invalid input, 401 without a valid token, 404 for missing or out of scope.

No ``from __future__ import annotations``: django-ninja reads annotations at run time.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from anjian.core.api_auth import BearerToken

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
