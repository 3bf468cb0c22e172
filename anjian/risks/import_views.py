"""Pages of the risk list import (风险辨识清单 Excel导入) and of the dual-prevention export.

Thin doors over ``anjian.risks.importing`` and ``anjian.risks.dual_prevention``. No route has a
path parameter: the enterprise comes as ``?enterprise=<pk>`` (or a form field) and is resolved
through ``get_scoped_or_404``, the pending upload by a token in the POST body that only the
uploader's session knows (``anjian.core.importing.PendingUploads``). Out of scope, not allowed and
missing all answer 404."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core.exporting import XLSX
from anjian.core.importing import ImportRejected, ImportUploadForm, PendingUploads, WorkbookError
from anjian.core.scoping import VIEW, get_scoped_or_404
from anjian.enterprises.models import Enterprise
from anjian.enterprises.picker import picker, search_text
from anjian.risks import dual_prevention, importing, rules
from anjian.risks.registry import RISK_POINT

PENDING = PendingUploads("risk_imports")
PREVIEW_POINTS = 50


def _choosing(user) -> bool:
    """Users who pick the enterprise (everybody not bound to one)."""
    return rules.picks_enterprise(user)


def _enterprise(request: HttpRequest, value, *, editing: bool) -> Enterprise:
    """The enterprise named by ``value`` (a pk) if the user sees it (and may edit its risks when
    ``editing``); 404 otherwise."""
    enterprise = get_scoped_or_404(Enterprise.objects.select_related("region"), request.user, VIEW, pk=value)
    if editing and not rules.may_edit_risk_point(request.user, enterprise):
        raise Http404
    return enterprise


def _pick(request: HttpRequest, *, target: str, title: str) -> HttpResponse:
    """Search the enterprises in the user's scope (a list of links, not a select of thousands)."""
    query = search_text(request.GET)
    found = picker(request.user, query, link=target, browse=True)
    ctx = {"resource": RISK_POINT, "title": title, "target": reverse(target), "query": query, "picker": found}
    return render(request, "risks/import_pick.html", ctx)


def import_editor_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not rules.may_edit_risk_point(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _report_page(
    request: HttpRequest,
    report: importing.RiskImportReport,
    enterprise: Enterprise,
    *,
    filename: str,
    token: str | None = None,
    rejected: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "risks/import_report.html",
        {
            "resource": RISK_POINT,
            "enterprise": enterprise,
            "report": report,
            "bad_rows": report.bad_rows,
            "preview": report.points[:PREVIEW_POINTS] if report.ok else [],
            "token": token,
            "filename": filename,
            "rejected": rejected,
            "form": ImportUploadForm(),
        },
        status=status,
    )


@import_editor_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("风险辨识清单导入模板") + ".xlsx")
    return response


@import_editor_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Pick the enterprise (agency, platform admin), upload, dry run: nothing is written."""
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("enterprise") or request.user.enterprise_id
    if not chosen and _choosing(request.user):
        return _pick(request, target="risks:risk-import", title=_("风险清单导入：选择企业"))
    enterprise = _enterprise(request, chosen, editing=True)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(upload.size + 1)
            rows = importing.parse_workbook(data)
        except WorkbookError as exc:
            form.add_error("file", exc.message)
        else:
            report = importing.validate_rows(rows, request.user, enterprise)
            token = (
                PENDING.keep(request, data, upload.name, enterprise=enterprise.pk, rows=report.total)
                if report.ok
                else None
            )
            return _report_page(request, report, enterprise, filename=upload.name, token=token)
    return render(
        request,
        "risks/import.html",
        {"resource": RISK_POINT, "enterprise": enterprise, "form": form, "max_rows": importing.MAX_ROWS},
        status=400 if request.method == "POST" else 200,
    )


@import_editor_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the stored upload: every point, event and measure in one transaction, or none.
    ``cancel`` discards it."""
    token = request.POST.get("token") or ""
    entry = PENDING.get(request, token)
    if entry is None:
        raise Http404
    enterprise = _enterprise(request, entry["enterprise"], editing=True)
    again = f"{reverse('risks:risk-import')}?enterprise={enterprise.pk}"
    if "cancel" in request.POST:
        PENDING.discard(request, token)
        messages.info(request, _("已取消本次导入"))
        return redirect(again)
    try:
        rows = importing.parse_workbook(PENDING.load(entry))
        summary = importing.import_rows(rows, request.user, enterprise)
    except WorkbookError as exc:
        PENDING.discard(request, token)
        messages.error(request, exc.message)
        return redirect(again)
    except ImportRejected as exc:
        PENDING.discard(request, token)
        return _report_page(request, exc.report, enterprise, filename=entry["filename"], rejected=True, status=400)
    PENDING.discard(request, token)
    messages.success(
        request,
        _("已导入 %(points)s 个风险点、%(events)s 个风险事件、%(measures)s 条管控措施")
        % {"points": len(summary.points), "events": len(summary.events), "measures": summary.measures},
    )
    return redirect(reverse(RISK_POINT.url_name("list")))


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The enterprise's dual-prevention data as the national JSON document (a download)."""
    chosen = request.GET.get("enterprise") or request.user.enterprise_id
    if not chosen:
        return _pick(request, target="risks:dual-prevention-export", title=_("导出双重预防数据：选择企业"))
    enterprise = _enterprise(request, chosen, editing=False)
    document = dual_prevention.export_enterprise(enterprise)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"dual-prevention-{enterprise.credit_code}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
