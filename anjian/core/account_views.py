"""Account management pages beyond the generic ones: the detail page (which records a whole phone
number being shown), reset password (重置密码) and deactivate / reactivate (停用/启用).

Every account route 404s for an account the user may not manage, like any out-of-scope record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anjian.core import services
from anjian.core.forms import SetPasswordForm
from anjian.core.models import User
from anjian.core.registry_entries import USER
from anjian.core.scoping import CHANGE, VIEW, get_scoped_or_404
from anjian.core.views import ResourceDetailView, add_service_errors, resource_urls


class UserDetailView(ResourceDetailView):
    """The generic detail page; a manager sees the whole phone number there, and that is audited."""

    def get(self, request: HttpRequest, pk) -> HttpResponse:
        target = get_scoped_or_404(User.objects.all(), request.user, VIEW, pk=pk)
        if target.phone and services.may_manage(request.user, target):
            services.user_phone_viewed(actor=request.user, user=target)
        return super().get(request, pk)


def _managed_user(request: HttpRequest, pk) -> User:
    target = get_scoped_or_404(USER.base_queryset(), request.user, CHANGE, pk=pk)
    if not services.may_manage(request.user, target):
        raise Http404
    return target


def _detail(user: User):
    return redirect(reverse(USER.url_name("detail"), args=[user.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk) -> HttpResponse:
    target = _managed_user(request, pk)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=target, password=form.cleaned_data["password"])
            messages.success(request, _("已重置 %(name)s 的密码") % {"name": target})
            return _detail(target)
        except ValidationError as exc:
            add_service_errors(form, exc)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "object": target, "resource": USER}
    return render(request, "core/accounts/user_password.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def user_active(request: HttpRequest, pk) -> HttpResponse:
    """GET asks for confirmation; POST with ``active`` 0 or 1 sets the state (a repeated POST
    changes nothing more, unlike a toggle)."""
    target = _managed_user(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        wanted = request.POST.get("active")
        if wanted not in {"0", "1"}:
            errors = [_("请求无效，请重试")]
        else:
            try:
                services.user_set_active(actor=request.user, user=target, active=wanted == "1")
                messages.success(
                    request,
                    (_("已启用账号：%(name)s") if wanted == "1" else _("已停用账号：%(name)s")) % {"name": target},
                )
                return _detail(target)
            except ValidationError as exc:
                errors = exc.messages
    ctx = {"object": target, "resource": USER, "errors": errors}
    return render(request, "core/accounts/user_active.html", ctx, status=400 if errors else 200)


def user_urls() -> list:
    """The account routes under ``users/``: the generic ones (the detail page replaced by
    ``UserDetailView``) and the two actions, all named in the ``core`` namespace."""
    detail = USER.url_name("detail").split(":")[-1]
    generic = [p for p in resource_urls(USER) if p.name != detail]
    return [
        *generic,
        path("<int:pk>/", UserDetailView.as_view(resource=USER), name=detail),
        path("<int:pk>/password/", user_password, name="user-password"),
        path("<int:pk>/active/", user_active, name="user-active"),
    ]
