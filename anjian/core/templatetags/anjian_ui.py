"""Small rendering helpers of the component library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django import template
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from anjian.core.validators import mask_phone

register = template.Library()


@lru_cache(maxsize=512)
def _escaped_options(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Choices with value and label escaped once; filter panels show the same lists again and again."""
    return tuple((str(conditional_escape(value)), str(conditional_escape(label))) for value, label in choices)


@register.simple_tag
def select_options(choices: Iterable[tuple[object, object]], selected: Iterable[str]):
    """``<option>`` elements for a filter select, the selected ones marked (long lists render fast)."""
    chosen = {str(conditional_escape(value)) for value in selected}
    key = tuple((str(value), str(label)) for value, label in choices)
    return mark_safe(
        "".join(
            f'<option value="{value}"{" selected" if value in chosen else ""}>{label}</option>'
            for value, label in _escaped_options(key)
        )
    )


def display(value) -> object:
    """A value as people read it: local time for datetimes, 是/否 for booleans."""
    if isinstance(value, dt.datetime):
        return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return dateformat.format(value, "Y-m-d")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def _cell(column, value, url: str):
    if value is None or value == "":
        return ""
    value = display(value)
    if column.link:
        return format_html('<a href="{}">{}</a>', url, value)
    if column.badge:
        return format_html('<span class="badge rounded-pill text-bg-secondary">{}</span>', value)
    return conditional_escape(value)


@register.simple_tag
def table_rows(rows: Iterable[tuple[str, list]]):
    """The ``<tr>`` rows of a registry list: a link, a badge or the plain value per cell.
    Built in Python because a page of 25 × 10 cells is the hot path of every list."""
    return format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_cell(c, v, url),) for c, v in cells)),) for url, cells in rows),
    )


@register.filter
def masked_phone(value: str) -> str:
    """``138****5678`` (DOMAIN §2: personal data is masked wherever it is listed)."""
    return mask_phone(value or "")
