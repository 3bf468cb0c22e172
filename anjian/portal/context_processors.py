from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from anjian.core import menu


def navigation(request: HttpRequest) -> dict:
    """The menu of the user, grouped by module, and the site name."""
    path = request.path
    groups = []
    for group in menu.visible_menu(getattr(request, "user", None)):
        entries = [{"label": e.label, "url": e.url, "active": e.url == path} for e in group.entries]
        groups.append(
            {
                "key": group.key,
                "label": group.label,
                "icon": group.icon,
                "entries": entries,
                "active": any(e["active"] for e in entries),
            }
        )
    return {"nav_menu": groups, "platform_name": settings.SITE_NAME}
