"""Monthly safety reports (月度安全情况报告) in the REST API: /api/v1/monthly-reports/.

``POST /monthly-reports/`` (multipart, with ``photos``) submits, or after a return resubmits, the
user's own enterprise's report of a month; ``POST /monthly-reports/{id}/approve/`` and
``/return/`` (JSON, ``reason``) are the declared review actions.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Status, UploadedFile
from pydantic import field_validator

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    InputSchema,
    check_photos,
    raise_errors,
    resource_router,
    scoped_get,
)
from anjian.core.api_auth import ErrorOut
from anjian.core.attachments import attachments_for
from anjian.core.models import Attachment
from anjian.core.scoping import own_enterprise
from anjian.inspections import services
from anjian.inspections.models import (
    MonthlyReport,
)
from anjian.inspections.registry import MONTHLY_REPORT

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


router = resource_router(
    MONTHLY_REPORT, out=MonthlyReportOut, item=MonthlyReportRow, select_related=["submitted_by"], mount=False
)
MONTHLY_REPORTS = router.api_resource.resource


@router.post(
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
