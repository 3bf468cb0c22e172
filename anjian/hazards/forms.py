"""Input validation of the hazard pages. Forms give friendly field errors; the services in
``anjian.hazards.services`` re-check every rule under a row lock."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin, LargeMixin, PhotosField, PositionMixin
from anjian.core.models import User
from anjian.core.roles import ENTERPRISE_ROLES
from anjian.core.scoping import VIEW, acts_for_own_enterprise, own_enterprise, restrict
from anjian.core.validators import validate_phone
from anjian.enterprises.models import Enterprise
from anjian.hazards.models import Hazard, HazardCategory, HazardLevel, HazardSource, MajorHazardCriterion
from anjian.hazards.services import PLAN_FIELDS

# What an enterprise user may name as the source of his own report.
ENTERPRISE_SOURCES = [(HazardSource.SELF_CHECK, _("企业自查")), (HazardSource.MEETING, _("班前会"))]


def category_choices() -> list:
    """The configurable two-level categories, grouped by their top level (``<optgroup>``)."""
    rows = list(
        HazardCategory.objects.filter(active=True)
        .order_by("rank", "code")
        .values_list("pk", "code", "name", "parent_id")
    )
    tops = {pk: name for pk, _code, name, parent in rows if parent is None}
    groups: dict[int, list] = {pk: [] for pk in tops}
    for _pk, code, name, parent in rows:
        if parent in groups:
            groups[parent].append((code, name))
    return [("", "---------")] + [(tops[top], items) for top, items in groups.items() if items]


class ReportForm(LargeMixin, BootstrapMixin, PositionMixin, forms.Form):
    """Report a hazard (上报隐患). An enterprise user's enterprise is fixed; anybody else picks one
    in his scope (radio buttons found by a text search, never a list of every enterprise)."""

    # Required for anyone but an enterprise user, who always reports for his own (set in __init__).
    enterprise = forms.ModelChoiceField(
        label=_("企业"),
        queryset=Enterprise.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        help_text=_("企业用户不填，即为本企业"),
    )
    place = forms.CharField(label=_("隐患部位"), max_length=100)
    category = forms.ChoiceField(label=_("隐患类别"), error_messages={"invalid_choice": _("不存在：%(value)s")})
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}))
    suggested_level = forms.ChoiceField(
        label=_("建议等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label=_("来源"), choices=ENTERPRISE_SOURCES, initial=HazardSource.SELF_CHECK, widget=forms.RadioSelect
    )
    photos = PhotosField(label=_("现场照片"))

    def __init__(self, *args, user: User, enterprise: Enterprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fixed_enterprise = None
        self.fields["enterprise"].error_messages["invalid_choice"] = _("不存在：%(value)s")
        if acts_for_own_enterprise(user):
            self.fixed_enterprise = enterprise or own_enterprise(user)
            del self.fields["enterprise"]
        else:
            del self.fields["source"]
            self.fields["enterprise"].required = True
            self.fields["enterprise"].help_text = ""
            self.fields["enterprise"].queryset = restrict(Enterprise.objects.all(), user, VIEW)
            if enterprise is not None:
                self.initial.setdefault("enterprise", enterprise.pk)
        self.fields["category"].choices = category_choices()
        self.fields["place"].widget.attrs.update(
            {"placeholder": gettext("如：二号车间配电房"), "autocomplete": "off", "enterkeyhint": "next"}
        )
        self.fields["description"].widget.attrs["placeholder"] = gettext("看到了什么问题")

    def clean_category(self) -> HazardCategory:
        return HazardCategory.objects.get(code=self.cleaned_data["category"], active=True)

    def service_kwargs(self) -> dict:
        """The arguments of ``services.hazard_report`` (the declared action "report")."""
        data = self.cleaned_data
        return {
            "enterprise": self.fixed_enterprise or data["enterprise"],
            "place": data["place"],
            "category": data["category"],
            "description": data["description"],
            "suggested_level": data["suggested_level"],
            "source": data.get("source") or None,
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "photos": data["photos"],
        }

    def chosen_enterprise(self) -> Enterprise | None:
        """The enterprise shown as picked (initial or submitted), for the page to render it."""
        if self.fixed_enterprise is not None:
            return self.fixed_enterprise
        if "enterprise" not in self.fields:
            return None
        if self.is_bound:
            value = self.data.get("enterprise")
        else:
            value = self.initial.get("enterprise")
        if not value:
            return None
        try:
            return self.fields["enterprise"].queryset.filter(pk=int(value)).select_related("region").first()
        except (TypeError, ValueError):
            return None


class AssignForm(LargeMixin, BootstrapMixin, forms.Form):
    responsible = forms.ModelChoiceField(
        label=_("整改责任人"), queryset=User.objects.none(), error_messages={"invalid_choice": _("不存在：%(value)s")}
    )
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(
        label=_("隐患等级"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL, widget=forms.RadioSelect
    )
    criteria = forms.ModelMultipleChoiceField(
        label=_("重大隐患判定依据"),
        queryset=MajorHazardCriterion.objects.none(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("不存在：%(value)s")},
        widget=forms.CheckboxSelectMultiple,
    )
    plan_goal = forms.CharField(label=_("治理目标和任务"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan_measures = forms.CharField(
        label=_("采取的方法和措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plan_funds_and_materials = forms.CharField(
        label=_("经费和物资落实"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plan_people = forms.CharField(
        label=_("负责治理的机构和人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plan_deadline = forms.DateField(
        label=_("治理时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    plan_interim_measures = forms.CharField(
        label=_("治理期间的安全措施和应急预案"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    PLAN_FORM_FIELDS = tuple(f"plan_{name}" for name in PLAN_FIELDS)

    def __init__(self, *args, hazard: Hazard, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.hazard = hazard
        self.fields["responsible"].queryset = User.objects.filter(
            enterprise_id=hazard.enterprise_id, role__in=ENTERPRISE_ROLES, is_active=True
        ).order_by("display_name", "username")
        self.fields["criteria"].queryset = MajorHazardCriterion.objects.filter(active=True).order_by("field", "code")
        today = timezone.localdate().isoformat()
        self.fields["deadline"].widget.attrs["min"] = today
        self.fields["plan_deadline"].widget.attrs["min"] = today
        if not self.is_bound:
            plan = getattr(hazard, "plan", None) if hazard.level == HazardLevel.MAJOR else None
            self.initial.update(
                {
                    "responsible": hazard.responsible_id,
                    "deadline": hazard.deadline or timezone.localdate() + dt.timedelta(days=7),
                    "measures": hazard.measures,
                    "level": hazard.level if hazard.responsible_id else hazard.suggested_level,
                    "criteria": list(hazard.criteria.values_list("code", flat=True)),
                }
            )
            if plan is not None:
                self.initial.update({f"plan_{name}": getattr(plan, name) for name in PLAN_FIELDS})

    def criteria_groups(self) -> list[tuple[str, list]]:
        """The criteria checkboxes grouped by industry / field, for the picker."""
        field_of = dict(self.fields["criteria"].queryset.values_list("code", "field"))
        groups: dict[str, list] = {}
        for box in self["criteria"]:
            groups.setdefault(field_of.get(box.data["value"].value, ""), []).append(box)
        return list(groups.items())

    def is_major(self) -> bool:
        data = self.cleaned_data
        return data.get("level") == HazardLevel.MAJOR or bool(data.get("criteria"))

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError(gettext("整改期限不能早于今天"))
        return deadline

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.is_major():
            for name in self.PLAN_FORM_FIELDS:
                value = data.get(name)
                if value in (None, "") or (isinstance(value, str) and not value.strip()):
                    self.add_error(name, gettext("重大隐患须填写此项"))
            plan_deadline = data.get("plan_deadline")
            if plan_deadline and plan_deadline < timezone.localdate():
                self.add_error("plan_deadline", gettext("治理时限不能早于今天"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        major = self.is_major()
        return {
            "responsible": data["responsible"],
            "deadline": data["deadline"],
            "measures": data["measures"],
            "level": HazardLevel.MAJOR if major else HazardLevel.GENERAL,
            "criteria": list(data["criteria"]),
            "plan": {name: data[f"plan_{name}"] for name in PLAN_FIELDS} if major else None,
        }


class RectifyForm(LargeMixin, BootstrapMixin, PositionMixin, forms.Form):
    rectification = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}))
    cost = forms.DecimalField(label=_("整改资金(元)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    photos = PhotosField(label=_("整改后照片"), required=True, error_messages={"required": _("请上传整改后照片")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost"].widget.attrs["inputmode"] = "decimal"


class AcceptForm(LargeMixin, BootstrapMixin, forms.Form):
    comment = forms.CharField(label=_("验收意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("验收照片"))


class ReturnForm(LargeMixin, BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseOnSpotForm(LargeMixin, BootstrapMixin, PositionMixin, forms.Form):
    rectification = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("整改后照片"), required=True, error_messages={"required": _("请上传整改后照片")})


class CancelForm(LargeMixin, BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class PublicReportForm(LargeMixin, BootstrapMixin, forms.Form):
    """群众举报: no login; the enterprise comes from the signed QR code, never from the form."""

    place = forms.CharField(label=_("具体位置"), max_length=100)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("照片"), max_files=6)
    reporter_name = forms.CharField(label=_("您的称呼"), max_length=20, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=11, required=False, validators=[validate_phone])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.attrs["placeholder"] = gettext("如：仓库东侧消防通道")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["phone"].help_text = gettext("选填，仅监管部门可见，便于核实")
