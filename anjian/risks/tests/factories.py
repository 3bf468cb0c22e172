"""Risk records for tests, made through the services (so they are what users would make)."""

from __future__ import annotations

from dataclasses import dataclass

from anjian.core.models import User
from anjian.risks import services
from anjian.risks.models import ControlMeasure, InspectionPoint, InspectionTask, RiskEvent, RiskPoint


@dataclass
class RiskChain:
    """One risk point with one event, one measure, one inspection point and one task on it."""

    risk_point: RiskPoint
    event: RiskEvent
    measure: ControlMeasure
    inspection_point: InspectionPoint
    task: InspectionTask


def risk_chain(
    actor: User,
    enterprise,
    *,
    cycle: str = "hour",
    evidence: str = "none",
    owner: User | None = None,
    level: tuple = ("lec", "3", "6", "15"),
) -> RiskChain:
    """Risk point (assessed; LEC 3×6×15 = 270 → 较大 by default) → event → measure → point → task."""
    point = services.risk_point_create(
        actor=actor,
        enterprise=enterprise,
        data={"name": "空压机房", "place": "二车间东侧", "kind": "equipment", "accident_types": ["vessel"]},
    )
    method, likelihood, exposure, consequence = level
    services.risk_assess(
        actor=actor, risk_point=point, method=method, likelihood=likelihood, exposure=exposure, consequence=consequence
    )
    point.refresh_from_db()
    event = services.risk_event_create(
        actor=actor,
        risk_point=point,
        data={"name": "储气罐超压爆炸", "accident_type": "vessel", "consequence": "人员伤亡"},
    )
    measure = services.control_measure_create(
        actor=actor,
        event=event,
        data={"kind": "engineering", "description": "安全阀每年校验，压力表在检定期内", "owning_level": "workshop"},
    )
    inspection_point = services.inspection_point_create(actor=actor, risk_point=point, data={"name": "1号储气罐"})
    task = services.inspection_task_create(
        actor=actor,
        measure=measure,
        data={
            "point": inspection_point.pk,
            "content": "压力表读数正常、安全阀铅封完好",
            "cycle": cycle,
            "evidence": evidence,
            "owner": (owner or actor).pk,
        },
    )
    return RiskChain(point, event, measure, inspection_point, task)


def scope_object(model, world):
    """A record of ``model`` in enterprise A (town A), for the registry-driven scope tests; None
    for models that are not the risk module's."""
    from anjian.hazards.tests.factories import photo
    from anjian.risks.models import PointCheck, RiskReview, SitePlan

    actor = world.enterprise_admin_a
    if model is RiskReview:
        existing = RiskReview.objects.filter(enterprise=world.enterprise_a).first()
        if existing is None:
            risk_chain(actor, world.enterprise_a)
            existing = services.risk_review_confirm(actor=actor, enterprise=world.enterprise_a)
        return existing
    if model is SitePlan:
        return services.site_plan_create(
            actor=actor, enterprise=world.enterprise_a, title="厂区总平面图", image=photo()
        )
    if model not in (RiskPoint, InspectionPoint, PointCheck):
        return None
    chain = risk_chain(actor, world.enterprise_a)
    if model is RiskPoint:
        return chain.risk_point
    if model is InspectionPoint:
        return chain.inspection_point
    [check] = services.point_check(
        actor=actor, point=chain.inspection_point, results=[{"task": chain.task.pk, "passed": True}]
    )
    return check
