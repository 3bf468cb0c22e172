"""Where the current action comes from (IP, client), so services can record it without a request."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


_NO_ORIGIN = Origin()
_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("anjian_origin", default=None)


def current_origin() -> Origin:
    return _origin.get() or _NO_ORIGIN


def set_origin(origin: Origin) -> contextvars.Token:
    return _origin.set(origin)


def reset_origin(token: contextvars.Token) -> None:
    _origin.reset(token)


def origin_from_request(request) -> Origin:
    ip = request.META.get("REMOTE_ADDR") or None
    return Origin(ip=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
