"""The transition tables of the inspection module, on the kernel's workflow.

An inspection (检查): draft ─submit→ submitted (signed; each failed item has become a hazard).

The monthly safety report (安全情况报审):

draft / returned ─submit→ submitted ─approve→ approved
                              └──────return→ returned (with a reason; corrected and resubmitted)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core.roles import ENTERPRISE_ROLES
from anjian.core.workflow import Transition, Workflow
from anjian.inspections import rules
from anjian.inspections.models import Inspection, InspectionStatus, MonthlyReport, MonthlyReportStatus

SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"


def may_submit_report(user, report) -> bool:
    """An enterprise reports for itself only."""
    return user.role in ENTERPRISE_ROLES and user.enterprise_id == report.enterprise_id


def may_review_report(user, report=None) -> bool:
    """The grid inspector or any government officer of the area (the platform admin too)."""
    return bool(user.is_platform_admin or user.is_government)


MONTHLY_REPORT_FLOW = Workflow(
    model=MonthlyReport,
    transitions=[
        Transition(
            SUBMIT,
            _("提交"),
            (MonthlyReportStatus.DRAFT, MonthlyReportStatus.RETURNED),
            MonthlyReportStatus.SUBMITTED,
            may_submit_report,
        ),
        Transition(
            APPROVE, _("通过"), (MonthlyReportStatus.SUBMITTED,), MonthlyReportStatus.APPROVED, may_review_report
        ),
        Transition(
            RETURN, _("退回"), (MonthlyReportStatus.SUBMITTED,), MonthlyReportStatus.RETURNED, may_review_report
        ),
    ],
)


INSPECTION_FLOW = Workflow(
    model=Inspection,
    transitions=[
        Transition(
            SUBMIT, _("签名提交"), (InspectionStatus.DRAFT,), InspectionStatus.SUBMITTED, rules.fills_inspection
        ),
    ],
    # One inspector fills an inspection: no optimistic version to check.
    version_field=None,
)
