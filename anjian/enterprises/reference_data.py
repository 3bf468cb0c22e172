"""Reference tables every installation needs: industries (GB/T 4754-2017 sections and
divisions), supervision classes A/B/C/D, supervision-focus tags and government departments.
The rows are in anjian/enterprises/data/*.json; this module loads them.

Each loader creates the missing rows and, with ``update=True``, brings existing rows back to the
values in the data files; it never deletes a row. The loaders take the model class as an argument so that
the data migration can pass its historical models (``apps.get_model``); called without one they
use the current models.

Classes, tags and departments are configurable by an administrator (DOMAIN §4): callers that
must not undo his changes (the demo command) pass ``update=False``. The industry table is a
national standard, so the migration and ``load_reference_data`` always bring it up to date.
"""

from __future__ import annotations

from typing import Any

from anjian.core.starter_data import read_data

# GB/T 4754-2017 国民经济行业分类: 20 sections (门类) and 97 divisions (大类); a division is stored as
# section + division, e.g. "C13".
_INDUSTRIES = read_data("anjian.enterprises", "industries.json")
INDUSTRY_SECTIONS: list[tuple[str, str]] = [(row["code"], row["name"]) for row in _INDUSTRIES["sections"]]
INDUSTRY_DIVISIONS: list[tuple[str, str, str]] = [
    (row["section"], row["code"], row["name"]) for row in _INDUSTRIES["divisions"]
]

# 分级分类监管 (DOMAIN §4 defaults: A well run / low risk … D poorly run / high risk).
SUPERVISION_CLASSES: list[dict[str, Any]] = read_data("anjian.enterprises", "supervision_classes.json")

# Supervision-focus tags (重点监管标签), colour = a Bootstrap colour name.
TAGS: list[tuple[str, str]] = [(row["name"], row["colour"]) for row in read_data("anjian.enterprises", "tags.json")]

# Government departments (三管三必须): who supervises which sector. industry_prefixes: GB/T 4754 codes
# (a section letter or a division); venue_types: VenueType values. A department with neither
# supervises comprehensively (the emergency management bureau).
DEPARTMENTS: list[dict[str, Any]] = read_data("anjian.enterprises", "departments.json")
COMPREHENSIVE_DEPARTMENT = "emergency"


def industry_rows() -> list[dict[str, Any]]:
    """Sections first, then divisions, so a parent always precedes its children."""
    rows = [{"code": code, "name": name, "parent_id": None} for code, name in INDUSTRY_SECTIONS]
    rows += [{"code": section + div, "name": name, "parent_id": section} for section, div, name in INDUSTRY_DIVISIONS]
    return rows


def _upsert(model, key: str, rows: list[dict[str, Any]], *, update: bool) -> tuple[int, int]:
    """Create the missing rows (one bulk insert) and, with ``update``, rewrite changed ones.

    Returns (created, updated)."""
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})}
    new = [model(**row) for row in rows if row[key] not in existing]
    changed = []
    fields: set[str] = set()
    if update:
        for row in rows:
            obj = existing.get(row[key])
            if obj is None:
                continue
            diff = [name for name, value in row.items() if name != key and getattr(obj, name) != value]
            if diff:
                for name in diff:
                    setattr(obj, name, row[name])
                fields.update(diff)
                changed.append(obj)
    if new:
        model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, sorted(fields))
    return len(new), len(changed)


def load_industries(Industry=None, *, update: bool = True) -> tuple[int, int]:
    if Industry is None:
        from anjian.enterprises.models import Industry
    rows = industry_rows()
    # Parents first: sections, then divisions (bulk_create keeps the order).
    created_s, updated_s = _upsert(Industry, "code", rows[: len(INDUSTRY_SECTIONS)], update=update)
    created_d, updated_d = _upsert(Industry, "code", rows[len(INDUSTRY_SECTIONS) :], update=update)
    return created_s + created_d, updated_s + updated_d


def load_supervision_classes(SupervisionClass=None, *, update: bool = True) -> tuple[int, int]:
    if SupervisionClass is None:
        from anjian.enterprises.models import SupervisionClass
    return _upsert(SupervisionClass, "code", [dict(row) for row in SUPERVISION_CLASSES], update=update)


def load_tags(Tag=None, *, update: bool = True) -> tuple[int, int]:
    if Tag is None:
        from anjian.enterprises.models import Tag
    return _upsert(Tag, "name", [{"name": name, "colour": colour} for name, colour in TAGS], update=update)


def load_departments(Department=None, *, update: bool = True) -> tuple[int, int]:
    if Department is None:
        from anjian.core.models import Department
    rows = [
        {**row, "industry_prefixes": list(row["industry_prefixes"]), "venue_types": list(row["venue_types"])}
        for row in DEPARTMENTS
    ]
    return _upsert(Department, "code", rows, update=update)


def load_reference_data(apps=None, *, update: bool = True) -> dict[str, tuple[int, int]]:
    """Load every reference table. ``apps`` is the migration's app registry (historical models)
    or None for the current models. Returns {table: (created, updated)}."""

    def model(label: str, name: str):
        return apps.get_model(label, name) if apps is not None else None

    return {
        "industries": load_industries(model("enterprises", "Industry"), update=True),
        "supervision_classes": load_supervision_classes(model("enterprises", "SupervisionClass"), update=update),
        "tags": load_tags(model("enterprises", "Tag"), update=update),
        "departments": load_departments(model("core", "Department"), update=update),
    }
