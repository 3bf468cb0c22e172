"""Input of the four-colour map (四色图): the site plan upload form and the checks of a zone sent
as JSON by the drawing page. Friendly field errors here; the services re-check every rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin
from anjian.core.models import User
from anjian.core.scoping import VIEW, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks import rules

PLAN_ACCEPT = "image/png,image/jpeg,image/webp"


class SitePlanForm(BootstrapMixin, forms.Form):
    """Upload a site plan. An enterprise user's enterprise is fixed; an agency (or the platform
    administrator) picks one of the enterprises in his scope."""

    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    title = forms.CharField(label=_("名称"), max_length=60)
    image = forms.FileField(
        label=_("平面图"),
        help_text=_("PNG、JPEG 或 WebP 图片"),
        widget=forms.ClearableFileInput(attrs={"accept": PLAN_ACCEPT}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not rules.picks_enterprise(user):
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = restrict(Enterprise.objects.all(), user, VIEW).order_by("name")

    def chosen_enterprise(self) -> Enterprise:
        if "enterprise" in self.fields:
            return self.cleaned_data["enterprise"]
        return Enterprise.objects.get(pk=self.user.enterprise_id)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def clean_zone(payload: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The zone a page sent ``{name, polygon, risk_points, zone?}``: (data, field errors)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(payload, dict):
        return {}, {"__all__": [gettext("请求格式无效")]}
    name = payload.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [gettext("请填写区域名称")]
    elif len(name) > 60:
        errors["name"] = [gettext("区域名称不能超过60个字")]
    polygon = payload.get("polygon")
    if not isinstance(polygon, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(_is_number(c) for c in p) for p in polygon
    ):
        errors["polygon"] = [gettext("区域边界格式无效")]
    elif len(polygon) < 3:
        errors["polygon"] = [gettext("区域至少需要三个顶点")]
    elif len(polygon) > 200 or any(not (0 <= c <= 1) for p in polygon for c in p):
        errors["polygon"] = [gettext("区域顶点须在平面图内")]
    points = payload.get("risk_points") or []
    if not isinstance(points, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in points):
        errors["risk_points"] = [gettext("请选择本企业的风险点")]
    zone = payload.get("zone")
    if zone is not None and (not isinstance(zone, int) or isinstance(zone, bool)):
        errors["zone"] = [gettext("区域不存在")]
    data = {"name": name, "polygon": polygon, "risk_points": points if isinstance(points, list) else []}
    return {"data": data, "zone": zone}, errors
