"""Inspections (体检卡) in the REST API: /api/v1/checklists/, /api/v1/inspections/, /api/v1/monthly-reports/.

Lists and details come from the registry entries (same scope, filters, search and sort as the list
pages; searching checklists also searches the items of their current version). Every write calls
``anjian.inspections.services``, so the API enforces exactly the rules of the pages:

- ``POST /checklists/`` (JSON) creates a checklist with its first version (the owner follows the
  user: his enterprise, his district, or the library for the platform admin);
  ``POST /checklists/{id}/publish/`` (JSON) publishes the items as the next version;
  ``GET /checklists/{id}/versions/{number}/`` gives the items of any published version.
- ``POST /inspections/`` (JSON) starts an inspection; ``POST /inspections/{id}/answers/`` (multipart,
  one item at a time, with its ``photos`` as they are taken) records or corrects an answer;
  ``POST /inspections/{id}/submit/`` (multipart, optional ``signature`` image) signs and submits:
  every failed item becomes a hazard, whose id the detail shows on that item.
- ``POST /monthly-reports/`` (multipart, with ``photos``) submits, or after a return resubmits, the
  user's own enterprise's report of a month; ``POST /monthly-reports/{id}/approve/`` and
  ``/return/`` (JSON, ``reason``) review it.

Answers: a record or enterprise outside the user's scope is 404 ``{"detail": "未找到"}`` exactly
like a missing one; input the schema or the service refuses is 400 with field errors (``__all__``
for the state and the role, e.g. someone else's inspection, an approval by the enterprise).
Required fields of the transition bodies are checked after the scope check (so an outsider always
gets 404, whatever he sends); the OpenAPI schema still marks them required.

Related records are named by key: ``category`` by hazard category code, ``major_criterion`` by
criterion code, ``enterprise``/``template``/``item`` by id.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Schema, Status, UploadedFile
from pydantic import ConfigDict, field_validator

from anjian.core.api import (
    REQUIRED,
    AttachmentOut,
    EnterpriseOwnedOut,
    InputSchema,
    Latitude,
    Longitude,
    api,
    check_photos,
    raise_errors,
    resource_router,
    scoped_get,
)
from anjian.core.api_auth import ErrorOut
from anjian.core.attachments import attachments_for, owner_label, validate_upload
from anjian.core.models import Attachment, User
from anjian.core.scoping import VIEW, acting_enterprise, own_enterprise, restrict
from anjian.enterprises.models import VenueType
from anjian.hazards.models import HazardCategory, MajorHazardCriterion
from anjian.inspections import services
from anjian.inspections.models import (
    AnswerResult,
    AnswerType,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
    MonthlyReport,
)
from anjian.inspections.registry import CHECKLIST, INSPECTION, MONTHLY_REPORT

KindValue = Literal[tuple(InspectionKind.values)]
ResultValue = Literal[tuple(AnswerResult.values)]
AnswerTypeValue = Literal[tuple(AnswerType.values)]
VenueValue = Literal[tuple(VenueType.values)]
Number = Field(None, max_digits=12, decimal_places=3)


def _required(*names: str) -> ConfigDict:
    """Documented as required in the OpenAPI schema; checked by the route after the scope check."""
    return ConfigDict(json_schema_extra={"required": list(names)})


def _request_user(context) -> User | None:
    return getattr((context or {}).get("request"), "auth", None)


def _display(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


# --- checklists: output -----------------------------------------------------------------------


class ChecklistItemOut(Schema):
    id: int
    position: int
    text: str
    clause: str
    category: str | None = Field(None, description="隐患类别代码")
    category_name: str | None = None
    answer_type: str = Field(..., description="check（合格/不合格/不适用）、number（数值）、photo（拍照）")
    answer_type_display: str
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str
    photo_required: bool
    major_criterion: str | None = Field(None, description="不合格即重大隐患：判定依据编号")

    @staticmethod
    def resolve_category(obj: ChecklistItem) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_category_name(obj: ChecklistItem) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_answer_type_display(obj: ChecklistItem) -> str:
        return str(obj.get_answer_type_display())

    @staticmethod
    def resolve_major_criterion(obj: ChecklistItem) -> str | None:
        return obj.major_criterion.code if obj.major_criterion_id else None


def version_items(checklist_version_id: int | None) -> list[ChecklistItem]:
    if checklist_version_id is None:
        return []
    return list(
        ChecklistItem.objects.filter(checklist_version_id=checklist_version_id)
        .select_related("category", "major_criterion")
        .order_by("position")
    )


class VersionSummaryOut(Schema):
    number: int
    note: str
    published_at: dt.datetime
    published_by: int | None = None
    item_count: int

    @staticmethod
    def resolve_published_by(obj: ChecklistVersion) -> int | None:
        return obj.published_by_id


class ChecklistRow(Schema):
    """A row of the checklist list."""

    id: int
    name: str
    library_code: str
    owner: str = Field(..., description="library（标准库）、region（区划自建）、enterprise（企业自建）")
    owner_region: str | None = Field(None, description="所属区划代码")
    owner_region_name: str | None = None
    owner_enterprise: int | None = Field(None, description="所属企业ID")
    owner_enterprise_name: str | None = None
    current_version: int | None = Field(None, description="当前版本号")
    active: bool

    @staticmethod
    def resolve_owner(obj: ChecklistTemplate) -> str:
        if obj.owner_enterprise_id:
            return "enterprise"
        return "region" if obj.owner_region_id else "library"

    @staticmethod
    def resolve_owner_region(obj: ChecklistTemplate) -> str | None:
        return obj.owner_region_id

    @staticmethod
    def resolve_owner_region_name(obj: ChecklistTemplate) -> str | None:
        return obj.owner_region.name if obj.owner_region_id else None

    @staticmethod
    def resolve_owner_enterprise(obj: ChecklistTemplate) -> int | None:
        return obj.owner_enterprise_id

    @staticmethod
    def resolve_owner_enterprise_name(obj: ChecklistTemplate) -> str | None:
        return obj.owner_enterprise.name if obj.owner_enterprise_id else None

    @staticmethod
    def resolve_current_version(obj: ChecklistTemplate) -> int | None:
        return obj.current_version.number if obj.current_version_id else None


class ChecklistOut(ChecklistRow):
    """A checklist with the items of its current version and the list of its versions."""

    description: str
    industry_prefixes: list[str] = Field(..., description="适用行业代码前缀（空为不限）")
    venue_types: list[str] = Field(..., description="适用场所类型（空为不限）")
    risk_tags: list[str] = Field(..., description="适用风险类型标签（空为不限）")
    kinds: list[str] = Field(..., description="适用检查类型（空为不限）")
    created_at: dt.datetime
    published_at: dt.datetime | None = Field(None, description="当前版本的发布时间")
    editable: bool = Field(..., description="当前用户可否发布新版本")
    items: list[ChecklistItemOut] = Field(..., description="当前版本的检查项")
    versions: list[VersionSummaryOut] = Field(..., description="全部版本，新的在前")

    @staticmethod
    def resolve_published_at(obj: ChecklistTemplate) -> dt.datetime | None:
        return obj.current_version.published_at if obj.current_version_id else None

    @staticmethod
    def resolve_editable(obj: ChecklistTemplate, context) -> bool:
        user = _request_user(context)
        return user is not None and services.may_edit_template(user, obj)

    @staticmethod
    def resolve_items(obj: ChecklistTemplate) -> list[ChecklistItem]:
        return version_items(obj.current_version_id)

    @staticmethod
    def resolve_versions(obj: ChecklistTemplate) -> list[ChecklistVersion]:
        return list(obj.versions.annotate(item_count=Count("items")).order_by("-number"))


class ChecklistVersionOut(Schema):
    """One published version of a checklist, frozen: what the inspections that used it show."""

    checklist: int
    checklist_name: str
    number: int
    current: bool
    note: str
    published_at: dt.datetime
    published_by: int | None = None
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_checklist(obj: ChecklistVersion) -> int:
        return obj.template_id

    @staticmethod
    def resolve_checklist_name(obj: ChecklistVersion) -> str:
        return obj.template.name

    @staticmethod
    def resolve_current(obj: ChecklistVersion) -> bool:
        return obj.template.current_version_id == obj.pk

    @staticmethod
    def resolve_published_by(obj: ChecklistVersion) -> int | None:
        return obj.published_by_id

    @staticmethod
    def resolve_items(obj: ChecklistVersion) -> list[ChecklistItem]:
        return version_items(obj.pk)


# --- checklists: input ------------------------------------------------------------------------


class ChecklistItemIn(InputSchema):
    text: str = Field("", max_length=2000, description="检查内容")
    clause: str = Field("", max_length=200, description="依据条款")
    category: str | None = Field(None, max_length=20, description="隐患类别代码（见 /hazard-categories/）")
    answer_type: AnswerTypeValue = Field(AnswerType.CHECK, description="答案类型")
    min_value: Decimal | None = Number
    max_value: Decimal | None = Number
    unit: str = Field("", max_length=20, description="单位")
    photo_required: bool = Field(False, description="须拍照")
    major_criterion: str | None = Field(
        None, max_length=20, description="不合格即重大隐患：判定依据编号（见 /criteria/）"
    )


class ChecklistIn(InputSchema):
    """A new checklist and the items of its first version."""

    name: str = Field(..., min_length=1, max_length=120, description="名称")
    description: str = Field("", max_length=2000, description="说明")
    items: list[ChecklistItemIn] = Field(..., description="检查项，按顺序")
    industry_prefixes: list[str] = Field(default_factory=list, description="适用行业代码前缀（空为不限）")
    venue_types: list[VenueValue] = Field(default_factory=list, description="适用场所类型（空为不限）")
    risk_tags: list[str] = Field(default_factory=list, description="适用风险类型标签（空为不限）")
    kinds: list[KindValue] = Field(default_factory=list, description="适用检查类型（空为不限）")


class PublishIn(InputSchema):
    model_config = _required("items")

    items: list[ChecklistItemIn] | None = Field(None, description="新版本的全部检查项，按顺序")
    note: str = Field("", max_length=200, description="修订说明")


def resolve_items(items: list[ChecklistItemIn]) -> list[dict[str, Any]]:
    """Item inputs with category and criterion codes replaced by records; bad codes are errors
    under ``items`` naming the item, all at once. Everything else the service checks."""
    categories = {c.code: c for c in HazardCategory.objects.filter(code__in={i.category for i in items if i.category})}
    codes = {i.major_criterion for i in items if i.major_criterion}
    criteria = {c.code: c for c in MajorHazardCriterion.objects.filter(active=True, code__in=codes)}
    errors: list[str] = []
    out = []
    for number, item in enumerate(items, start=1):
        data = item.model_dump()
        if item.category:
            data["category"] = categories.get(item.category)
            if data["category"] is None:
                errors.append(_("第%(n)d项：隐患类别不存在：%(value)s") % {"n": number, "value": item.category})
        if item.major_criterion:
            data["major_criterion"] = criteria.get(item.major_criterion)
            if data["major_criterion"] is None:
                errors.append(_("第%(n)d项：判定依据不存在：%(value)s") % {"n": number, "value": item.major_criterion})
        out.append(data)
    raise_errors({"items": errors} if errors else {})
    return out


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
        return user is not None and user.pk == obj.inspector_id and obj.status == InspectionStatus.DRAFT

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


# --- inspections: input -----------------------------------------------------------------------


def _blank_is_none(value):
    """A phone's browser sends an empty field as "": for a number or a choice that is "not given"."""
    return None if value == "" else value


class InspectionStartIn(InputSchema):
    """Start an inspection. An enterprise user may leave ``enterprise`` out (a self-check of his own)."""

    enterprise: int | None = Field(None, description="企业ID；企业用户不填即为本企业")
    template: int = Field(..., description="体检卡ID（须适用于该企业）")
    kind: KindValue | None = Field(None, description="检查类型；不填按身份确定")
    latitude: float | None = Latitude
    longitude: float | None = Longitude


class AnswerForm(InputSchema):
    model_config = _required("item")

    item: int | None = Field(None, description="检查项ID")
    result: ResultValue | None = Field(None, description="pass / fail / na；数值题按范围自动判定")
    number_value: Decimal | None = Field(None, max_digits=12, decimal_places=3, description="数值题的读数")
    note: str = Field("", max_length=2000, description="说明（不合格时写明情况）")
    latitude: float | None = Latitude
    longitude: float | None = Longitude

    @field_validator("item", "result", "number_value", "latitude", "longitude", mode="before")
    @classmethod
    def blank_is_none(cls, value):
        return _blank_is_none(value)


class SubmitForm(InputSchema):
    model_config = _required("signed_by")

    signed_by: str | None = Field(None, max_length=50, description="签名人")
    summary: str = Field("", max_length=2000, description="检查结论")


def check_position(payload: Schema) -> dict[str, list[str]]:
    if (payload.latitude is None) != (payload.longitude is None):
        return {"latitude": [_("经纬度须同时提供")]}
    return {}


def check_signature(signature) -> dict[str, list[str]]:
    if signature is None:
        return {}
    try:
        validate_upload(signature, kind="photo")
    except ValidationError as exc:
        return {"signature": list(exc.messages)}
    return {}


# --- monthly reports --------------------------------------------------------------------------


class MonthlyReportRow(EnterpriseOwnedOut):
    """A row of the monthly report list."""

    id: int
    month: str = Field(..., description="YYYY-MM")
    status: str
    status_display: str
    submitted_at: dt.datetime | None = None
    reviewed_by: int | None = None
    reviewed_by_name: str | None = None
    reviewed_at: dt.datetime | None = None
    version: int

    @staticmethod
    def resolve_month(obj: MonthlyReport) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_status_display(obj: MonthlyReport) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_reviewed_by(obj: MonthlyReport) -> int | None:
        return obj.reviewed_by_id

    @staticmethod
    def resolve_reviewed_by_name(obj: MonthlyReport) -> str | None:
        return str(obj.reviewed_by) if obj.reviewed_by_id else None


class MonthlyReportOut(MonthlyReportRow):
    passages: str
    key_equipment: str
    electrical: str
    other: str
    submitted_by: int | None = None
    submitted_by_name: str | None = None
    return_reason: str
    photos: list[AttachmentOut] = Field(default_factory=list)

    @staticmethod
    def resolve_submitted_by(obj: MonthlyReport) -> int | None:
        return obj.submitted_by_id

    @staticmethod
    def resolve_submitted_by_name(obj: MonthlyReport) -> str | None:
        return str(obj.submitted_by) if obj.submitted_by_id else None

    @staticmethod
    def resolve_photos(obj: MonthlyReport) -> list[Attachment]:
        return list(attachments_for(obj))


class MonthlyReportForm(InputSchema):
    """The month's report of the user's own enterprise; at least one of the four texts."""

    month: str = Field(..., description="月份，YYYY-MM", examples=["2025-05"])
    passages: str = Field("", max_length=2000, description="主要通道")
    key_equipment: str = Field("", max_length=2000, description="重点设备")
    electrical: str = Field("", max_length=2000, description="用电情况")
    other: str = Field("", max_length=2000, description="其他情况")

    @field_validator("month")
    @classmethod
    def _check_month(cls, value: str) -> str:
        try:
            dt.datetime.strptime(value, "%Y-%m")
        except ValueError:
            raise ValueError(_("请输入月份（YYYY-MM）")) from None
        return value

    @property
    def first_day(self) -> dt.date:
        return dt.datetime.strptime(self.month, "%Y-%m").date()


class ReasonIn(InputSchema):
    model_config = _required("reason")

    reason: str | None = Field(None, max_length=200, description="退回原因")


# --- routes -----------------------------------------------------------------------------------

checklists = resource_router(CHECKLIST, out=ChecklistOut, item=ChecklistRow, mount=False)
inspections = resource_router(INSPECTION, out=InspectionOut, item=InspectionRow, mount=False)
monthly_reports = resource_router(
    MONTHLY_REPORT, out=MonthlyReportOut, item=MonthlyReportRow, select_related=["submitted_by"], mount=False
)
CHECKLISTS = checklists.api_resource.resource
INSPECTIONS = inspections.api_resource.resource
MONTHLY_REPORTS = monthly_reports.api_resource.resource


@checklists.post(
    "/",
    response={201: ChecklistOut, 400: ErrorOut},
    operation_id="checklists_create",
    url_name="checklists-list",
    summary="新建体检卡（发布第1版）",
)
def checklist_create(request: HttpRequest, payload: ChecklistIn):
    items = resolve_items(payload.items)
    template = services.checklist_create(
        actor=request.auth,
        name=payload.name,
        items=items,
        description=payload.description,
        industry_prefixes=[p.strip() for p in payload.industry_prefixes if p.strip()],
        venue_types=list(dict.fromkeys(payload.venue_types)),
        risk_tags=[t.strip() for t in payload.risk_tags if t.strip()],
        kinds=list(dict.fromkeys(payload.kinds)),
    )
    return Status(201, scoped_get(request, CHECKLISTS, template.pk))


@checklists.post(
    "/{pk}/publish/",
    response={200: ChecklistOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="checklists_publish",
    url_name="checklists-publish",
    summary="发布新版本（以往检查仍显示其所用版本）",
)
def checklist_publish(request: HttpRequest, pk: str, payload: PublishIn):
    template = scoped_get(request, CHECKLISTS, pk)
    if payload.items is None:
        raise ValidationError({"items": [_(REQUIRED)]})
    items = resolve_items(payload.items)
    services.checklist_publish(actor=request.auth, template=template, items=items, note=payload.note)
    return scoped_get(request, CHECKLISTS, template.pk)


@checklists.get(
    "/{pk}/versions/{number}/",
    response={200: ChecklistVersionOut, 404: ErrorOut},
    operation_id="checklists_version",
    url_name="checklists-version",
    summary="体检卡某一版本的检查项",
)
def checklist_version(request: HttpRequest, pk: str, number: int):
    template = scoped_get(request, CHECKLISTS, pk)
    return ChecklistVersion.objects.select_related("template").get(template=template, number=number)


@inspections.post(
    "/",
    response={201: InspectionOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="inspections_start",
    url_name="inspections-list",
    summary="开始检查",
)
def inspection_start(request: HttpRequest, payload: InspectionStartIn):
    user = request.auth
    enterprise = acting_enterprise(user, payload.enterprise)  # missing and out of scope alike: 404
    if enterprise is None:
        raise ValidationError({"enterprise": [_(REQUIRED)]})
    errors = check_position(payload)
    template = restrict(ChecklistTemplate.objects.all(), user, VIEW).filter(pk=payload.template).first()
    if template is None:
        errors["template"] = [_("不存在：%(value)s") % {"value": payload.template}]
    raise_errors(errors)
    inspection = services.inspection_start(
        actor=user,
        enterprise=enterprise,
        template=template,
        kind=payload.kind,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, scoped_get(request, INSPECTIONS, inspection.pk))


@inspections.post(
    "/{pk}/answers/",
    response={200: AnswerOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="inspections_answer",
    url_name="inspections-answer",
    summary="填写一项（含该项照片，multipart；可重复提交以更正）",
)
def inspection_answer(
    request: HttpRequest, pk: str, payload: Form[AnswerForm], photos: File[list[UploadedFile]] = None
):
    inspection = scoped_get(request, INSPECTIONS, pk)
    photos = photos or []
    errors: dict[str, list[str]] = {}
    if payload.item is None:
        errors["item"] = [_(REQUIRED)]
    errors.update(check_position(payload))
    errors.update(check_photos(photos))
    raise_errors(errors)
    answer = services.inspection_answer(
        actor=request.auth,
        inspection=inspection.pk,
        item=payload.item,
        result=payload.result or "",
        number_value=payload.number_value,
        note=payload.note,
        photos=photos,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    answer = InspectionAnswer.objects.select_related("item").get(pk=answer.pk)  # the values as stored
    return answer_row(answer.item, answer, list(attachments_for(answer)))


@inspections.post(
    "/{pk}/submit/",
    response={200: InspectionOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="inspections_submit",
    url_name="inspections-submit",
    summary="签名提交（multipart，可附签名图片）；不合格项生成隐患",
)
def inspection_submit(request: HttpRequest, pk: str, payload: Form[SubmitForm], signature: File[UploadedFile] = None):
    inspection = scoped_get(request, INSPECTIONS, pk)
    errors: dict[str, list[str]] = {}
    if not (payload.signed_by or "").strip():
        errors["signed_by"] = [_(REQUIRED)]
    errors.update(check_signature(signature))
    raise_errors(errors)
    services.inspection_submit(
        actor=request.auth,
        inspection=inspection.pk,
        signed_by=payload.signed_by,
        summary=payload.summary,
        signature=signature,
    )
    return scoped_get(request, INSPECTIONS, inspection.pk)


@monthly_reports.post(
    "/",
    response={200: MonthlyReportOut, 201: MonthlyReportOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="monthly_reports_submit",
    url_name="monthly-reports-list",
    summary="提交本企业月度安全情况报告（multipart，含照片；被退回后修改重新提交）",
)
def monthly_report_submit(
    request: HttpRequest, payload: Form[MonthlyReportForm], photos: File[list[UploadedFile]] = None
):
    user = request.auth
    enterprise = own_enterprise(user)  # only an enterprise reports, for itself
    photos = photos or []
    raise_errors(check_photos(photos))
    month = payload.first_day
    existed = MonthlyReport.objects.filter(enterprise=enterprise, month=month).exists()
    report = services.monthly_report_submit(
        actor=user,
        enterprise=enterprise,
        month=month,
        data=payload.model_dump(include=set(services.REPORT_FIELDS)),
        photos=photos,
    )
    return Status(200 if existed else 201, scoped_get(request, MONTHLY_REPORTS, report.pk))


api.add_router("/checklists/", checklists)
api.add_router("/inspections/", inspections)
api.add_router("/monthly-reports/", monthly_reports)
