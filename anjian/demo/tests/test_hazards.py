"""Demo hazards: as many as asked, and every one consistent with the loop that would have made it."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from anjian.core.roles import Role
from anjian.demo import hazards as demo
from anjian.demo.enterprises import DemoContext
from anjian.enterprises.tests.factories import EnterpriseFactory, enterprise_user
from anjian.hazards import priority
from anjian.hazards.models import (
    OPEN_STATUSES,
    GovernancePlan,
    Hazard,
    HazardLevel,
    HazardStatus,
    HazardTransition,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(world):
    enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a")
    extra = [EnterpriseFactory(region=world.regions["grid_a2"]) for _ in range(3)]
    return DemoContext(
        seed=7,
        rng=random.Random(7),
        district=world.regions["district"],
        enterprise_ids=[world.enterprise_a.pk, world.enterprise_b.pk, *(e.pk for e in extra)],
        demo_enterprise=world.enterprise_a,
        users={},
        today=timezone.localdate(),
    )


def test_contribute_makes_the_demo_share(context):
    line = demo.contribute(context)
    assert "隐患" in line
    assert Hazard.objects.count() == demo.PER_ENTERPRISE_DEMO * len(context.enterprise_ids)
    assert set(Hazard.objects.values_list("enterprise_id", flat=True)) == set(context.enterprise_ids)
    assert demo.per_enterprise(20000) * 20000 >= 2_000_000


def test_hazards_are_consistent(context, world):
    demo.contribute(context)
    now = timezone.now()
    today = context.today
    hazards = list(Hazard.objects.select_related("enterprise").prefetch_related("predecessors"))
    statuses = {h.status for h in hazards}
    assert HazardStatus.CLOSED in statuses and statuses & set(OPEN_STATUSES)
    closed = [h for h in hazards if h.status == HazardStatus.CLOSED]
    assert len(closed) > len(hazards) / 2  # most are closed
    start = now - dt.timedelta(days=demo.MONTHS * 31 + 10)
    for h in hazards:
        assert h.region_id == h.enterprise.region_id
        assert start <= h.reported_at <= now
        if h.assigned_at:
            assert h.reported_at <= h.assigned_at <= now
            assert h.deadline is not None and h.deadline >= timezone.localtime(h.assigned_at).date()
        if h.rectified_at:
            assert h.reported_at <= h.rectified_at <= now
            assert h.assigned_at is None or h.assigned_at <= h.rectified_at
        if h.status == HazardStatus.CLOSED:
            assert h.closed_at is not None and h.rectified_at <= h.closed_at <= now
            assert not h.overdue
        else:
            assert h.closed_at is None
        if h.status in (HazardStatus.ASSIGNED, HazardStatus.SUBMITTED):
            assert h.assigned_at and h.deadline and h.measures
        if h.status == HazardStatus.REPORTED:
            assert h.assigned_at is None and h.deadline is None
        if h.status == HazardStatus.SUBMITTED:
            assert h.rectified_at and h.rectification
        is_open = h.status in OPEN_STATUSES
        assert h.overdue == (is_open and h.deadline is not None and h.deadline < today)
        if h.escalation_level:
            assert h.deadline and h.escalated_at
        assert h.priority == priority.for_hazard(h, today)
        assert h.repeated == bool(h.predecessors.all())
        for earlier in h.predecessors.all():
            assert earlier.place == h.place and earlier.category_id == h.category_id
            assert dt.timedelta(0) <= h.reported_at - earlier.reported_at <= dt.timedelta(days=90)
        if h.level == HazardLevel.MAJOR:
            assert h.supervised and GovernancePlan.objects.filter(hazard=h).exists()
        if h.responsible_id:
            assert h.responsible.enterprise_id == h.enterprise_id
    # people of the enterprise take part; an enterprise without accounts has none
    assert any(h.responsible_id for h in hazards if h.enterprise_id == world.enterprise_a.pk)
    assert not any(h.responsible_id for h in hazards if h.enterprise.region_id == world.regions["grid_a2"].pk)


def test_demo_enterprise_has_open_work(context, world):
    demo.contribute(context)
    mine = Hazard.objects.filter(enterprise=world.enterprise_a)
    assert set(mine.values_list("status", flat=True)) >= {
        HazardStatus.REPORTED,
        HazardStatus.ASSIGNED,
        HazardStatus.SUBMITTED,
    }
    assert mine.filter(level=HazardLevel.MAJOR, status__in=OPEN_STATUSES).exists()
    assert mine.filter(overdue=True).exists()


def test_history_is_written_in_order(context):
    demo.contribute(context)
    for hazard in Hazard.objects.filter(status__in=OPEN_STATUSES):
        steps = list(HazardTransition.objects.filter(hazard=hazard).order_by("at", "id"))
        assert steps and steps[0].action == "report" and steps[0].to_status == HazardStatus.REPORTED
        assert steps[-1].to_status == hazard.status
        assert all(a.at <= b.at for a, b in zip(steps, steps[1:], strict=False))


def test_same_seed_same_hazards(context):
    def draw():
        generator = demo._HazardGenerator(seed=3, today=context.today, enterprise_count=5, log=lambda line: None)
        generator.now = now
        enterprise = generator.load(context.enterprise_ids[:1])[0]
        rows: list = []
        generator.enterprise(enterprise, 40, 1, rows, [], [], [], [])
        return rows

    now = timezone.now()
    assert draw() == draw()


def test_ensure_hazards_fills_only_the_empty(context, world):
    Hazard.objects.all().delete()
    created = demo.ensure_hazards(seed=1)
    assert created == Hazard.objects.count() > 0
    assert demo.ensure_hazards(seed=1) == 0
