"""Risk points in the REST API: /api/v1/risk-points/ with the whole chain (assessments, events and
measures, inspection points and tasks). What one does to a point (assess, add an event, a measure,
an inspection point, a task, stop a task, archive, edit) is a declared action of the registry
(``anjian.risks.registry.POINT_ACTIONS``): ``resource_router`` serves it at ``/{pk}/<name>/``, and
a new point at ``POST /new/`` (the collection action "new", 201 with the point).

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from anjian.core.api import EnterpriseOwnedOut, PageQuery, resource_router, scoped_get
from anjian.core.api_auth import ErrorOut
from anjian.risks import services
from anjian.risks.api_common import display, enterprise_filter
from anjian.risks.api_inspection import InspectionPointOut, with_board
from anjian.risks.models import (
    LEVEL_COLOURS,
    AccidentType,
    ControlMeasure,
    InspectionPoint,
    RiskAssessment,
    RiskEvent,
    RiskLevel,
    RiskPoint,
    RiskPointKind,
)
from anjian.risks.registry import RISK_POINT

KindValue = Literal[tuple(RiskPointKind.values)]


class AssessmentOut(Schema):
    id: int
    method: str
    method_display: str
    likelihood: Decimal
    exposure: Decimal | None = None
    consequence: Decimal
    score: Decimal
    level: str
    level_display: str
    colour: str
    assessed_by: int | None = None
    assessed_by_name: str | None = None
    assessed_at: dt.datetime
    note: str
    band_version: int | None = Field(None, description="计算等级所用的风险分级标准版本号")

    @staticmethod
    def resolve_band_version(obj: RiskAssessment) -> int | None:
        return obj.band_version.number if obj.band_version_id else None

    @staticmethod
    def resolve_method_display(obj: RiskAssessment) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_level_display(obj: RiskAssessment) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_colour(obj: RiskAssessment) -> str:
        return LEVEL_COLOURS.get(obj.level, "")

    @staticmethod
    def resolve_assessed_by(obj: RiskAssessment) -> int | None:
        return obj.assessed_by_id

    @staticmethod
    def resolve_assessed_by_name(obj: RiskAssessment) -> str | None:
        return str(obj.assessed_by) if obj.assessed_by_id else None


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]


class MeasureOut(Schema):
    id: int
    event: int
    kind: str = Field(..., description="措施类别代码")
    kind_name: str
    national_kind: str = Field(..., description="国家双重预防数据模型的四类之一")
    description: str
    owning_level: str
    owning_level_display: str
    owning_unit: str
    responsible: int | None = Field(None, description="责任人的用户ID")
    responsible_name: str
    archived: bool

    @staticmethod
    def resolve_event(obj: ControlMeasure) -> int:
        return obj.event_id

    @staticmethod
    def resolve_kind(obj: ControlMeasure) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: ControlMeasure) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_national_kind(obj: ControlMeasure) -> str:
        return obj.kind.national_kind

    @staticmethod
    def resolve_owning_level_display(obj: ControlMeasure) -> str:
        return str(obj.get_owning_level_display())

    @staticmethod
    def resolve_responsible(obj: ControlMeasure) -> int | None:
        return obj.responsible_id


class EventOut(Schema):
    id: int
    risk_point: int
    name: str
    accident_type: str
    accident_type_display: str
    consequence: str
    archived: bool
    measures: list[MeasureOut] = Field(default_factory=list, description="管控措施")

    @staticmethod
    def resolve_risk_point(obj: RiskEvent) -> int:
        return obj.risk_point_id

    @staticmethod
    def resolve_accident_type_display(obj: RiskEvent) -> str:
        return str(obj.get_accident_type_display())

    @staticmethod
    def resolve_measures(obj: RiskEvent) -> list[ControlMeasure]:
        return list(obj.measures.select_related("kind").order_by("id"))


class RiskPointItem(EnterpriseOwnedOut):
    id: int
    name: str
    place: str
    kind: str
    kind_display: str
    accident_types: list[str]
    equipment_count: int
    responsible_name: str
    responsible_phone: str
    level: str = Field(..., description="最近一次评价的等级；未评价为空")
    level_display: str
    colour: str = Field(..., description="四色：red / orange / yellow / blue；未评价为空")
    collected_by: int | None = None
    collected_at: dt.datetime
    archived: bool

    @staticmethod
    def resolve_kind_display(obj: RiskPoint) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_level_display(obj: RiskPoint) -> str:
        return display(RiskLevel.choices, obj.level)

    @staticmethod
    def resolve_colour(obj: RiskPoint) -> str:
        return LEVEL_COLOURS.get(obj.level, "")

    @staticmethod
    def resolve_collected_by(obj: RiskPoint) -> int | None:
        return obj.collected_by_id


class RiskPointOut(RiskPointItem):
    """One risk point with its whole chain: events → measures, inspection points → tasks."""

    accident_types_display: list[str]
    latest_assessments: list[AssessmentOut] = Field(..., description="最近 5 次评价（全部见 assessments 接口）")
    events: list[EventOut]
    inspection_points: list[InspectionPointOut]
    control_gaps: list[str] = Field(..., description="分级管控层级的缺口")

    @staticmethod
    def resolve_accident_types_display(obj: RiskPoint) -> list[str]:
        return [display(AccidentType.choices, value) for value in obj.accident_types]

    @staticmethod
    def resolve_latest_assessments(obj: RiskPoint) -> list[RiskAssessment]:
        return list(obj.assessments.select_related("assessed_by", "band_version").order_by("-assessed_at", "-id")[:5])

    @staticmethod
    def resolve_events(obj: RiskPoint) -> list[RiskEvent]:
        return list(obj.events.order_by("id"))

    @staticmethod
    def resolve_inspection_points(obj: RiskPoint) -> list[InspectionPoint]:
        return with_board(list(obj.inspection_points.select_related("enterprise", "risk_point").order_by("id")))

    @staticmethod
    def resolve_control_gaps(obj: RiskPoint) -> list[str]:
        return services.control_gaps(obj)


# --- routes ---

risk_points = resource_router(
    RISK_POINT, out=RiskPointOut, item=RiskPointItem, extra_filters=[enterprise_filter()], mount=False
)
RISK_POINTS = risk_points.api_resource.resource
RiskPointDetail = risk_points.api_resource.out  # with allowed_actions


def _risk_point(request: HttpRequest, pk) -> RiskPoint:
    """The record as it is now, in the user's scope (the services lock and save their own copy)."""
    return scoped_get(request, RISK_POINTS, pk)


@risk_points.get(
    "/{pk}/assessments/",
    response={200: AssessmentPage, 404: ErrorOut},
    operation_id="risk-points_assessment_history",
    url_name="risk-points-assessments",
    summary="风险点的评价历史（新的在前）",
)
def risk_point_assessments(request: HttpRequest, pk: str, page: Query[PageQuery]):
    point = _risk_point(request, pk)
    queryset = point.assessments.select_related("assessed_by", "band_version").order_by("-assessed_at", "-id")
    return {"count": queryset.count(), "items": list(queryset[page.offset : page.offset + page.limit])}
