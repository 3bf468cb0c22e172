"""Hazards (隐患排查治理) in the REST API: /api/v1/hazards/, /api/v1/criteria/, /api/v1/hazard-categories/.

List and detail come from the registry entry (same scope, filters incl. ``view`` = open / overdue /
major / supervised / closed_month, search and sort as the list page). Every write calls
``anjian.hazards.services``, so the API enforces exactly the rules of the pages:

- ``POST /hazards/`` (JSON) and ``POST /hazards/report/`` (multipart, with ``photos``) report a hazard;
- ``POST /hazards/{id}/assign/`` (JSON), ``/rectify/`` (multipart, after-photos), ``/accept/`` (JSON),
  ``/return/`` (JSON), ``/close-on-spot/`` (multipart, photos), ``/cancel/`` (JSON) move it along.

Answers: a hazard or enterprise outside the user's scope is 404 ``{"detail": "未找到"}`` exactly
like a missing one; a transition refused by the state or the role, or bad input, is 400 with field
errors (``__all__`` for the state and role); a stale ``expected_version`` (someone else acted
first) is **409** with the message under ``expected_version``, so a client knows to reload. Each
transition route takes an optional ``expected_version`` (the ``version`` of the detail it shows);
without it the service still locks the row, so two requests never both apply to the same state.

People and criteria are named by key: ``responsible`` is a user id looked up among the hazard's
enterprise's users only (anyone else reads as unknown), ``criteria`` are criterion codes among the
active ones, ``category`` is a category code.

Required fields of the transition bodies are checked after the scope check (so an outsider always
gets 404, whatever he sends); the OpenAPI schema still marks them required.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    api,
    resource_router,
)
from anjian.core.attachments import attachments_for
from anjian.core.models import Attachment, User
from anjian.hazards import workflow
from anjian.hazards.models import (
    GovernancePlan,
    Hazard,
    HazardCategory,
    MajorHazardCriterion,
)
from anjian.hazards.registry import HAZARD
from anjian.hazards.timeline import load_timeline, may_see_reporter

# --- output -----------------------------------------------------------------------------------


class TransitionOut(Schema):
    id: int
    action: str
    action_display: str
    from_status: str
    to_status: str
    actor: int | None = None
    actor_name: str
    at: datetime
    ip: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    comment: str
    data: dict[str, Any]
    attachments: list[AttachmentOut] = Field(default_factory=list, description="该步骤的照片（含 SHA-256）")


class PlanOut(Schema):
    goal: str
    measures: str
    funds_and_materials: str
    people: str
    deadline: date
    interim_measures: str
    created_by: int
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj: GovernancePlan) -> int:
        return obj.created_by_id


class HazardItem(EnterpriseOwnedOut):
    """A row of the hazard list."""

    id: int
    region_name: str
    place: str
    category: str = Field(..., description="类别代码")
    category_id: int = Field(..., description="类别ID（列表筛选 category 用）")
    category_name: str
    description: str
    level: str
    level_display: str
    status: str
    status_display: str
    source: str
    source_display: str
    responsible: int | None = Field(None, description="整改责任人的用户ID")
    responsible_name: str | None = None
    deadline: date | None = None
    overdue: bool
    supervised: bool
    repeated: bool
    escalation_level: int
    priority: int
    reported_at: datetime
    closed_at: datetime | None = None
    version: int

    @staticmethod
    def resolve_region_name(obj: Hazard) -> str:
        return obj.region.name

    @staticmethod
    def resolve_category(obj: Hazard) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Hazard) -> str:
        return obj.category.name

    @staticmethod
    def resolve_level_display(obj: Hazard) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_status_display(obj: Hazard) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_source_display(obj: Hazard) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_responsible(obj: Hazard) -> int | None:
        return obj.responsible_id

    @staticmethod
    def resolve_responsible_name(obj: Hazard) -> str | None:
        return str(obj.responsible) if obj.responsible_id else None


def _request_user(context) -> User | None:
    return getattr((context or {}).get("request"), "auth", None)


class HazardOut(HazardItem):
    """One hazard with its whole history (留痕)."""

    suggested_level: str
    reported_by: int | None = None
    reporter_name: str
    latitude: float | None = None
    longitude: float | None = None
    measures: str
    assigned_at: datetime | None = None
    criteria: list[str] = Field(default_factory=list, description="重大隐患判定依据的编号")
    plan: PlanOut | None = Field(None, description="重大隐患治理方案")
    rectification: str
    cost: Decimal | None = None
    rectified_at: datetime | None = None
    verified_by: int | None = None
    verified_by_name: str | None = None
    returned_count: int
    escalated_at: datetime | None = None
    joint_rectification: bool
    cancel_reason: str
    predecessors: list[int] = Field(default_factory=list, description="此前同部位同类隐患的ID（反复出现）")
    photos: list[AttachmentOut] = Field(default_factory=list, description="上报时的现场照片")
    transitions: list[TransitionOut] = Field(default_factory=list, description="处理时间线")

    @staticmethod
    def resolve_reported_by(obj: Hazard) -> int | None:
        return obj.reported_by_id

    @staticmethod
    def resolve_criteria(obj: Hazard) -> list[str]:
        return [c.code for c in obj.criteria.all()]

    @staticmethod
    def resolve_plan(obj: Hazard) -> GovernancePlan | None:
        try:
            return obj.plan
        except GovernancePlan.DoesNotExist:
            return None

    @staticmethod
    def resolve_verified_by(obj: Hazard) -> int | None:
        return obj.verified_by_id

    @staticmethod
    def resolve_verified_by_name(obj: Hazard) -> str | None:
        return str(obj.verified_by) if obj.verified_by_id else None

    @staticmethod
    def resolve_predecessors(obj: Hazard) -> list[int]:
        return list(obj.predecessors.order_by("-reported_at").values_list("pk", flat=True))

    @staticmethod
    def resolve_photos(obj: Hazard) -> list[Attachment]:
        return list(attachments_for(obj))

    @staticmethod
    def resolve_transitions(obj: Hazard, context) -> list[dict[str, Any]]:
        return timeline(obj, _request_user(context))

    @staticmethod
    def resolve_reporter_name(obj: Hazard, context) -> str:
        return obj.reporter_name if may_see_reporter(_request_user(context), obj) else ""


def timeline(hazard: Hazard, user: User | None) -> list[dict[str, Any]]:
    """The hazard's steps, oldest first, each with its photos: two queries however long."""
    loaded = load_timeline(hazard)
    secret = not may_see_reporter(user, hazard)
    return [
        {
            "id": step.pk,
            "action": step.action,
            "action_display": str(workflow.ACTION_LABELS.get(step.action, step.action)),
            "from_status": step.from_status,
            "to_status": step.to_status,
            "actor": step.actor_id,
            "actor_name": str(step.actor) if step.actor_id else "",
            "at": step.at,
            "ip": None if secret and step.action == workflow.REPORT else step.ip,
            "latitude": step.latitude,
            "longitude": step.longitude,
            "comment": step.comment,
            "data": step.data or {},
            "attachments": loaded.photos_of(step),
        }
        for step in loaded.steps
    ]


class CriterionOut(Schema):
    code: str
    standard: str
    field: str
    text: str


class CriterionList(Schema):
    count: int
    items: list[CriterionOut]


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = Field(None, description="上级类别代码")
    rank: int

    @staticmethod
    def resolve_parent(obj: HazardCategory) -> str | None:
        return obj.parent.code if obj.parent_id else None


class CategoryList(Schema):
    count: int
    items: list[CategoryOut]


# --- input ------------------------------------------------------------------------------------


# --- routes -----------------------------------------------------------------------------------

router = resource_router(HAZARD, out=HazardOut, item=HazardItem, mount=False)
criteria_router = Router(tags=["criteria"])
categories_router = Router(tags=["hazard-categories"])


@criteria_router.get(
    "/",
    response=CriterionList,
    operation_id="criteria_list",
    url_name="criteria-list",
    summary="重大事故隐患判定标准（有效条目）",
)
def criteria_list(request: HttpRequest, field: str | None = None):
    queryset = MajorHazardCriterion.objects.filter(active=True).order_by("code")
    if field:
        queryset = queryset.filter(field=field)
    items = list(queryset)
    return {"count": len(items), "items": items}


@categories_router.get(
    "/",
    response=CategoryList,
    operation_id="hazard_categories_list",
    url_name="hazard-categories-list",
    summary="隐患类别",
)
def categories_list(request: HttpRequest):
    items = list(HazardCategory.objects.select_related("parent").order_by("rank", "code"))
    return {"count": len(items), "items": items}


api.add_router("/hazards/", router)
api.add_router("/criteria/", criteria_router)
api.add_router("/hazard-categories/", categories_router)
