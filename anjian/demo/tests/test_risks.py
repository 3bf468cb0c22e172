"""Demo risk data: levels consistent with assessments and bands; the showcase board shows every colour."""

import random
import time

import pytest
from django.utils import timezone

from anjian.core.roles import Role
from anjian.demo import risks as demo
from anjian.demo.enterprises import DemoContext
from anjian.enterprises.tests.factories import EnterpriseFactory, enterprise_user
from anjian.hazards.models import Hazard
from anjian.risks import schedule, scoring, services
from anjian.risks.models import ControlMeasure, InspectionPoint, PointCheck, RiskEvent, RiskPoint, RiskReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(world):
    enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a")
    extra = [EnterpriseFactory(region=world.regions["grid_a"]) for _ in range(8)]
    return DemoContext(
        seed=7,
        rng=random.Random(7),
        district=world.regions["district"],
        enterprise_ids=[world.enterprise_a.pk, world.enterprise_b.pk, *(e.pk for e in extra)],
        demo_enterprise=world.enterprise_a,
        users={},
        today=timezone.localdate(),
    )


def test_contribute_makes_consistent_risks(context):
    line = demo.contribute(context)
    assert "风险点" in line and "秒" in line
    bands = {method: services.bands(method) for method in ("lec", "ls")}
    per_enterprise = {}
    for point in RiskPoint.objects.prefetch_related("assessments"):
        [assessment] = point.assessments.all()
        assert point.level == assessment.level
        assert assessment.level == scoring.level_for(assessment.score, bands[assessment.method])
        assert assessment.band_version.method == assessment.method  # the version it was computed with
        product = assessment.likelihood * (assessment.exposure or 1) * assessment.consequence
        assert product == assessment.score
        assert point.region_id == point.enterprise.region_id
        per_enterprise[point.enterprise_id] = per_enterprise.get(point.enterprise_id, 0) + 1
    assert set(per_enterprise) == set(context.enterprise_ids)
    assert all(2 <= n <= 6 for n in per_enterprise.values())
    for event in RiskEvent.objects.all():
        assert 1 <= event.measures.count() <= 3
    assert RiskEvent.objects.count() >= RiskPoint.objects.count()
    assert ControlMeasure.objects.count() >= RiskEvent.objects.count()
    reviews = list(RiskReview.objects.all())
    assert reviews and all(r.month.day == 1 and r.month < timezone.localdate().replace(day=1) for r in reviews)
    for review in reviews:
        assert review.counts == services.level_counts(review.enterprise_id)
    # running again adds nothing
    demo.contribute(context)
    assert RiskPoint.objects.count() == sum(per_enterprise.values())


def test_showcase_board_has_all_colours(context, world):
    demo.contribute(context)
    points = InspectionPoint.objects.filter(enterprise=world.enterprise_a)
    colours = {state.colour for state in schedule.board(points)}
    assert {"green", "yellow", "red"} <= colours
    failed = PointCheck.objects.filter(passed=False)
    assert failed.count() == 1 and failed.get().hazard_id
    assert Hazard.objects.filter(enterprise=world.enterprise_a).count() == 1
    # other small-installation enterprises get points too, but no failed checks
    assert InspectionPoint.objects.exclude(enterprise=world.enterprise_a).exists()


def test_scale_is_fast(world):
    extra = EnterpriseFactory.create_batch(300, region=world.regions["grid_a"])
    ids = [e.pk for e in extra]
    context = DemoContext(
        seed=1,
        rng=random.Random(1),
        district=world.regions["district"],
        enterprise_ids=ids,
        demo_enterprise=None,
        users={},
        today=timezone.localdate(),
    )
    started = time.monotonic()
    demo.contribute(context)
    assert time.monotonic() - started < 10
    assert RiskPoint.objects.filter(enterprise_id__in=ids).count() >= 600
