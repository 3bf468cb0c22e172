"""Small rendering helpers of the component library."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def select_options(choices: Iterable[tuple[object, object]], selected: Iterable[str]):
    """``<option>`` elements for a filter select, the selected ones marked (long lists render fast)."""
    chosen = {str(value) for value in selected}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) in chosen else "", label) for value, label in choices),
    )
