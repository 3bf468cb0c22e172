"""Input of the four-colour map (四色图): the site plan upload form and the checks of a zone sent
by the drawing page (JSON) and the API alike. Friendly field errors here; the services re-check every rule."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin
from anjian.core.models import User
from anjian.core.scoping import VIEW, acting_enterprise, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks import rules
from anjian.risks.models import RiskPoint, RiskZone, SitePlan

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
        return acting_enterprise(self.user)  # his own (404 if he has none)

    def service_kwargs(self) -> dict[str, Any]:
        """``services.site_plan_create``'s input (the site plans' collection action "new")."""
        return {
            "enterprise": self.chosen_enterprise(),
            "title": self.cleaned_data["title"],
            "image": self.cleaned_data["image"],
        }


def new_plan_form_kwargs(user: User, _none=None) -> dict[str, Any]:
    return {"user": user}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class PolygonField(forms.Field):
    """Vertices ``[[x, y], ...]`` as fractions of the plan's width and height (a JSON list, or its
    text from a form post)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def json_schema(self) -> dict[str, Any]:
        """Its body in the OpenAPI schema (``anjian.core.actions``)."""
        point = {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}, "minItems": 2, "maxItems": 2}
        return {"type": "array", "items": point, "minItems": 3, "maxItems": 200}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                value = json.loads(value)
            except ValueError:
                raise forms.ValidationError(gettext("区域边界格式无效"), code="format") from None
        return value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if not isinstance(value, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_number(c) for c in p) for p in value
        ):
            raise forms.ValidationError(gettext("区域边界格式无效"), code="format")
        if len(value) < 3:
            raise forms.ValidationError(gettext("区域至少需要三个顶点"), code="few")
        if len(value) > 200 or any(not (0 <= c <= 1) for p in value for c in p):
            raise forms.ValidationError(gettext("区域顶点须在平面图内"), code="outside")


def _plan_zones(plan: SitePlan):
    return RiskZone.objects.filter(plan=plan, archived=False).order_by("pk")


class ZoneForm(BootstrapMixin, forms.Form):
    """Draw (or redraw, with ``zone``) a zone of the plan: its name, polygon and the enterprise's
    risk points inside it. The drawing page sends it as JSON; the API takes the same body."""

    zone = forms.ModelChoiceField(
        label=_("区域"),
        queryset=RiskZone.objects.none(),
        required=False,
        help_text=_("要重画的区域ID；不填为新建"),
        error_messages={"invalid_choice": _("请选择该平面图的区域")},
    )
    name = forms.CharField(label=_("区域名称"), max_length=60, error_messages={"required": _("请填写区域名称")})
    polygon = PolygonField(label=_("区域边界"), help_text=_("顶点 [[x, y], ...]，平面图宽、高的比例（0–1），至少三个"))
    risk_points = forms.ModelMultipleChoiceField(
        label=_("区域内的风险点"),
        queryset=RiskPoint.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("请选择本企业的风险点"),
            "invalid_pk_value": _("请选择本企业的风险点"),
            "invalid_list": _("请选择本企业的风险点"),
        },
    )

    def __init__(self, *args, user: User, plan: SitePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = _plan_zones(plan)
        self.fields["risk_points"].queryset = restrict(
            RiskPoint.objects.filter(enterprise_id=plan.enterprise_id, archived=False), user, VIEW
        ).order_by("name", "pk")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        points = [point.pk for point in data.get("risk_points") or []]
        return {"data": {"name": data["name"], "polygon": data["polygon"], "risk_points": points}, "zone": data["zone"]}


class ZoneArchiveForm(BootstrapMixin, forms.Form):
    zone = forms.ModelChoiceField(
        label=_("区域"),
        queryset=RiskZone.objects.none(),
        help_text=_("该平面图的区域ID"),
        error_messages={"invalid_choice": _("请选择该平面图的区域")},
    )

    def __init__(self, *args, user: User, plan: SitePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = _plan_zones(plan)


def plan_form_kwargs(user: User, plan: SitePlan) -> dict:
    return {"user": user, "plan": plan}
