"""Pages of the core: self-registration. Each role's home page lives in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anjian.core import services
from anjian.core.forms import SignupForm


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
