"""Input validation of the risk point pages. Forms give friendly field errors and offer only
choices in the user's scope; ``anjian.risks.services`` re-checks every rule."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.forms import BootstrapMixin
from anjian.core.models import User
from anjian.core.scoping import VIEW, acting_enterprise, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks import rules
from anjian.risks.models import (
    AccidentType,
    AssessmentMethod,
    ControlMeasure,
    EvidenceRule,
    InspectionPoint,
    InspectionTask,
    MeasureKind,
    OwningLevel,
    RiskEvent,
    RiskPoint,
    RiskPointKind,
    TaskCycle,
)

BLANK = [("", "---------")]

# The standard values of each method with their meanings (DOMAIN §4), shown in the selects.
LEC_LIKELIHOOD = [
    ("10", _("10 — 完全可以预料")),
    ("6", _("6 — 相当可能")),
    ("3", _("3 — 可能，但不经常")),
    ("1", _("1 — 可能性小，完全意外")),
    ("0.5", _("0.5 — 很不可能，可以设想")),
    ("0.2", _("0.2 — 极不可能")),
    ("0.1", _("0.1 — 实际不可能")),
]
LEC_EXPOSURE = [
    ("10", _("10 — 连续暴露")),
    ("6", _("6 — 每天工作时间内暴露")),
    ("3", _("3 — 每周一次或偶然暴露")),
    ("2", _("2 — 每月一次暴露")),
    ("1", _("1 — 每年几次暴露")),
    ("0.5", _("0.5 — 非常罕见地暴露")),
]
LEC_CONSEQUENCE = [
    ("100", _("100 — 大灾难，许多人死亡")),
    ("40", _("40 — 灾难，数人死亡")),
    ("15", _("15 — 非常严重，一人死亡")),
    ("7", _("7 — 严重，重伤")),
    ("3", _("3 — 重大，致残")),
    ("1", _("1 — 引人注目，需要救护")),
]
LS_LIKELIHOOD = [
    ("5", _("5 — 极可能（频繁发生）")),
    ("4", _("4 — 很可能")),
    ("3", _("3 — 可能")),
    ("2", _("2 — 不大可能")),
    ("1", _("1 — 极不可能")),
]
LS_SEVERITY = [
    ("5", _("5 — 特别严重（多人死亡）")),
    ("4", _("4 — 严重（一人死亡）")),
    ("3", _("3 — 较严重（重伤）")),
    ("2", _("2 — 一般（轻伤）")),
    ("1", _("1 — 轻微（急救处理）")),
]

# Which form field holds each factor the service names, per method.
ASSESS_FIELDS = {
    AssessmentMethod.LEC: {
        "likelihood": "lec_likelihood",
        "exposure": "lec_exposure",
        "consequence": "lec_consequence",
    },
    AssessmentMethod.LS: {"likelihood": "ls_likelihood", "consequence": "ls_severity"},
}


def enterprise_users(enterprise_id: int):
    return User.objects.filter(enterprise_id=enterprise_id, is_active=True).order_by("display_name", "username")


class RiskPointForm(BootstrapMixin, forms.Form):
    """A risk point's own fields (new and edit); the enterprise select only for users who serve
    several enterprises (agency, platform admin), limited to their scope."""

    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    name = forms.CharField(label=_("风险点名称"), max_length=100)
    place = forms.CharField(label=_("所在位置"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=BLANK + list(RiskPointKind.choices))
    accident_types = forms.MultipleChoiceField(
        label=_("可能导致的事故类型"),
        choices=AccidentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    equipment_count = forms.IntegerField(label=_("设备数量"), min_value=0, initial=0, required=False)
    responsible_name = forms.CharField(label=_("责任人"), max_length=30, required=False)
    responsible_phone = forms.CharField(label=_("责任人电话"), max_length=20, required=False)

    def __init__(self, *args, user: User, choose_enterprise: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_enterprise:
            self.fields["enterprise"].queryset = restrict(Enterprise.objects.all(), user, VIEW).order_by("name")
        else:
            del self.fields["enterprise"]

    @classmethod
    def initial_of(cls, point: RiskPoint) -> dict:
        return {
            "name": point.name,
            "place": point.place,
            "kind": point.kind,
            "accident_types": point.accident_types,
            "equipment_count": point.equipment_count,
            "responsible_name": point.responsible_name,
            "responsible_phone": point.responsible_phone,
        }

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.fields if name != "enterprise"}
        data["equipment_count"] = data.get("equipment_count") or 0
        return data


class RiskPointNewForm(RiskPointForm):
    """新增风险点 (the risk points' collection action "new"): an enterprise's own staff for their
    enterprise; an agency or the platform picks one of the enterprises in its scope."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, choose_enterprise=rules.picks_enterprise(user), **kwargs)
        self.user = user

    def service_kwargs(self) -> dict:
        enterprise = self.cleaned_data.get("enterprise") or acting_enterprise(self.user)
        return {"enterprise": enterprise, "data": self.service_data()}


class RiskPointEditForm(RiskPointForm):
    """编辑风险点 (the record action "edit"): the point's own fields, shown with its values."""

    def __init__(self, *args, user: User, point: RiskPoint, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not self.is_bound:
            self.initial = {**self.initial_of(point), **self.initial}

    def service_kwargs(self) -> dict:
        return {"data": self.service_data()}


def new_point_form_kwargs(user: User, _none=None) -> dict:
    return {"user": user}


class PointActionForm(BootstrapMixin, forms.Form):
    """The input of one of a risk point's declared actions: built with the user and the point
    (``point_form_kwargs``), so its choices are the point's own, in the user's scope."""

    def __init__(self, *args, user: User, point: RiskPoint, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.point = point


class AssessForm(PointActionForm):
    """LEC (three selects) or LS (two selects), chosen per assessment; only the chosen method's
    selects are read."""

    method = forms.ChoiceField(
        label=_("评价方法"), choices=AssessmentMethod.choices, initial=AssessmentMethod.LEC, widget=forms.RadioSelect
    )
    lec_likelihood = forms.ChoiceField(label=_("L 事故发生的可能性"), choices=BLANK + LEC_LIKELIHOOD, required=False)
    lec_exposure = forms.ChoiceField(
        label=_("E 暴露于危险环境的频繁程度"), choices=BLANK + LEC_EXPOSURE, required=False
    )
    lec_consequence = forms.ChoiceField(label=_("C 发生事故的后果"), choices=BLANK + LEC_CONSEQUENCE, required=False)
    ls_likelihood = forms.ChoiceField(label=_("L 事故发生的可能性"), choices=BLANK + LS_LIKELIHOOD, required=False)
    ls_severity = forms.ChoiceField(label=_("S 事故后果严重性"), choices=BLANK + LS_SEVERITY, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.point.assessments.order_by("-assessed_at", "-id").first()
        if latest is not None and not self.is_bound:
            self.initial.setdefault("method", latest.method)  # re-assess by the method used last

    def clean(self):
        data = super().clean()
        method = data.get("method")
        for field in ASSESS_FIELDS.get(method, {}).values():
            if not data.get(field):
                self.add_error(field, _("请选择取值"))
        return data

    def service_kwargs(self) -> dict:
        """``services.risk_assess``'s keyword arguments for the chosen method."""
        method = self.cleaned_data["method"]
        values = {factor: self.cleaned_data[field] for factor, field in ASSESS_FIELDS[method].items()}
        return {"method": method, "exposure": None, **values, "note": self.cleaned_data.get("note", "")}


class ArchiveForm(PointActionForm):
    """Archive a point (true) or restore it (false); the page posts the opposite of its state."""

    archived = forms.NullBooleanField(
        label=_("归档"), initial=True, widget=forms.HiddenInput, help_text=_("true 归档（不填同此）；false 恢复")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("archived", not self.point.archived)

    def service_kwargs(self) -> dict:
        return {"archived": self.cleaned_data.get("archived") is not False}


class DataForm(PointActionForm):
    """A form whose service takes its values as ``data``."""

    def service_kwargs(self) -> dict:
        return {"data": dict(self.cleaned_data)}


class EventForm(DataForm):
    name = forms.CharField(label=_("风险事件"), max_length=100)
    accident_type = forms.ChoiceField(label=_("事故类型"), choices=BLANK + list(AccidentType.choices))
    consequence = forms.CharField(label=_("可能后果"), max_length=200, required=False)


class MeasureForm(PointActionForm):
    """A control measure of one of this point's events, owned by one of the enterprise's people."""

    event = forms.ModelChoiceField(
        label=_("风险事件"), queryset=RiskEvent.objects.none(), help_text=_("该风险点的风险事件ID")
    )
    kind = forms.ModelChoiceField(
        label=_("措施类别"), queryset=MeasureKind.objects.filter(active=True), to_field_name="code"
    )
    description = forms.CharField(label=_("管控措施"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    owning_level = forms.ChoiceField(label=_("管控层级"), choices=BLANK + list(OwningLevel.choices))
    owning_unit = forms.CharField(label=_("责任部门/班组/岗位"), max_length=60, required=False)
    responsible = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    responsible_name = forms.CharField(
        label=_("责任人姓名"), max_length=30, required=False, help_text=_("不填取责任人")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user, point = self.user, self.point
        self.fields["event"].queryset = point_events(user, point)
        self.fields["responsible"].queryset = enterprise_users(point.enterprise_id)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        event = data.pop("event")
        data["kind"] = data["kind"].code
        data["responsible"] = data["responsible"].pk if data.get("responsible") else None
        return {"event": event, "data": data}


class InspectionPointForm(DataForm):
    name = forms.CharField(label=_("巡检点名称"), max_length=100)
    place = forms.CharField(label=_("位置"), max_length=100, required=False, help_text=_("不填则使用风险点的位置"))


class TaskForm(PointActionForm):
    """An inspection task: which measure is checked at which of this point's inspection points,
    how often, with what evidence, by whom."""

    measure = forms.ModelChoiceField(label=_("管控措施"), queryset=ControlMeasure.objects.none())
    point = forms.ModelChoiceField(label=_("巡检点"), queryset=InspectionPoint.objects.none())
    content = forms.CharField(
        label=_("检查内容"), max_length=200, required=False, help_text=_("不填则使用管控措施的内容")
    )
    cycle = forms.ChoiceField(label=_("巡检周期"), choices=BLANK + list(TaskCycle.choices))
    evidence = forms.ChoiceField(label=_("留证要求"), choices=EvidenceRule.choices, initial=EvidenceRule.NONE)
    owner = forms.ModelChoiceField(label=_("巡检人"), queryset=User.objects.none())
    starts_on = forms.DateField(
        label=_("开始日期"), required=False, help_text=_("不填为今天"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user, point = self.user, self.point
        self.fields["measure"].queryset = point_measures(user, point)
        self.fields["point"].queryset = restrict(
            InspectionPoint.objects.filter(risk_point=point, archived=False), user, VIEW
        ).order_by("name")
        self.fields["owner"].queryset = enterprise_users(point.enterprise_id)
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        values = {
            "point": data["point"].pk,
            "content": data.get("content", ""),
            "cycle": data["cycle"],
            "evidence": data["evidence"],
            "owner": data["owner"].pk,
            "starts_on": data.get("starts_on"),
        }
        return {"measure": data["measure"], "data": values}


class StopTaskForm(PointActionForm):
    """Stop one of the point's current tasks (the detail page's task table posts its id)."""

    task = forms.ModelChoiceField(
        label=_("巡检任务"), queryset=InspectionTask.objects.none(), help_text=_("该风险点的巡检任务ID")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user, point = self.user, self.point
        self.fields["task"].queryset = (
            restrict(InspectionTask.objects.filter(point__risk_point=point, archived=False), user, VIEW)
            .select_related("point")
            .order_by("point__name", "id")
        )
        self.fields["task"].label_from_instance = lambda t: f"{t.point.name} · {t.content} · {t.get_cycle_display()}"


def point_events(user: User, point: RiskPoint):
    """The point's current events, in the user's scope."""
    return restrict(RiskEvent.objects.filter(risk_point=point, archived=False), user, VIEW).order_by("id")


def point_measures(user: User, point: RiskPoint):
    """The point's current measures (of current events), in the user's scope."""
    return restrict(
        ControlMeasure.objects.filter(event__risk_point=point, archived=False, event__archived=False), user, VIEW
    ).order_by("id")


def point_form_kwargs(user: User, point: RiskPoint) -> dict:
    """What the forms of a risk point's actions are built with."""
    return {"user": user, "point": point}
