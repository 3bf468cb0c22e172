"""Input of the checklist actions: a checklist's name and applicability (new, settings, copy), its
items (publish), and the page's items editor (a formset: add, remove and reorder rows without
JavaScript). The action forms validate the page posts and the API bodies alike; the forms give
friendly field errors and ``anjian.inspections.services`` re-checks the rules when it writes."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import ORDERING_FIELD_NAME
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin
from anjian.enterprises.models import Industry, Tag, VenueType
from anjian.hazards.models import HazardCategory, MajorHazardCriterion
from anjian.inspections.models import AnswerType, ChecklistTemplate, ChecklistVersion, InspectionKind

ITEMS_PREFIX = "items"
MAX_ITEMS = 300
# Blank rows offered for new items: a new checklist gets a few, an edit one.
NEW_ROWS = 3
EDIT_ROWS = 1


# --- applicability ----------------------------------------------------------------------------


class CodesField(forms.CharField):
    """Codes as a text ("C33, C34", as a page posts them) or a list (["C33", "C34"], an API body)."""

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            value = ",".join(str(code) for code in value if code is not None)
        return super().to_python(value)

    def json_schema(self) -> dict[str, Any]:
        """The OpenAPI schema of the value (read by ``anjian.core.actions``)."""
        return {"anyOf": [{"type": "string", "maxLength": 300}, {"type": "array", "items": {"type": "string"}}]}


class ChecklistMetaForm(BootstrapMixin, forms.Form):
    """Name, description and where a new checklist applies (empty: everywhere)."""

    name = forms.CharField(label=_("名称"), max_length=120)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    industry_prefixes = CodesField(
        label=_("适用行业代码前缀"),
        required=False,
        max_length=300,
        help_text=_("国民经济行业分类代码，如 C 制造业、C33 金属制品业；多个用逗号分隔，留空为不限"),
    )
    venue_types = forms.MultipleChoiceField(
        label=_("适用场所类型"), required=False, choices=VenueType.choices, widget=forms.CheckboxSelectMultiple
    )
    risk_tags = forms.MultipleChoiceField(
        label=_("适用风险类型（标签）"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(
        label=_("适用检查类型"), required=False, choices=InspectionKind.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_tags"].choices = [
            (name, name) for name in Tag.objects.order_by("name").values_list("name", flat=True)
        ]

    @classmethod
    def initial_from(cls, template: ChecklistTemplate) -> dict[str, Any]:
        return {
            "name": template.name,
            "description": template.description,
            "industry_prefixes": ", ".join(template.industry_prefixes or []),
            "venue_types": list(template.venue_types or []),
            "risk_tags": list(template.risk_tags or []),
            "kinds": list(template.kinds or []),
        }

    def clean_industry_prefixes(self) -> list[str]:
        codes = [code.upper() for code in re.split(r"[\s,，、;；]+", self.cleaned_data["industry_prefixes"]) if code]
        codes = list(dict.fromkeys(codes))
        known = set(Industry.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(gettext("未知的行业代码：%(codes)s") % {"codes": "、".join(unknown)})
        return codes

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``services.checklist_create`` besides actor, name and items."""
        data = self.cleaned_data
        return {
            "description": data["description"].strip(),
            "industry_prefixes": data["industry_prefixes"],
            "venue_types": list(data["venue_types"]),
            "risk_tags": list(data["risk_tags"]),
            "kinds": list(data["kinds"]),
        }


class ChecklistCopyForm(ChecklistMetaForm):
    """复制为我的体检卡: the copy's name and applicability, starting from the source's."""

    def __init__(self, *args, template: ChecklistTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None and not self.is_bound and not self.initial:
            self.initial = self.initial_from(template)

    def service_kwargs(self) -> dict[str, Any]:
        return {"name": self.cleaned_data["name"], **self.service_fields()}


class ChecklistSettingsForm(ChecklistCopyForm):
    """修改名称与适用范围: name, description, where it applies, active (items change by publishing)."""

    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, template: ChecklistTemplate | None = None, **kwargs):
        super().__init__(*args, template=template, **kwargs)
        if template is not None and not self.is_bound:
            self.initial["active"] = template.active

    def service_kwargs(self) -> dict[str, Any]:
        data = {**self.service_fields(), "name": self.cleaned_data["name"], "active": self.cleaned_data["active"]}
        return {"data": data}


# --- items ------------------------------------------------------------------------------------


def item_choices() -> dict[str, Any]:
    """Category and criterion choices, read once per page and shared by every row."""
    categories = list(HazardCategory.objects.select_related("parent").order_by("rank", "code"))
    criteria = list(MajorHazardCriterion.objects.filter(active=True).order_by("code"))
    return {"categories": categories, "criteria": criteria}


class ItemForm(BootstrapMixin, forms.Form):
    """One item of a checklist version. ``major_criterion`` is a criterion code (a datalist on the
    page offers them), so a long checklist does not repeat a large select in every row."""

    text = forms.CharField(label=_("检查内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    clause = forms.CharField(label=_("依据条款"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("隐患类别"),
        required=False,
        choices=(),
        error_messages={"invalid_choice": _("隐患类别不存在：%(value)s")},
    )
    answer_type = forms.ChoiceField(label=_("答案类型"), choices=AnswerType.choices, initial=AnswerType.CHECK)
    min_value = forms.DecimalField(label=_("下限"), required=False, max_digits=12, decimal_places=3)
    max_value = forms.DecimalField(label=_("上限"), required=False, max_digits=12, decimal_places=3)
    unit = forms.CharField(label=_("单位"), required=False, max_length=20)
    photo_required = forms.BooleanField(label=_("须拍照"), required=False)
    major_criterion = forms.CharField(
        label=_("重大隐患判定依据"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"list": "criteria-codes", "autocomplete": "off"}),
    )

    def __init__(self, *args, categories=(), criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in categories}
        self.criteria = {c.code: c for c in criteria}
        self.fields["category"].choices = [("", "—")] + [
            (c.code, f"{c.parent.name} · {c.name}" if c.parent_id else c.name) for c in categories
        ]
        self.fields["major_criterion"].widget.attrs["placeholder"] = gettext("如 FC-03，留空为否")
        for field in self.fields.values():  # a long list of rows: small controls
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("form-control", "form-control form-control-sm").replace(
                "form-select", "form-select form-select-sm"
            )

    def clean_major_criterion(self) -> str:
        code = self.cleaned_data["major_criterion"].strip().upper()
        if code and code not in self.criteria:
            raise ValidationError(gettext("判定依据不存在：%(code)s") % {"code": code})
        return code

    def clean(self):
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if data.get("answer_type") == AnswerType.NUMBER and low is None and high is None:
            self.add_error("min_value", gettext("数值题须给出下限或上限"))
        if low is not None and high is not None and low > high:
            self.add_error("max_value", gettext("下限不能大于上限"))
        return data

    def item(self) -> dict[str, Any]:
        """The item as ``services.checklist_publish`` takes it."""
        data = self.cleaned_data
        number = data["answer_type"] == AnswerType.NUMBER
        return {
            "text": data["text"],
            "clause": data["clause"],
            "category": self.categories.get(data["category"]),
            "answer_type": data["answer_type"],
            "min_value": data["min_value"] if number else None,
            "max_value": data["max_value"] if number else None,
            "unit": data["unit"] if number else "",
            "photo_required": data["photo_required"],
            "major_criterion": self.criteria.get(data["major_criterion"]),
        }


class BaseItemFormSet(forms.BaseFormSet):
    """Rows in the order of their 序号 (a decimal, so 2.5 goes between 2 and 3; blank goes last);
    ticked rows are removed; blank new rows are ignored."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[ORDERING_FIELD_NAME] = forms.DecimalField(
            label=_("序号"),
            required=False,
            max_digits=8,
            decimal_places=2,
            initial=index + 1 if index is not None and index < self.initial_form_count() else None,
            widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any", "min": "0"}),
        )
        form.fields["DELETE"].label = _("删除")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def kept_forms(self) -> list:
        """The rows that will be published: neither ticked for removal nor new and left blank."""
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed()) and not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors):
            return
        if not self.kept_forms():
            raise ValidationError(gettext("体检卡至少需要一个检查项"))

    def items(self) -> list[dict[str, Any]]:
        return [form.item() for form in self.ordered_forms]

    def rows(self) -> list[dict[str, Any]]:
        """The kept rows in order, as the publish action's ``items`` input takes them."""
        return [{name: form.cleaned_data.get(name) for name in ItemForm.base_fields} for form in self.ordered_forms]


class ItemsField(forms.Field):
    """The items of a version as a list of objects (JSON; a JSON text in a form post), each
    validated by ``ItemForm`` like a row of the page's editor; errors name the item."""

    default_error_messages = {"invalid": _("请提交检查项列表（JSON 数组）")}

    def to_python(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def validate(self, value) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        rows = self.to_python(value)
        self.validate(rows)
        if rows is None:
            return []
        if not rows:
            raise ValidationError(gettext("体检卡至少需要一个检查项"))
        if len(rows) > MAX_ITEMS:
            raise ValidationError(gettext("最多 %(n)d 个检查项") % {"n": MAX_ITEMS})
        choices = item_choices()
        defaults = {name: field.initial for name, field in ItemForm.base_fields.items() if field.initial is not None}
        errors, items = [], []
        for number, row in enumerate(rows, start=1):
            unknown = sorted(set(row) - set(ItemForm.base_fields))
            for name in unknown:
                errors.append(gettext("第%(n)d项：不支持的字段：%(name)s") % {"n": number, "name": name})
            form = ItemForm({**defaults, **{k: v for k, v in row.items() if v is not None}}, **choices)
            if not form.is_valid():
                for name, field_errors in form.errors.as_data().items():
                    label = form.fields[name].label if name in form.fields else ""
                    for error in field_errors:
                        # "required" alone does not say which field: name it
                        prefix = f"{label}：" if label and error.code == "required" else ""
                        message = error.message % error.params if error.params else error.message
                        errors.append(gettext("第%(n)d项：") % {"n": number} + prefix + str(message))
            elif not unknown:
                items.append(form.item())
        if errors:
            raise ValidationError(errors)
        return items

    def json_schema(self) -> dict[str, Any]:
        """The OpenAPI schema of the value (read by ``anjian.core.actions``)."""
        properties = {
            "text": {"type": "string", "maxLength": 2000, "description": str(_("检查内容"))},
            "clause": {"type": "string", "maxLength": 200, "description": str(_("依据条款"))},
            "category": {"type": ["string", "null"], "description": str(_("隐患类别代码"))},
            "answer_type": {"type": "string", "enum": list(AnswerType.values), "default": AnswerType.CHECK},
            "min_value": {"type": ["number", "string", "null"], "description": str(_("下限"))},
            "max_value": {"type": ["number", "string", "null"], "description": str(_("上限"))},
            "unit": {"type": "string", "maxLength": 20, "description": str(_("单位"))},
            "photo_required": {"type": "boolean", "default": False},
            "major_criterion": {"type": ["string", "null"], "description": str(_("重大隐患判定依据编号"))},
        }
        return {
            "type": "array",
            "maxItems": MAX_ITEMS,
            "items": {"type": "object", "properties": properties, "required": ["text"], "additionalProperties": False},
        }


class ChecklistCreateForm(ChecklistMetaForm):
    """新建体检卡: name, applicability and the items of the first version. The page's editor posts
    its rows here (``BaseItemFormSet.rows``), the API its JSON body; the owner follows the user."""

    items = ItemsField(label=_("检查项"), help_text=_("第1版的全部检查项，按顺序"), widget=forms.HiddenInput)

    def service_kwargs(self) -> dict[str, Any]:
        return {"name": self.cleaned_data["name"], "items": self.cleaned_data["items"], **self.service_fields()}


def item_formset(extra: int = 0):
    return forms.formset_factory(
        ItemForm,
        formset=BaseItemFormSet,
        extra=extra,
        can_order=True,
        can_delete=True,
        max_num=MAX_ITEMS,
        validate_max=True,
        absolute_max=MAX_ITEMS,
    )


def initial_items(checklist_version: ChecklistVersion | None) -> list[dict[str, Any]]:
    """The rows of an editor that starts from a published version."""
    if checklist_version is None:
        return []
    rows = []
    for item in checklist_version.items.select_related("category", "major_criterion").order_by("position"):
        rows.append(
            {
                "text": item.text,
                "clause": item.clause,
                "category": item.category.code if item.category_id else "",
                "answer_type": item.answer_type,
                "min_value": plain(item.min_value),
                "max_value": plain(item.max_value),
                "unit": item.unit,
                "photo_required": item.photo_required,
                "major_criterion": item.major_criterion.code if item.major_criterion_id else "",
            }
        )
    return rows


def bound_items(data, *, add_row: bool = False):
    """The editor bound to posted rows; ``add_row`` appends one blank row (the "添加一行" button)."""
    if add_row:
        data = data.copy()
        key = f"{ITEMS_PREFIX}-TOTAL_FORMS"
        try:
            total = int(data.get(key, "0"))
        except ValueError:
            total = 0
        data[key] = str(min(total + 1, MAX_ITEMS))
    return item_formset()(data, prefix=ITEMS_PREFIX, form_kwargs=item_choices())


def blank_items(initial: list[dict[str, Any]] | None = None, *, extra: int = EDIT_ROWS):
    return item_formset(extra)(initial=initial or None, prefix=ITEMS_PREFIX, form_kwargs=item_choices())


class PublishForm(BootstrapMixin, forms.Form):
    """编辑并发布新版本: every item of the new version, in order, and a note. The page's editor
    posts its rows here (``BaseItemFormSet.rows``), the API its JSON body."""

    items = ItemsField(label=_("检查项"), help_text=_("新版本的全部检查项，按顺序"), widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("修订说明"), required=False, max_length=200, help_text=_("这一版改了什么，将显示在版本记录中")
    )
    # The version the editor started from: publishing over a newer one asks to reload first.
    base = forms.IntegerField(label=_("所据版本号"), required=False, min_value=1, widget=forms.HiddenInput)


def plain(value: Decimal | None) -> str:
    """A stored bound without trailing zeros ("4" rather than "4.000")."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
