"""Forms of the risk pages: the phone check of an inspection point (one block per task: 正常/异常,
a note, photos as the task's evidence rule asks, the position) and the monthly self-review.

The forms check what a field can say (a photo is a photo, a note is not too long); who may check
and which results are complete are the rules of ``services.point_check``, which the view calls
and whose errors it lists."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.api.inputs import check_photos
from anjian.core.forms import BootstrapMixin, LargeMixin, PhotosField, PositionMixin
from anjian.core.models import User
from anjian.core.scoping import VIEW, acting_enterprise, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks.models import EvidenceRule, InspectionPoint, InspectionTask

PASS, FAIL = "pass", "fail"
RESULT_CHOICES = [(PASS, _("正常")), (FAIL, _("异常"))]
PHOTO_PREFIX = "photos_"  # the API's photo files: photos_<task id>


class PhotoSlot:
    """One photo input of a task block: its field name and what the worker should photograph."""

    def __init__(self, name: str, label, required: bool):
        self.name = name
        self.label = label
        self.required = required


def photo_slots(task: InspectionTask) -> list[PhotoSlot]:
    if task.evidence == EvidenceRule.BEFORE_AFTER:
        return [
            PhotoSlot(f"before_{task.pk}", _("处理前照片"), True),
            PhotoSlot(f"after_{task.pk}", _("处理后照片"), True),
        ]
    if task.evidence == EvidenceRule.PHOTO:
        return [PhotoSlot(f"photos_{task.pk}", _("现场照片"), True)]
    return [PhotoSlot(f"photos_{task.pk}", _("照片（异常时必拍）"), False)]


class CheckResultsField(forms.Field):
    """The API's ``results``: a list ``[{task, passed, note}]``, as JSON (a list in a JSON body,
    its text in a multipart body)."""

    default_error_messages = {"invalid": _("格式不正确：应为 JSON 列表，每项含 task、passed、note")}

    def to_python(self, value):
        if value in (None, "", []):
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "task": {"type": "integer", "description": gettext("任务ID")},
                    "passed": {"type": "boolean", "description": gettext("正常为 true，异常为 false")},
                    "note": {"type": "string", "maxLength": 300, "description": gettext("异常情况（异常时必填）")},
                },
                "required": ["task", "passed"],
            },
        }


class PointCheckForm(LargeMixin, BootstrapMixin, PositionMixin, forms.Form):
    """The check of one point (the inspection points' action "checks"), page and API alike.

    The API posts ``results`` (``CheckResultsField``) and its photos as files ``photos_<task id>``,
    collected and checked in ``clean``. The phone page (``page=True``) posts, for each active task,
    ``result_<id>``, ``note_<id>`` and its photo inputs, the task ids as ``task``; ``clean`` turns
    them into the same results. ``service_kwargs`` gives ``services.point_check`` its input."""

    takes_files = True  # photos_<task id>, named at run time: the API body is multipart too

    results = CheckResultsField(
        label=_("巡检结果"),
        help_text=format_lazy(
            _(
                "每项对应该巡检点的一个任务。照片按任务分组上传（multipart），文件字段名为 "
                "{prefix}<任务ID>（可重复多张）：留证要求为拍照的任务至少一张，前后对比的至少两张；"
                "异常项须写明情况并至少一张照片，并立即生成隐患。"
            ),
            prefix=PHOTO_PREFIX,
        ),
    )

    def __init__(self, *args, point: InspectionPoint, page: bool = False, **kwargs):
        self.point = point
        self.page = page
        self.tasks = list(
            InspectionTask.objects.filter(point=point, archived=False).select_related("owner").order_by("pk")
        )
        super().__init__(*args, **kwargs)
        if not page:
            return
        del self.fields["results"]
        for task in self.tasks:
            self.fields[f"result_{task.pk}"] = forms.ChoiceField(
                label=task.content, choices=RESULT_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.fields[f"note_{task.pk}"] = forms.CharField(
                label=_("情况说明"),
                max_length=300,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": gettext("异常时写明看到的问题")}),
            )
            for slot in photo_slots(task):
                max_files = 1 if task.evidence == EvidenceRule.BEFORE_AFTER else 3
                self.fields[slot.name] = PhotosField(label=slot.label, max_files=max_files)

    def blocks(self):
        """[(task, result field, note field, [(slot, photo field)])] for the template."""
        if not self.page:
            return []
        return [
            (
                task,
                self[f"result_{task.pk}"],
                self[f"note_{task.pk}"],
                [(slot, self[slot.name]) for slot in photo_slots(task)],
            )
            for task in self.tasks
        ]

    def clean(self):
        position = (self.data.get("latitude") in (None, "")) != (self.data.get("longitude") in (None, ""))
        data = super().clean()
        if self.page:
            data["results"] = self._page_results()
            for problem in self._missing_evidence():
                self.add_error(None, problem)
            return data
        if position:
            self.add_error("latitude", gettext("经纬度须同时提供"))
        results = data.get("results")
        if results is None:
            return data
        tasks = {str(result.get("task")) for result in results}
        photos: dict[str, list] = {}
        for name in self.files or {}:
            key = name.removeprefix(PHOTO_PREFIX)
            if not name.startswith(PHOTO_PREFIX) or key not in tasks:
                message = gettext("照片字段应为 %(prefix)s<任务ID>，且该任务在 results 中") % {"prefix": PHOTO_PREFIX}
                self._errors[name] = self.error_class([message])  # a file input the form has no field for
                continue
            uploads = self.files.getlist(name)
            found = check_photos(uploads)
            if found:
                self._errors[name] = self.error_class(found["photos"])
            photos[key] = uploads
        data["results"] = [
            {
                "task": result.get("task"),
                "passed": result.get("passed"),
                "note": result.get("note") or "",
                "photos": photos.get(str(result.get("task")), []),
            }
            for result in results
        ]
        return data

    def _page_results(self) -> list[dict]:
        """One result per task id in the body that has a result chosen (a task id that is not this
        point's goes as it is, so the service names it)."""
        known = {str(task.pk): task for task in self.tasks}
        data = self.cleaned_data
        results = []
        for task_id in dict.fromkeys(self.data.getlist("task") if hasattr(self.data, "getlist") else []):
            task = known.get(task_id)
            if task is None:
                results.append({"task": task_id, "passed": None})
                continue
            chosen = data.get(f"result_{task.pk}")
            if not chosen:
                continue  # not ticked this time
            photos = []
            for slot in photo_slots(task):
                photos += data.get(slot.name) or []
            results.append(
                {
                    "task": task.pk,
                    "passed": chosen == PASS,
                    "note": data.get(f"note_{task.pk}", ""),
                    "photos": photos,
                }
            )
        return results

    def _missing_evidence(self) -> list[str]:
        """Before-and-after photos are two inputs: say which one is missing (the service only
        counts photos)."""
        problems = []
        for task in self.tasks:
            if task.evidence != EvidenceRule.BEFORE_AFTER or not self.cleaned_data.get(f"result_{task.pk}"):
                continue
            for slot in photo_slots(task):
                if not self.cleaned_data.get(slot.name):
                    problems.append(
                        gettext("“%(task)s”缺少%(photo)s") % {"task": task.content, "photo": str(slot.label)}
                    )
        return problems

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"results": data["results"], "latitude": data.get("latitude"), "longitude": data.get("longitude")}


def check_form_kwargs(user: User, point: InspectionPoint) -> dict:
    return {"point": point}


class ReviewForm(LargeMixin, BootstrapMixin, forms.Form):
    """确认本月风险清单 (the risk reviews' collection action "confirm"): for the user's own
    enterprise; the platform administrator names the enterprise."""

    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    note = forms.CharField(
        label=_("变化说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("本月新增、取消或等级变化的风险点，以及管控措施的调整；无变化可不填"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_platform_admin:
            self.fields["enterprise"].queryset = restrict(Enterprise.objects.all(), user, VIEW).order_by("name")
        else:
            del self.fields["enterprise"]

    def service_kwargs(self) -> dict:
        enterprise = self.cleaned_data.get("enterprise") or acting_enterprise(self.user)
        return {"enterprise": enterprise, "note": self.cleaned_data["note"]}


def review_form_kwargs(user: User, _none=None) -> dict:
    return {"user": user}
