from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core import services
from anjian.core.attachments import validate_upload
from anjian.core.models import AttachmentKind, Department, Region, RegionLevel, User
from anjian.core.roles import Role
from anjian.core.scoping import region_condition, restrict
from anjian.core.validators import validate_phone


class BootstrapMixin:
    """Adds Bootstrap classes to every widget so all forms look alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)


class SignupForm(BootstrapMixin, forms.Form):
    """Self-registration of an enterprise admin; the account is bound to an enterprise afterwards
    (QR code shown by the grid inspector, or the phone number the enterprise pre-registered)."""

    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=11, validators=[validate_phone])
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if User.objects.filter(phone=phone).exists() or User.objects.filter(username=phone).exists():
            raise forms.ValidationError(_("该手机号已注册，请直接登录"))
        return phone

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        elif data.get("password"):
            candidate = User(username=data.get("phone", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


# --- Account management (用户管理) --------------------------------------------------------------


class UserForm(BootstrapMixin, forms.ModelForm):
    """Create or edit an account. ``user_form_class`` chooses the fields per actor; the role choices
    and the region / department / enterprise / agency querysets show only what the actor may give
    (``anjian.core.services`` checks it all again)."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = user
        if "role" in self.fields:
            allowed = set(services.grantable_roles(user))
            self.fields["role"].choices = [("", "---------")] + [
                (v, label) for v, label in Role.choices if v in allowed
            ]
        if "region" in self.fields:
            field = self.fields["region"]
            field.queryset = restrict(Region.objects.filter(level__gte=RegionLevel.DISTRICT), user).order_by("code")
            field.label_from_instance = lambda r: f"{r.code} {r.name}"
            field.help_text = _("政府账号填写：区县管理员选区县，镇街管理员选镇街，网格员选村社区或网格")
        if "department" in self.fields:
            self.fields["department"].queryset = Department.objects.all()
            self.fields["department"].help_text = _("部门监管员必填")
        if "enterprise" in self.fields:
            # the account's enterprise and agency are the User model's relations: the kernel names
            # no app of the domain
            enterprises = User._meta.get_field("enterprise").related_model._default_manager.all()
            self.fields["enterprise"].queryset = restrict(enterprises, user).order_by("name")
            self.fields["enterprise"].help_text = _("企业账号填写")
        if "agency" in self.fields:
            agencies = User._meta.get_field("agency").related_model._default_manager.order_by("name")
            if not user.is_platform_admin:
                agencies = agencies.filter(region_condition("region", user.region_id))
            self.fields["agency"].queryset = agencies
            self.fields["agency"].help_text = _("服务机构账号填写")
        if "phone" in self.fields:
            self.fields["phone"].validators.append(validate_phone)
        if "password" in self.fields:
            self.fields["password"].help_text = _("初始密码：请告知本人，并提醒其登录后修改")

    def _post_clean(self):
        # Uniqueness and the granting rules are the service's job; the form checks fields only.
        pass


class NewUserForm(UserForm):
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False)


def user_form_class(actor: User, instance: User | None) -> type[UserForm] | None:
    """The account form ``actor`` gets for ``instance`` (None: a new account), or None."""
    if instance is not None and instance.pk == actor.pk:
        fields = ["display_name", "phone", "email"]  # one's own role and placement are not one's to change
    elif instance is None and not services.may_create_users(actor):
        return None
    elif instance is not None and not services.may_manage(actor, instance):
        return None
    else:
        fields = ["username", "display_name", "phone", "email", "role"]
        if actor.is_platform_admin or actor.role == Role.DISTRICT_ADMIN:
            fields += ["region", "department", "enterprise", "agency"]
        elif actor.role == Role.TOWN_ADMIN:
            fields += ["region", "department", "enterprise"]
    if instance is None:
        return forms.modelform_factory(User, form=NewUserForm, fields=[fields[0], "password", *fields[1:]])
    return forms.modelform_factory(User, form=UserForm, fields=fields)


class SetPasswordForm(BootstrapMixin, forms.Form):
    """A manager sets a new password for an account (重置密码)."""

    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


# --- phone form parts (camera photos, position, large controls) ------------------------------

MAX_PHOTOS = 9


class MultiplePhotoInput(forms.FileInput):
    """``<input type=file multiple accept=image/* capture=environment>``: opens the camera on a phone."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        base = {"accept": "image/*", "capture": "environment", "multiple": True}
        super().__init__({**base, **(attrs or {})})

    def use_required_attribute(self, initial) -> bool:
        # The input is hidden behind a big camera button; the server says what is missing.
        return False


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by its content like every other upload."""

    widget = MultiplePhotoInput

    def __init__(self, *, max_files: int = MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(gettext("最多上传 %(n)d 张照片") % {"n": self.max_files}, code="too_many")
        errors = []
        for upload in uploads:
            forms.FileField.to_python(self, upload)
            try:
                validate_upload(upload, kind=AttachmentKind.PHOTO)
            except ValidationError as exc:
                errors.append(f"“{upload.name}”：{' '.join(exc.messages)}")
        if errors:
            raise ValidationError(errors)
        return uploads


class LargeMixin:
    """Large inputs and selects: pages for a thumb on a cheap phone (after BootstrapMixin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if "form-select" in css.split():
                field.widget.attrs["class"] = f"{css} form-select-lg"
            elif "form-control" in css.split() and not isinstance(field.widget, forms.FileInput):
                field.widget.attrs["class"] = f"{css} form-control-lg"


class PositionMixin(forms.Form):
    """Hidden latitude / longitude filled by static/anjian/geo.js when the phone gives a position."""

    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = None  # half a position is no position
        return data
