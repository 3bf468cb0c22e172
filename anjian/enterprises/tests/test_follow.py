"""Records follow their enterprise (core/follow.py): when an enterprise moves to another town, every
record that copies its region moves with it, in the move's transaction, and the move is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import models
from django.db.models.query import QuerySet

from anjian.core import follow, registry
from anjian.core.audit import history
from anjian.core.models import Region
from anjian.core.scoping import restrict
from anjian.enterprises import services
from anjian.enterprises.models import Enterprise

# Models with a Region foreign key and a path to an enterprise whose region is NOT a copy of the
# enterprise's: each with the reason. Anything else with such a key must follow.
OWN_REGION = {
    ("enterprises.Enterprise", "region"): "the enterprise itself: the region the others copy",
    ("core.User", "region"): "a government user's own area; enterprise accounts carry none",
    ("inspections.ChecklistTemplate", "owner_region"): "owned by a region or an enterprise, never both",
}
# Links that do not make a record "of an enterprise": accounts and the region tree.
NOT_A_PATH = {"core.User", "core.Region"}


def _reaches_enterprise(model: type[models.Model], depth: int = 4) -> bool:
    seen: set[type[models.Model]] = set()
    frontier = [model]
    for _ in range(depth):
        following = []
        for current in frontier:
            for field in current._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target is None or target in seen or target._meta.label in NOT_A_PATH:
                    continue
                if target is Enterprise:
                    return True
                seen.add(target)
                following.append(target)
        frontier = following
    return False


def region_copies() -> set[tuple[str, str]]:
    """(model label, field) of every Region foreign key on a model that reaches an enterprise."""
    found = set()
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        region_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is Region
        ]
        if region_fields and (model is Enterprise or _reaches_enterprise(model)):
            found.update((model._meta.label, name) for name in region_fields)
    return found


def test_every_model_that_copies_a_region_follows_its_enterprise():
    covered = {(f.model._meta.label, f.region_field) for f in follow.followers()}
    expected = region_copies()
    missing = expected - covered - set(OWN_REGION)
    assert not missing, (
        f"{sorted(missing)} copy a region but do not follow their enterprise: declare their scope as "
        "ScopeSpec(enterprise=..., region=<the local Region key>) or list them in OWN_REGION with a reason"
    )
    assert set(OWN_REGION) <= expected, "OWN_REGION names a key that no longer exists"
    assert not covered & set(OWN_REGION)
    assert {f.model._meta.label for f in follow.followers()} >= {
        "hazards.Hazard",
        "inspections.Inspection",
        "inspections.MonthlyReport",
        "risks.RiskPoint",
        "risks.InspectionPoint",
        "risks.PointCheck",
        "risks.SitePlan",
        "risks.RiskReview",
    }


# One record of each following model in enterprise A (town A), made the way users make them.
def _hazard(world):
    from anjian.hazards.tests.factories import HazardFactory

    return HazardFactory(enterprise=world.enterprise_a)


def _inspection(world):
    from anjian.inspections import services as inspections
    from anjian.inspections.tests.factories import make_checklist

    return inspections.inspection_start(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, template=make_checklist()
    )


def _monthly_report(world):
    from django.utils import timezone

    from anjian.inspections import services as inspections

    return inspections.monthly_report_submit(
        actor=world.enterprise_admin_a,
        enterprise=world.enterprise_a,
        month=timezone.localdate(),
        data={"passages": "通道畅通"},
    )


def _risk_record(label: str) -> Callable:
    def build(world):
        from anjian.risks.tests.factories import scope_object

        return scope_object(apps.get_model(label), world)

    return build


BUILDERS: dict[str, Callable] = {
    "hazards.Hazard": _hazard,
    "inspections.Inspection": _inspection,
    "inspections.MonthlyReport": _monthly_report,
    **{
        label: _risk_record(label)
        for label in (
            "risks.RiskPoint",
            "risks.InspectionPoint",
            "risks.PointCheck",
            "risks.SitePlan",
            "risks.RiskReview",
        )
    },
}


def build(follower: follow.Follower, world):
    """A record of the follower in enterprise A: from BUILDERS, else its resource's ``test_factory``
    (the one the registry-driven scope test uses), so a new module needs no line here."""
    label = follower.model._meta.label
    if label in BUILDERS:
        return BUILDERS[label](world)
    try:
        factory = getattr(registry.for_model(follower.model), "test_factory", None)
    except LookupError:
        factory = None
    assert factory is not None, f"{label} follows its enterprise: give its resource a test_factory(world)"
    return factory(world)


def move_to_town_b(world):
    return services.enterprise_move(
        actor=world.district_admin, enterprise=world.enterprise_a, region=world.regions["grid_b"], grid_inspector=None
    )


def _region_of(record, follower: follow.Follower) -> str:
    record.refresh_from_db()
    return getattr(record, f"{follower.region_field}_id")


def _visible(record, user) -> bool:
    return restrict(type(record)._default_manager.filter(pk=record.pk), user).exists()


@pytest.mark.parametrize("label", [f.model._meta.label for f in follow.followers()])
def test_record_follows_its_enterprise_to_another_town(world, label):
    [follower] = [f for f in follow.followers() if f.model._meta.label == label]
    record = build(follower, world)
    assert _region_of(record, follower) == world.regions["grid_a"].code
    assert _visible(record, world.town_admin_a) and not _visible(record, world.town_admin_b)

    move_to_town_b(world)

    assert _region_of(record, follower) == world.regions["grid_b"].code
    assert not _visible(record, world.town_admin_a), "the old town still sees it"
    assert _visible(record, world.town_admin_b), "the new town does not see it"
    [entry] = history(world.enterprise_a).filter(action=follow.FOLLOW_ACTION)
    assert entry.changes[str(follower.model._meta.verbose_name_plural)][1] >= 1


def _one_of_each(world) -> list[tuple[follow.Follower, models.Model]]:
    return [(follower, build(follower, world)) for follower in follow.followers()]


def test_one_audit_entry_names_the_count_of_each_kind(world):
    records = _one_of_each(world)
    move_to_town_b(world)
    [entry] = history(world.enterprise_a).filter(action=follow.FOLLOW_ACTION)
    assert entry.actor == world.district_admin
    assert entry.changes["region"] == [None, world.regions["grid_b"].name]
    for follower, _record in records:
        moved = follower.model._default_manager.filter(**{follower.enterprise_path: world.enterprise_a}).count()
        assert entry.changes[str(follower.model._meta.verbose_name_plural)] == [None, moved]
    # The move itself keeps its own entry with the region change.
    assert history(world.enterprise_a).filter(action="update").first().changes["region"] == ["中区一网格", "沙南一网格"]


def test_a_failure_midway_leaves_everything_in_the_old_region(world, monkeypatch):
    records = _one_of_each(world)
    real_update = QuerySet.update
    calls = []

    def update_then_fail(self, **kwargs):
        calls.append(self.model)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_then_fail)
    with pytest.raises(RuntimeError):
        move_to_town_b(world)
    monkeypatch.undo()

    assert len(calls) == 2, "the failure should come after the first kind has been moved"
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.region_id == world.regions["grid_a"].code
    for follower, record in records:
        assert _region_of(record, follower) == world.regions["grid_a"].code, follower.model._meta.label
    assert not history(world.enterprise_a).filter(action=follow.FOLLOW_ACTION).exists()


def test_editing_the_region_moves_the_records_too(world):
    [follower] = [f for f in follow.followers() if f.model._meta.label == "hazards.Hazard"]
    hazard = build(follower, world)
    services.enterprise_update(
        actor=world.town_admin_a,
        enterprise=world.enterprise_a,
        data={"region": world.regions["grid_a2"], "grid_inspector": None},
    )
    assert _region_of(hazard, follower) == world.regions["grid_a2"].code


def test_no_move_no_follow_entry(world):
    build([f for f in follow.followers() if f.model._meta.label == "hazards.Hazard"][0], world)
    services.enterprise_update(actor=world.town_admin_a, enterprise=world.enterprise_a, data={"staff_count": 12})
    assert not history(world.enterprise_a).filter(action=follow.FOLLOW_ACTION).exists()
