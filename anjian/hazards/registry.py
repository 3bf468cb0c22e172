"""Hazards in the registry: scope, columns, filters (incl. the list tabs), search."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core import menu, reference, registry
from anjian.core.actions import Action
from anjian.core.choices import subregion_choices
from anjian.core.registry import Column, Filter, Redaction, Resource
from anjian.core.scoping import CHANGE, CREATE, VIEW, ScopeSpec, may, register_scope
from anjian.enterprises.registry import ENTERPRISE, industry_choices
from anjian.hazards import forms, rules, services, workflow
from anjian.hazards.models import (
    OPEN_STATUSES,
    EscalationLevel,
    EscalationStep,
    Hazard,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardTransition,
    MajorHazardCriterion,
)

YES_NO = [("1", _("是")), ("0", _("否"))]


def month_start() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# The list tabs (SPEC: open / overdue / major / closed this month), as one filter.
VIEWS = {
    "open": (_("未销号"), lambda: Q(status__in=OPEN_STATUSES)),
    "overdue": (_("已逾期"), lambda: Q(status__in=OPEN_STATUSES, overdue=True)),
    "major": (_("重大隐患"), lambda: Q(status__in=OPEN_STATUSES, level=HazardLevel.MAJOR)),
    "supervised": (_("挂牌督办"), lambda: Q(status__in=OPEN_STATUSES, supervised=True)),
    "closed_month": (_("本月销号"), lambda: Q(status=HazardStatus.CLOSED, closed_at__gte=month_start())),
}


def view_condition(value: str) -> Q:
    entry = VIEWS.get(value)
    return entry[1]() if entry else Q()


def _category_choices(user):
    return [(str(pk), name) for pk, name in HazardCategory.objects.values_list("pk", "name")]


def _reporter_hidden(user, hazard) -> bool:
    from anjian.hazards.timeline import may_see_reporter

    return not may_see_reporter(user, hazard)


def _detail_context(user, hazard):
    from anjian.hazards.views import detail_context

    return detail_context(user, hazard)


def _action_context(user, hazard):
    from anjian.hazards.views import action_context

    return action_context(user, hazard)


def _assign_form_kwargs(user, hazard) -> dict:
    return {"hazard": hazard, "user": user}


# The loop's actions: each is a button and a form on the hazard's page, a route of the API, and a
# row of the scope walk; who may and in which state comes from the workflow's table.
def _hazard_action(name: str, **declaration) -> Action:
    return Action(name, workflow=workflow.HAZARD_FLOW, record_arg="hazard", **declaration)


def _report_form_kwargs(user, _none) -> dict:
    return {"user": user}


REPORT_ACTION = Action(
    "report",
    _("上报隐患"),
    collection=True,
    page=False,  # the phone page hazards:report (enterprise picker, camera) calls this declaration
    form=forms.ReportForm,
    form_kwargs=_report_form_kwargs,
    may=rules.may_report_hazard,
    service=services.hazard_report,
)

ACTIONS = [
    REPORT_ACTION,
    _hazard_action(
        workflow.ASSIGN,
        form=forms.AssignForm,
        form_kwargs=_assign_form_kwargs,
        service=services.hazard_assign,
        icon="bi-person-check",
        done=_("已分派整改任务"),
        help=_("指定整改责任人、期限和措施；选择“重大隐患”或勾选判定依据时须填写治理方案，并直报区县、挂牌督办。"),
    ),
    _hazard_action(
        workflow.RECTIFY,
        form=forms.RectifyForm,
        service=services.hazard_rectify,
        icon="bi-camera",
        done=_("已提交整改，等待验收"),
        help=_("拍下整改后的现场照片，写明做了什么、花了多少钱。"),
    ),
    _hazard_action(
        workflow.ACCEPT,
        form=forms.AcceptForm,
        service=services.hazard_accept,
        style="success",
        icon="bi-check2-circle",
        done=_("已验收销号"),
    ),
    _hazard_action(
        workflow.RETURN,
        form=forms.ReturnForm,
        service=services.hazard_return,
        style="warning",
        icon="bi-arrow-counterclockwise",
        done=_("已退回整改"),
        help=_("退回后隐患回到“整改中”。"),
    ),
    _hazard_action(
        workflow.CLOSE_ON_SPOT,
        form=forms.CloseOnSpotForm,
        service=services.hazard_close_on_spot,
        style="success",
        icon="bi-lightning",
        done=_("已立查立改销号"),
        help=_("一般隐患当场整改完毕：上传整改后照片，直接销号。"),
    ),
    _hazard_action(
        workflow.CANCEL,
        form=forms.CancelForm,
        service=services.hazard_cancel,
        style="outline-danger",
        icon="bi-x-circle",
        done=_("已撤销隐患"),
        help=_("撤销不会删除任何记录，原因将记入处理过程。"),
    ),
]


HAZARD = registry.register(
    Resource(
        model=Hazard,
        slug="hazards",
        namespace="hazards",
        # Anyone who sees the enterprise may report; the transition table says who may do what.
        scope=ScopeSpec(enterprise="enterprise", region="region", roles={CHANGE: None, CREATE: None}),
        columns=[
            Column("id", _("编号"), sort="id", link=True),
            Column("place", _("隐患部位"), link=True),
            Column("enterprise__name", _("企业")),
            Column("category__name", _("类别")),
            Column("level", _("等级"), sort="level", badge=True),
            Column("status", _("状态"), sort="status"),
            Column("source", _("来源")),
            Column("responsible__display_name", _("责任人")),
            Column("deadline", _("整改期限"), sort="deadline"),
            Column("priority", _("优先级"), sort="priority"),
            Column("reported_at", _("发现时间"), sort="reported_at"),
        ],
        filters=[
            Filter(
                "view",
                _("视图"),
                "",
                choices=lambda user: [(k, v[0]) for k, v in VIEWS.items()],
                condition=view_condition,
            ),
            Filter("region", _("区域"), "region__code__startswith", kind="region", choices=subregion_choices),
            Filter("industry", _("行业"), "enterprise__industry__code__startswith", choices=industry_choices),
            Filter("category", _("类别"), "category_id", choices=_category_choices),
            Filter("level", _("等级"), "level", choices=lambda user: HazardLevel.choices),
            Filter("source", _("来源"), "source", choices=lambda user: HazardSource.choices),
            Filter("status", _("状态"), "status", choices=lambda user: HazardStatus.choices),
            Filter("repeated", _("反复出现"), "repeated", kind="boolean", choices=lambda user: YES_NO),
            Filter(
                "escalation",
                _("升级至"),
                "escalation_level__gte",
                choices=lambda user: [(str(v), label) for v, label in EscalationLevel.choices if v],
            ),
            Filter("deadline_from", _("期限起"), "deadline__gte", kind="date"),
            Filter("deadline_to", _("期限止"), "deadline__lte", kind="date"),
        ],
        search_fields=["place__icontains", "description__icontains", "enterprise__name__icontains"],
        search_placeholder=_("部位 / 描述 / 企业名称"),
        default_ordering=["-priority", "-id"],
        select_related=["enterprise", "category", "responsible", "region"],
        detail_template="hazards/hazard_detail.html",
        detail_context=_detail_context,
        # 举报人保密: a public reporter's name and phone (and the report's IP) stay unknown to the
        # enterprise, on the page, the API, the history and the exports alike.
        redactions=[
            Redaction(("reporter_name",), hidden=_reporter_hidden, ip_of=("create",), needs=("source",)),
        ],
        actions=ACTIONS,
        action_template="hazards/hazard_action.html",
        action_context=_action_context,
        list_template="hazards/hazard_list.html",
        list_actions=[
            (_("我的整改任务"), "hazards:mine", lambda user: user.is_enterprise_user),
            (_("上报隐患"), "hazards:report", lambda user: True),
        ],
        detail_sections=[
            (_("隐患信息"), ["enterprise", "place", "category", "description", "level", "suggested_level", "source"]),
            (_("发现"), ["reporter_name", "reported_at", "latitude", "longitude"]),
            (_("整改"), ["responsible", "deadline", "measures", "rectification", "cost", "rectified_at"]),
            (
                _("验收与督办"),
                [
                    "status",
                    "verified_by",
                    "closed_at",
                    "overdue",
                    "escalation_level",
                    "supervised",
                    "joint_rectification",
                    "repeated",
                ],
            ),
        ],
    )
)

# Evidence photos of a step are attachments owned by the step: same scope as its hazard.
register_scope(HazardTransition, ScopeSpec(enterprise="hazard__enterprise", region="hazard__region"))

# The enterprise page offers to report a hazard there, and government its public-report QR code.
ENTERPRISE.detail_actions += [
    (_("上报隐患"), "hazards:report-enterprise", lambda user, enterprise: True),
    (_("隐患台账"), "hazards:hazard-ledger", lambda user, enterprise: True),
    (
        _("举报二维码"),
        "hazards:public-report-qr",
        lambda user, enterprise: user.is_platform_admin or user.is_government,
    ),
]


# --- Menu and home widgets ----------------------------------------------------------------------


def _sees_hazards(user) -> bool:
    return menu.not_pending(user) and may(user, Hazard, VIEW)


def _works_in_enterprise(user) -> bool:
    return user.is_enterprise_user and bool(user.enterprise_id)


menu.register_group(menu.MenuGroup("hazards", _("隐患"), order=20, icon="exclamation-triangle"))
menu.register_entry(
    menu.MenuEntry(
        "hazards.list", _("隐患排查"), "hazards:hazards-list", group="hazards", visible=_sees_hazards, order=10
    )
)
menu.register_entry(
    menu.MenuEntry(
        "hazards.stats", _("隐患统计"), "hazards:hazard-stats", group="hazards", visible=_sees_hazards, order=20
    )
)
menu.register_widget(
    menu.HomeWidget(
        "hazards.card",
        _("隐患排查治理"),
        template="hazards/_home_card.html",
        visible=menu.is_government,
        order=10,
    )
)
menu.register_widget(
    menu.HomeWidget(
        "hazards.buttons",
        _("上报隐患"),
        template="hazards/_home_buttons.html",
        visible=_works_in_enterprise,
        order=10,
        area="actions",
    )
)
menu.register_widget(
    menu.HomeWidget(
        "hazards.summary",
        _("隐患概况"),
        template="hazards/_summary_slot.html",
        visible=_works_in_enterprise,
        order=10,
        css="col-12 order-md-last",
    )
)


# --- reference tables (参数表) -------------------------------------------------------------------
# Categories and major-hazard criteria are the platform's (statistics and national rules compare
# them across districts); escalation steps are local practice, so a district may override a
# level's days for its own area (the sweep takes the district's step there, the default elsewhere).


def _parent_category_field():
    from django import forms

    return forms.ModelChoiceField(
        label=_("上级"),
        queryset=HazardCategory.objects.filter(parent__isnull=True),
        required=False,
    )


def _check_category(row) -> None:
    from django.core.exceptions import ValidationError

    if row.parent_id is not None and (row.parent_id == row.pk or row.parent.parent_id is not None):
        raise ValidationError({"parent": [_("上级只能是一级类别")]})
    if row.parent_id is not None and row.pk and HazardCategory.objects.filter(parent_id=row.pk).exists():
        raise ValidationError({"parent": [_("该类别有下级类别，不能再设上级")]})


def _escalation_steps():
    return EscalationStep.objects.order_by("region_id", "level")


reference.register(
    reference.ReferenceTable(
        model=HazardCategory,
        slug="hazard-categories",
        label=_("隐患类别"),
        fields=("code", "name", "parent", "rank"),
        form_fields={"parent": _parent_category_field},
        validate=_check_category,
        help_text=_("两级：基础管理类/现场管理类，其下为具体类别"),
    )
)
reference.register(
    reference.ReferenceTable(
        model=MajorHazardCriterion,
        slug="major-hazard-criteria",
        label=_("重大隐患判定标准"),
        fields=("code", "standard", "field", "text"),
        help_text=_("选中任一条即判定为重大隐患"),
    )
)
reference.register(
    reference.ReferenceTable(
        model=EscalationStep,
        slug="escalation-steps",
        label=_("逾期升级规则"),
        fields=("level", "days_overdue"),
        district_override=True,
        rows=_escalation_steps,
        help_text=_("逾期达到天数即升级到该层级督办；区县可为本辖区覆盖某一层级的天数"),
    )
)
