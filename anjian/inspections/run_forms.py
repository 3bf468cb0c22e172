"""Input validation of the pages that run an inspection on a phone: start, answer one item, sign
and submit. Forms give friendly field errors; ``anjian.inspections.services`` re-checks every rule
under a row lock (only the inspector, only a draft, the item belongs to the version …)."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.actions import REQUIRED
from anjian.core.attachments import attachments_for, validate_upload
from anjian.core.forms import BootstrapMixin, LargeMixin, PhotosField, PositionMixin
from anjian.core.models import AttachmentKind
from anjian.core.scoping import VIEW, acting_enterprise, restrict
from anjian.enterprises.models import Enterprise
from anjian.inspections.models import (
    AnswerResult,
    AnswerType,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionKind,
)

MAX_NOTE = 1000
SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_CHARS = 1_400_000  # about 1 MB of PNG; a drawn signature is a few dozen kB


class StartForm(PositionMixin, forms.Form):
    """Which checklist (of those that apply to the enterprise) and which kind (of the user's)."""

    template = forms.TypedChoiceField(
        label=_("体检卡"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择体检卡"), "invalid_choice": _("该体检卡不适用于此企业")},
    )
    kind = forms.ChoiceField(label=_("检查类型"), widget=forms.HiddenInput)

    def __init__(self, *args, checklists, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in checklists]
        self.fields["kind"].choices = [(k, k) for k in kinds]
        if len(checklists) == 1 and not self.is_bound:
            self.initial.setdefault("template", checklists[0].pk)


class InspectionStartForm(forms.Form):
    """开始检查 (the declared ``start`` action: the page and the API): the enterprise (an enterprise
    user's own when left out; another or one outside the scope is a 404), the checklist (one in the
    user's scope; ``services.inspection_start`` checks it applies), the kind (default: the user's
    first) and where the phone was."""

    enterprise = forms.IntegerField(
        label=_("企业ID"), required=False, widget=forms.HiddenInput, help_text=_("企业用户不填即为本企业")
    )
    template = forms.IntegerField(label=_("体检卡ID"), help_text=_("须适用于该企业"))
    kind = forms.ChoiceField(
        label=_("检查类型"), required=False, choices=InspectionKind.choices, widget=forms.HiddenInput
    )
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(
        label=_("经度"), required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.offered: list | None = None

    def offer(self, checklists: list) -> None:
        """The page offers the checklists that apply to the enterprise (one alone is chosen)."""
        self.offered = list(checklists)
        self.fields["template"].error_messages["required"] = _("请选择体检卡")
        if len(self.offered) == 1 and not self.is_bound:
            self.initial.setdefault("template", self.offered[0].pk)

    def clean_enterprise(self):
        # An enterprise user acts for his own; out of scope and missing are a 404 (Http404).
        enterprise = acting_enterprise(self.user, self.cleaned_data["enterprise"], Enterprise.objects.all())
        if enterprise is None:
            raise ValidationError(REQUIRED, code="required")
        return enterprise

    def clean_template(self):
        pk = self.cleaned_data["template"]
        if self.offered is not None:
            template = next((t for t in self.offered if t.pk == pk), None)
            if template is None:
                raise ValidationError(gettext("该体检卡不适用于此企业"))
            return template
        template = restrict(ChecklistTemplate.objects.all(), self.user, VIEW).filter(pk=pk).first()
        if template is None:
            raise ValidationError(gettext("不存在：%(value)s") % {"value": pk})
        return template

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not self.has_error("latitude"):
            self.add_error("latitude", gettext("经纬度须同时提供"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "enterprise": data["enterprise"],
            "template": data["template"],
            "kind": data["kind"] or None,
            "latitude": data["latitude"],
            "longitude": data["longitude"],
        }


class AnswerForm(BootstrapMixin, forms.Form):
    """填写一项 (the declared ``answers`` action: the phone's item screen and the API): the item,
    the result button pressed (or the number measured), a note, photos taken as they come, where
    the phone was. Photos and notes are required where the submission would refuse the item
    without them, so the inspector hears it on the spot and not at the end. The item must belong
    to the inspection's own checklist version."""

    item = forms.IntegerField(
        label=_("检查项ID"), widget=forms.HiddenInput, error_messages={"invalid": _("请输入整数")}
    )
    result = forms.ChoiceField(
        label=_("结果"),
        choices=[("", "")] + AnswerResult.choices,
        required=False,
        help_text=_("数值题按范围自动判定"),
    )
    number_value = forms.DecimalField(label=_("测量值"), max_digits=12, decimal_places=3, required=False)
    note = forms.CharField(label=_("情况说明"), max_length=MAX_NOTE, required=False, widget=forms.Textarea)
    photos = PhotosField(label=_("照片"))
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(
        label=_("经度"), required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args,
        inspection: Inspection,
        item: ChecklistItem | None = None,
        has_photos: bool | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.item = item  # the phone's screen shows one item; the API names it in ``item``
        self.has_photos = has_photos
        self.fields["note"].widget.attrs.update(
            {"rows": 2, "placeholder": gettext("看到的情况（不合格时写明问题，或拍照）")}
        )
        number = self.fields["number_value"].widget
        number.attrs.update({"inputmode": "decimal", "step": "any", "class": "form-control form-control-lg"})
        if item is not None:
            self.initial.setdefault("item", item.pk)
            if item.min_value is not None:
                number.attrs["data-min"] = str(item.min_value)
            if item.max_value is not None:
                number.attrs["data-max"] = str(item.max_value)

    @property
    def needs_photo(self) -> bool:
        return self.item.photo_required or self.item.answer_type == AnswerType.PHOTO

    def clean_item(self) -> ChecklistItem:
        pk = self.cleaned_data["item"]
        if self.item is not None and self.item.pk == pk:
            return self.item
        item = ChecklistItem.objects.filter(pk=pk, checklist_version_id=self.inspection.checklist_version_id).first()
        if item is None:
            raise ValidationError(gettext("该检查项不属于这次检查的体检卡"))
        self.item = item
        return item

    def _has_stored_photos(self) -> bool:
        if self.has_photos is None:
            answer = InspectionAnswer.objects.filter(inspection_id=self.inspection.pk, item=self.item).first()
            self.has_photos = answer is not None and attachments_for(answer).exists()
        return self.has_photos

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not self.has_error("latitude"):
            self.add_error("latitude", gettext("经纬度须同时提供"))
        if self.errors:
            return data
        result = data.get("result") or ""
        has_photo = bool(data.get("photos")) or self._has_stored_photos()
        if self.item.answer_type == AnswerType.NUMBER:
            if data.get("number_value") is None and result != AnswerResult.NA:
                self.add_error("number_value", gettext("请填写数值"))
            if result != AnswerResult.NA:
                result = ""  # the service judges a measured value against the range
        elif not result:
            self.add_error("result", gettext("请选择合格、不合格或不适用"))
        elif result == AnswerResult.FAIL and not (data.get("note") or "").strip() and not has_photo:
            self.add_error("note", gettext("不合格项请写明情况或拍照"))
        if self.needs_photo and result != AnswerResult.NA and not has_photo and not self.errors:
            self.add_error("photos", gettext("此项须拍照"))
        data["result"] = result
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "item": data["item"],
            "result": data["result"],
            "number_value": data["number_value"],
            "note": data["note"],
            "photos": data["photos"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
        }


def decode_signature(value: str) -> SimpleUploadedFile | None:
    """The PNG drawn on the page's canvas (a ``data:`` URL), as an upload the attachment service
    checks by its content; None when nothing was drawn."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.startswith(SIGNATURE_PREFIX) or len(value) > MAX_SIGNATURE_CHARS:
        raise ValidationError(gettext("签名图片无效，请重新签名"))
    try:
        raw = base64.b64decode(value[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(gettext("签名图片无效，请重新签名")) from None
    upload = SimpleUploadedFile("signature.png", raw, content_type="image/png")
    try:
        validate_upload(upload, kind=AttachmentKind.PHOTO)
    except ValidationError:
        raise ValidationError(gettext("签名图片无效，请重新签名")) from None
    return upload


class SubmitForm(LargeMixin, BootstrapMixin, forms.Form):
    """签名提交 (the page and the API): conclusion, the signer's name and the handwritten signature,
    drawn on a canvas by static/anjian/signature.js (``signature_data``, a PNG ``data:`` URL) or
    a photo of a signature on paper (``signature_file``)."""

    summary = forms.CharField(label=_("检查结论"), required=False, max_length=2000, widget=forms.Textarea)
    signed_by = forms.CharField(label=_("签名人"), max_length=50)
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    signature_file = PhotosField(label=_("签名照片"), max_files=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].widget.attrs.update({"rows": 3, "placeholder": gettext("总体情况、整改要求")})
        self.fields["signed_by"].widget.attrs["autocomplete"] = "name"
        self.signature = None

    def clean(self):
        data = super().clean()
        try:
            self.signature = decode_signature(data.get("signature_data", ""))
        except ValidationError as exc:
            self.add_error("signature_data", exc)
            data["signature_data"] = ""
            return data
        if self.signature is None and data.get("signature_file"):
            self.signature = data["signature_file"][0]
        if self.signature is None and "signature_file" not in self.errors:
            self.add_error("signature_data", gettext("请在框内手写签名"))
        return data

    def service_kwargs(self) -> dict:
        """The keyword arguments of ``services.inspection_submit`` besides actor and inspection."""
        data = self.cleaned_data
        return {"signed_by": data["signed_by"], "summary": data["summary"], "signature": self.signature}
