"""Each role's home page (workbench), built from the home widgets the apps declare."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from anjian.core import menu


def workbench_of(user) -> str:
    """Which workbench a user lands on: government, enterprise, agency or pending (binding)."""
    if user.is_platform_admin or user.is_government:
        return "government"
    if user.is_enterprise_user and user.enterprise_id:
        return "enterprise"
    if user.is_agency_user and user.agency_id:
        return "agency"
    return "pending"


def _titles(user, workbench: str) -> tuple[str, str]:
    if workbench == "government":
        subtitle = str(user.get_role_display())
        if user.department_id:
            subtitle += f" · {user.department}"
        place = user.region.name if user.region_id else _("全平台")
        return subtitle, f"{place} · {_('工作台')}"
    if workbench == "enterprise":
        return str(user.get_role_display()), user.enterprise.name
    if workbench == "agency":
        return "", f"{user.agency} · {_('服务企业')}"
    return "", _("绑定您的企业")


def render_widget(request: HttpRequest, widget: menu.HomeWidget) -> SafeString:
    if widget.url:
        return render_to_string("portal/widget_fragment.html", {"widget": widget}, request)
    context = widget.context(request) if widget.context else {}
    return render_to_string(widget.template, context, request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own workbench: the widgets every app declares for it."""
    user = request.user
    workbench = workbench_of(user)
    areas: dict[str, list] = {"header": [], "actions": [], "main": []}
    for widget in menu.visible_widgets(user):
        areas.setdefault(widget.area, []).append({"widget": widget, "html": render_widget(request, widget)})
    subtitle, title = _titles(user, workbench)
    ctx = {"workbench": workbench, "title": title, "subtitle": subtitle, **areas}
    return render(request, "portal/home.html", ctx)
