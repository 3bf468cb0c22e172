"""API authentication: bearer tokens issued for a username (or phone) and password.

Only a digest of a token is stored (``anjian.core.crypto.digest``), so a leaked database does not
leak usable tokens. A token expires after ``settings.API_TOKEN_TTL_HOURS`` (12 by default) and can
be revoked (logout). ``last_used_at`` is written at most once a minute, so a busy client does not
turn every read into a write.

Passwords go through ``django.contrib.auth.authenticate`` with the request, so the project's
backends apply exactly as on the login page: django-axes throttling and login by username or phone.

Note: no ``from __future__ import annotations`` here; django-ninja reads the annotations of the
route functions at run time.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict

from anjian.core import audit
from anjian.core.crypto import digest
from anjian.core.models import ApiToken, User

TOKEN_PREFIX = "aj_"
LAST_USED_EVERY = timedelta(minutes=1)
DEFAULT_TTL_HOURS = 12


def token_ttl() -> timedelta:
    return timedelta(hours=float(getattr(settings, "API_TOKEN_TTL_HOURS", DEFAULT_TTL_HOURS)))


def token_digest(key: str) -> str:
    return digest(key.encode())


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the stored row and the key (shown to the client once)."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_digest=token_digest(key), expires_at=timezone.now() + token_ttl())
    audit.record(actor=user, action="api_token_issue", instance=token, changes={"expires_at": [None, token.expires_at]})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    updated = ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True)
    if updated:
        audit.record(actor=actor, action="api_token_revoke", instance=token, changes={"revoked": [False, True]})


def token_user(key: str) -> tuple[ApiToken, User] | None:
    """The live token and its active user for a presented key, or None."""
    if not key:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_digest=token_digest(key), revoked=False, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, token.user


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``. The user becomes ``request.auth`` (and ``request.user``)."""

    def authenticate(self, request: HttpRequest, token: str):
        found = token_user(token.strip())
        if found is None:
            return None
        api_token, user = found
        request.user = user
        request.api_token = api_token
        return user


# --- schemas ----------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_display: str
    region: str | None = Field(None, description="区划代码")
    region_name: str | None = None
    department: str | None = Field(None, description="部门代码")
    department_name: str | None = None
    enterprise: int | None = None
    enterprise_name: str | None = None
    agency: int | None = None
    agency_name: str | None = None

    @staticmethod
    def resolve_role_display(obj: User) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_region(obj: User) -> str | None:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj: User) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_department(obj: User) -> str | None:
        return obj.department.code if obj.department_id else None

    @staticmethod
    def resolve_department_name(obj: User) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_enterprise(obj: User) -> int | None:
        return obj.enterprise_id

    @staticmethod
    def resolve_enterprise_name(obj: User) -> str | None:
        return obj.enterprise.name if obj.enterprise_id else None

    @staticmethod
    def resolve_agency(obj: User) -> int | None:
        return obj.agency_id

    @staticmethod
    def resolve_agency_name(obj: User) -> str | None:
        return obj.agency.name if obj.agency_id else None


class CredentialsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(..., min_length=1, max_length=150, description="用户名或手机号")
    password: str = Field(..., min_length=1, max_length=128)


class TokenOut(Schema):
    token: str = Field(..., description="在后续请求中以 Authorization: Bearer <token> 发送；只显示这一次")
    expires_at: datetime
    user: UserOut


def _user_with_relations(user: User) -> User:
    return User.objects.select_related("region", "department", "enterprise", "agency").get(pk=user.pk)


# --- routes -----------------------------------------------------------------------------------

router = Router(tags=["auth"])


@router.post(
    "/token/",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    operation_id="auth_token",
    url_name="auth-token",
    summary="用户名（或手机号）和密码换取访问令牌",
)
def issue_token(request: HttpRequest, credentials: CredentialsIn):
    from anjian.core.api import error_response

    user = authenticate(request, username=credentials.username.strip(), password=credentials.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's own format; stop AxesMiddleware from replacing it with a text page.
        request.axes_locked_out = False
        response = error_response(request, 429, _("登录失败次数过多，账号已被暂时锁定，请稍后再试"))
        cool_off = _axes_cool_off(request)
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response
    if user is None:
        return error_response(request, 401, _("用户名或密码错误"))
    token, key = api_token_create(user=user)
    return {"token": key, "expires_at": token.expires_at, "user": _user_with_relations(user)}


def _axes_cool_off(request) -> timedelta | None:
    try:
        from axes.helpers import get_cool_off

        return get_cool_off(request)
    except Exception:  # an axes version without it: the header is optional
        return None


@router.post(
    "/logout/", response={204: None}, operation_id="auth_logout", url_name="auth-logout", summary="吊销当前令牌"
)
def logout(request: HttpRequest):
    api_token_revoke(actor=request.auth, token=request.api_token)
    return Status(204, None)


@router.get("/me/", response=UserOut, operation_id="auth_me", url_name="auth-me", summary="当前令牌的用户")
def me(request: HttpRequest):
    return _user_with_relations(request.auth)
