"""Pages of the reference tables (参数表): the index of the tables a user may edit, and per table a
list, new row, edit row, deactivate / reactivate. Doors only: ``reference.py`` decides and writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core import reference
from anjian.core.views import add_service_errors, display_value


@login_required
def reference_index(request: HttpRequest) -> HttpResponse:
    tables = reference.tables_for(request.user)
    if not tables:
        raise Http404
    return render(request, "core/reference/index.html", {"tables": tables})


@login_required
def reference_list(request: HttpRequest, table: str) -> HttpResponse:
    spec = reference.table_for(request.user, table)
    columns = [(name, spec.model._meta.get_field(name).verbose_name) for name in spec.list_columns]
    rows = []
    for row in reference.visible_rows(spec, request.user):
        rows.append(
            {
                "pk": row.pk,
                "cells": [
                    spec.display[name](row) if name in spec.display else display_value(row, name)
                    for name, _label in columns
                ],
                "active": getattr(row, spec.active_field) if spec.active_field else True,
                "editable": reference.may_change(spec, request.user, row),
            }
        )
    return render(
        request,
        "core/reference/list.html",
        {
            "table": spec,
            "columns": columns,
            "rows": rows,
            "can_create": spec.allow_create and not spec.versioned and reference.may_change(spec, request.user, None),
        },
    )


def _form_page(request: HttpRequest, spec, row) -> HttpResponse:
    form_class = reference.form_class(spec)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if row is None:
                    saved = reference.reference_row_create(actor=request.user, table=spec, data=form.cleaned_data)
                    messages.success(request, _("已创建：%(name)s") % {"name": saved})
                else:
                    saved = reference.reference_row_update(
                        actor=request.user, table=spec, instance=row, data=form.cleaned_data
                    )
                    messages.success(request, _("已保存：%(name)s") % {"name": saved})
                return redirect(reverse("core:reference-list", args=[spec.slug]))
            except ValidationError as exc:
                add_service_errors(form, exc)
        status = 400
    else:
        form = form_class(initial=reference.initial_for(spec, row))
        status = 200
    return render(request, "core/reference/form.html", {"table": spec, "form": form, "object": row}, status=status)


@login_required
def reference_create(request: HttpRequest, table: str) -> HttpResponse:
    spec = reference.table_for(request.user, table)
    if not spec.allow_create or spec.versioned or not reference.may_change(spec, request.user, None):
        raise Http404
    return _form_page(request, spec, None)


@login_required
def reference_edit(request: HttpRequest, table: str, pk: str) -> HttpResponse:
    spec = reference.table_for(request.user, table)
    return _form_page(request, spec, reference.row_for(spec, request.user, pk))


@login_required
@require_POST
def reference_toggle(request: HttpRequest, table: str, pk: str) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a row."""
    spec = reference.table_for(request.user, table)
    row = reference.row_for(spec, request.user, pk)
    if spec.active_field is None or request.POST.get("active") not in {"0", "1"}:
        raise Http404
    try:
        reference.reference_row_set_active(
            actor=request.user, table=spec, instance=row, active=request.POST["active"] == "1"
        )
        messages.success(request, _("已保存：%(name)s") % {"name": row})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("core:reference-list", args=[spec.slug]))


def reference_urls() -> list:
    return [
        path("", reference_index, name="reference-index"),
        path("<slug:table>/", reference_list, name="reference-list"),
        path("<slug:table>/new/", reference_create, name="reference-create"),
        path("<slug:table>/<str:pk>/edit/", reference_edit, name="reference-edit"),
        path("<slug:table>/<str:pk>/active/", reference_toggle, name="reference-toggle"),
    ]
