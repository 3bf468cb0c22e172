"""The enterprise picker's fragment for a live search (see ``anjian.enterprises.picker``)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.views.decorators.http import require_GET

from anjian.enterprises.picker import DEFAULT_INPUT, OWN_PARAMETERS, picker, search_text

INPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


@login_required
@require_GET
def picker_view(request: HttpRequest) -> HttpResponse:
    """The picker's fragment for a live search (htmx): ``?q=`` and ``?input=`` or ``?link=``."""
    params = request.GET
    input_name = params.get("input") or DEFAULT_INPUT
    if not INPUT_NAME.fullmatch(input_name):
        raise Http404
    link_query = {k: v for k, v in params.items() if k not in OWN_PARAMETERS}
    try:
        context = picker(
            request.user, search_text(params), input_name=input_name, link=params.get("link"), link_query=link_query
        )
    except NoReverseMatch:
        raise Http404 from None
    return render(request, "enterprises/picker.html", {"picker": context})
