"""The pages that run an inspection on a phone: start (enterprise, checklist, kind), one item per
screen, the compact list of items, sign and submit, "my inspections", and the context of the
inspection's detail page.

Views are doors: they parse, call ``anjian.inspections.services`` and render. Every read starts
from ``restrict``; an inspection or enterprise outside the user's scope answers 404. Who may fill
an inspection (its inspector, while it is a draft) is the services' rule: others see the pages
read-only, and a POST from them gets the service's refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core.attachments import AttachmentBox, attachments_for, owner_label
from anjian.core.models import Attachment, User
from anjian.core.scoping import VIEW, acting_enterprise, acts_for_own_enterprise, get_scoped_or_404, restrict
from anjian.core.views import add_service_errors
from anjian.enterprises.models import Enterprise
from anjian.enterprises.picker import picker, search_text
from anjian.inspections import services
from anjian.inspections.models import (
    AnswerResult,
    AnswerType,
    ChecklistItem,
    ChecklistVersion,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
)
from anjian.inspections.registry import ANSWER, INSPECTION
from anjian.inspections.workflow import SUBMIT

RECENT_SUBMITTED = 20
RESULT_STYLES = {
    AnswerResult.PASS: "success",
    AnswerResult.FAIL: "danger",
    AnswerResult.NA: "secondary",
}


def run_url(inspection: Inspection | int, position: int | None = None) -> str:
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    args = [pk] if position is None else [pk, position]
    return reverse("inspections:inspection-run", args=args)


def _url(name: str, inspection: Inspection) -> str:
    return reverse(f"inspections:{name}", args=[inspection.pk])


def detail_url(inspection: Inspection) -> str:
    return _url("inspections-detail", inspection)


def number(value: Decimal | None) -> str:
    """A decimal as people write it: 4, 0.5, 1200 (never 4.000 or 1.2E+3)."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def range_text(item: ChecklistItem) -> str:
    low, high, unit = number(item.min_value), number(item.max_value), item.unit
    if low and high:
        return f"{low} – {high} {unit}".strip()
    if low:
        return f"≥ {low} {unit}".strip()
    if high:
        return f"≤ {high} {unit}".strip()
    return ""


def refusal(user: User, inspection: Inspection) -> str | None:
    """Why ``user`` may not fill this inspection now (in the services' words), or None."""
    return services.fill_refusal(user, inspection)


def _inspection(request: HttpRequest, pk) -> Inspection:
    queryset = Inspection.objects.select_related("enterprise", "checklist_version__template", "inspector")
    return get_scoped_or_404(queryset, request.user, VIEW, pk=pk)


@dataclass
class Progress:
    """Which item positions exist and which are answered, from one query."""

    positions: list[int]
    answered: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return len(self.positions)

    @property
    def done(self) -> int:
        return len(self.answered)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def first_open(self) -> int | None:
        return next((p for p in self.positions if p not in self.answered), None)

    @property
    def open_positions(self) -> list[int]:
        return [p for p in self.positions if p not in self.answered]


def load_progress(inspection: Inspection) -> Progress:
    answered = InspectionAnswer.objects.filter(inspection_id=inspection.pk, item=OuterRef("pk")).exclude(result="")
    rows = (
        ChecklistItem.objects.filter(checklist_version_id=inspection.checklist_version_id)
        .annotate(done=Exists(answered))
        .order_by("position")
        .values_list("position", "done")
    )
    progress = Progress(positions=[])
    for position, done in rows:
        progress.positions.append(position)
        if done:
            progress.answered.add(position)
    return progress


def _answer_photos(answers) -> dict[int, list[Attachment]]:
    """The photos of many answers in one query, by answer id."""
    ids = [str(a.pk) for a in answers]
    found: dict[int, list[Attachment]] = {}
    if not ids:
        return found
    rows = (
        Attachment.objects.filter(owner_model=owner_label(InspectionAnswer), owner_id__in=ids, archived_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    for attachment in rows:
        found.setdefault(int(attachment.owner_id), []).append(attachment)
    return found


def photo_box(answer: InspectionAnswer | None, photos: list[Attachment]) -> AttachmentBox | None:
    """The core attachments component for an answer's photos, read-only (photos are added with
    the answer, one POST per item)."""
    if answer is None or not photos:
        return None
    return AttachmentBox(
        owner_label=owner_label(InspectionAnswer), owner_id=str(answer.pk), items=photos, can_upload=False
    )


# --- start ------------------------------------------------------------------------------------


def _start_enterprise(request: HttpRequest, pk) -> Enterprise | None:
    """The enterprise to inspect: an enterprise user's own; otherwise the one in the URL or
    ``?enterprise=`` (404 outside the scope), or None while the user has not picked one."""
    if pk is None and not acts_for_own_enterprise(request.user):
        pk = request.GET.get("enterprise") or request.POST.get("enterprise") or None
    return acting_enterprise(request.user, pk, Enterprise.objects.select_related("region"))


@dataclass
class ChecklistChoice:
    template: object
    checklist_version: ChecklistVersion | None
    items: int


def _checklist_choices(enterprise: Enterprise, kind: str) -> list[ChecklistChoice]:
    # The enterprise's own cards first, then its region's, then the library (each by name).
    templates = sorted(
        services.checklists_for(enterprise, kind),
        key=lambda t: 0 if t.owner_enterprise_id else 1 if t.owner_region_id else 2,
    )
    versions = {
        v.pk: v
        for v in ChecklistVersion.objects.filter(pk__in=[t.current_version_id for t in templates]).annotate(
            item_count=Count("items")
        )
    }
    choices = []
    for template in templates:
        checklist_version = versions.get(template.current_version_id)
        choices.append(
            ChecklistChoice(template, checklist_version, checklist_version.item_count if checklist_version else 0)
        )
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, pk=None) -> HttpResponse:
    """开始检查: the enterprise (fixed, searched, or from its page / QR code), the checklist that
    applies to it, the kind of the user's role; the position is taken by the phone."""
    user = request.user
    action = INSPECTION.action("start")
    enterprise = _start_enterprise(request, pk)
    if action.refusal(user, None):
        raise Http404
    kinds = services.kinds_for(user)
    wanted = request.POST.get("kind") or request.GET.get("kind") or ""
    kind = wanted if wanted in kinds else kinds[0]
    if enterprise is None:
        if request.method == "POST":
            raise Http404  # nothing to start without an enterprise
        text = search_text(request.GET)
        found = picker(user, text, link="inspections:inspection-start-enterprise", link_query=_kind_query(kinds, kind))
        ctx = {"picker": found, "q": text, "kind": kind, **_start_ctx(user, kinds, kind)}
        return render(request, "inspections/run_start.html", ctx)

    choices = _checklist_choices(enterprise, kind)
    bound = request.method == "POST"
    if bound:
        data = request.POST.copy()
        data["enterprise"] = str(enterprise.pk)
        data.setdefault("kind", kind)
        form = action.build_form(user, None, data)
    else:
        form = action.build_form(user, None, initial={"kind": kind, "enterprise": enterprise.pk})
    form.offer([c.template for c in choices])
    status = 200
    if bound:
        status = 400
        if form.is_valid():
            try:
                inspection = action.perform(actor=user, record=None, form=form)
            except Enterprise.DoesNotExist:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(run_url(inspection, 1))
    drafts = list(
        restrict(Inspection.objects.all(), user, VIEW)
        .filter(inspector=user, enterprise=enterprise, status=InspectionStatus.DRAFT)
        .select_related("checklist_version__template")
        .order_by("-started_at")[:5]
    )
    chosen = form["template"].value() if bound else form.initial.get("template")
    ctx = {
        "enterprise": enterprise,
        "fixed": acts_for_own_enterprise(user),
        "form": form,
        "choices": choices,
        "chosen": str(chosen or ""),
        "drafts": drafts,
        "kind": kind,
        **_start_ctx(user, kinds, kind),
    }
    return render(request, "inspections/run_start.html", ctx, status=status)


def _kind_query(kinds: list[str], kind: str) -> dict[str, str]:
    """The kind travels on the links of the start page when the user has more than one."""
    return {"kind": kind} if len(kinds) > 1 else {}


def _start_ctx(user: User, kinds: list[str], kind: str) -> dict:
    return {
        "kind_label": InspectionKind(kind).label,
        "kinds": [(k, InspectionKind(k).label) for k in kinds] if len(kinds) > 1 else [],
    }


# --- one item per screen ----------------------------------------------------------------------


def _after_answer(inspection: Inspection, position: int, progress: Progress) -> str:
    """Where the inspector goes after saving an item: the next one; after the last, the list when
    something is still open, else signing."""
    progress.answered.add(position)
    following = [p for p in progress.positions if p > position]
    if following:
        return run_url(inspection, following[0])
    if progress.first_open() is not None:
        return _url("inspection-run-list", inspection)
    return _url("inspections-submit", inspection)


@login_required
@require_http_methods(["GET", "POST"])
def run_item(request: HttpRequest, pk: int, position: int | None = None) -> HttpResponse:
    """One item per screen: big result buttons (or the measured value), a note, photos taken with
    the phone's camera sent with the answer, the position. Each POST saves and moves on."""
    user = request.user
    inspection = _inspection(request, pk)
    progress = load_progress(inspection)
    if position is None:
        position = progress.first_open() or (progress.positions[0] if progress.positions else 1)
    item = (
        ChecklistItem.objects.select_related("category", "major_criterion")
        .filter(checklist_version_id=inspection.checklist_version_id, position=position)
        .first()
    )
    if item is None:
        raise Http404
    answer = InspectionAnswer.objects.filter(inspection=inspection, item=item).first()
    photos = list(attachments_for(answer)) if answer else []
    action = INSPECTION.action(ANSWER)
    problem = refusal(user, inspection) if action.refusal(user, inspection) else None
    extra = {"item": item, "has_photos": bool(photos)}
    form = None
    status = 200
    if request.method == "POST":
        status = 400
        if not problem:
            data = request.POST.copy()
            data["item"] = str(item.pk)  # the screen's item, whatever the post says
            form = action.build_form(user, inspection, data, request.FILES, **extra)
            if form.is_valid():
                try:
                    saved = action.perform(actor=user, record=inspection, form=form)
                except Inspection.DoesNotExist:
                    raise Http404 from None
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("第%(n)d项已保存：%(result)s") % {"n": position, "result": saved.get_result_display()},
                    )
                    return redirect(_after_answer(inspection, position, progress))
    if form is None and problem is None:
        initial = {}
        if answer is not None:
            initial = {"result": answer.result, "number_value": number(answer.number_value), "note": answer.note}
        form = action.build_form(user, inspection, initial=initial, **extra)
    index = progress.positions.index(position)
    ctx = {
        "inspection": inspection,
        "item": item,
        "answer": answer,
        "photos": photo_box(answer, photos),
        "photo_count": len(photos),
        "form": form,
        "problem": problem,
        "progress": progress,
        "position": position,
        "number": index + 1,
        "is_number": item.answer_type == AnswerType.NUMBER,
        "needs_photo": item.photo_required or item.answer_type == AnswerType.PHOTO,
        "range_text": range_text(item),
        "value_text": number(answer.number_value) if answer else "",
        "result_style": RESULT_STYLES.get(answer.result, "secondary") if answer else "",
        "prev_url": run_url(inspection, progress.positions[index - 1]) if index > 0 else "",
        "next_url": run_url(inspection, progress.positions[index + 1]) if index + 1 < progress.total else "",
        "post_url": run_url(inspection, position),
        "list_url": _url("inspection-run-list", inspection),
        "submit_url": _url("inspections-submit", inspection),
        "detail_url": detail_url(inspection),
    }
    return render(request, "inspections/run_item.html", ctx, status=status)


# --- the compact list -------------------------------------------------------------------------


@dataclass
class Row:
    item: ChecklistItem
    answer: InspectionAnswer | None
    photos: list[Attachment]
    url: str = ""
    box: AttachmentBox | None = None

    @property
    def result(self) -> str:
        return self.answer.result if self.answer else ""

    @property
    def style(self) -> str:
        return RESULT_STYLES.get(self.result, "light")

    @property
    def value(self) -> str:
        if self.answer is None or self.answer.number_value is None:
            return ""
        return f"{number(self.answer.number_value)} {self.item.unit}".strip()

    @property
    def range(self) -> str:
        return range_text(self.item) if self.item.answer_type == AnswerType.NUMBER else ""

    @property
    def needs_photo(self) -> bool:
        return self.item.photo_required or self.item.answer_type == AnswerType.PHOTO


def load_rows(inspection: Inspection, *, full: bool = False) -> list[Row]:
    """Every item of the inspection's own version (an old inspection keeps its old items) with
    its answer and photos, in three queries."""
    items = ChecklistItem.objects.filter(checklist_version_id=inspection.checklist_version_id).order_by("position")
    if full:
        items = items.select_related("category", "major_criterion")
    else:
        items = items.only("id", "checklist_version_id", "position", "text", "answer_type", "photo_required", "unit")
    answers_qs = InspectionAnswer.objects.filter(inspection_id=inspection.pk)
    if full:
        answers_qs = answers_qs.select_related("hazard")
    answers = {a.item_id: a for a in answers_qs}
    photos = _answer_photos(answers.values())
    rows = []
    for item in items:
        answer = answers.get(item.pk)
        rows.append(Row(item, answer, photos.get(answer.pk, []) if answer else [], run_url(inspection, item.position)))
    return rows


def counts_of(rows: list[Row]) -> dict[str, int]:
    counts = {"pass": 0, "fail": 0, "na": 0, "open": 0}
    for row in rows:
        counts[row.result or "open"] += 1
    return counts


@login_required
@require_GET
def run_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every item with its state on one small page, each a link to its screen."""
    inspection = _inspection(request, pk)
    rows = load_rows(inspection)
    ctx = {
        "inspection": inspection,
        "rows": rows,
        "counts": counts_of(rows),
        "problem": refusal(request.user, inspection),
        "submit_url": _url("inspections-submit", inspection),
        "detail_url": detail_url(inspection),
    }
    return render(request, "inspections/run_list.html", ctx)


# --- sign and submit --------------------------------------------------------------------------

POSITION = re.compile(r"(\d+)")


def _item_errors(inspection: Inspection, exc: ValidationError) -> list[tuple[str, str]]:
    """The service's per-item errors, each with a link to its item's screen."""
    errors = []
    for error in exc.error_dict.get("answers", []) if hasattr(exc, "error_dict") else []:
        for part in error.error_list:
            text = part.message % part.params if part.params else part.message
            position = (part.params or {}).get("n") if isinstance(part.params, dict) else None
            if position is None:
                found = POSITION.search(str(text))
                position = int(found.group(1)) if found else None
            errors.append((str(text), run_url(inspection, position) if position else ""))
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """签名提交, the phone page of the declared ``submit`` action (its form, rule and service): the
    counts, a conclusion, the signer's name and a handwritten signature; then every failed item
    becomes a hazard. What is still missing is listed with links to fix it."""
    user = request.user
    action = INSPECTION.action(SUBMIT)
    inspection = _inspection(request, pk)
    problem = refusal(user, inspection) if action.refusal(user, inspection) else None
    form = None
    item_errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if not problem:
            form = action.build_form(user, inspection, request.POST, request.FILES)
            if form.is_valid():
                try:
                    done = action.perform(actor=user, record=inspection, form=form)
                except Inspection.DoesNotExist:
                    raise Http404 from None
                except ValidationError as exc:
                    item_errors = _item_errors(inspection, exc)
                    rest = {k: v for k, v in getattr(exc, "error_dict", {}).items() if k != "answers"}
                    if rest:
                        add_service_errors(form, ValidationError(rest))
                    elif not hasattr(exc, "error_dict"):
                        add_service_errors(form, exc)
                else:
                    made = InspectionAnswer.objects.filter(inspection=done, hazard__isnull=False).count()
                    messages.success(
                        request,
                        _("检查已提交：合格 %(p)d 项，不合格 %(f)d 项，不适用 %(n)d 项，形成隐患 %(h)d 条")
                        % {"p": done.passed, "f": done.failed, "n": done.not_applicable, "h": made},
                    )
                    return redirect(detail_url(done))
    if form is None and problem is None:
        form = action.build_form(user, inspection, initial={"signed_by": user.display_name or user.get_username()})
    rows = load_rows(inspection)
    counts = counts_of(rows)
    ctx = {
        "inspection": inspection,
        "form": form,
        "problem": problem,
        "counts": counts,
        "open_rows": [row for row in rows if not row.result],
        "failed_rows": [row for row in rows if row.result == AnswerResult.FAIL],
        "item_errors": item_errors,
        "list_url": _url("inspection-run-list", inspection),
        "detail_url": detail_url(inspection),
    }
    return render(request, "inspections/run_submit.html", ctx, status=status)


# --- my inspections ---------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的检查: the user's open drafts (to resume) and his recent submissions."""
    user = request.user
    scoped = restrict(Inspection.objects.filter(inspector=user), user, VIEW).select_related(
        "enterprise", "checklist_version__template"
    )
    drafts = list(
        scoped.filter(status=InspectionStatus.DRAFT)
        .annotate(answered=Count("answers", filter=Q(answers__result__in=AnswerResult.values)))
        .order_by("-started_at", "-id")[:50]
    )
    totals = dict(
        ChecklistItem.objects.filter(checklist_version_id__in={d.checklist_version_id for d in drafts})
        .values("checklist_version_id")
        .annotate(n=Count("id"))
        .values_list("checklist_version_id", "n")
    )
    recent = list(scoped.filter(status=InspectionStatus.SUBMITTED).order_by("-submitted_at", "-id")[:RECENT_SUBMITTED])
    ctx = {
        "drafts": [(d, totals.get(d.checklist_version_id, 0), run_url(d)) for d in drafts],
        "recent": recent,
        "may_start": bool(services.kinds_for(user)),
    }
    return render(request, "inspections/run_mine.html", ctx)


# --- the detail page --------------------------------------------------------------------------


def detail_context(user: User, inspection: Inspection) -> dict:
    """The inspection page: header, counts, the items of its own version with each answer, value,
    note, photos and the hazard a failure made; the signature. A fixed number of queries."""
    rows = load_rows(inspection, full=True)
    for row in rows:
        row.box = photo_box(row.answer, row.photos)
    signatures = [a for a in attachments_for(inspection) if a.is_image]
    hazards = [row.answer.hazard for row in rows if row.answer and row.answer.hazard_id]
    return {
        "inspection": inspection,
        "rows": rows,
        "counts": counts_of(rows),
        "hazards": hazards,
        "signature": signatures[-1] if signatures else None,
        "problem": refusal(user, inspection),
        "run_url": run_url(inspection),
        "submit_url": _url("inspections-submit", inspection),
        "list_url": _url("inspection-run-list", inspection),
    }


@login_required
@require_GET
def start_qr(request: HttpRequest, pk) -> HttpResponse:
    """检查二维码: printed at the enterprise's gate, it opens the start of an inspection of that
    enterprise on the inspector's phone (after login, and only within his own area)."""
    user = request.user
    if not (user.is_platform_admin or user.is_government):
        raise Http404
    enterprise = get_scoped_or_404(Enterprise.objects.all(), user, VIEW, pk=pk)
    from anjian.core.qr import public_url, qr_svg
    from anjian.enterprises.registry import ENTERPRISE

    url = public_url(request, reverse("inspections:inspection-start-enterprise", args=[enterprise.pk]))
    return render(
        request,
        "inspections/start_qr.html",
        {"object": enterprise, "url": url, "qr_svg": qr_svg(url), "resource": ENTERPRISE},
    )
