"""Monthly safety report pages (安全情况报审): the enterprise submits its month's report (photos
from the phone's camera), a returned one is corrected and resubmitted; a government user
approves or returns it with a reason from the report's page. Doors only: the services in
anjian.inspections.services check every rule under a row lock.

- ``/inspections/monthly-reports/submit/[?month=YYYY-MM]``: enterprise users of an enterprise;
  the current month by default, or a past month still missing. Anyone else gets 404.
- ``/inspections/monthly-reports/<pk>/approve/`` and ``/return/``: the declared actions of the
  registry (GET: the confirmation form or why not; POST: the service, 400 on a refusal).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anjian.core.attachments import attachments_for
from anjian.core.models import User
from anjian.core.roles import ENTERPRISE_ROLES
from anjian.core.views import add_service_errors
from anjian.inspections import coverage, services
from anjian.inspections.models import MonthlyReport, MonthlyReportStatus
from anjian.inspections.registry import MONTHLY_REPORT
from anjian.inspections.workflow import SUBMIT

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MISSING_MONTHS_SHOWN = 12  # how far back the submit page offers months still missing
STATUS_STYLES = {
    MonthlyReportStatus.DRAFT: "text-bg-secondary",
    MonthlyReportStatus.SUBMITTED: "text-bg-primary",
    MonthlyReportStatus.APPROVED: "text-bg-success",
    MonthlyReportStatus.RETURNED: "text-bg-danger",
}
LOCKED = (MonthlyReportStatus.SUBMITTED, MonthlyReportStatus.APPROVED)


def parse_month(value: str | None) -> dt.date | None:
    match = MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return dt.date(year, month, 1)


def _previous(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def may_resubmit(user: User, report: MonthlyReport) -> bool:
    return (
        user.role in ENTERPRISE_ROLES
        and user.enterprise_id == report.enterprise_id
        and report.status in (MonthlyReportStatus.RETURNED, MonthlyReportStatus.DRAFT)
    )


def submit_url(month: dt.date) -> str:
    return f"{reverse('inspections:monthly-report-submit')}?month={month:%Y-%m}"


def detail_context(user: User, report: MonthlyReport) -> dict[str, Any]:
    """What the report page shows beyond the generic detail view (the registry's detail_context)."""
    return {
        "report": report,
        "photos": list(attachments_for(report)),
        "status_style": STATUS_STYLES.get(report.status, "text-bg-secondary"),
        "deadline": coverage.report_deadline(report.month),
        "on_time": bool(
            report.submitted_at
            and report.status in LOCKED
            and coverage.local_date(report.submitted_at) <= coverage.report_deadline(report.month)
        ),
        "resubmit_url": submit_url(report.month) if may_resubmit(user, report) else None,
    }


# --- submit -------------------------------------------------------------------------------------


def missing_months(enterprise_id: int, today: dt.date) -> list[dt.date]:
    """This month and the previous ones (up to a year back) without a submitted or approved report."""
    current = today.replace(day=1)
    months = [current]
    for _i in range(MISSING_MONTHS_SHOWN):
        months.append(_previous(months[-1]))
    have = set(
        MonthlyReport.objects.filter(enterprise_id=enterprise_id, month__in=months, status__in=LOCKED).values_list(
            "month", flat=True
        )
    )
    return [m for m in months if m not in have]


@login_required
@require_http_methods(["GET", "POST"])
def monthly_report_submit(request: HttpRequest) -> HttpResponse:
    """提交月度报告, the page of the declared ``submit`` collection action: the month picker (this
    month or a past one still missing) and the report, posted through the action's form."""
    user = request.user
    action = MONTHLY_REPORT.action(SUBMIT)
    if action.refusal(user, None):
        raise Http404
    enterprise = user.enterprise
    today = coverage.local_today()
    current = today.replace(day=1)
    raw = request.POST.get("month") if request.method == "POST" else request.GET.get("month")
    month = parse_month(raw) if raw else current
    status = 200
    problem = None
    if month is None:
        month, problem, status = current, _("月份格式应为 YYYY-MM"), 400
    elif month > current:
        month, problem, status = current, _("不能提交未来月份的报告"), 400
    report = MonthlyReport.objects.filter(enterprise=enterprise, month=month).first()
    locked = report is not None and report.status in LOCKED

    if request.method == "POST" and problem is None:
        data = request.POST.copy()
        data["month"] = f"{month:%Y-%m}"
        form = action.build_form(user, None, data, request.FILES)
        if locked:
            form.is_valid()
            form.add_error(None, _("该月报告已提交，等待审核或已通过"))
            status = 400
        elif form.is_valid():
            try:
                report = action.perform(actor=user, record=None, form=form)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已提交%(month)s月度安全情况报告，等待审核") % {"month": f"{month:%Y-%m}"})
                return redirect(reverse(MONTHLY_REPORT.url_name("detail"), args=[report.pk]))
        else:
            status = 400
    else:
        initial = {"month": f"{month:%Y-%m}"}
        if report is not None and not locked:
            initial.update({name: getattr(report, name) for name in services.REPORT_FIELDS})
        form = action.build_form(user, None, initial=initial)

    ctx = {
        "enterprise": enterprise,
        "month": month,
        "current": current,
        "deadline": coverage.report_deadline(month),
        "report": report,
        "locked": locked,
        "problem": problem,
        "photos": list(attachments_for(report)) if report is not None else [],
        "status_style": STATUS_STYLES.get(report.status, "") if report is not None else "",
        "missing": [(m, submit_url(m)) for m in missing_months(enterprise.pk, today) if m != month],
        "form": form,
        "detail_url": reverse(MONTHLY_REPORT.url_name("detail"), args=[report.pk]) if report is not None else None,
    }
    return render(request, "inspections/monthly_report_submit.html", ctx, status=status)


# --- review -------------------------------------------------------------------------------------


def action_context(user: User, report: MonthlyReport) -> dict[str, Any]:
    """What the review pages (the declared approve / return actions) show above the form."""
    return {
        "report": report,
        "photos": list(attachments_for(report)),
        "status_style": STATUS_STYLES.get(report.status, "text-bg-secondary"),
    }
