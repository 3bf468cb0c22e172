"""Inspection points in the REST API: /api/v1/inspection-points/ (with each point's tasks in their
board colour), the board /inspection-points/board/ and the check records /point-checks/. The on-site check
``POST /inspection-points/{pk}/checks/`` is the declared action "checks" (``registry.CHECK_ACTION``).

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    PageQuery,
    resource_router,
)
from anjian.core.attachments import attachments_for
from anjian.core.models import Attachment
from anjian.core.scoping import VIEW, restrict
from anjian.risks import schedule
from anjian.risks.api_common import enterprise_filter, id_filter
from anjian.risks.models import InspectionPoint, InspectionTask, PointCheck
from anjian.risks.registry import INSPECTION_POINT, POINT_CHECK


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


class BoardQuery(PageQuery):
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1, description="企业ID")
    colour: Literal["red", "yellow", "pending", "green"] | None = Field(None, description="只看某种颜色")


# --- inspection points ---

inspection_points = resource_router(
    INSPECTION_POINT,
    out=InspectionPointOut,
    item=InspectionPointItem,
    extra_filters=[
        id_filter("enterprise", gettext_lazy("企业ID")),
        id_filter("risk_point", gettext_lazy("风险点ID")),
    ],
    mount=False,
)
INSPECTION_POINTS = inspection_points.api_resource.resource
# Mounted before the inspection point router, so that /inspection-points/board/ is not read as /{pk}/.
board_router = Router(tags=["inspection-points"])


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


# --- check records ---

point_checks = resource_router(
    POINT_CHECK,
    out=PointCheckDetailOut,
    item=PointCheckOut,
    extra_filters=[enterprise_filter()],
    mount=False,
)
