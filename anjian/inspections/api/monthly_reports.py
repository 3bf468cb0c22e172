"""Monthly safety reports (月度安全情况报告) in the REST API: /api/v1/monthly-reports/.

``POST /monthly-reports/submit/`` (the declared ``submit`` action, the page's form: ``month``, the
texts, and ``photos`` in multipart) submits, or after a return resubmits, the
user's own enterprise's report of a month; ``POST /monthly-reports/{id}/approve/`` and
``/return/`` (JSON, ``reason``) are the declared review actions.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt

from ninja import Field

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    resource_router,
)
from anjian.core.attachments import attachments_for
from anjian.core.models import Attachment
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


router = resource_router(
    MONTHLY_REPORT, out=MonthlyReportOut, item=MonthlyReportRow, select_related=["submitted_by"], mount=False
)
MONTHLY_REPORTS = router.api_resource.resource
