"""QR codes that people print and post: the address they encode and the SVG to show."""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpRequest


def public_url(request: HttpRequest, path: str) -> str:
    """A printed code must lead to the site's public address (SITE_URL), not to whatever host the
    officer happened to use; without SITE_URL, the address of this request."""
    return settings.SITE_URL.rstrip("/") + path if settings.SITE_URL else request.build_absolute_uri(path)


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=6, dark="#000")
