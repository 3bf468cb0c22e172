"""Starter data every installation ships with — reference tables, the checklist library, the
major-hazard criteria — lives as JSON files in each app's ``data/`` folder (package data in the
repository: nothing to install). Each app's loader module reads its files here and writes the rows
idempotently; loaders take model classes, so data migrations can pass their historical models."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def read_data(package: str, name: str) -> Any:
    """The parsed ``<package>/data/<name>`` (UTF-8 JSON), e.g. ``read_data("anjian.hazards", "categories.json")``."""
    return json.loads(resources.files(package).joinpath("data", name).read_text(encoding="utf-8"))
