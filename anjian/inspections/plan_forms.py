"""The patrol-plan form (巡查计划)."""

from __future__ import annotations

from django import forms

from anjian.core.forms import BootstrapMixin
from anjian.core.models import Region, RegionLevel
from anjian.core.scoping import restrict
from anjian.inspections.models import PatrolRule


def patrol_rule_form_class(user) -> type[forms.ModelForm]:
    """The patrol-rule form for ``user``: regions limited to his own area (town level and up)."""

    class PatrolRuleForm(BootstrapMixin, forms.ModelForm):
        class Meta:
            model = PatrolRule
            fields = ["kind", "region", "interval_days", "use_class_cycle"]

        def __init__(self, *args, user, **kwargs):
            super().__init__(*args, **kwargs)
            regions = Region.objects.filter(level__lte=RegionLevel.TOWN).order_by("code")
            self.fields["region"].queryset = regions if user.is_platform_admin else restrict(regions, user)
            self.fields["region"].required = not user.is_platform_admin

        def _post_clean(self):
            pass  # the service validates (area, range, one rule per region and kind)

    return PatrolRuleForm
