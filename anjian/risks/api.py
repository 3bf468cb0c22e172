"""Risk grading control (风险分级管控) in the REST API: /api/v1/risk-points/, /inspection-points/,
/point-checks/, /site-plans/, /risk-reviews/.

Lists and details come from the registry entries (same scope, filters, search and sort as the
list pages). Every write calls ``anjian.risks.services``, so the API keeps exactly the rules of the
pages: only the enterprise's own safety staff (or its contracted agency) may write; government
supervises and reads (a write is 400 with the reason under ``__all__``). Anything outside the
user's scope is 404 ``{"detail": "未找到"}`` exactly like a missing record.

A record of the chain (event, measure, inspection point, task, zone) is named in the body, not in
the path, and must belong to the risk point or plan of the path (else 400 on that field).

Required fields of the bodies are checked after the scope check (so an outsider always gets 404,
whatever he sends); the OpenAPI schema still marks them required.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, field_validator

from anjian.core.api import (
    REQUIRED,
    AttachmentOut,
    EnterpriseOwnedOut,
    InputSchema,
    Latitude,
    Longitude,
    PageQuery,
    api,
    check_photos,
    check_required,
    raise_errors,
    resource_router,
    scoped_get,
)
from anjian.core.api_auth import ErrorOut
from anjian.core.attachments import attachments_for, validate_upload
from anjian.core.models import Attachment
from anjian.core.registry import Filter
from anjian.core.scoping import VIEW, acting_enterprise, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks import schedule, services
from anjian.risks.models import (
    LEVEL_COLOURS,
    AccidentType,
    AssessmentMethod,
    ControlMeasure,
    EvidenceRule,
    InspectionPoint,
    InspectionTask,
    OwningLevel,
    PointCheck,
    RiskAssessment,
    RiskEvent,
    RiskLevel,
    RiskPoint,
    RiskPointKind,
    RiskReview,
    RiskZone,
    SitePlan,
    TaskCycle,
)
from anjian.risks.registry import INSPECTION_POINT, POINT_CHECK, RISK_POINT, RISK_REVIEW, SITE_PLAN

KindValue = Literal[tuple(RiskPointKind.values)]
MethodValue = Literal[tuple(AssessmentMethod.values)]
AccidentValue = Literal[tuple(AccidentType.values)]
OwningValue = Literal[tuple(OwningLevel.values)]
CycleValue = Literal[tuple(TaskCycle.values)]
EvidenceValue = Literal[tuple(EvidenceRule.values)]
PHOTO_PREFIX = "photos_"
CREATED_ERRORS = {400: ErrorOut, 404: ErrorOut}


def _required(*names: str) -> ConfigDict:
    """Documented as required in the OpenAPI schema; checked by the route after the scope check."""
    return ConfigDict(json_schema_extra={"required": list(names)})


def _display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _id_filter(name: str, label) -> Filter:
    """A list filter by the id of a related record (a malformed id matches nothing)."""

    def condition(value: str) -> Q:
        return Q(**{f"{name}_id": int(value)}) if value.isdigit() else Q(pk__in=[])

    return Filter(name, label, f"{name}_id", condition=condition)


def _enterprise_filter() -> Filter:
    return _id_filter("enterprise", gettext_lazy("企业ID"))


# --- output -----------------------------------------------------------------------------------


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


class TaskOut(Schema):
    """An inspection task with its live state on the board."""

    id: int
    measure: int
    point: int
    content: str
    cycle: str
    cycle_display: str
    evidence: str
    evidence_display: str
    owner: int
    owner_name: str
    starts_on: dt.date
    archived: bool
    colour: str = Field("pending", description="green 已检正常 / yellow 已检异常 / red 漏检 / pending 未到期")
    due_from: dt.datetime | None = Field(None, description="当前应检时段开始")
    due_until: dt.datetime | None = Field(None, description="当前应检时段截止")
    last_check_at: dt.datetime | None = None
    overdue_since: dt.datetime | None = None


def task_row(task: InspectionTask, state: schedule.TaskState | None = None) -> dict[str, Any]:
    current = state.current if state else None
    return {
        "id": task.pk,
        "measure": task.measure_id,
        "point": task.point_id,
        "content": task.content,
        "cycle": task.cycle,
        "cycle_display": str(task.get_cycle_display()),
        "evidence": task.evidence,
        "evidence_display": str(task.get_evidence_display()),
        "owner": task.owner_id,
        "owner_name": str(task.owner),
        "starts_on": task.starts_on,
        "archived": task.archived,
        "colour": state.colour if state else schedule.PENDING,
        "due_from": current.due_from if current else None,
        "due_until": current.due_until if current else None,
        "last_check_at": state.last_check_at if state else None,
        "overdue_since": state.overdue_since if state else None,
    }


def with_board(points: list[InspectionPoint]) -> list[InspectionPoint]:
    """The points, each with its board state (its colour and its active tasks' states) attached."""
    for state in schedule.board(points):
        state.point._board = {"colour": state.colour, "tasks": [task_row(s.task, s) for s in state.tasks]}
    return points


def board_state(point: InspectionPoint) -> dict[str, Any]:
    if not hasattr(point, "_board"):
        with_board([point])
    return point._board


class InspectionPointItem(EnterpriseOwnedOut):
    id: int
    risk_point: int
    risk_point_name: str
    name: str
    place: str
    archived: bool

    @staticmethod
    def resolve_risk_point(obj: InspectionPoint) -> int:
        return obj.risk_point_id

    @staticmethod
    def resolve_risk_point_name(obj: InspectionPoint) -> str:
        return obj.risk_point.name


class InspectionPointOut(InspectionPointItem):
    """One inspection point with its active tasks and their current board colour."""

    colour: str = Field(..., description="巡检点的颜色：其任务中最差的状态（red > yellow > pending > green）")
    tasks: list[TaskOut]

    @staticmethod
    def resolve_colour(obj: InspectionPoint) -> str:
        return board_state(obj)["colour"]

    @staticmethod
    def resolve_tasks(obj: InspectionPoint) -> list[dict[str, Any]]:
        return board_state(obj)["tasks"]


class BoardPage(Schema):
    count: int
    counts: dict[str, int] = Field(..., description="各颜色的巡检点数")
    items: list[InspectionPointOut]


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
        return _display(RiskLevel.choices, obj.level)

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
        return [_display(AccidentType.choices, value) for value in obj.accident_types]

    @staticmethod
    def resolve_latest_assessments(obj: RiskPoint) -> list[RiskAssessment]:
        return list(obj.assessments.select_related("assessed_by").order_by("-assessed_at", "-id")[:5])

    @staticmethod
    def resolve_events(obj: RiskPoint) -> list[RiskEvent]:
        return list(obj.events.order_by("id"))

    @staticmethod
    def resolve_inspection_points(obj: RiskPoint) -> list[InspectionPoint]:
        return with_board(list(obj.inspection_points.select_related("enterprise", "risk_point").order_by("id")))

    @staticmethod
    def resolve_control_gaps(obj: RiskPoint) -> list[str]:
        return services.control_gaps(obj)


class PointCheckOut(EnterpriseOwnedOut):
    id: int
    task: int
    task_content: str
    point: int
    point_name: str
    passed: bool
    note: str
    checked_by: int
    checked_by_name: str
    checked_at: dt.datetime
    latitude: float | None = None
    longitude: float | None = None
    hazard: int | None = Field(None, description="异常时生成的隐患ID")

    @staticmethod
    def resolve_task(obj: PointCheck) -> int:
        return obj.task_id

    @staticmethod
    def resolve_task_content(obj: PointCheck) -> str:
        return obj.task.content

    @staticmethod
    def resolve_point(obj: PointCheck) -> int:
        return obj.point_id

    @staticmethod
    def resolve_point_name(obj: PointCheck) -> str:
        return obj.point.name

    @staticmethod
    def resolve_checked_by(obj: PointCheck) -> int:
        return obj.checked_by_id

    @staticmethod
    def resolve_checked_by_name(obj: PointCheck) -> str:
        return str(obj.checked_by)

    @staticmethod
    def resolve_hazard(obj: PointCheck) -> int | None:
        return obj.hazard_id


class PointCheckDetailOut(PointCheckOut):
    photos: list[AttachmentOut] = Field(default_factory=list, description="现场照片（含 SHA-256）")

    @staticmethod
    def resolve_photos(obj: PointCheck) -> list[Attachment]:
        return list(attachments_for(obj))


class CheckList(Schema):
    count: int
    items: list[PointCheckDetailOut]


class ZoneOut(Schema):
    id: int
    name: str
    polygon: list[list[float]] = Field(..., description="顶点，平面图宽、高的比例（0–1）")
    risk_points: list[int]
    level: str = Field(..., description="区域内风险点的最高等级")
    level_display: str
    colour: str
    archived: bool

    @staticmethod
    def resolve_risk_points(obj: RiskZone) -> list[int]:
        return [p.pk for p in obj.risk_points.all()]

    @staticmethod
    def resolve_level(obj: RiskZone) -> str:
        return services.zone_level(obj)

    @staticmethod
    def resolve_level_display(obj: RiskZone) -> str:
        return _display(RiskLevel.choices, services.zone_level(obj))

    @staticmethod
    def resolve_colour(obj: RiskZone) -> str:
        return LEVEL_COLOURS.get(services.zone_level(obj), "")


class SitePlanItem(EnterpriseOwnedOut):
    id: int
    title: str
    width: int
    height: int
    uploaded_by: int
    uploaded_at: dt.datetime
    archived: bool

    @staticmethod
    def resolve_uploaded_by(obj: SitePlan) -> int:
        return obj.uploaded_by_id


class SitePlanOut(SitePlanItem):
    image: AttachmentOut | None = Field(None, description="平面图")
    zones: list[ZoneOut] = Field(..., description="在用的风险区域（四色）")

    @staticmethod
    def resolve_zones(obj: SitePlan) -> list[RiskZone]:
        return list(obj.zones.filter(archived=False).prefetch_related("risk_points").order_by("id"))


class RiskReviewOut(EnterpriseOwnedOut):
    id: int
    month: str = Field(..., description="YYYY-MM")
    confirmed_by: int
    confirmed_by_name: str
    confirmed_at: dt.datetime
    note: str
    counts: dict[str, int] = Field(..., description="确认时各等级风险点数")

    @staticmethod
    def resolve_month(obj: RiskReview) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_confirmed_by(obj: RiskReview) -> int:
        return obj.confirmed_by_id

    @staticmethod
    def resolve_confirmed_by_name(obj: RiskReview) -> str:
        return str(obj.confirmed_by)


# --- input ------------------------------------------------------------------------------------


class RiskPointFields(InputSchema):
    name: str | None = Field(None, max_length=100, description="风险点名称")
    place: str = Field("", max_length=100, description="所在位置")
    kind: KindValue | None = Field(None, description="类型")
    accident_types: list[AccidentValue] = Field(default_factory=list, description="可能导致的事故类型（GB 6441）")
    equipment_count: int = Field(0, ge=0, description="设备数量")
    responsible_name: str = Field("", max_length=30, description="责任人")
    responsible_phone: str = Field("", max_length=20, description="责任人电话")


class RiskPointIn(RiskPointFields):
    """A new risk point. An enterprise user may leave ``enterprise`` out (his own)."""

    model_config = _required("name", "kind")

    enterprise: int | None = Field(None, description="企业ID；企业用户不填即为本企业")


class RiskPointPatch(InputSchema):
    name: str | None = Field(None, max_length=100, description="风险点名称")
    place: str | None = Field(None, max_length=100, description="所在位置")
    kind: KindValue | None = Field(None, description="类型")
    accident_types: list[AccidentValue] | None = Field(None, description="可能导致的事故类型")
    equipment_count: int | None = Field(None, ge=0, description="设备数量")
    responsible_name: str | None = Field(None, max_length=30, description="责任人")
    responsible_phone: str | None = Field(None, max_length=20, description="责任人电话")


class ArchiveIn(InputSchema):
    archived: bool = Field(True, description="true 归档；false 恢复")


class AssessIn(InputSchema):
    model_config = _required("method", "likelihood", "consequence")

    method: MethodValue | None = Field(None, description="lec（L×E×C）或 ls（L×S）")
    likelihood: Decimal | None = Field(None, description="L 可能性（按该方法的标准取值表）")
    exposure: Decimal | None = Field(None, description="E 暴露频繁程度（仅 LEC）")
    consequence: Decimal | None = Field(None, description="C 或 S 后果严重性")
    note: str = Field("", max_length=200, description="说明")


class EventIn(InputSchema):
    model_config = _required("name", "accident_type")

    name: str | None = Field(None, max_length=100, description="风险事件")
    accident_type: AccidentValue | None = Field(None, description="事故类型（GB 6441）")
    consequence: str = Field("", max_length=200, description="可能后果")


class MeasureIn(InputSchema):
    model_config = _required("event", "kind", "description", "owning_level")

    event: int | None = Field(None, description="该风险点的风险事件ID")
    kind: str | None = Field(None, max_length=20, description="措施类别代码或ID")
    description: str | None = Field(None, max_length=300, description="管控措施")
    owning_level: OwningValue | None = Field(None, description="管控层级")
    owning_unit: str = Field("", max_length=60, description="责任部门/班组/岗位")
    responsible: int | None = Field(None, description="责任人的用户ID（本企业人员）")
    responsible_name: str = Field("", max_length=30, description="责任人姓名（不填取责任人）")


class InspectionPointIn(InputSchema):
    model_config = _required("name")

    name: str | None = Field(None, max_length=100, description="巡检点名称")
    place: str = Field("", max_length=100, description="位置（不填同风险点）")


class TaskIn(InputSchema):
    model_config = _required("measure", "point", "cycle", "owner")

    measure: int | None = Field(None, description="该风险点的管控措施ID")
    point: int | None = Field(None, description="该风险点的巡检点ID")
    content: str = Field("", max_length=200, description="检查内容（不填同管控措施）")
    cycle: CycleValue | None = Field(None, description="巡检周期")
    evidence: EvidenceValue = Field(EvidenceRule.NONE, description="留证要求")
    owner: int | None = Field(None, description="巡检人的用户ID（本企业人员）")
    starts_on: dt.date | None = Field(None, description="开始日期（不填为今天）")


class TaskArchiveIn(InputSchema):
    model_config = _required("task")

    task: int | None = Field(None, description="该风险点的巡检任务ID")


def _blank_is_none(value):
    """A phone's browser sends an empty field as "": for a number that is "not given"."""
    return None if value == "" else value


class CheckForm(InputSchema):
    model_config = _required("results")

    results: str | None = Field(
        None,
        description='JSON 列表：[{"task": 任务ID, "passed": true/false, "note": "异常情况"}]',
    )
    latitude: float | None = Latitude
    longitude: float | None = Longitude

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def blank_is_none(cls, value):
        return _blank_is_none(value)


class SitePlanForm(InputSchema):
    model_config = _required("title")

    enterprise: int | None = Field(None, description="企业ID；企业用户不填即为本企业")
    title: str | None = Field(None, max_length=60, description="名称")

    @field_validator("enterprise", mode="before")
    @classmethod
    def blank_is_none(cls, value):
        return _blank_is_none(value)


class ZoneIn(InputSchema):
    model_config = _required("name", "polygon")

    zone: int | None = Field(None, description="要重画的区域ID；不填为新建")
    name: str | None = Field(None, max_length=60, description="区域名称")
    polygon: list[list[float]] | None = Field(
        None, description="顶点 [[x, y], ...]，平面图宽、高的比例（0–1），至少三个"
    )
    risk_points: list[int] = Field(default_factory=list, description="区域内本企业的风险点ID")


class ZoneArchiveIn(InputSchema):
    model_config = _required("zone")

    zone: int | None = Field(None, description="该平面图的区域ID")


class ReviewIn(InputSchema):
    enterprise: int | None = Field(None, description="企业ID；企业用户不填即为本企业")
    note: str = Field("", max_length=500, description="变化说明")


class BoardQuery(PageQuery):
    enterprise: int | None = Field(None, description="企业ID")
    colour: Literal["red", "yellow", "pending", "green"] | None = Field(None, description="只看某种颜色")


# --- helpers ----------------------------------------------------------------------------------


def _enterprise(request: HttpRequest, enterprise_id: int | None) -> Enterprise:
    """The enterprise named in a body (an enterprise user's own when left out); 404 outside scope."""
    user = request.auth
    enterprise = acting_enterprise(user, enterprise_id)  # missing and out of scope alike: 404
    if enterprise is None:
        raise ValidationError({"enterprise": [_(REQUIRED)]})
    return enterprise


def _not_in(field: str, message: str) -> None:
    raise ValidationError({field: [message]})


# --- risk points ------------------------------------------------------------------------------

risk_points = resource_router(
    RISK_POINT, out=RiskPointOut, item=RiskPointItem, extra_filters=[_enterprise_filter()], mount=False
)
RISK_POINTS = risk_points.api_resource.resource


def _risk_point(request: HttpRequest, pk: str) -> RiskPoint:
    return scoped_get(request, RISK_POINTS, pk)


def _fresh_point(request: HttpRequest, pk) -> RiskPoint:
    """The record as it is now (the services lock and save their own copy)."""
    return scoped_get(request, RISK_POINTS, pk)


@risk_points.post(
    "/",
    response={201: RiskPointOut, **CREATED_ERRORS},
    operation_id="risk-points_create",
    url_name="risk-points-create",
    summary="登记风险点",
)
def risk_point_create(request: HttpRequest, payload: RiskPointIn):
    enterprise = _enterprise(request, payload.enterprise)
    data = payload.model_dump(exclude={"enterprise"})
    point = services.risk_point_create(actor=request.auth, enterprise=enterprise, data=data)
    return Status(201, _fresh_point(request, point.pk))


@risk_points.patch(
    "/{pk}/",
    response={200: RiskPointOut, **CREATED_ERRORS},
    operation_id="risk-points_update",
    url_name="risk-points-update",
    summary="修改风险点（只提交要改的字段）",
)
def risk_point_update(request: HttpRequest, pk: str, payload: RiskPointPatch):
    point = _risk_point(request, pk)
    data = payload.model_dump(exclude_unset=True)
    nulls = [name for name, value in data.items() if value is None]
    raise_errors({name: [_("不能为空")] for name in nulls})
    if data:
        services.risk_point_update(actor=request.auth, instance=point.pk, data=data)
    return _fresh_point(request, point.pk)


@risk_points.post(
    "/{pk}/archive/",
    response={200: RiskPointOut, **CREATED_ERRORS},
    operation_id="risk-points_archive",
    url_name="risk-points-archive",
    summary="归档（或恢复）风险点，其巡检点随之停用",
)
def risk_point_archive(request: HttpRequest, pk: str, payload: ArchiveIn):
    point = _risk_point(request, pk)
    services.risk_point_archive(actor=request.auth, instance=point.pk, archived=payload.archived)
    return _fresh_point(request, point.pk)


@risk_points.get(
    "/{pk}/assessments/",
    response={200: AssessmentPage, 404: ErrorOut},
    operation_id="risk-points_assessments",
    url_name="risk-points-assessments",
    summary="风险点的评价历史（新的在前）",
)
def risk_point_assessments(request: HttpRequest, pk: str, page: Query[PageQuery]):
    point = _risk_point(request, pk)
    queryset = point.assessments.select_related("assessed_by").order_by("-assessed_at", "-id")
    return {"count": queryset.count(), "items": list(queryset[page.offset : page.offset + page.limit])}


@risk_points.post(
    "/{pk}/assessments/",
    response={201: AssessmentOut, **CREATED_ERRORS},
    operation_id="risk-points_assess",
    url_name="risk-points-assess",
    summary="评价（或重新评价）风险点：LEC 或 LS，等级按分级标准确定",
)
def risk_point_assess(request: HttpRequest, pk: str, payload: AssessIn):
    point = _risk_point(request, pk)
    errors = check_required(payload, "method", "likelihood", "consequence")
    if payload.method == AssessmentMethod.LEC:
        errors.update(check_required(payload, "exposure"))
    raise_errors(errors)
    assessment = services.risk_assess(
        actor=request.auth,
        risk_point=point.pk,
        method=payload.method,
        likelihood=payload.likelihood,
        exposure=payload.exposure,
        consequence=payload.consequence,
        note=payload.note,
    )
    return Status(201, assessment)


@risk_points.post(
    "/{pk}/events/",
    response={201: EventOut, **CREATED_ERRORS},
    operation_id="risk-points_event_create",
    url_name="risk-points-event-create",
    summary="新增风险事件",
)
def risk_event_create(request: HttpRequest, pk: str, payload: EventIn):
    point = _risk_point(request, pk)
    raise_errors(check_required(payload, "name", "accident_type"))
    event = services.risk_event_create(actor=request.auth, risk_point=point.pk, data=payload.model_dump())
    return Status(201, event)


@risk_points.post(
    "/{pk}/measures/",
    response={201: MeasureOut, **CREATED_ERRORS},
    operation_id="risk-points_measure_create",
    url_name="risk-points-measure-create",
    summary="为风险事件新增管控措施（event 为该风险点的事件ID）",
)
def control_measure_create(request: HttpRequest, pk: str, payload: MeasureIn):
    point = _risk_point(request, pk)
    raise_errors(check_required(payload, "event", "kind", "description", "owning_level"))
    event = RiskEvent.objects.filter(pk=payload.event, risk_point=point, archived=False).first()
    if event is None:
        _not_in("event", _("请选择该风险点的风险事件"))
    data = payload.model_dump(exclude={"event"})
    measure = services.control_measure_create(actor=request.auth, event=event.pk, data=data)
    return Status(201, ControlMeasure.objects.select_related("kind").get(pk=measure.pk))


@risk_points.post(
    "/{pk}/inspection-points/",
    response={201: InspectionPointOut, **CREATED_ERRORS},
    operation_id="risk-points_inspection_point_create",
    url_name="risk-points-inspection-point-create",
    summary="为风险点新增巡检点",
)
def inspection_point_create(request: HttpRequest, pk: str, payload: InspectionPointIn):
    point = _risk_point(request, pk)
    raise_errors(check_required(payload, "name"))
    made = services.inspection_point_create(actor=request.auth, risk_point=point.pk, data=payload.model_dump())
    return Status(201, _inspection_point(request, made.pk))


@risk_points.post(
    "/{pk}/tasks/",
    response={201: TaskOut, **CREATED_ERRORS},
    operation_id="risk-points_task_create",
    url_name="risk-points-task-create",
    summary="新增巡检任务（measure、point 均须属于该风险点），排班随即生成",
)
def inspection_task_create(request: HttpRequest, pk: str, payload: TaskIn):
    point = _risk_point(request, pk)
    raise_errors(check_required(payload, "measure", "point", "cycle", "owner"))
    measure = ControlMeasure.objects.filter(pk=payload.measure, event__risk_point=point, archived=False).first()
    if measure is None:
        _not_in("measure", _("请选择该风险点的管控措施"))
    data = payload.model_dump(exclude={"measure"})
    task = services.inspection_task_create(actor=request.auth, measure=measure.pk, data=data)
    task = InspectionTask.objects.select_related("owner").get(pk=task.pk)
    [state] = schedule.board([task.point])
    return Status(201, task_row(task, next((s for s in state.tasks if s.task.pk == task.pk), None)))


@risk_points.post(
    "/{pk}/tasks/archive/",
    response={200: TaskOut, **CREATED_ERRORS},
    operation_id="risk-points_task_archive",
    url_name="risk-points-task-archive",
    summary="停用巡检任务（task 为该风险点的任务ID；已有记录保留）",
)
def inspection_task_archive(request: HttpRequest, pk: str, payload: TaskArchiveIn):
    point = _risk_point(request, pk)
    raise_errors(check_required(payload, "task"))
    task = InspectionTask.objects.filter(pk=payload.task, measure__event__risk_point=point).first()
    if task is None:
        _not_in("task", _("请选择该风险点的巡检任务"))
    services.inspection_task_archive(actor=request.auth, task=task.pk)
    return task_row(InspectionTask.objects.select_related("owner").get(pk=task.pk))


# --- inspection points ------------------------------------------------------------------------

inspection_points = resource_router(
    INSPECTION_POINT,
    out=InspectionPointOut,
    item=InspectionPointItem,
    extra_filters=[
        _id_filter("enterprise", gettext_lazy("企业ID")),
        _id_filter("risk_point", gettext_lazy("风险点ID")),
    ],
    mount=False,
)
INSPECTION_POINTS = inspection_points.api_resource.resource
# Mounted before the inspection point router, so that /inspection-points/board/ is not read as /{pk}/.
board_router = Router(tags=["inspection-points"])


def _inspection_point(request: HttpRequest, pk) -> InspectionPoint:
    return scoped_get(request, INSPECTION_POINTS, pk)


CHECK_DESCRIPTION = (
    "multipart/form-data。字段 results 为 JSON 列表，每项对应该巡检点的一个任务："
    '[{"task": 12, "passed": true}, {"task": 13, "passed": false, "note": "压力表指针超红线"}]。'
    f"照片按任务分组上传，文件字段名为 {PHOTO_PREFIX}<任务ID>（如 {PHOTO_PREFIX}13，可重复多张）。"
    "留证要求为拍照的任务至少一张，前后对比的至少两张；异常项须写明情况并至少一张照片，"
    "并立即生成隐患（返回的 hazard 为隐患ID）。latitude、longitude 为巡检位置（可选）。"
)


@inspection_points.post(
    "/{pk}/checks/",
    response={201: CheckList, **CREATED_ERRORS},
    operation_id="inspection-points_check",
    url_name="inspection-points-check",
    summary="现场巡检打卡（multipart，含照片）",
    description=CHECK_DESCRIPTION,
)
def inspection_point_check(request: HttpRequest, pk: str, payload: Form[CheckForm]):
    point = scoped_get(request, INSPECTION_POINTS, pk)
    raise_errors(check_required(payload, "results"))
    try:
        results = json.loads(payload.results)
    except ValueError:
        results = None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise_errors({"results": [_("格式不正确：应为 JSON 列表，每项含 task、passed、note")]})
    tasks = {str(r.get("task")) for r in results}
    errors: dict[str, list[str]] = {}
    photos: dict[str, list] = {}
    for name in request.FILES:
        key = name.removeprefix(PHOTO_PREFIX)
        if not name.startswith(PHOTO_PREFIX) or key not in tasks:
            errors[name] = [_("照片字段应为 %(prefix)s<任务ID>，且该任务在 results 中") % {"prefix": PHOTO_PREFIX}]
            continue
        files = request.FILES.getlist(name)
        found = check_photos(files)
        if found:
            errors[name] = found["photos"]
        photos[key] = files
    if (payload.latitude is None) != (payload.longitude is None):
        errors["latitude"] = [_("经纬度须同时提供")]
    raise_errors(errors)
    rows = [
        {
            "task": r.get("task"),
            "passed": r.get("passed"),
            "note": r.get("note") or "",
            "photos": photos.get(str(r.get("task")), []),
        }
        for r in results
    ]
    made = services.point_check(
        actor=request.auth, point=point.pk, results=rows, latitude=payload.latitude, longitude=payload.longitude
    )
    checks = list(
        PointCheck.objects.filter(pk__in=[c.pk for c in made])
        .select_related("enterprise", "task", "point", "checked_by")
        .order_by("id")
    )
    return Status(201, {"count": len(checks), "items": checks})


@board_router.get(
    "/",
    response=BoardPage,
    operation_id="inspection-points_board",
    url_name="inspection-points-board",
    summary="巡检看板：每个巡检点的颜色及其任务状态（红 漏检、黄 异常、绿 正常）",
)
def inspection_board(request: HttpRequest, params: Query[BoardQuery]):
    queryset = restrict(
        InspectionPoint.objects.filter(archived=False).select_related("enterprise", "risk_point"), request.auth, VIEW
    )
    if params.enterprise is not None:
        queryset = queryset.filter(enterprise_id=params.enterprise)
    points = with_board(list(queryset.order_by("enterprise_id", "name", "id")))
    counts = {colour: 0 for colour in schedule.SEVERITY}
    for point in points:
        counts[point._board["colour"]] += 1
    if params.colour:
        points = [point for point in points if point._board["colour"] == params.colour]
    points.sort(key=lambda point: schedule.SEVERITY[point._board["colour"]])  # worst first
    return {"count": len(points), "counts": counts, "items": points[params.offset : params.offset + params.limit]}


# --- check records ----------------------------------------------------------------------------

point_checks = resource_router(
    POINT_CHECK,
    out=PointCheckDetailOut,
    item=PointCheckOut,
    extra_filters=[_enterprise_filter()],
    mount=False,
)


# --- site plans (四色图) -----------------------------------------------------------------------

site_plans = resource_router(
    SITE_PLAN,
    out=SitePlanOut,
    item=SitePlanItem,
    extra_filters=[_enterprise_filter()],
    select_related=["image"],
    mount=False,
)
SITE_PLANS = site_plans.api_resource.resource


@site_plans.post(
    "/",
    response={201: SitePlanOut, **CREATED_ERRORS},
    operation_id="site-plans_create",
    url_name="site-plans-create",
    summary="上传厂区平面图（multipart：enterprise、title、image；PNG/JPEG/WebP）",
)
def site_plan_create(request: HttpRequest, payload: Form[SitePlanForm], image: File[UploadedFile] = None):
    enterprise = _enterprise(request, payload.enterprise)
    errors = check_required(payload, "title")
    if image is None:
        errors["image"] = [_("请上传平面图")]
    else:
        try:
            validate_upload(image, kind="photo")
        except ValidationError as exc:
            errors["image"] = list(exc.messages)
    raise_errors(errors)
    plan = services.site_plan_create(actor=request.auth, enterprise=enterprise, title=payload.title, image=image)
    return Status(201, scoped_get(request, SITE_PLANS, plan.pk))


@site_plans.post(
    "/{pk}/zones/",
    response={200: SitePlanOut, **CREATED_ERRORS},
    operation_id="site-plans_zone_save",
    url_name="site-plans-zone-save",
    summary="画（或重画）风险区域：多边形与区域内的风险点",
)
def zone_save(request: HttpRequest, pk: str, payload: ZoneIn):
    plan = scoped_get(request, SITE_PLANS, pk)
    raise_errors(check_required(payload, "name", "polygon"))
    if payload.zone is not None and not RiskZone.objects.filter(plan=plan, pk=payload.zone, archived=False).exists():
        _not_in("zone", _("请选择该平面图的区域"))
    services.risk_zone_save(
        actor=request.auth, plan=plan.pk, data=payload.model_dump(exclude={"zone"}), zone=payload.zone
    )
    return scoped_get(request, SITE_PLANS, plan.pk)


@site_plans.post(
    "/{pk}/zones/archive/",
    response={200: SitePlanOut, **CREATED_ERRORS},
    operation_id="site-plans_zone_archive",
    url_name="site-plans-zone-archive",
    summary="删除（归档）风险区域",
)
def zone_archive(request: HttpRequest, pk: str, payload: ZoneArchiveIn):
    plan = scoped_get(request, SITE_PLANS, pk)
    raise_errors(check_required(payload, "zone"))
    if not RiskZone.objects.filter(plan=plan, pk=payload.zone, archived=False).exists():
        _not_in("zone", _("请选择该平面图的区域"))
    services.risk_zone_archive(actor=request.auth, zone=payload.zone)
    return scoped_get(request, SITE_PLANS, plan.pk)


# --- monthly self-review ----------------------------------------------------------------------

risk_reviews = resource_router(RISK_REVIEW, out=RiskReviewOut, extra_filters=[_enterprise_filter()], mount=False)
RISK_REVIEWS = risk_reviews.api_resource.resource


@risk_reviews.post(
    "/",
    response={201: RiskReviewOut, **CREATED_ERRORS},
    operation_id="risk-reviews_create",
    url_name="risk-reviews-create",
    summary="确认本月风险清单（月度风险自查，每月一次）",
)
def risk_review_create(request: HttpRequest, payload: ReviewIn):
    enterprise = _enterprise(request, payload.enterprise)
    review = services.risk_review_confirm(actor=request.auth, enterprise=enterprise, note=payload.note)
    return Status(201, scoped_get(request, RISK_REVIEWS, review.pk))


api.add_router("/risk-points/", risk_points)
api.add_router("/inspection-points/board/", board_router)
api.add_router("/inspection-points/", inspection_points)
api.add_router("/point-checks/", point_checks)
api.add_router("/site-plans/", site_plans)
api.add_router("/risk-reviews/", risk_reviews)
