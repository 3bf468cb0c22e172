"""The checklist (体检卡) pages beyond the registry's list and detail: the detail page's context,
one published version's items, the items editor that publishes a new version, a new checklist,
and "copy as my own".

Views are doors: they parse, call ``anjian.inspections.services`` and render. Every read starts
from ``restrict`` (through ``get_scoped_or_404``): a checklist outside the user's scope answers 404.
A user who sees a checklist but may not change it gets the page with the reason, and a refused
POST answers 403 and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core.models import User
from anjian.core.roles import Role
from anjian.core.scoping import VIEW, get_scoped_or_404
from anjian.enterprises.models import Industry, VenueType
from anjian.inspections import checklist_forms as forms
from anjian.inspections import rules
from anjian.inspections.models import ChecklistTemplate, ChecklistVersion, InspectionKind
from anjian.inspections.registry import CHECKLIST


def _detail_url(template: ChecklistTemplate | int) -> str:
    pk = template.pk if isinstance(template, ChecklistTemplate) else template
    return reverse(CHECKLIST.url_name("detail"), args=[pk])


def _scoped(request: HttpRequest, pk) -> ChecklistTemplate:
    return get_scoped_or_404(CHECKLIST.base_queryset(), request.user, VIEW, pk=pk)


def _versions(template: ChecklistTemplate) -> list[ChecklistVersion]:
    return list(
        template.versions.select_related("published_by").annotate(item_count=Count("items")).order_by("-number")
    )


def _items(checklist_version: ChecklistVersion | None) -> list:
    """The version's items, each with ``range_label`` (the allowed range of a number item)."""
    if checklist_version is None:
        return []
    items = list(checklist_version.items.select_related("category", "major_criterion").order_by("position"))
    for item in items:
        item.range_label = range_label(item.min_value, item.max_value, item.unit)
    return items


def range_label(low, high, unit: str = "") -> str:
    """ "19.5–21 %vol", "≤ 4 Ω", "≥ 2 具" (bounds without trailing zeros)."""
    low, high = forms.plain(low), forms.plain(high)
    if low and high:
        text = f"{low}–{high}"
    elif high:
        text = f"≤ {high}"
    elif low:
        text = f"≥ {low}"
    else:
        return ""
    return f"{text} {unit}".strip()


def applicability(template: ChecklistTemplate) -> list[tuple[str, list[str]]]:
    """Where the checklist applies, as labelled lists (an empty list: no restriction)."""
    names = dict(Industry.objects.filter(code__in=template.industry_prefixes or []).values_list("code", "name"))
    venues = dict(VenueType.choices)
    kinds = dict(InspectionKind.choices)
    return [
        (_("行业"), [f"{code} {names.get(code, '')}".strip() for code in template.industry_prefixes or []]),
        (_("场所类型"), [str(venues.get(value, value)) for value in template.venue_types or []]),
        (_("风险类型"), list(template.risk_tags or [])),
        (_("检查类型"), [str(kinds.get(value, value)) for value in template.kinds or []]),
    ]


def _owner(template: ChecklistTemplate) -> str:
    if template.owner_enterprise_id:
        return template.owner_enterprise.name
    if template.owner_region_id:
        return template.owner_region.name
    return _("平台标准库")


def detail_context(user: User, template: ChecklistTemplate) -> dict[str, Any]:
    """Context of ``inspections/checklist_detail.html``: the current version's items and the history."""
    checklist_version = template.current_version
    return {
        "template": template,
        "owner": _owner(template),
        "checklist_version": checklist_version,
        "items": _items(checklist_version),
        "versions": _versions(template),
        "applicability": applicability(template),
        "may_edit": rules.may_edit_checklist(user, template),
    }


# --- one version -------------------------------------------------------------------------------


@login_required
@require_GET
def checklist_versions(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    """The items of one published version (without ``number``: the current one), with the list of
    versions to move between them. Past inspections keep showing the version they used."""
    template = _scoped(request, pk)
    versions = _versions(template)
    if number is None:
        checklist_version = next(
            (v for v in versions if v.pk == template.current_version_id), versions[0] if versions else None
        )
    else:
        checklist_version = next((v for v in versions if v.number == number), None)
        if checklist_version is None:
            raise Http404
    ctx = {
        "template": template,
        "object": template,
        "resource": CHECKLIST,
        "owner": _owner(template),
        "checklist_version": checklist_version,
        "items": _items(checklist_version),
        "versions": versions,
    }
    return render(request, "inspections/checklist_version.html", ctx)


# --- edit and publish a new version ---------------------------------------------------------------


def _refusal_publish(user: User, template: ChecklistTemplate) -> str | None:
    if rules.may_edit_checklist(user, template):
        return None
    if template.owner_enterprise_id is None and template.owner_region_id is None:
        return _("标准库体检卡由平台管理员维护；您可以将它复制为本单位的体检卡后再修改。")
    return _("您无权修改该体检卡；可以将它复制为本单位的体检卡后再修改。")


@login_required
@require_http_methods(["GET", "POST"])
def checklist_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑并发布新版本, the page of the declared ``publish`` action: the items editor (add, remove,
    reorder rows) and a note. The editor's rows go through the action's own form and service, as
    an API body does. Publishing never changes a published version, so inspections started
    before keep their items."""
    user = request.user
    action = CHECKLIST.action("publish")
    template = _scoped(request, pk)
    problem = _refusal_publish(user, template) if action.refusal(user, template) else None
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        add_row = "add_row" in request.POST
        formset = forms.bound_items(request.POST, add_row=add_row)
        show_errors = not add_row
        data = {"note": request.POST.get("note", ""), "base": request.POST.get("base", "")}
        if not add_row and not problem and formset.is_valid():
            data["items"] = formset.rows()
        publish_form = action.build_form(user, template, data)
        if problem:
            status = 403  # the page shows why; nothing is published
        elif add_row:
            pass  # the same page again, one blank row longer
        elif "items" not in data:
            status = 400  # the editor shows what to correct
        elif publish_form.is_valid():
            try:
                checklist_version = action.perform(actor=user, record=template, form=publish_form)
            except ValidationError as exc:
                errors.extend(_messages(exc))
                status = 400
            else:
                messages.success(
                    request,
                    _("已发布第%(n)d版，共%(count)d项") % {"n": checklist_version.number, "count": len(data["items"])},
                )
                return redirect(_detail_url(template))
        else:
            errors.extend(str(e) for field_errors in publish_form.errors.values() for e in field_errors)
            status = 400
    else:
        checklist_version = template.current_version
        publish_form = action.build_form(
            user, template, initial={"base": checklist_version.number if checklist_version else None}
        )
        formset = forms.blank_items(forms.initial_items(checklist_version), extra=forms.EDIT_ROWS)
        show_errors = False
    ctx = {
        **_editor_context(formset, show_errors, errors),
        "template": template,
        "object": template,
        "resource": CHECKLIST,
        "owner": _owner(template),
        "publish_form": publish_form,
        "problem": problem,
    }
    return render(request, "inspections/checklist_publish.html", ctx, status=status)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.message_dict.values() for m in errors]
    return [str(m) for m in exc.messages]


def _editor_context(formset, show_errors: bool, errors: list[str]) -> dict[str, Any]:
    if show_errors and formset.is_bound:
        errors = errors + [str(e) for e in formset.non_form_errors()]
    choices = formset.form_kwargs
    return {
        "formset": formset,
        "show_errors": show_errors,
        "errors": errors,
        "criteria": choices.get("criteria", []),
    }


# --- a new checklist and a copy ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checklist_create(request: HttpRequest) -> HttpResponse:
    """新建体检卡, the page of the declared ``create`` collection action: name, applicability and
    items (the items editor); the owner follows the user (his enterprise or his district; the
    platform admin's are library templates). The editor's rows go through the action's own form
    and service, as an API body does."""
    user = request.user
    action = CHECKLIST.action("create")
    if action.refusal(user, None):
        raise Http404
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        add_row = "add_row" in request.POST
        formset = forms.bound_items(request.POST, add_row=add_row)
        show_errors = not add_row
        data = request.POST.copy()
        data.pop("items", None)
        if not add_row and formset.is_valid():
            data["items"] = formset.rows()
        meta = action.build_form(user, None, data)
        if not add_row:
            status = 400  # the editor shows what to correct
            if meta.is_valid():
                try:
                    template = action.perform(actor=user, record=None, form=meta)
                except ValidationError as exc:
                    errors.extend(_messages(exc))
                else:
                    messages.success(request, _("已建立体检卡：%(name)s") % {"name": template.name})
                    return redirect(_detail_url(template))
            elif "items" in data:
                errors.extend(str(e) for e in meta.errors.get("items", []))
    else:
        meta = action.build_form(user, None)
        formset = forms.blank_items(extra=forms.NEW_ROWS)
        show_errors = False
    ctx = {
        **_editor_context(formset, show_errors, errors),
        "resource": CHECKLIST,
        "meta": meta,
        "show_meta_errors": request.method == "POST" and show_errors,
        "owner": _new_owner(user),
    }
    return render(request, "inspections/checklist_create.html", ctx, status=status)


def _new_owner(user: User) -> str:
    if user.role in rules.ENTERPRISE_CHECKLIST_EDITORS and user.enterprise_id:
        return user.enterprise.name
    if user.role == Role.DISTRICT_ADMIN and user.region_id:
        return user.region.name
    return _("平台标准库")


def action_context(user: User, template: ChecklistTemplate) -> dict[str, Any]:
    """Context of the checklist's action pages (settings, copy): whose it is, whose the copy
    will be, how many items it has."""
    return {
        "template": template,
        "owner": _owner(template),
        "new_owner": _new_owner(user),
        "item_count": template.current_version.items.count() if template.current_version_id else 0,
    }
