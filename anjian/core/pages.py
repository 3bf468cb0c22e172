"""Pages of the core: each role's home, registration, language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anjian.core import services
from anjian.core.forms import SignupForm
from anjian.core.roles import Role
from anjian.enterprises import selectors as enterprise_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page."""
    user = request.user
    if user.is_platform_admin or user.is_government:
        ctx = {"overview": enterprise_selectors.government_overview(user)}
        return render(request, "core/home_government.html", ctx)
    if user.is_enterprise_user and user.enterprise_id:
        ctx = {"enterprise": enterprise_selectors.enterprise_home(user)}
        return render(request, "core/home_enterprise.html", ctx)
    if user.is_agency_user and user.agency_id:
        ctx = {"enterprises": enterprise_selectors.agency_enterprises(user)}
        return render(request, "core/home_agency.html", ctx)
    phone_enterprise = enterprise_selectors.enterprise_for_phone(user.phone) if user.role == Role.PENDING else None
    return render(request, "core/home_pending.html", {"phone_enterprise": phone_enterprise})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_register(
            display_name=form.cleaned_data["display_name"],
            phone=form.cleaned_data["phone"],
            password=form.cleaned_data["password"],
        )
        login(request, user, backend="anjian.core.auth.PhoneOrUsernameBackend")
        messages.success(request, _("注册成功，请绑定您的企业"))
        return redirect(request.POST.get("next") or "home")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/signup.html", {"form": form, "next": request.GET.get("next", "")}, status=status
    )
