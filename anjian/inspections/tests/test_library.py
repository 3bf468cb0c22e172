"""The starter checklist library: its data, the migration that loads it, reruns, and search."""

from decimal import Decimal

import pytest
from django.urls import reverse

from anjian.enterprises.models import Tag, VenueType
from anjian.enterprises.reference_data import INDUSTRY_DIVISIONS, INDUSTRY_SECTIONS, TAGS
from anjian.enterprises.tests.factories import EnterpriseFactory, IndustryFactory
from anjian.hazards.criteria_data import CRITERIA
from anjian.hazards.models import HazardCategory, MajorHazardCriterion
from anjian.hazards.reference_data import CATEGORIES
from anjian.inspections import services
from anjian.inspections.library_data import LIBRARY, LIBRARY_NOTE, item_count, load_library, unload_library
from anjian.inspections.models import (
    AnswerType,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionKind,
)

CODES = [spec["code"] for spec in LIBRARY]
SPECS = {spec["code"]: spec for spec in LIBRARY}


def load():
    return load_library(ChecklistTemplate, ChecklistVersion, ChecklistItem, HazardCategory, MajorHazardCriterion)


def library():
    return ChecklistTemplate.objects.filter(library_code__in=CODES, owner_region=None, owner_enterprise=None)


# --- the data ----------------------------------------------------------------------------------


def test_several_hundred_items_in_unique_templates():
    assert len(set(CODES)) == len(CODES)
    assert len({spec["name"] for spec in LIBRARY}) == len(LIBRARY)
    assert item_count() >= 300
    assert all(spec["items"] for spec in LIBRARY)


def test_every_code_and_applicability_value_is_known():
    categories = {code for code, _name, parent in CATEGORIES if parent}
    criteria = {code for code, _field, _text in CRITERIA}
    industries = {code for code, _name in INDUSTRY_SECTIONS} | {s + d for s, d, _name in INDUSTRY_DIVISIONS}
    tags = {name for name, _colour in TAGS}
    for spec in LIBRARY:
        assert set(spec["industry_prefixes"]) <= industries, spec["code"]
        assert set(spec["venue_types"]) <= set(VenueType.values), spec["code"]
        assert set(spec["risk_tags"]) <= tags, spec["code"]
        assert set(spec["kinds"]) <= set(InspectionKind.values), spec["code"]
        assert len(spec["name"]) <= 120
        for item in spec["items"]:
            assert item["category"] in categories, item["text"]
            assert item["major_criterion"] is None or item["major_criterion"] in criteria, item["text"]
            assert item["clause"] and len(item["clause"]) <= 200, item["text"]
            assert item["answer_type"] in AnswerType.values


def test_number_items_have_a_sound_range():
    numbers = [item for spec in LIBRARY for item in spec["items"] if item["answer_type"] == AnswerType.NUMBER]
    assert len(numbers) >= 10
    for item in numbers:
        low, high = item["min_value"], item["max_value"]
        assert low is not None or high is not None, item["text"]
        assert low is None or high is None or Decimal(low) <= Decimal(high), item["text"]
        assert item["unit"], item["text"]


def test_each_major_hazard_criterion_has_its_checklist_item():
    """工贸 criteria per field: every situation of the standard is an item that links to it."""
    linked = {
        item["major_criterion"]
        for spec in LIBRARY
        if spec["code"].startswith("GMZD-")
        for item in spec["items"]
        if item["major_criterion"]
    }
    assert linked == {code for code, _field, _text in CRITERIA}
    for spec in LIBRARY:
        if spec["code"].startswith("GMZD-"):
            assert all(item["major_criterion"] for item in spec["items"]), spec["code"]


def test_the_library_covers_the_fields_the_issue_names():
    names = " ".join(spec["name"] for spec in LIBRARY)
    for word in ("冶金", "有色", "建材", "机械", "轻工", "纺织", "烟草", "粉尘防爆", "液氨制冷", "有限空间"):
        assert f"重大事故隐患排查·{word}" in names
    for word in (
        "消防",
        "电气",
        "锅炉",
        "压力容器",
        "电梯",
        "起重",
        "叉车",
        "危险化学品储存",
        "动火",
        "受限空间",
        "高处",
    ):
        assert word in names, word
    venues = {v for spec in LIBRARY for v in spec["venue_types"]}
    assert {"school", "hospital", "care_home", "market", "hotel", "restaurant"} <= venues
    daily = SPECS["RC-TJK"]
    assert daily["kinds"] == ["self_check"] and 10 <= len(daily["items"]) <= 20


# --- loaded by the migration ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_loaded_every_template_as_version_1():
    templates = list(library().select_related("current_version"))
    assert len(templates) == len(LIBRARY)
    total = 0
    for template in templates:
        spec = SPECS[template.library_code]
        version = template.current_version
        assert version.number == 1 and version.note == LIBRARY_NOTE and version.published_at is not None
        assert template.versions.count() == 1
        items = list(version.items.select_related("category", "major_criterion").order_by("position"))
        assert len(items) == len(spec["items"]) >= 1
        assert [i.position for i in items] == list(range(1, len(items) + 1))
        for item, expected in zip(items, spec["items"], strict=True):
            assert item.text == expected["text"]
            assert item.category.code == expected["category"]  # every category code resolved
            assert (item.major_criterion.code if item.major_criterion else None) == expected["major_criterion"]
            if expected["answer_type"] == AnswerType.NUMBER:
                assert item.min_value == (Decimal(expected["min_value"]) if expected["min_value"] else None)
                assert item.max_value == (Decimal(expected["max_value"]) if expected["max_value"] else None)
        assert template.industry_prefixes == spec["industry_prefixes"]
        assert template.venue_types == spec["venue_types"] and template.risk_tags == spec["risk_tags"]
        total += len(items)
    assert total == item_count() >= 300


@pytest.mark.django_db
def test_rerun_is_idempotent_and_leaves_an_edited_template_alone(world):
    before = (ChecklistTemplate.objects.count(), ChecklistVersion.objects.count(), ChecklistItem.objects.count())
    assert load() == 0
    assert (
        ChecklistTemplate.objects.count(),
        ChecklistVersion.objects.count(),
        ChecklistItem.objects.count(),
    ) == before

    edited = library().get(library_code="XF-TY")
    edited.name = "消防安全检查表（本区修订）"
    edited.active = False
    edited.save()
    services.checklist_publish(actor=world.platform_admin, template=edited, items=[{"text": "仅此一项"}], note="精简")
    assert load() == 0
    edited.refresh_from_db()
    assert edited.name == "消防安全检查表（本区修订）" and not edited.active
    assert edited.current_version.number == 2
    assert [i.text for i in edited.current_version.items.all()] == ["仅此一项"]


@pytest.mark.django_db
def test_a_missing_template_is_created_again():
    gone = library().get(library_code="CS-XX")
    version = gone.current_version
    gone.current_version = None
    gone.save()
    version.items.all().delete()
    version.delete()
    gone.delete()
    assert load() == 1
    again = library().get(library_code="CS-XX")
    assert again.current_version.number == 1
    assert again.current_version.items.count() == len(SPECS["CS-XX"]["items"])
    assert load() == 0


@pytest.mark.django_db
def test_unload_keeps_what_was_edited_or_used(world):
    edited, used = library().get(library_code="DQ-TY"), library().get(library_code="RC-TJK")
    services.checklist_publish(actor=None, template=edited, items=[{"text": "只查配电房"}])
    services.inspection_start(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=used)
    own = services.checklist_create(actor=world.enterprise_admin_a, name="本厂日检", items=[{"text": "通道畅通"}])
    assert unload_library(ChecklistTemplate, ChecklistVersion, ChecklistItem, Inspection) == len(LIBRARY) - 2
    assert set(ChecklistTemplate.objects.values_list("pk", flat=True)) == {edited.pk, used.pk, own.pk}
    assert unload_library(ChecklistTemplate, ChecklistVersion, ChecklistItem, Inspection) == 0
    assert load() == len(LIBRARY) - 2  # and back


@pytest.mark.django_db
def test_templates_apply_by_industry_venue_tags_and_kind(world):
    dusty = EnterpriseFactory(region=world.regions["grid_a"], industry=IndustryFactory(code="C33", name="金属制品业"))
    dusty.tags.add(Tag.objects.get(name="涉爆粉尘"))
    codes = {t.library_code for t in services.checklists_for(dusty)}
    assert {"GMZD-GL", "GMZD-JX", "GMZD-FC", "ZX-FCFB", "XF-TY", "DQ-TY", "RC-TJK"} <= codes
    assert not codes & {"GMZD-YJ", "GMZD-AN", "ZX-YAZL", "CS-XX", "WH-CC"}
    assert "RC-TJK" not in {t.library_code for t in services.checklists_for(dusty, InspectionKind.GRID_PATROL)}

    school = EnterpriseFactory(region=world.regions["grid_a"], venue_type=VenueType.SCHOOL)
    codes = {t.library_code for t in services.checklists_for(school)}
    assert "CS-XX" in codes and "XF-TY" in codes
    assert not codes & {"CS-YY", "GMZD-GL", "ZX-FCFB"}


# --- searchable from the list page ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "found", "absent"),
    [
        ("泄爆", "粉尘防爆专项检查表", "电气安全检查表"),
        ("接地电阻", "电气安全检查表", "学校（含幼儿园）安全检查表"),
        ("GMZD-AN", "工贸企业重大事故隐患排查·液氨制冷", "工贸企业重大事故隐患排查·冶金"),
        ("校车", "学校（含幼儿园）安全检查表", "医院安全检查表"),
        ("氧气含量", "受限空间作业检查表", "电梯安全检查表"),
    ],
)
def test_the_library_is_searchable(client, world, query, found, absent):
    client.force_login(world.enterprise_admin_b)  # the library is everybody's
    page = client.get(reverse("inspections:checklists-list"), {"q": query}).content.decode()
    assert found in page
    assert absent not in page
