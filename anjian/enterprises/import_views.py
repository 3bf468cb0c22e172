"""Pages of the Excel import of enterprises: template, upload with dry run, confirm.

Thin doors over ``anjian.enterprises.importing``. Between the dry run and the confirmation the
uploaded file waits in the default storage under ``imports/<uuid>.xlsx``; the id is known only to
the uploader's session, and on confirmation the stored file is read and validated again: nothing
the browser sends back is trusted but the id (``anjian.core.importing.PendingUploads``)."""

from __future__ import annotations

import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core.exporting import XLSX
from anjian.core.importing import ImportRejected, ImportReport, ImportUploadForm, PendingUploads, WorkbookError
from anjian.core.scoping import CREATE, may
from anjian.enterprises import importing
from anjian.enterprises.models import Enterprise
from anjian.enterprises.registry import ENTERPRISE

PENDING = PendingUploads("enterprise_imports")
PREVIEW_ROWS = 20


def import_manager_required(view):
    """Only users who may create enterprises; everybody else gets 404 on every import URL."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not may(request.user, Enterprise, CREATE):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _pending(request: HttpRequest, token) -> dict:
    entry = PENDING.get(request, str(token))
    if entry is None:
        raise Http404
    return entry


# --- pages ---------------------------------------------------------------------------------------


def _report_page(
    request: HttpRequest,
    report: ImportReport,
    *,
    filename: str,
    token: str | None = None,
    rejected: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "enterprises/import_report.html",
        {
            "resource": ENTERPRISE,
            "report": report,
            "bad_rows": report.bad_rows,
            "preview": report.rows[:PREVIEW_ROWS] if report.ok else [],
            "token": token,
            "filename": filename,
            "rejected": rejected,
            "form": ImportUploadForm(),
        },
        status=status,
    )


@import_manager_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.template_bytes(request.user), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("企业导入模板") + ".xlsx")
    return response


@import_manager_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload and dry run: every row is checked, nothing is written."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
            rows = importing.parse_workbook(data)
        except WorkbookError as exc:
            form.add_error("file", exc.message)
        else:
            report = importing.validate_rows(rows, request.user)
            token = PENDING.keep(request, data, upload.name, rows=report.total) if report.ok else None
            return _report_page(request, report, filename=upload.name, token=token)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "enterprises/import.html",
        {"resource": ENTERPRISE, "form": form, "max_rows": importing.MAX_ROWS},
        status=status,
    )


@import_manager_required
@require_POST
def import_confirm(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Import the stored upload: all rows in one transaction, or none. ``cancel`` discards it."""
    entry = _pending(request, token)
    if "cancel" in request.POST:
        PENDING.discard(request, str(token))
        messages.info(request, _("已取消本次导入"))
        return redirect("enterprises:enterprise-import")
    try:
        rows = importing.parse_workbook(PENDING.load(entry))
        created = importing.import_rows(rows, request.user)
    except WorkbookError as exc:
        PENDING.discard(request, str(token))
        messages.error(request, exc.message)
        return redirect("enterprises:enterprise-import")
    except ImportRejected as exc:
        PENDING.discard(request, str(token))
        return _report_page(request, exc.report, filename=entry["filename"], rejected=True, status=400)
    PENDING.discard(request, str(token))
    messages.success(
        request,
        ngettext("已导入 %(n)s 家企业", "已导入 %(n)s 家企业", len(created)) % {"n": len(created)},
    )
    return redirect(reverse(ENTERPRISE.url_name("list")))
