"""The starter checklist library (体检卡标准库) every installation ships with.

The templates and their items are in anjian/inspections/data/checklists.json. Written by us, in
our own words, from ../shared/DOMAIN.md and general work-safety practice; each item names the
standard or regulation it rests on. An article or section number is given only where we are sure
of it; otherwise the clause names the standard alone. Numbered limits follow DOMAIN.md and the
standards named beside them: an administrator who finds a local rule stricter publishes a new
version of the template (the loader never touches an existing template).

Items whose failure *is* one of the situations of 应急管理部令第10号《工贸企业重大事故隐患判定标准》
carry that situation's code (``major_criterion``: a ``MajorHazardCriterion.code`` from
anjian/hazards/data/major_hazard_criteria.json); a failed answer then suggests a major hazard. An
item that only touches on a criterion (one part of an "and", or a rule that several fields share
word for word) carries no code.

A template is ``{code, name, description, industry_prefixes, venue_types, risk_tags, kinds, items}``
(empty lists mean "any"); an item is ``{text, clause, category (hazard category code), answer_type
("check" or "number"), photo_required, major_criterion}`` plus, for a number, ``min_value`` /
``max_value`` (decimal strings or null for an open bound) and ``unit``.

``load_library`` takes the model classes, so the data migration passes its historical models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from anjian.core import audit
from anjian.core.starter_data import read_data

LIBRARY: list[dict[str, Any]] = read_data("anjian.inspections", "checklists.json")["templates"]

# Written on each shipped template's version 1; unload_library recognises untouched templates by it.
LIBRARY_NOTE = "标准库首次发布"


def item_count() -> int:
    return sum(len(spec["items"]) for spec in LIBRARY)


def load_library(ChecklistTemplate, ChecklistVersion, ChecklistItem, HazardCategory, MajorHazardCriterion, now=None):
    """Create every library template that is missing, each with version 1 published now.

    Idempotent: a template whose ``library_code`` already exists is left exactly as it is (an
    administrator may have edited, republished or switched it off). Takes the model classes, so a
    migration can pass its historical models. Returns the number of templates created."""
    if now is None:
        from django.utils import timezone

        now = timezone.now()
    categories = dict(HazardCategory.objects.values_list("code", "pk"))
    criteria = dict(MajorHazardCriterion.objects.values_list("code", "pk"))
    existing = set(
        ChecklistTemplate.objects.filter(library_code__in=[spec["code"] for spec in LIBRARY]).values_list(
            "library_code", flat=True
        )
    )
    link = _checklist_version_field(ChecklistItem)
    created = 0
    for spec in LIBRARY:
        if spec["code"] in existing:
            continue
        template = ChecklistTemplate.objects.create(
            name=spec["name"],
            description=spec["description"],
            library_code=spec["code"],
            industry_prefixes=list(spec["industry_prefixes"]),
            venue_types=list(spec["venue_types"]),
            risk_tags=list(spec["risk_tags"]),
            kinds=list(spec["kinds"]),
            active=True,
        )
        checklist_version = ChecklistVersion.objects.create(
            template=template, number=1, note=LIBRARY_NOTE, published_at=now
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                **{link: checklist_version},
                position=position,
                text=item["text"],
                clause=item["clause"],
                category_id=categories.get(item["category"]),
                answer_type=item["answer_type"],
                min_value=_decimal(item.get("min_value")),
                max_value=_decimal(item.get("max_value")),
                unit=item.get("unit", ""),
                photo_required=item["photo_required"],
                major_criterion_id=criteria.get(item["major_criterion"]) if item["major_criterion"] else None,
            )
            for position, item in enumerate(spec["items"], start=1)
        )
        template.current_version = checklist_version
        template.save(update_fields=["current_version"])
        created += 1
    return created


def unload_library(ChecklistTemplate, ChecklistVersion, ChecklistItem, Inspection) -> int:
    """Remove the library templates that are still exactly as shipped: version 1 only, and no
    inspection ever used them. Anything an administrator published or an inspector used stays.
    The migration's reverse; tests that need an empty table call it too. Returns the number removed."""
    used = Inspection.objects.values(_checklist_version_field(Inspection) + "_id")
    untouched = [
        template
        for template in ChecklistTemplate.objects.filter(
            library_code__in=[spec["code"] for spec in LIBRARY],
            owner_region__isnull=True,
            owner_enterprise__isnull=True,
            current_version__number=1,
            current_version__note=LIBRARY_NOTE,
        )
        if not template.versions.exclude(pk=template.current_version_id).exists()
        and not ChecklistVersion.objects.filter(template=template, pk__in=used).exists()
    ]
    if not untouched:
        return 0
    ids = [template.pk for template in untouched]
    with audit.unaudited("starter data being unloaded, never used by an inspection"):
        ChecklistTemplate.objects.filter(pk__in=ids).update(current_version=None)
    ChecklistItem.objects.filter(**{_checklist_version_field(ChecklistItem) + "__template_id__in": ids}).delete()
    ChecklistVersion.objects.filter(template_id__in=ids).delete()
    ChecklistTemplate.objects.filter(pk__in=ids).delete()
    return len(ids)


def _checklist_version_field(model) -> str:
    """The name of ``model``'s foreign key to its checklist version: ``version`` in the historical
    models of migrations before inspections 0004 (the migration that renamed it), ``checklist_version`` since."""
    names = {field.name for field in model._meta.get_fields()}
    return "checklist_version" if "checklist_version" in names else "version"


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
