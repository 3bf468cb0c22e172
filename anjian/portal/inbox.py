"""The inbox pages: each user reads and marks only his own messages (another's id answers 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core import notify
from anjian.core.models import Notification

PAGE_SIZE = 20


def _page_context(request: HttpRequest) -> dict:
    queryset = notify.inbox_for(request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page": page, "show": show, "querystring": params.urlencode()}


def _badge(request: HttpRequest) -> str:
    """The navbar badge, swapped out-of-band so it follows 'mark read' without a reload."""
    ctx = {"inbox_unread": notify.unread_count(request.user), "oob": True}
    return render_to_string("portal/inbox_badge.html", ctx, request)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    template = "portal/inbox.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, _page_context(request))


@login_required
@require_http_methods(["GET", "POST"])
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: mark one message read (htmx: the refreshed item). GET: open it, i.e. mark it read
    and follow its link."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notify.notification_mark_read(actor=request.user, notification=notification)
    if request.method == "GET":
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("portal:inbox")
        return HttpResponseRedirect(target)
    if request.htmx:
        item = render_to_string("portal/inbox.html#item", {"n": notification}, request)
        return HttpResponse(item + _badge(request))
    return HttpResponseRedirect(reverse("portal:inbox"))


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = notify.notification_mark_all_read(actor=request.user)
    if request.htmx:
        results = render_to_string("portal/inbox.html#results", _page_context(request), request)
        return HttpResponse(results + _badge(request))
    if count:
        messages.success(request, _("已将 %(count)s 条消息标为已读") % {"count": count})
    return HttpResponseRedirect(reverse("portal:inbox"))
