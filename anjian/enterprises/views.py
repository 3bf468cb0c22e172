from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anjian.core.qr import public_url, qr_svg
from anjian.core.scoping import CHANGE, get_scoped_or_404
from anjian.core.validators import mask_phone
from anjian.core.views import add_service_errors
from anjian.enterprises import rules, services
from anjian.enterprises.forms import MoveForm
from anjian.enterprises.models import Enterprise
from anjian.enterprises.registry import ENTERPRISE


def _managed_enterprise(request: HttpRequest, pk) -> Enterprise:
    if not rules.is_enterprise_manager(request.user):
        raise Http404
    return get_scoped_or_404(Enterprise.objects.select_related("region"), request.user, CHANGE, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_move(request: HttpRequest, pk) -> HttpResponse:
    """Move an enterprise to another grid and set its grid inspector."""
    enterprise = _managed_enterprise(request, pk)
    initial = {"region": enterprise.region_id, "grid_inspector": enterprise.grid_inspector_id}
    form = MoveForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_move(
                actor=request.user,
                enterprise=enterprise,
                region=form.cleaned_data["region"],
                grid_inspector=form.cleaned_data["grid_inspector"],
            )
            messages.success(request, _("已调整所属网格"))
            return redirect(reverse(ENTERPRISE.url_name("detail"), args=[enterprise.pk]))
        except ValidationError as exc:
            add_service_errors(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "enterprises/move.html", {"form": form, "object": enterprise, "resource": ENTERPRISE}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_binding_qr(request: HttpRequest, pk) -> HttpResponse:
    """The grid inspector shows this QR code; the enterprise admin scans it to bind his account."""
    enterprise = _managed_enterprise(request, pk)
    token = services.binding_token_create(actor=request.user, enterprise=enterprise)
    bind_url = public_url(request, reverse("enterprises:bind", args=[token.token]))
    return render(
        request,
        "enterprises/binding_qr.html",
        {
            "object": enterprise,
            "token": token,
            "bind_url": bind_url,
            "qr_svg": qr_svg(bind_url),
            "resource": ENTERPRISE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bind(request: HttpRequest, token: str) -> HttpResponse:
    """Where the QR code leads: confirm and bind the logged-in account to the enterprise."""
    from anjian.enterprises.models import BindingToken

    binding = BindingToken.objects.select_related("enterprise").filter(token=token).first()
    error = None
    if request.method == "POST":
        try:
            enterprise = services.enterprise_bind_by_token(user=request.user, token=token)
            messages.success(request, _("已绑定企业：%(name)s") % {"name": enterprise})
            return redirect("home")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "enterprises/bind.html", {"binding": binding, "error": error}, status=400 if error else 200)


@login_required
@require_http_methods(["POST"])
def bind_by_phone_code(request: HttpRequest) -> HttpResponse:
    """Send the SMS code to the user's own phone (the one the enterprise pre-registered)."""
    try:
        services.enterprise_phone_code_send(user=request.user)
        messages.success(request, _("验证码已发送到 %(phone)s") % {"phone": mask_phone(request.user.phone)})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("home")


@login_required
@require_http_methods(["POST"])
def bind_by_phone(request: HttpRequest) -> HttpResponse:
    try:
        enterprise = services.enterprise_bind_by_phone(user=request.user, code=request.POST.get("code", ""))
        messages.success(request, _("已绑定企业：%(name)s") % {"name": enterprise})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("home")
