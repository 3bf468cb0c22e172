"""Hazards in the registry: scope, columns, filters (incl. the list tabs), search."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core import registry
from anjian.core.choices import subregion_choices
from anjian.core.registry import Column, Filter, Resource
from anjian.core.scoping import CHANGE, CREATE, ScopeSpec, register_scope
from anjian.enterprises.registry import ENTERPRISE, industry_choices
from anjian.hazards import workflow
from anjian.hazards.models import (
    OPEN_STATUSES,
    EscalationLevel,
    Hazard,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardTransition,
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


def _detail_context(user, hazard):
    from anjian.hazards.views import detail_context

    return detail_context(user, hazard)


def _may(action: str):
    return lambda user, hazard: action in workflow.allowed_actions(user, hazard)


# Each transition's page (GET: its form; POST: the service), so the scope walk covers them all.
WORKFLOW_ACTIONS = [
    (workflow.ACTION_LABELS[action], f"hazards:hazard-{action.replace('_', '-')}", _may(action))
    for action in workflow.TRANSITIONS
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
        detail_actions=WORKFLOW_ACTIONS,
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
