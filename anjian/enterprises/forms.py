from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import grid_inspectors
from anjian.core.forms import BootstrapMixin
from anjian.core.models import Region, RegionLevel, User
from anjian.core.scoping import restrict
from anjian.core.validators import validate_credit_code, validate_phone
from anjian.enterprises.models import Enterprise
from anjian.enterprises.services import editable_fields


def region_label(region: Region) -> str:
    return f"{region.code} {region.name}"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return region_label(obj)


class EnterpriseForm(BootstrapMixin, forms.ModelForm):
    """Fields are chosen per user by ``enterprise_form_class``; querysets are scoped."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "region" in self.fields:
            field = self.fields["region"]
            field.queryset = restrict(Region.objects.filter(level__gte=RegionLevel.TOWN), user).order_by("code")
            field.label_from_instance = region_label
        if "grid_inspector" in self.fields:
            self.fields["grid_inspector"].queryset = grid_inspectors(user)
        if "credit_code" in self.fields:
            self.fields["credit_code"].validators.append(validate_credit_code)
        for name in ("contact_phone", "safety_manager_phone", "admin_phone"):
            if name in self.fields:
                self.fields[name].validators.append(validate_phone)
        if "established_on" in self.fields:
            self.fields["established_on"].widget = forms.DateInput(attrs={"type": "date"})

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def _post_clean(self):
        # Model validation (uniqueness etc.) is the service's job; keep the form to field checks.
        pass


def enterprise_form_class(user: User, instance: Enterprise | None) -> type[EnterpriseForm] | None:
    fields = editable_fields(user, instance)
    if not fields:
        return None
    return forms.modelform_factory(Enterprise, form=EnterpriseForm, fields=fields)


class MoveForm(BootstrapMixin, forms.Form):
    """调整网格 (the page and the API): the new grid by its code, the grid inspector by his id."""

    region = RegionChoiceField(label=_("新网格/区划"), queryset=Region.objects.none(), to_field_name="code")
    grid_inspector = forms.ModelChoiceField(
        label=_("责任网格员"), queryset=User.objects.none(), required=False, help_text=_("不填则清空")
    )

    def __init__(self, *args, user: User, enterprise: Enterprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprise is not None and not self.is_bound:
            self.initial = {"region": enterprise.region_id, "grid_inspector": enterprise.grid_inspector_id}
        self.fields["region"].queryset = restrict(Region.objects.filter(level__gte=RegionLevel.TOWN), user)
        self.fields["grid_inspector"].queryset = grid_inspectors(user)
