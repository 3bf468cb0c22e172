"""Forms of the risk pages: the phone check of an inspection point (one block per task: 正常/异常,
a note, photos as the task's evidence rule asks, the position) and the monthly self-review.

The forms check what a field can say (a photo is a photo, a note is not too long); who may check
and which results are complete are the rules of ``services.point_check``, which the view calls
and whose errors it lists."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin, LargeMixin, PhotosField, PositionMixin
from anjian.core.models import User
from anjian.core.scoping import VIEW, acting_enterprise, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks.models import EvidenceRule, InspectionTask

PASS, FAIL = "pass", "fail"
RESULT_CHOICES = [(PASS, _("正常")), (FAIL, _("异常"))]


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


class PointCheckForm(LargeMixin, BootstrapMixin, PositionMixin, forms.Form):
    """The check of one point: for each active task ``result_<id>``, ``note_<id>`` and its photo
    inputs; the task ids themselves come in the body as ``task``."""

    def __init__(self, *args, tasks: list[InspectionTask], **kwargs):
        self.tasks = tasks
        super().__init__(*args, **kwargs)
        for task in tasks:
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
        return [
            (
                task,
                self[f"result_{task.pk}"],
                self[f"note_{task.pk}"],
                [(slot, self[slot.name]) for slot in photo_slots(task)],
            )
            for task in self.tasks
        ]

    def results(self, task_ids: list[str]) -> list[dict]:
        """What the service gets: one result per task id in the body that has a result chosen (a
        task id that is not this point's goes as it is, so the service names it)."""
        known = {str(task.pk): task for task in self.tasks}
        data = self.cleaned_data
        results = []
        for task_id in dict.fromkeys(task_ids):
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

    def missing_evidence(self) -> list[str]:
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
