"""The one enterprise search picker.

Wherever a user not bound to an enterprise chooses one (the hazard report, the inspection start,
the risk board, the risk import and export), he types a few characters of its name or credit
code and picks among the enterprises of his scope (``restrict``): at most ``PICKER_LIMIT``, with a
hint when there are more, never the whole list.

A page renders ``enterprises/picker.html`` with the context of ``picker(...)``; for a live search
its input asks ``enterprises:picker`` (``picker_views``, an htmx fragment) with what the page needs:

- ``input``: the chosen enterprise is a radio button of that name in the page's form (default
  ``enterprise``);
- ``link``: the URL name of the page that opens for the chosen enterprise, reversed with the
  enterprise's ``pk`` when it takes one, otherwise given ``?enterprise=<pk>``; every other query
  parameter of the request (e.g. ``kind``) rides along on the link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from anjian.core.scoping import VIEW, restrict
from anjian.enterprises.models import Enterprise

PICKER_LIMIT = 20
QUERY_LENGTH = 50
DEFAULT_INPUT = "enterprise"
# Parameters the picker reads itself; the others are passed on to the links.
OWN_PARAMETERS = frozenset({"q", "input", "link"})


@dataclass(frozen=True)
class Choice:
    enterprise: Enterprise
    href: str = ""  # empty: a radio button


@dataclass
class Picker:
    choices: list[Choice] = field(default_factory=list)
    more: bool = False
    q: str = ""
    input_name: str = DEFAULT_INPUT
    browse: bool = False
    limit: int = PICKER_LIMIT


def search_text(params: Mapping) -> str:
    """The search text of a request's parameters (``q``), trimmed and bounded."""
    return str(params.get("q") or "").strip()[:QUERY_LENGTH]


def find_enterprises(
    user, text: str, *, among: QuerySet | None = None, browse: bool = False, limit: int = PICKER_LIMIT
) -> tuple[list[Enterprise], bool]:
    """The enterprises in ``user``'s scope (among ``among``) whose name contains ``text`` or whose
    credit code starts with it, by name: at most ``limit``, and whether there are more. No text
    finds nothing unless ``browse`` (then the first ones by name)."""
    if not text and not browse:
        return [], False
    queryset = restrict(Enterprise.objects.all() if among is None else among, user, VIEW)
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(credit_code__istartswith=text.upper()))
    found = list(
        queryset.select_related("region")
        .only("pk", "name", "address", "credit_code", "region__name")
        .order_by("name", "pk")[: limit + 1]
    )
    return found[:limit], len(found) > limit


def link_maker(url_name: str, query: Mapping[str, str] | None = None) -> Callable[[int], str]:
    """``pk -> address`` of the page ``url_name`` for an enterprise (``NoReverseMatch`` when the
    name is unknown or takes other arguments)."""
    query = dict(query or {})
    try:
        reverse(url_name, kwargs={"pk": 1})
    except NoReverseMatch:
        base = reverse(url_name)
        return lambda pk: f"{base}?{urlencode({**query, 'enterprise': pk})}"
    suffix = f"?{urlencode(query)}" if query else ""
    return lambda pk: reverse(url_name, kwargs={"pk": pk}) + suffix


def picker(
    user,
    text: str,
    *,
    input_name: str = DEFAULT_INPUT,
    link: str | None = None,
    link_query: Mapping[str, str] | None = None,
    among: QuerySet | None = None,
    browse: bool = False,
) -> Picker:
    """What ``enterprises/picker.html`` shows: links to ``link`` (a URL name) for each enterprise
    found, or radio buttons named ``input_name``."""
    href = link_maker(link, link_query) if link else None
    found, more = find_enterprises(user, text, among=among, browse=browse)
    choices = [Choice(e, href(e.pk) if href else "") for e in found]
    return Picker(choices=choices, more=more, q=text, input_name=input_name, browse=browse)
