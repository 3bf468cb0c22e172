"""What other apps do when an enterprise changes (registered in their AppConfig.ready), so the
archive does not import the apps built on it."""

from __future__ import annotations

from collections.abc import Callable

from anjian.enterprises.models import Enterprise

# Called inside the moving transaction with the enterprise at its new region.
enterprise_moved: list[Callable[[Enterprise], object]] = []


def on_enterprise_moved(func: Callable[[Enterprise], object]) -> Callable[[Enterprise], object]:
    if func not in enterprise_moved:
        enterprise_moved.append(func)
    return func
