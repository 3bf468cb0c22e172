"""Menu entries and home-page widgets, declared by each app in its ``registry.py``.

The kernel only keeps the declarations and answers "what may this user see"; the portal
(``anjian.portal``) draws them: the menu grouped by module, the role workbenches built from the
widgets. An app adds a module to the menu without touching any other app::

    # anjian/hazards/registry.py
    from anjian.core import menu

    menu.register_group(menu.MenuGroup("hazards", _("隐患"), order=20))
    menu.register_entry(
        menu.MenuEntry("hazards.list", _("隐患排查"), "hazards:hazards-list", group="hazards",
                       visible=may_view_hazards, order=10)
    )
    menu.register_widget(
        menu.HomeWidget("hazards.summary", _("隐患排查治理"), template="hazards/_home_card.html",
                        visible=lambda user: user.is_government, order=10)
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from anjian.core.roles import Role

UserPredicate = Callable[[Any], bool]


def always(user: Any) -> bool:
    return True


def not_pending(user: Any) -> bool:
    """Every account but one still waiting to be bound to its enterprise."""
    return user.role != Role.PENDING


def is_government(user: Any) -> bool:
    """Platform administrators and government officers."""
    return user.is_platform_admin or user.is_government


@dataclass(frozen=True)
class MenuGroup:
    """A module of the menu (档案, 隐患, 检查, 风险 …): a dropdown on the desktop, a section on a phone."""

    key: str
    label: str | Promise
    order: int = 100
    icon: str = ""  # a Bootstrap icon name, e.g. "exclamation-triangle"


@dataclass(frozen=True)
class MenuEntry:
    """One link of the menu. ``url`` is a URL name, or ``(user) -> url`` for per-user links (an
    enterprise user's own archive page); ``visible`` decides who sees it."""

    key: str  # unique, "<app>.<entry>"
    label: str | Promise
    url: str | Callable[[Any], str]
    group: str = ""  # a MenuGroup key; "" puts the link at the top level
    visible: UserPredicate = always
    order: int = 100


@dataclass(frozen=True)
class HomeWidget:
    """A block of a role's home page (workbench): either a template rendered with
    ``context(request)``, or an htmx fragment loaded from the URL name ``url``.

    ``area`` places it on the workbench: "actions" (the big buttons), "header" (beside the
    title) or "main"; ``css`` is the column class of a main widget."""

    key: str
    title: str | Promise
    template: str = ""
    context: Callable[[HttpRequest], dict] | None = None
    url: str = ""
    visible: UserPredicate = always
    order: int = 100
    area: str = "main"
    css: str = "col-12"


@dataclass(frozen=True)
class VisibleEntry:
    label: str | Promise
    url: str


@dataclass(frozen=True)
class VisibleGroup:
    key: str
    label: str | Promise
    icon: str
    entries: list[VisibleEntry]


_groups: dict[str, MenuGroup] = {}
_entries: dict[str, MenuEntry] = {}
_widgets: dict[str, HomeWidget] = {}


def _put(table: dict, key: str, item: Any) -> Any:
    if key in table and table[key] != item:
        raise ValueError(f"{key!r} declared twice")
    table[key] = item
    return item


def register_group(group: MenuGroup) -> MenuGroup:
    return _put(_groups, group.key, group)


def register_entry(entry: MenuEntry) -> MenuEntry:
    return _put(_entries, entry.key, entry)


def register_widget(widget: HomeWidget) -> HomeWidget:
    if bool(widget.template) == bool(widget.url):
        raise ValueError(f"widget {widget.key!r}: give a template or a fragment url, not both")
    return _put(_widgets, widget.key, widget)


def all_entries() -> list[MenuEntry]:
    return list(_entries.values())


def all_widgets() -> list[HomeWidget]:
    return list(_widgets.values())


def _resolve(url: str | Callable[[Any], str], user: Any) -> str:
    if callable(url):
        return url(user)
    return reverse(url)


def visible_menu(user: Any) -> list[VisibleGroup]:
    """The menu of ``user``: top-level links and modules, each in declared order; a module
    without a visible entry is left out. Top-level links come as groups with an empty key."""
    if user is None or not user.is_authenticated:
        return []
    by_group: dict[str, list[tuple[int, VisibleEntry]]] = {}
    for entry in _entries.values():
        if not entry.visible(user):
            continue
        try:
            url = _resolve(entry.url, user)
        except NoReverseMatch:  # an app whose URLs are not mounted
            continue
        by_group.setdefault(entry.group, []).append((entry.order, VisibleEntry(entry.label, url)))

    def group_order(key: str) -> tuple[int, str]:
        if key == "":
            return (0, "")
        group = _groups.get(key)
        return (group.order if group else 1000, key)

    menu = []
    for key in sorted(by_group, key=group_order):
        entries = [entry for _order, entry in sorted(by_group[key], key=lambda pair: pair[0])]
        if key == "":
            menu.extend(VisibleGroup("", entry.label, "", [entry]) for entry in entries)
            continue
        group = _groups.get(key) or MenuGroup(key, key)
        menu.append(VisibleGroup(key, group.label, group.icon, entries))
    return menu


def visible_widgets(user: Any) -> list[HomeWidget]:
    """The home-page widgets ``user`` may see, in declared order."""
    if user is None or not user.is_authenticated:
        return []
    return sorted((w for w in _widgets.values() if w.visible(user)), key=lambda w: (w.order, w.key))
