"""The risk point pages beyond the generic list and detail: the detail page's context (level, gaps,
assessments, events and measures, inspection points and tasks), the context of the declared
actions' pages (new, edit, assess, archive, event, measure, inspection point, task, stop a task:
``anjian.risks.registry.POINT_ACTIONS``), the printable risk notice card (风险告知卡) and the
counts by level above the area's risk database.

Views are doors: they parse, call ``anjian.risks.services`` and render. Every read starts from
``restrict``; a risk point outside the user's scope answers 404 on every route. Government users
open the pages read-only: the forms show why they cannot save, and a POST changes nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from anjian.core.models import User
from anjian.core.qr import public_url, qr_svg
from anjian.core.scoping import VIEW, get_scoped_or_404, restrict
from anjian.risks import forms, rules, services
from anjian.risks.models import (
    LEVEL_COLOURS,
    AccidentType,
    AssessmentMethod,
    ControlMeasure,
    InspectionPoint,
    InspectionTask,
    NationalMeasureKind,
    RiskAssessment,
    RiskEvent,
    RiskLevel,
    RiskPoint,
)

EMERGENCY_PHONES = (("119", gettext_lazy("火警")), ("120", gettext_lazy("急救")), ("110", gettext_lazy("报警")))


def _point(request: HttpRequest, pk) -> RiskPoint:
    return get_scoped_or_404(RiskPoint.objects.select_related("enterprise", "region"), request.user, VIEW, pk=pk)


def _detail_url(point: RiskPoint | int) -> str:
    return reverse("risks:risk-points-detail", args=[getattr(point, "pk", point)])


def number(value) -> str:
    """A decimal without trailing zeros or an exponent (270.00 → 270, 0.50 → 0.5)."""
    return f"{value.normalize():f}"


def accident_labels(codes) -> list[str]:
    labels = dict(AccidentType.choices)
    return [str(labels.get(code, code)) for code in codes or []]


# --- the detail page ------------------------------------------------------------------------


def detail_context(user: User, point: RiskPoint) -> dict:
    """What the detail page shows beyond the generic sections; every query scoped to the user."""
    measures = ControlMeasure.objects.filter(archived=False).select_related("kind", "responsible")
    events = (
        restrict(RiskEvent.objects.filter(risk_point=point, archived=False), user, VIEW)
        .prefetch_related(Prefetch("measures", queryset=measures))
        .order_by("id")
    )
    tasks = InspectionTask.objects.select_related("owner", "measure").order_by("archived", "id")
    inspection_points = (
        restrict(InspectionPoint.objects.filter(risk_point=point), user, VIEW)
        .prefetch_related(Prefetch("tasks", queryset=tasks))
        .order_by("archived", "name")
    )
    assessments = restrict(RiskAssessment.objects.filter(risk_point=point), user, VIEW).select_related(
        "assessed_by", "band_version"
    )
    editable = rules.may_edit_risk_point(user, point)
    return {
        "point": point,
        "level_colour": LEVEL_COLOURS.get(point.level, ""),
        "accident_labels": accident_labels(point.accident_types),
        "gaps": services.control_gaps(point),
        "assessments": [
            (
                a,
                number(a.likelihood),
                number(a.exposure) if a.exposure is not None else "",
                number(a.consequence),
                number(a.score),
            )
            for a in assessments
        ],
        "events": events,
        "inspection_points": inspection_points,
        "may_edit": editable,
        "stop_url": reverse("risks:risk-points-stop-task", args=[point.pk]) if editable else "",
    }


def _bands(method: str) -> list[tuple]:
    """The band table of a method, highest first, to show beside its selects."""
    rows = sorted(services.bands(method), key=lambda band: band.lower, reverse=True)
    return [(RiskLevel(b.level).label, number(b.lower), number(b.upper), LEVEL_COLOURS[b.level]) for b in rows]


def action_context(user: User, point: RiskPoint) -> dict:
    """What the pages of the point's declared actions show around the form
    (``risks/point_action.html``); the lists are callables, evaluated only by the page that
    shows them."""
    latest = point.assessments.order_by("-assessed_at", "-id").first()
    return {
        "point": point,
        "level_colour": LEVEL_COLOURS.get(point.level, ""),
        "latest": latest,
        "latest_score": number(latest.score) if latest else "",
        "lec_bands": lambda: _bands(AssessmentMethod.LEC),
        "ls_bands": lambda: _bands(AssessmentMethod.LS),
        "has_events": lambda: forms.point_events(user, point).exists(),
        "has_measures_and_points": lambda: (
            forms.point_measures(user, point).exists()
            and restrict(InspectionPoint.objects.filter(risk_point=point, archived=False), user, VIEW).exists()
        ),
    }


# --- the risk notice card -------------------------------------------------------------------


@login_required
@require_GET
def point_card(request: HttpRequest, pk: int) -> HttpResponse:
    """风险告知卡: one printable page to post at the point (A4 or A5, no menu)."""
    point = _point(request, pk)
    measures = list(
        restrict(
            ControlMeasure.objects.filter(event__risk_point=point, archived=False, event__archived=False),
            request.user,
            VIEW,
        )
        .select_related("kind")
        .order_by("event_id", "id")
    )
    emergency = [m for m in measures if m.kind.national_kind == NationalMeasureKind.EMERGENCY]
    enterprise = point.enterprise
    phones = [
        (_("企业值班电话"), enterprise.contact_phone),
        (_("安全管理人员"), enterprise.safety_manager_phone),
    ]
    phones = [(label, number) for label, number in phones if number]
    phones += [(label, number) for number, label in EMERGENCY_PHONES]
    url = public_url(request, _detail_url(point))
    ctx = {
        "point": point,
        "enterprise": enterprise,
        "level_colour": LEVEL_COLOURS.get(point.level, ""),
        "accident_labels": accident_labels(point.accident_types),
        "measures": [m for m in measures if m not in emergency],
        "emergency": emergency,
        "phones": phones,
        "qr": qr_svg(url),
        "qr_url": url,
        "paper": "a5" if request.GET.get("paper") == "a5" else "a4",
    }
    return render(request, "risks/card.html", ctx)


# --- the area's risk database by level ------------------------------------------------------


@login_required
@require_GET
def point_levels(request: HttpRequest) -> HttpResponse:
    """Four coloured tiles above the risk point list: current points by level in the user's
    scope, each a link to the list filtered by it (one aggregate query)."""
    counts = restrict(RiskPoint.objects.filter(archived=False), request.user, VIEW).aggregate(
        **{level: Count("pk", filter=Q(level=level)) for level in services.LEVEL_ORDER},
        unassessed=Count("pk", filter=Q(level="")),
    )
    list_url = reverse("risks:risk-points-list")
    tiles = [
        (level, RiskLevel(level).label, counts[level], LEVEL_COLOURS[level], f"{list_url}?level={level}")
        for level in services.LEVEL_ORDER
    ]
    return render(request, "risks/point_levels.html", {"tiles": tiles, "unassessed": counts["unassessed"]})
