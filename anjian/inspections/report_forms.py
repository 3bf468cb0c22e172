"""Input of the monthly safety report pages (安全情况报审). The services re-check every rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin, PhotosField
from anjian.inspections.services import REPORT_FIELDS

TEXT_LIMIT = 2000


class MonthlyReportForm(BootstrapMixin, forms.Form):
    passages = forms.CharField(
        label=_("主要通道"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("安全出口、疏散通道是否畅通，有无堆放杂物"),
    )
    key_equipment = forms.CharField(
        label=_("重点设备"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("特种设备、重点设备运行和检验情况"),
    )
    electrical = forms.CharField(
        label=_("用电情况"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("配电箱、线路、插座有无私拉乱接和破损"),
    )
    other = forms.CharField(label=_("其他情况"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea)
    photos = PhotosField(label=_("现场照片"))

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in REPORT_FIELDS):
            self.add_error("passages", _("请至少填写一项情况"))
        return data

    def report_data(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in REPORT_FIELDS}


class MonthlyReportSubmitForm(MonthlyReportForm):
    """提交月度报告 (the declared ``submit`` collection action: the page with its month picker and the
    API): the month (YYYY-MM) of the user's own enterprise, the four texts and the photos."""

    month = forms.CharField(label=_("月份"), max_length=7, widget=forms.HiddenInput, help_text=_("YYYY-MM，如 2025-05"))

    field_order = ["month"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_month(self) -> dt.date:
        try:
            return dt.datetime.strptime(self.cleaned_data["month"].strip(), "%Y-%m").date()
        except ValueError:
            raise ValidationError(gettext("请输入月份（YYYY-MM）")) from None

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "enterprise": self.user.enterprise,
            "month": self.cleaned_data["month"],
            "data": self.report_data(),
            "photos": self.cleaned_data["photos"],
        }


class ReturnReportForm(BootstrapMixin, forms.Form):
    """Return a submitted report: the reason is required and shown to the enterprise."""

    reason = forms.CharField(
        label=_("退回原因"), max_length=200, widget=forms.Textarea, error_messages={"required": _("请填写退回原因")}
    )
