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
from anjian.enterprises import rules, selectors, services
from anjian.enterprises.models import Enterprise
from anjian.enterprises.registry import ENTERPRISE


def _managed_enterprise(request: HttpRequest, pk) -> Enterprise:
    if not rules.is_enterprise_manager(request.user):
        raise Http404
    return get_scoped_or_404(Enterprise.objects.select_related("region"), request.user, CHANGE, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_binding_code(request: HttpRequest, pk) -> HttpResponse:
    """企业绑定码, the page of the declared ``binding_code`` action: the grid inspector shows the QR
    code, the enterprise admin scans it to bind his account. GET shows the current code (and
    writes nothing); POST generates a new one through the declaration."""
    enterprise = _managed_enterprise(request, pk)
    action = ENTERPRISE.action("binding_code")
    error = action.refusal(request.user, enterprise)
    if request.method == "POST" and not error:
        form = action.build_form(request.user, enterprise, {})
        form.is_valid()  # no input: the enterprise is the whole of it
        try:
            action.perform(actor=request.user, record=enterprise, form=form)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(reverse(ENTERPRISE.url_name(action.slug), args=[enterprise.pk]))
    token = selectors.current_binding_token(enterprise)
    bind_url = public_url(request, reverse("enterprises:bind", args=[token.token])) if token else ""
    ctx = {
        "object": enterprise,
        "token": token,
        "bind_url": bind_url,
        "qr_svg": qr_svg(bind_url) if token else "",
        "action_url": reverse(ENTERPRISE.url_name(action.slug), args=[enterprise.pk]),
        "error": error,
        "resource": ENTERPRISE,
    }
    return render(request, "enterprises/binding_qr.html", ctx, status=400 if error else 200)


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
