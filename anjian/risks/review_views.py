"""The monthly risk self-review (月度风险自查确认): the enterprise's confirmation page and the
government's status page (who confirmed the month, who did not, by town).

Reads start from ``restrict`` on Enterprise, RiskPoint and RiskReview; the confirmation is
``services.risk_review_confirm``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core.models import Region
from anjian.core.scoping import (
    VIEW,
    acts_for_own_enterprise,
    own_enterprise,
    region_condition,
    restrict,
    town_code_of,
)
from anjian.core.views import add_service_errors
from anjian.enterprises.models import Enterprise
from anjian.risks import rules, services
from anjian.risks.models import LEVEL_COLOURS, RiskAssessment, RiskLevel, RiskPoint, RiskReview
from anjian.risks.registry import REVIEW_CONFIRM

PAGE_SIZE = 50
LEVEL_STYLE = {"red": "danger", "orange": "orange", "yellow": "warning", "blue": "primary"}


def level_rows(counts: dict) -> list[tuple[str, object, str, int]]:
    """[(level, label, colour, count)] in the order 重大 → 低, then 未评价."""
    rows = [
        (level, RiskLevel(level).label, LEVEL_COLOURS[RiskLevel(level)], counts.get(level, 0))
        for level in services.LEVEL_ORDER
    ]
    rows.append(("unassessed", _("未评价"), "secondary", counts.get("unassessed", 0)))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def review_confirm(request: HttpRequest) -> HttpResponse:
    """本月风险自查确认: this month's counts by level, points not assessed yet, what changed since
        the last confirmation; the safety manager writes what changed and confirms (the declared action
    ``REVIEW_CONFIRM``, which the API serves at ``POST /api/v1/risk-reviews/confirm/``)."""
    user = request.user
    if not acts_for_own_enterprise(user) and (user.is_platform_admin or user.is_government or user.is_agency_user):
        return redirect("risks:review-status")
    enterprise = own_enterprise(user)
    month = services.month_of()
    reviews = restrict(RiskReview.objects.filter(enterprise=enterprise), user, VIEW).select_related("confirmed_by")
    current = reviews.filter(month=month).first()
    last = reviews.filter(month__lt=month).order_by("-month").first()
    points = restrict(RiskPoint.objects.filter(enterprise=enterprise, archived=False), user, VIEW)
    unassessed = list(points.filter(level="").order_by("name")[:50])
    changed = []
    if last is not None:
        reassessed = RiskAssessment.objects.filter(risk_point=OuterRef("pk"), assessed_at__gt=last.confirmed_at)
        changed = list(
            points.filter(Q(collected_at__gt=last.confirmed_at) | Q(Exists(reassessed))).order_by("name")[:50]
        )
    action = REVIEW_CONFIRM
    may_confirm = current is None and action.allowed(user, None) and rules.may_confirm_risk_review(user, enterprise)
    form = action.build_form(user, None, request.POST if request.method == "POST" else None) if may_confirm else None
    status = 200
    if request.method == "POST":
        if form is None:
            status = 403
        else:
            status = 400
            if form.is_valid():
                try:
                    action.perform(actor=user, record=None, form=form)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, action.done)
                    return redirect("risks:review-confirm")
    ctx = {
        "enterprise": enterprise,
        "month": month,
        "current": current,
        "last": last,
        "rows": level_rows(current.counts if current else services.level_counts(enterprise.pk)),
        "last_rows": level_rows(last.counts) if last else [],
        "unassessed": unassessed,
        "changed": changed,
        "form": form,
        "may_confirm": may_confirm,
    }
    return render(request, "risks/review_confirm.html", ctx, status=status)


def _month(value: str) -> dt.date:
    try:
        year, month = value.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return services.month_of()


@login_required
@require_GET
def review_status(request: HttpRequest) -> HttpResponse:
    """月度风险自查情况: for a month, the enterprises in scope that have risk points, confirmed or
    not, with counts by town."""
    user = request.user
    if not (user.is_platform_admin or user.is_government or user.is_agency_user):
        raise Http404
    month = _month(request.GET.get("month", ""))
    wanted = request.GET.get("state", "")
    confirmed = restrict(RiskReview.objects.filter(month=month), user, VIEW).filter(enterprise=OuterRef("pk"))
    with_points = RiskPoint.objects.filter(enterprise=OuterRef("pk"), archived=False)
    enterprises = (
        restrict(Enterprise.objects.all(), user, VIEW)
        .filter(Exists(with_points))
        .annotate(confirmed=Exists(confirmed), town=town_code_of("region_id"))
    )
    by_town = list(
        enterprises.order_by()
        .values("town")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(confirmed=True)))
        .order_by("town")
    )
    names = dict(Region.objects.filter(code__in=[r["town"] for r in by_town]).values_list("code", "name"))
    for row in by_town:
        row["name"] = names.get(row["town"], row["town"])
        row["missing"] = row["total"] - row["done"]
    total = sum(r["total"] for r in by_town)
    done = sum(r["done"] for r in by_town)
    if wanted == "confirmed":
        enterprises = enterprises.filter(confirmed=True)
    elif wanted == "missing":
        enterprises = enterprises.filter(confirmed=False)
    town = request.GET.get("town", "")
    if town:
        enterprises = enterprises.filter(region_condition("region", town))
    page = Paginator(
        enterprises.select_related("region").only("pk", "name", "region__name").order_by("confirmed", "name"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    reviews = {
        r.enterprise_id: r
        for r in restrict(RiskReview.objects.filter(month=month), user, VIEW)
        .filter(enterprise_id__in=[e.pk for e in page.object_list])
        .select_related("confirmed_by")
    }
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "state": wanted,
        "town": town,
        "by_town": by_town,
        "total": total,
        "done": done,
        "missing": total - done,
        "page": page,
        "rows": [(e, reviews.get(e.pk)) for e in page.object_list],
        "querystring": params.urlencode(),
        "list_url": reverse("risks:risk-reviews-list"),
    }
    return render(request, "risks/review_status.html", ctx)
