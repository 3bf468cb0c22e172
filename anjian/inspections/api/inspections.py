"""Inspections (检查) in the REST API: /api/v1/inspections/.

``POST /inspections/start/`` (the declared ``start`` action, the start page's form) starts an
inspection; ``POST /inspections/{id}/answers/`` (the declared ``answers`` action, the phone's
item screen's form: ``item``, ``result`` or ``number_value``, ``note``, position; multipart with
its ``photos`` as they are taken) records or corrects one answer and returns the inspection;
``POST /inspections/{id}/submit/`` (the declared ``submit`` action, the phone page's form:
``signed_by``, ``summary`` and the signature as ``signature_data`` (a PNG ``data:`` URL) or a
``signature_file`` photo) signs and submits: every failed item becomes a hazard, whose id the
detail shows on that item.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    resource_router,
)
from anjian.core.attachments import attachments_for, owner_label
from anjian.core.models import Attachment
from anjian.inspections import services
from anjian.inspections.api.common import (
    _display,
    _request_user,
)
from anjian.inspections.models import (
    AnswerResult,
    ChecklistItem,
    Inspection,
    InspectionAnswer,
)
from anjian.inspections.registry import INSPECTION

# --- inspections: output ----------------------------------------------------------------------


class AnswerOut(Schema):
    """One item of the inspection's checklist version with its answer (``result`` empty while unanswered)."""

    item: int = Field(..., description="检查项ID（提交答案时用）")
    position: int
    text: str
    clause: str
    answer_type: str
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str
    photo_required: bool
    major: bool = Field(..., description="不合格即重大隐患")
    result: str = Field(..., description="pass / fail / na；未检查为空")
    result_display: str
    number_value: Decimal | None = None
    note: str
    answered_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: list[AttachmentOut] = Field(default_factory=list, description="该项照片（含 SHA-256）")
    hazard: int | None = Field(None, description="不合格项形成的隐患ID（提交后）")


class CountsOut(Schema):
    total: int
    answered: int
    passed: int
    failed: int
    not_applicable: int
    unanswered: int


def answer_row(item: ChecklistItem, answer: InspectionAnswer | None, photos: list[Attachment]) -> dict[str, Any]:
    return {
        "item": item.pk,
        "position": item.position,
        "text": item.text,
        "clause": item.clause,
        "answer_type": item.answer_type,
        "min_value": item.min_value,
        "max_value": item.max_value,
        "unit": item.unit,
        "photo_required": item.photo_required,
        "major": item.major_criterion_id is not None,
        "result": answer.result if answer else "",
        "result_display": _display(AnswerResult.choices, answer.result) if answer else "",
        "number_value": answer.number_value if answer else None,
        "note": answer.note if answer else "",
        "answered_at": answer.answered_at if answer else None,
        "latitude": answer.latitude if answer else None,
        "longitude": answer.longitude if answer else None,
        "photos": photos,
        "hazard": answer.hazard_id if answer else None,
    }


def load_answers(inspection: Inspection) -> list[dict[str, Any]]:
    """Every item of the inspection's version with its answer and photos: three queries however
    many items (cached on the instance for the other fields of the same answer)."""
    cached = getattr(inspection, "_api_answers", None)
    if cached is not None:
        return cached
    items = list(
        ChecklistItem.objects.filter(checklist_version_id=inspection.checklist_version_id).order_by("position")
    )
    answers = {a.item_id: a for a in InspectionAnswer.objects.filter(inspection=inspection)}
    photos: dict[str, list[Attachment]] = defaultdict(list)
    if answers:
        for attachment in Attachment.objects.filter(
            owner_model=owner_label(InspectionAnswer),
            owner_id__in=[str(a.pk) for a in answers.values()],
            archived_at__isnull=True,
        ).order_by("uploaded_at", "id"):
            photos[attachment.owner_id].append(attachment)
    rows = []
    for item in items:
        answer = answers.get(item.pk)
        rows.append(answer_row(item, answer, photos[str(answer.pk)] if answer else []))
    inspection._api_answers = rows
    return rows


class InspectionRow(EnterpriseOwnedOut):
    """A row of the inspection list."""

    id: int
    kind: str
    kind_display: str
    checklist: int = Field(..., description="体检卡ID")
    checklist_name: str
    checklist_version: int = Field(..., description="所用体检卡的版本号")
    inspector: int
    inspector_name: str
    status: str
    status_display: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None = None
    passed: int
    failed: int
    not_applicable: int

    @staticmethod
    def resolve_kind_display(obj: Inspection) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_checklist(obj: Inspection) -> int:
        return obj.checklist_version.template_id

    @staticmethod
    def resolve_checklist_name(obj: Inspection) -> str:
        return obj.checklist_version.template.name

    @staticmethod
    def resolve_checklist_version(obj: Inspection) -> int:
        return obj.checklist_version.number

    @staticmethod
    def resolve_inspector(obj: Inspection) -> int:
        return obj.inspector_id

    @staticmethod
    def resolve_inspector_name(obj: Inspection) -> str:
        return str(obj.inspector)

    @staticmethod
    def resolve_status_display(obj: Inspection) -> str:
        return str(obj.get_status_display())


class InspectionOut(InspectionRow):
    """One inspection: every item of the version it used, with answers, photos and the hazards made."""

    latitude: float | None = None
    longitude: float | None = None
    signed_by: str
    summary: str
    editable: bool = Field(..., description="当前用户可否填写（检查人本人且未提交）")
    counts: CountsOut = Field(..., description="按当前答案统计")
    answers: list[AnswerOut]
    hazards: list[int] = Field(..., description="不合格项形成的隐患ID")
    signature: AttachmentOut | None = Field(None, description="签名图片")

    @staticmethod
    def resolve_editable(obj: Inspection, context) -> bool:
        user = _request_user(context)
        return user is not None and services.fill_refusal(user, obj) is None

    @staticmethod
    def resolve_counts(obj: Inspection) -> dict[str, int]:
        results = [row["result"] for row in load_answers(obj)]
        answered = sum(1 for r in results if r)
        return {
            "total": len(results),
            "answered": answered,
            "passed": results.count(AnswerResult.PASS),
            "failed": results.count(AnswerResult.FAIL),
            "not_applicable": results.count(AnswerResult.NA),
            "unanswered": len(results) - answered,
        }

    @staticmethod
    def resolve_answers(obj: Inspection) -> list[dict[str, Any]]:
        return load_answers(obj)

    @staticmethod
    def resolve_hazards(obj: Inspection) -> list[int]:
        return [row["hazard"] for row in load_answers(obj) if row["hazard"]]

    @staticmethod
    def resolve_signature(obj: Inspection) -> Attachment | None:
        return attachments_for(obj).last()


router = resource_router(INSPECTION, out=InspectionOut, item=InspectionRow, mount=False)
INSPECTIONS = router.api_resource.resource
