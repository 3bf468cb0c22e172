"""Demo inspections and monthly reports: a realistic mix for the coverage board, consistent rows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count
from django.utils import timezone

from anjian.core.roles import Role
from anjian.demo import inspections as demo
from anjian.demo.enterprises import DemoContext
from anjian.enterprises.tests.factories import EnterpriseFactory, enterprise_user
from anjian.inspections import coverage
from anjian.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
    MonthlyReport,
    MonthlyReportStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(world):
    enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a")
    extra = [
        EnterpriseFactory(region=world.regions["grid_a"], grid_inspector=world.grid_inspector_a) for _ in range(12)
    ]
    return DemoContext(
        seed=7,
        rng=random.Random(7),
        district=world.regions["district"],
        enterprise_ids=[world.enterprise_a.pk, world.enterprise_b.pk, *(e.pk for e in extra)],
        demo_enterprise=world.enterprise_a,
        users={},
        today=timezone.localdate(),
    )


def test_contribute_makes_inspections_answers_and_reports(context, world):
    line = demo.contribute(context)
    assert "检查" in line and "月度报告" in line
    template = ChecklistTemplate.objects.get(name=demo.DEMO_TEMPLATE)  # none existed: created
    assert template.owner_region_id is None and template.owner_enterprise_id is None
    kinds = dict(Inspection.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    n = len(context.enterprise_ids)
    assert 3 * n <= kinds[InspectionKind.GRID_PATROL] <= 8 * n
    assert 2 * n <= kinds[InspectionKind.TOWN_PATROL] <= 6 * n
    assert 9 * n <= kinds[InspectionKind.SELF_CHECK] <= 14 * n
    now = timezone.now()
    items = template.current_version.items.count()
    for inspection in Inspection.objects.select_related("enterprise"):
        assert inspection.status == InspectionStatus.SUBMITTED and inspection.failed == 0
        assert inspection.region_id == inspection.enterprise.region_id
        assert inspection.started_at < inspection.submitted_at <= now
        assert inspection.passed + inspection.not_applicable == items
        if inspection.kind == InspectionKind.GRID_PATROL and inspection.enterprise.grid_inspector_id:
            assert inspection.inspector_id == inspection.enterprise.grid_inspector_id
    # A small installation: every inspection has its answers, and they match its counts.
    assert InspectionAnswer.objects.count() == Inspection.objects.count() * items
    sample = Inspection.objects.first()
    assert sample.answers.filter(result="pass").count() == sample.passed

    reports = list(MonthlyReport.objects.all())
    statuses = {r.status for r in reports}
    assert MonthlyReportStatus.APPROVED in statuses
    assert len(reports) < n * 13  # some are missing
    for r in reports:
        assert r.month.day == 1 and r.submitted_at <= now
        if r.status in (MonthlyReportStatus.APPROVED, MonthlyReportStatus.RETURNED):
            assert r.reviewed_at and r.reviewed_at >= r.submitted_at and r.reviewed_by_id
        if r.status == MonthlyReportStatus.RETURNED:
            assert r.return_reason

    # The board has something to show, and the rates something to count.
    rows = coverage.coverage(world.district_admin, InspectionKind.GRID_PATROL)
    assert len(rows) == n and {r.status for r in rows} & {coverage.CoverageStatus.DONE}
    rates = coverage.submission_rates(world.district_admin, *_last_year())
    assert rates.total.required and 0 < rates.total.on_time <= rates.total.required


def test_answers_skipped_at_scale_except_the_demo_enterprise(context, monkeypatch):
    monkeypatch.setattr(demo, "FULL_ANSWERS_UP_TO", 5)
    demo.contribute(context)
    answered = set(InspectionAnswer.objects.values_list("inspection__enterprise_id", flat=True).distinct())
    assert answered == {context.demo_enterprise.pk}


def test_deterministic_and_ensure_fills_only_the_missing(context, world):
    demo.contribute(context)
    first = list(Inspection.objects.order_by("id").values_list("enterprise_id", "kind", "submitted_at"))
    newcomer = EnterpriseFactory(region=world.regions["grid_b"])
    added = demo.ensure_inspections(seed=7)
    assert added > 0
    assert set(Inspection.objects.filter(enterprise=newcomer).values_list("kind", flat=True)) >= {
        InspectionKind.SELF_CHECK
    }
    assert demo.ensure_inspections(seed=7) == 0  # nothing left to fill
    assert (
        list(
            Inspection.objects.exclude(enterprise=newcomer)
            .order_by("id")
            .values_list("enterprise_id", "kind", "submitted_at")
        )
        == first
    )


def _last_year():
    today = coverage.local_today()
    return today - dt.timedelta(days=365), today
