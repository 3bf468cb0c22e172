"""Pages of the inspection points: the detail page's extra context, the printable QR label, the
phone check that the label opens, the live board of an enterprise (巡检看板, the control-room
screen) and "my tasks today".

Views are doors: every read starts from ``restrict`` (out of scope answers 404); the check is
the inspection points' declared action "checks" (``registry.CHECK_ACTION``: its form reads the
page's post, ``services.point_check`` decides who may check and what a complete result is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core.models import User
from anjian.core.scoping import VIEW, acting_enterprise, acts_for_own_enterprise, get_scoped_or_404, restrict
from anjian.enterprises.models import Enterprise
from anjian.enterprises.picker import picker, search_text
from anjian.risks import rules, schedule
from anjian.risks.check_forms import photo_slots
from anjian.risks.models import InspectionPoint, InspectionTask, PointCheck

RECENT_CHECKS = 15
COLOURS = [
    # (state, Bootstrap colour, label)
    (schedule.GREEN, "success", gettext_lazy("已检正常")),
    (schedule.YELLOW, "warning", gettext_lazy("已检异常")),
    (schedule.RED, "danger", gettext_lazy("超时未检")),
    (schedule.PENDING, "secondary", gettext_lazy("未到检查时间")),
]
STYLE = {state: style for state, style, _label in COLOURS}
LABEL = {state: label for state, _style, label in COLOURS}


def _point(request: HttpRequest, pk) -> InspectionPoint:
    queryset = InspectionPoint.objects.select_related("enterprise", "risk_point")
    return get_scoped_or_404(queryset, request.user, VIEW, pk=pk)


@dataclass
class TaskRow:
    state: schedule.TaskState

    @property
    def task(self) -> InspectionTask:
        return self.state.task

    @property
    def style(self) -> str:
        return STYLE[self.state.colour]

    @property
    def label(self):
        return LABEL[self.state.colour]


def point_detail_context(user: User, point: InspectionPoint) -> dict:
    """The inspection point's detail page: its risk point, its tasks in their current colour,
    its recent checks."""
    [state] = schedule.board([point])
    checks = list(
        restrict(PointCheck.objects.filter(point=point), user, VIEW)
        .select_related("task", "checked_by")
        .order_by("-checked_at", "-id")[:RECENT_CHECKS]
    )
    return {
        "risk_point": point.risk_point,
        "point_state": state,
        "point_style": STYLE[state.colour],
        "point_label": LABEL[state.colour],
        "task_rows": [TaskRow(s) for s in state.tasks],
        "recent_checks": checks,
        "may_check": rules.may_check_inspection_point(user, point),
    }


# --- QR label ---------------------------------------------------------------------------------


@login_required
@require_GET
def point_qr(request: HttpRequest, pk) -> HttpResponse:
    """巡检二维码: a label to print and post at the point; scanning it opens the check page."""
    from anjian.core.qr import public_url, qr_svg
    from anjian.risks.registry import INSPECTION_POINT

    point = _point(request, pk)
    url = public_url(request, reverse("risks:inspection-point-check", args=[point.pk]))
    return render(
        request,
        "risks/check_qr.html",
        {"object": point, "url": url, "qr_svg": qr_svg(url), "resource": INSPECTION_POINT},
    )


# --- the phone check --------------------------------------------------------------------------


def _done(request: HttpRequest, point: InspectionPoint) -> list[PointCheck]:
    """The checks just made (ids in ``?done=``), only this point's and only those in scope."""
    ids = [int(v) for v in request.GET.get("done", "").split(",") if v.strip().isdigit()][:50]
    if not ids:
        return []
    return list(
        restrict(PointCheck.objects.filter(point=point, pk__in=ids), request.user, VIEW)
        .select_related("task", "hazard")
        .order_by("id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_check(request: HttpRequest, pk) -> HttpResponse:
    """巡检: what the QR code opens. Each active task gets 正常/异常, a note and its photos; the
    position is taken by the phone. Only the enterprise's own people may check; others see the
    tasks and why they cannot."""
    from anjian.risks.registry import CHECK_ACTION

    user = request.user
    point = _point(request, pk)
    allowed = CHECK_ACTION.allowed(user, point)
    tasks = list(InspectionTask.objects.filter(point=point, archived=False).select_related("owner").order_by("pk"))
    states = {s.task.pk: s for s in schedule.board([point])[0].tasks}
    ctx = {
        "point": point,
        "allowed": allowed,
        "states": states,
        "task_rows": [TaskRow(states[t.pk]) for t in tasks if t.pk in states],
        "done": _done(request, point),
        "errors": [],
    }
    status = 200
    form = None
    if allowed:
        action = CHECK_ACTION
        if request.method == "POST":
            form = action.build_form(user, point, request.POST, request.FILES, page=True)
            status = 400
            if form.is_valid():
                try:
                    made = action.perform(actor=user, record=point, form=form)
                except InspectionPoint.DoesNotExist:
                    raise Http404 from None
                except ValidationError as exc:
                    ctx["errors"] = exc.messages
                else:
                    done = ",".join(str(c.pk) for c in made)
                    return redirect(f"{reverse('risks:inspection-point-check', args=[point.pk])}?done={done}")
            else:
                for name, errors in form.errors.items():
                    label = form.fields[name].label if name in form.fields else ""
                    ctx["errors"] += [f"{label}：{e}" if label else e for e in errors]
        else:
            form = action.build_form(user, point, page=True)
    elif request.method == "POST":
        status = 403
    ctx["form"] = form
    ctx["blocks"] = [(states.get(block[0].pk), *block) for block in form.blocks()] if form else []
    ctx["evidence_slots"] = {t.pk: photo_slots(t) for t in tasks}
    return render(request, "risks/check_page.html", ctx, status=status)


# --- the live board ---------------------------------------------------------------------------


def _board_enterprise(request: HttpRequest) -> Enterprise | None:
    """An enterprise user's own enterprise; for others the ``?enterprise=`` in their scope (404
    outside), or None while none is chosen."""
    user = request.user
    return acting_enterprise(user, None if acts_for_own_enterprise(user) else request.GET.get("enterprise"))


def _with_points() -> QuerySet:
    """The enterprises the board can show: those with an inspection point."""
    return Enterprise.objects.filter(Exists(InspectionPoint.objects.filter(enterprise=OuterRef("pk"), archived=False)))


@dataclass
class Tile:
    state: schedule.PointState

    @property
    def point(self) -> InspectionPoint:
        return self.state.point

    @property
    def style(self) -> str:
        return STYLE[self.state.colour]

    @property
    def label(self):
        return LABEL[self.state.colour]

    @property
    def rows(self) -> list[TaskRow]:
        return [TaskRow(s) for s in self.state.tasks]

    @property
    def last_check_at(self) -> dt.datetime | None:
        return max((s.last_check_at for s in self.state.tasks if s.last_check_at), default=None)

    @property
    def overdue_since(self) -> dt.datetime | None:
        return min((s.overdue_since for s in self.state.tasks if s.overdue_since), default=None)


def board_tiles(user: User, enterprise: Enterprise, now: dt.datetime | None = None) -> list[Tile]:
    points = (
        restrict(InspectionPoint.objects.filter(enterprise=enterprise, archived=False), user, VIEW)
        .select_related("risk_point")
        .order_by("name", "pk")
    )
    return [Tile(state) for state in schedule.board(points, now=now)]


def _counts(tiles: list[Tile]) -> list[tuple[str, str, object, int]]:
    return [(state, style, label, sum(1 for t in tiles if t.state.colour == state)) for state, style, label in COLOURS]


def my_task_rows(user: User, now: dt.datetime | None = None) -> list[TaskRow]:
    """The active tasks whose owner is ``user``, in their current state, worst first."""
    if not user.enterprise_id:
        return []
    points = restrict(
        InspectionPoint.objects.filter(
            Exists(InspectionTask.objects.filter(point=OuterRef("pk"), owner=user, archived=False)), archived=False
        ),
        user,
        VIEW,
    ).select_related("risk_point")
    rows = []
    for state in schedule.board(points, now=now):
        for task_state in state.tasks:
            if task_state.task.owner_id == user.pk:
                task_state.task.point = state.point  # the list names the point: no query per row
                rows.append(TaskRow(task_state))
    rows.sort(key=lambda r: (schedule.SEVERITY[r.state.colour], r.task.point_id, r.task.pk))
    return rows


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """巡检看板: a tile per inspection point, green (checked, normal), yellow (checked, abnormal:
    a hazard was made), red (missed), grey (not due yet); refreshed every minute."""
    user = request.user
    enterprise = _board_enterprise(request)
    if enterprise is None:
        text = search_text(request.GET)
        found = picker(user, text, link="risks:board", among=_with_points(), browse=True)
        return render(request, "risks/board_picker.html", {"picker": found, "q": text})
    tiles = board_tiles(user, enterprise)
    ctx = {
        "enterprise": enterprise,
        "tiles": tiles,
        "counts": _counts(tiles),
        "now": timezone.now(),
        "fixed": acts_for_own_enterprise(user),
        "my_rows": my_task_rows(user) if user.enterprise_id == enterprise.pk else [],
        "refresh_url": request.get_full_path(),
    }
    if request.htmx and request.htmx.target == "board-grid":
        return render(request, "risks/board.html#board-grid", ctx)
    return render(request, "risks/board.html", ctx)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """我的巡检任务: the tasks I own, what is due or missed, and a link to each point's check."""
    return render(request, "risks/board_mine.html", {"my_rows": my_task_rows(request.user), "now": timezone.now()})
