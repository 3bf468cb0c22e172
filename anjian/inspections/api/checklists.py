"""Checklists (体检卡) in the REST API: /api/v1/checklists/.

List, detail and the declared actions (``create``, ``publish``, ``settings``, ``copy``: one form
each, the same as the pages') come from the registry entry; searching also searches the items of
the current version. ``POST /checklists/create/`` creates a checklist with its first version (the
owner follows the user: his enterprise, his district, or the library for the platform admin);
``GET /checklists/{id}/versions/{number}/`` gives the items of any published version.
Items name their category and criterion by code.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Schema

from anjian.core.api import (
    resource_router,
    scoped_get,
)
from anjian.core.api_auth import ErrorOut
from anjian.inspections import rules
from anjian.inspections.api.common import _request_user
from anjian.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
)
from anjian.inspections.registry import CHECKLIST

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
        return user is not None and rules.may_edit_checklist(user, obj)

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


router = resource_router(CHECKLIST, out=ChecklistOut, item=ChecklistRow, mount=False)
CHECKLISTS = router.api_resource.resource


@router.get(
    "/{pk}/versions/{number}/",
    response={200: ChecklistVersionOut, 404: ErrorOut},
    operation_id="checklists_version",
    url_name="checklists-version",
    summary="体检卡某一版本的检查项",
)
def checklist_version(request: HttpRequest, pk: str, number: int):
    template = scoped_get(request, CHECKLISTS, pk)
    return ChecklistVersion.objects.select_related("template").get(template=template, number=number)
