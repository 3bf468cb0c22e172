"""The kernel's own resources in the API: token login, regions, attachment downloads, and the
schemas every app's output shares (attachments, the enterprise a record belongs to).

No ``from __future__ import annotations``: django-ninja reads annotations at run time.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema

from anjian.core.api.base import api
from anjian.core.api.resources import resource_router
from anjian.core.api_auth import ErrorOut
from anjian.core.api_auth import router as auth_router
from anjian.core.models import Attachment

# --- core resources ---------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_display: str
    parent: str | None = None
    parent_name: str | None = None

    @staticmethod
    def resolve_level_display(obj) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_parent_name(obj) -> str | None:
        return obj.parent.name if obj.parent_id else None


class RegionDetailOut(RegionOut):
    center_lat: float | None = None
    center_lng: float | None = None
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON 几何（若已导入）")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    kind: str
    uploaded_at: datetime
    lat: float | None = None
    lng: float | None = None
    url: str = Field(..., description="下载地址（网页登录会话）")

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api:attachment-file", args=[obj.pk])


class EnterpriseOwnedOut(Schema):
    """The fields every record that belongs to an enterprise shows: the enterprise and its area."""

    enterprise: int
    enterprise_name: str
    region: str = Field(..., description="区划/网格代码")

    @staticmethod
    def resolve_enterprise(obj) -> int:
        return obj.enterprise_id

    @staticmethod
    def resolve_enterprise_name(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_id


files_router = Router(tags=["attachments"])


@files_router.get(
    "/{pk}/",
    response={404: ErrorOut},
    url_name="attachment-file",
    summary="下载附件（照片、文件），仅限可查看其所属记录的用户",
)
def attachment_file(request: HttpRequest, pk: int, download: bool = False) -> HttpResponse:
    from anjian.core.attachments import attachment_response

    return attachment_response(pk, request.auth, download=download)


def _mount_core() -> None:
    from anjian.core.registry_entries import REGION

    api.add_router("/auth/", auth_router)
    api.add_router("/attachments/", files_router)
    resource_router(
        REGION,
        out=RegionDetailOut,
        item=RegionOut,
        history=False,
    )


_mount_core()
