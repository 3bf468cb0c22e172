"""The pages of the hazard loop: report, the detail page's context and its action forms, the
list tabs, "my tasks", and the public report behind an enterprise's QR code.

Views are doors: they parse, call ``anjian.hazards.services`` and render. Every read starts from
``restrict``; a hazard or enterprise outside the user's scope answers 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core.models import Attachment, User
from anjian.core.qr import public_url, qr_svg
from anjian.core.roles import GOVERNMENT_ROLES
from anjian.core.scoping import VIEW, acting_enterprise, acts_for_own_enterprise, get_scoped_or_404, restrict
from anjian.core.views import add_service_errors
from anjian.enterprises.models import Enterprise
from anjian.hazards import forms, services, workflow
from anjian.hazards.models import (
    OPEN_STATUSES,
    EscalationLevel,
    GovernancePlan,
    Hazard,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardTransition,
)
from anjian.hazards.registry import HAZARD, REPORT_ACTION, VIEWS
from anjian.hazards.selectors import fallback_category
from anjian.hazards.timeline import load_timeline

PUBLIC_SALT = "public-report"
PUBLIC_LIMIT_PER_HOUR = 5


def _detail_url(hazard: Hazard | int) -> str:
    return reverse(HAZARD.url_name("detail"), args=[hazard.pk if isinstance(hazard, Hazard) else hazard])


# --- report -----------------------------------------------------------------------------------


def _report_enterprise(request: HttpRequest, pk) -> Enterprise | None:
    """The enterprise the report is for: an enterprise user's own; otherwise the one named in the
    URL or ``?enterprise=`` (404 outside the scope), or None when the user will pick one."""
    if pk is None and not acts_for_own_enterprise(request.user):
        pk = request.GET.get("enterprise") or request.POST.get("enterprise") or None
    return acting_enterprise(request.user, pk, Enterprise.objects.select_related("region"))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk=None) -> HttpResponse:
    """上报隐患, from a phone in under a minute (also from an enterprise's page: ``pk``)."""
    user = request.user
    action = REPORT_ACTION
    if action.refusal(user, None):
        raise Http404
    enterprise = _report_enterprise(request, pk)
    bound = request.method == "POST"
    data = None
    if bound:
        data = request.POST.copy()
        if enterprise is not None and not data.get("enterprise"):
            data["enterprise"] = str(enterprise.pk)  # the one the page was opened for
    form = action.build_form(user, None, data, request.FILES if bound else None, enterprise=enterprise)
    if bound and form.is_valid():
        try:
            hazard = action.perform(actor=user, record=None, form=form)
        except Enterprise.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已上报隐患 #%(id)s：%(place)s") % {"id": hazard.pk, "place": hazard.place})
            return redirect(_detail_url(hazard))
    ctx = {
        "form": form,
        "chosen": form.chosen_enterprise(),
        "source_label": HazardSource(services.default_source(user)).label,
        "resource": HAZARD,
    }
    return render(request, "hazards/report.html", ctx, status=400 if bound else 200)


# --- the detail page --------------------------------------------------------------------------


STATUS_STYLES = {
    HazardStatus.REPORTED: "text-bg-secondary",
    HazardStatus.ASSIGNED: "text-bg-primary",
    HazardStatus.SUBMITTED: "text-bg-info",
    HazardStatus.CLOSED: "text-bg-success",
    HazardStatus.CANCELLED: "text-bg-light border",
}


def action_url(action: str, hazard: Hazard) -> str:
    return reverse(HAZARD.url_name(HAZARD.action(action).slug), args=[hazard.pk])


@dataclass
class Step:
    """One row of the timeline, ready to show."""

    transition: HazardTransition
    label: str
    actor: str
    ip: str
    states: str = ""
    photos: list[Attachment] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


def _step_details(t: HazardTransition) -> list[tuple[str, str]]:
    data = t.data or {}
    rows = []
    if t.action == workflow.ASSIGN:
        rows.append((_("责任人"), data.get("responsible", "")))
        rows.append((_("期限"), data.get("deadline", "")))
        if data.get("level"):
            rows.append((_("等级"), HazardLevel(data["level"]).label if data["level"] in HazardLevel.values else ""))
        if data.get("criteria"):
            rows.append((_("判定依据"), "、".join(data["criteria"])))
    elif t.action == workflow.RECTIFY and data.get("cost") not in (None, ""):
        rows.append((_("资金(元)"), str(data["cost"])))
    elif t.action == workflow.REPORT and data.get("source") in HazardSource.values:
        rows.append((_("来源"), HazardSource(data["source"]).label))
    elif t.action == workflow.RETURN and data.get("joint_rectification"):
        rows.append((_("联合整治"), _("是")))
    elif t.action == workflow.OVERDUE:
        rows.append((_("期限"), data.get("deadline", "")))
    elif t.action == workflow.ESCALATE and data.get("level") in EscalationLevel.values:
        rows.append((_("升级到"), EscalationLevel(data["level"]).label))
    return [(k, v) for k, v in rows if v not in (None, "")]


def next_step(hazard: Hazard) -> str:
    """Who must do what now, in one sentence."""
    if hazard.status == HazardStatus.REPORTED:
        if hazard.government_found:
            return _("待分派：由检查人员或企业安全管理人员指定整改责任人和期限")
        return _("待分派：由企业安全管理人员指定整改责任人和期限")
    if hazard.status == HazardStatus.ASSIGNED:
        return _("待 %(who)s 整改，期限 %(deadline)s") % {
            "who": hazard.responsible or "—",
            "deadline": hazard.deadline or "—",
        }
    if hazard.status == HazardStatus.SUBMITTED:
        if hazard.government_found or hazard.level == HazardLevel.MAJOR:
            return _("已提交整改，待监管部门复查验收")
        return _("已提交整改，待企业安全管理人员验收")
    if hazard.status == HazardStatus.CLOSED:
        if hazard.closed_at:
            return _("已于 %(at)s 验收销号") % {"at": date_format(timezone.localtime(hazard.closed_at), "Y-m-d H:i")}
        return _("已销号")
    return _("已撤销：%(reason)s") % {"reason": hazard.cancel_reason}


def detail_context(user: User, hazard: Hazard) -> dict[str, Any]:
    """Everything the hazard page shows beyond the generic detail view, in a fixed number of queries."""
    timeline = load_timeline(hazard)
    transitions = timeline.steps
    before = timeline.report_photos
    hide = "reporter_name" in HAZARD.hidden_fields(user, hazard)  # the history is redacted by the kernel
    steps = []
    for t in transitions:
        anonymous = hide and t.action == workflow.REPORT
        if t.actor_id:
            actor = str(t.actor)
        elif t.action == workflow.REPORT and hazard.source == HazardSource.PUBLIC:
            actor = _("群众举报")
        else:
            actor = _("系统")
        steps.append(
            Step(
                transition=t,
                label=str(workflow.ACTION_LABELS.get(t.action, t.action)),
                actor=actor,
                ip="" if anonymous else (t.ip or ""),
                states=" → ".join(
                    str(HazardStatus(s).label) if s in HazardStatus.values else s
                    for s in (t.from_status, t.to_status)
                    if s
                ),
                photos=timeline.photos_of(t),
                details=_step_details(t),
            )
        )
    finishing = [s for s in steps if s.transition.action in (workflow.RECTIFY, workflow.CLOSE_ON_SPOT)]
    after = finishing[-1].photos if finishing else []
    plan = GovernancePlan.objects.filter(hazard=hazard).first() if hazard.level == HazardLevel.MAJOR else None
    criteria = list(hazard.criteria.all()) if hazard.level == HazardLevel.MAJOR else []
    predecessors = list(hazard.predecessors.only("pk", "place", "reported_at", "status")) if hazard.repeated else []
    actions = [
        (action.name, action.title, action_url(action.name, hazard), action.style, action.icon)
        for action in HAZARD.allowed_actions(user, hazard)
        if action.page
    ]
    other_actions = [
        (label, reverse(name, args=[hazard.pk])) for label, name, pred in HAZARD.detail_actions if pred(user, hazard)
    ]
    today = timezone.localdate()
    days_overdue = (today - hazard.deadline).days if hazard.is_open and hazard.deadline else 0
    ctx = {
        "hazard": hazard,
        "steps": steps,
        "photos_before": before,
        "photos_after": after,
        "plan": plan,
        "criteria": criteria,
        "predecessors": predecessors,
        "hazard_actions": actions,
        "other_actions": other_actions,
        "next_step": next_step(hazard),
        "days_overdue": max(days_overdue, 0),
        "status_style": STATUS_STYLES.get(hazard.status, "text-bg-secondary"),
        "hide_reporter": hide,
    }
    return ctx


def action_context(user: User, hazard: Hazard) -> dict[str, Any]:
    """What the declared actions' pages show above the form (``hazards/hazard_action.html``)."""
    return {"status_style": STATUS_STYLES.get(hazard.status, "text-bg-secondary"), "next_step": next_step(hazard)}


# --- lists ------------------------------------------------------------------------------------


# Tabs counted over the open hazards in one aggregate (the status index); any other tab on its own.
OPEN_VIEWS = ("open", "overdue", "major", "supervised")


def view_counts(user: User) -> dict[str, int]:
    """The list tabs' counts for the user's scope, with the very conditions of the list's "view"
    filter, so a tab's count is the number of rows its link lists."""
    scoped = restrict(Hazard.objects.all(), user, VIEW)
    keys = [key for key in OPEN_VIEWS if key in VIEWS]
    counts = scoped.filter(status__in=OPEN_STATUSES).aggregate(
        **{key: Count("id", filter=VIEWS[key][1]()) for key in keys}
    )
    for key, (_label, condition) in VIEWS.items():
        if key not in counts:
            counts[key] = scoped.filter(condition()).count()
    return counts


@login_required
@require_GET
def list_tabs(request: HttpRequest) -> HttpResponse:
    """The list's tabs with their counts (loaded after the page, so the list itself stays fast)."""
    current = request.GET.get("view", "")
    ctx = {"counts": view_counts(request.user), "current": current, "counted": True}
    return render(request, "hazards/list_tabs.html", ctx)


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """Hazard counts for a home page (htmx fragment)."""
    counts = view_counts(request.user)
    mine = Hazard.objects.filter(responsible=request.user, status=HazardStatus.ASSIGNED).count()
    return render(request, "hazards/summary.html", {"counts": counts, "mine": mine})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的整改任务: hazards the user must rectify; for an enterprise's managers also those waiting
    for them to assign or accept. Cards with one big button each, for a phone."""
    user = request.user
    scoped = restrict(Hazard.objects.all(), user, VIEW).select_related("enterprise", "category", "responsible")
    tasks = list(scoped.filter(responsible=user, status__in=OPEN_STATUSES).order_by("deadline", "-priority")[:100])
    to_assign, to_accept = [], []
    if user.role in workflow.ENTERPRISE_MANAGERS and user.enterprise_id:
        waiting = list(
            scoped.filter(
                enterprise_id=user.enterprise_id, status__in=[HazardStatus.REPORTED, HazardStatus.SUBMITTED]
            ).order_by("-priority", "-id")[:200]
        )
        to_assign = [h for h in waiting if workflow.ASSIGN in workflow.allowed_actions(user, h)]
        to_accept = [h for h in waiting if workflow.ACCEPT in workflow.allowed_actions(user, h)]

    def cards(hazards, action):
        return [(h, action_url(action, h) if action in workflow.allowed_actions(user, h) else None) for h in hazards]

    sections = [("tasks", _("我的整改任务"), workflow.RECTIFY, cards(tasks, workflow.RECTIFY))]
    if user.role in workflow.ENTERPRISE_MANAGERS:
        sections += [
            ("to-assign", _("待我分派"), workflow.ASSIGN, cards(to_assign, workflow.ASSIGN)),
            ("to-accept", _("待我验收"), workflow.ACCEPT, cards(to_accept, workflow.ACCEPT)),
        ]
    ctx = {
        "sections": [(key, title, workflow.ACTION_LABELS[action], items) for key, title, action, items in sections],
    }
    return render(request, "hazards/mine.html", ctx)


# --- the public report (群众举报) --------------------------------------------------------------


def public_token(enterprise_id: int) -> str:
    """The signed value on an enterprise's QR code; nobody can make one for another enterprise."""
    return signing.Signer(salt=PUBLIC_SALT).sign(str(enterprise_id))


def _enterprise_for_token(token: str) -> Enterprise:
    try:
        pk = int(signing.Signer(salt=PUBLIC_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    enterprise = Enterprise.objects.select_related("region").filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return enterprise


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _over_limit(request: HttpRequest) -> bool:
    """Count this submission for the client's address; True past the hourly limit."""
    key = f"hazards:public-report:{_client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > PUBLIC_LIMIT_PER_HOUR


def _public_category(value: str) -> HazardCategory:
    chosen = (
        HazardCategory.objects.filter(pk=value, parent__isnull=False, active=True).first() if value.isdigit() else None
    )
    return chosen or fallback_category()  # when a member of the public is not sure


def _public_categories() -> list[tuple[int, str]]:
    """On-site categories a passer-by can tell apart (消防安全, 电气安全 …)."""
    return list(
        HazardCategory.objects.filter(parent__isnull=False, parent__code="S", active=True)
        .order_by("rank", "code")
        .values_list("pk", "name")
    )


def public_report_index(request: HttpRequest) -> HttpResponse:
    """Without a QR code there is nothing to report against: say how to do it."""
    return render(request, "hazards/public_report_index.html")


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, token: str) -> HttpResponse:
    """群众举报 against the enterprise whose QR code was scanned; no login, rate-limited per address."""
    enterprise = _enterprise_for_token(token)
    bound = request.method == "POST"
    form = forms.PublicReportForm(request.POST if bound else None, request.FILES if bound else None)
    status = 200
    if bound:
        if _over_limit(request):
            ctx = {"enterprise": enterprise, "limit": PUBLIC_LIMIT_PER_HOUR}
            return render(request, "hazards/public_report_limited.html", ctx, status=429)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            name = data["reporter_name"].strip() or _("群众")
            reporter = f"{name} {data['phone']}".strip()
            try:
                services.hazard_report(
                    actor=None,
                    enterprise=enterprise,
                    place=data["place"],
                    category=_public_category(request.POST.get("category", "")),
                    description=data["description"],
                    source=HazardSource.PUBLIC,
                    reporter_name=reporter[:50],
                    photos=data["photos"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(request, "hazards/public_report_done.html", {"enterprise": enterprise})
    ctx = {
        "enterprise": enterprise,
        "form": form,
        "categories": _public_categories(),
        "chosen_category": request.POST.get("category", ""),
    }
    return render(request, "hazards/public_report.html", ctx, status=status)


@login_required
@require_GET
def public_report_qr(request: HttpRequest, pk) -> HttpResponse:
    """举报二维码 of an enterprise, for a government officer to print and post at its gate."""
    user = request.user
    if not (user.is_platform_admin or user.role in GOVERNMENT_ROLES):
        raise Http404
    enterprise = get_scoped_or_404(Enterprise.objects.all(), user, VIEW, pk=pk)
    url = public_url(request, reverse("hazards:public-report", args=[public_token(enterprise.pk)]))
    from anjian.enterprises.registry import ENTERPRISE

    ctx = {"object": enterprise, "url": url, "qr_svg": qr_svg(url), "resource": ENTERPRISE}
    return render(request, "hazards/public_qr.html", ctx)
