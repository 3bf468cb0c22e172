"""Inspection resources in the registry: checklists, inspections, monthly reports."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anjian.core import menu, registry
from anjian.core.actions import Action
from anjian.core.choices import region_and_ancestors, subregion_choices
from anjian.core.registry import Column, Filter, Resource
from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES
from anjian.core.scoping import (
    CHANGE,
    CREATE,
    VIEW,
    ScopeSpec,
    may,
    region_condition,
    register_scope,
    sector_condition,
)
from anjian.enterprises.registry import ENTERPRISE
from anjian.inspections import rules, services
from anjian.inspections import workflow as report_workflow
from anjian.inspections.checklist_forms import (
    ChecklistCopyForm,
    ChecklistCreateForm,
    ChecklistSettingsForm,
    PublishForm,
)
from anjian.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
    MonthlyReport,
    MonthlyReportStatus,
    PatrolRule,
)
from anjian.inspections.report_forms import MonthlyReportSubmitForm, ReturnReportForm
from anjian.inspections.run_forms import AnswerForm, InspectionStartForm, SubmitForm
from anjian.inspections.workflow import INSPECTION_FLOW, SUBMIT


def checklist_scope(queryset, user):
    """Everyone sees the shipped library; a region's templates are seen in that region (and by the
    officers above it); an enterprise's own templates by that enterprise and its supervisors."""
    library = Q(owner_region__isnull=True, owner_enterprise__isnull=True)
    if user.role in GOVERNMENT_ROLES and user.region_id:
        code = user.region_id
        condition = (
            library
            | region_condition("owner_region", code)
            | Q(owner_region_id__in=region_and_ancestors(code))
            | region_condition("owner_enterprise__region", code)
        )
        if user.role == "department_officer":
            sector = sector_condition(user, "owner_enterprise__")
            condition = (
                library
                | Q(owner_region_id__in=region_and_ancestors(code))
                | (region_condition("owner_enterprise__region", code) & (sector or Q(pk__in=[])))
            )
        return queryset.filter(condition)
    if user.role in ENTERPRISE_ROLES and user.enterprise_id:
        return queryset.filter(
            library
            | Q(owner_region_id__in=region_and_ancestors(user.enterprise.region_id))
            | Q(owner_enterprise_id=user.enterprise_id)
        )
    if user.role in AGENCY_ROLES and user.agency_id:
        return queryset.filter(library | Q(owner_region_id__in=region_and_ancestors(user.agency.region_id)))
    return queryset.none()


def _checklist_detail_context(user, template):
    from anjian.inspections.checklist_views import detail_context

    return detail_context(user, template)


def _checklist_action_context(user, template):
    from anjian.inspections.checklist_views import action_context

    return action_context(user, template)


def _checklist_form_kwargs(user, template) -> dict:
    return {"template": template}


# What one does to a checklist: each is a button on its page, a form, and a route of the API.
CHECKLIST_ACTIONS = [
    # 新建体检卡: the page with the items editor is ``checklist_views.checklist_create`` (at this
    # action's address), which posts its rows through this form, as an API body does.
    Action(
        "create",
        _("新建体检卡"),
        collection=True,
        form=ChecklistCreateForm,
        may=lambda user, _none: rules.may_create_checklist(user),
        service=services.checklist_create,
        icon="bi-plus-lg",
        done=_("已建立体检卡"),
    ),
    # The items editor is a page of its own (``checklist_views.checklist_publish``, at this
    # action's address); the API takes the same input as JSON.
    Action(
        "publish",
        _("编辑并发布新版本"),
        form=PublishForm,
        may=rules.may_edit_checklist,
        service=services.checklist_publish,
        record_arg="template",
        icon="bi-cloud-upload",
        done=_("已发布新版本"),
    ),
    Action(
        "settings",
        _("修改名称与适用范围"),
        form=ChecklistSettingsForm,
        form_kwargs=_checklist_form_kwargs,
        may=rules.may_edit_checklist,
        service=services.checklist_update,
        record_arg="template",
        style="outline-primary",
        icon="bi-pencil",
        done=_("已保存名称与适用范围"),
        template="inspections/checklist_settings.html",
        help=_("检查项通过“编辑并发布新版本”修改。"),
    ),
    Action(
        "copy",
        _("复制为我的体检卡"),
        form=ChecklistCopyForm,
        form_kwargs=_checklist_form_kwargs,
        may=rules.may_copy_checklist,
        service=services.checklist_copy,
        record_arg="template",
        style="outline-primary",
        icon="bi-files",
        template="inspections/checklist_copy.html",
        done=_("已复制为本单位体检卡，可在此基础上编辑并发布新版本"),
    ),
]


CHECKLIST = registry.register(
    Resource(
        model=ChecklistTemplate,
        slug="checklists",
        namespace="inspections",
        scope=ScopeSpec(custom=checklist_scope),
        columns=[
            Column("name", _("名称"), sort="name", link=True),
            Column("library_code", _("标准库编号"), sort="library_code"),
            Column("current_version__number", _("版本")),
            Column("owner_region__name", _("所属区划")),
            Column("owner_enterprise__name", _("所属企业")),
            Column("active", _("启用")),
        ],
        filters=[
            Filter(
                "owner",
                _("来源"),
                "",
                choices=lambda user: [
                    ("library", _("标准库")),
                    ("region", _("区划自建")),
                    ("enterprise", _("企业自建")),
                ],
                condition=lambda value: {
                    "library": Q(owner_region__isnull=True, owner_enterprise__isnull=True),
                    "region": Q(owner_region__isnull=False),
                    "enterprise": Q(owner_enterprise__isnull=False),
                }.get(value, Q()),
            ),
        ],
        # Searching a checklist also searches the items of its current version.
        search_fields=["name__icontains", "library_code__istartswith", "current_version__items__text__icontains"],
        search_placeholder=_("名称 / 编号 / 检查内容"),
        default_ordering=["name", "id"],
        select_related=["current_version", "owner_region", "owner_enterprise"],
        detail_sections=[
            (_("体检卡"), ["name", "description", "library_code", "active", "current_version"]),
            (
                _("适用范围"),
                ["owner_region", "owner_enterprise", "industry_prefixes", "venue_types", "risk_tags", "kinds"],
            ),
        ],
        detail_template="inspections/checklist_detail.html",
        detail_context=_checklist_detail_context,
        # The pages that act on one checklist, so the scope walk covers them all.
        actions=CHECKLIST_ACTIONS,
        action_context=_checklist_action_context,
        detail_actions=[(_("版本记录"), "inspections:checklist-versions", lambda user, template: True)],
    )
)


def _inspection_detail_context(user, inspection):
    from anjian.inspections.run_views import detail_context

    return detail_context(user, inspection)


def _fills(user, inspection) -> bool:
    """Whether the user is the one filling this (draft) inspection."""
    return services.fill_refusal(user, inspection) is None


# The route stays ``POST /api/v1/inspections/{pk}/answers/``.
ANSWER = "answers"


def _inspects(user) -> bool:
    return bool(services.kinds_for(user))


INSPECTION = registry.register(
    Resource(
        model=Inspection,
        slug="inspections",
        namespace="inspections",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles={CHANGE: None, CREATE: None}),
        columns=[
            Column("id", _("编号"), sort="id", link=True),
            Column("enterprise__name", _("企业"), link=True),
            Column("kind", _("检查类型"), sort="kind"),
            Column("checklist_version__template__name", _("体检卡")),
            Column("inspector__display_name", _("检查人")),
            Column("status", _("状态"), sort="status"),
            Column("started_at", _("开始时间"), sort="started_at"),
            Column("failed", _("不合格"), sort="failed"),
        ],
        filters=[
            Filter("region", _("区域"), "region__code__startswith", kind="region", choices=subregion_choices),
            Filter("kind", _("检查类型"), "kind", choices=lambda user: InspectionKind.choices),
            Filter("status", _("状态"), "status", choices=lambda user: InspectionStatus.choices),
            Filter("from", _("开始于"), "started_at__date__gte", kind="date"),
            Filter("to", _("截至"), "started_at__date__lte", kind="date"),
        ],
        search_fields=["enterprise__name__icontains", "checklist_version__template__name__icontains"],
        search_placeholder=_("企业名称 / 体检卡"),
        default_ordering=["-started_at", "-id"],
        select_related=["enterprise", "checklist_version__template", "inspector"],
        detail_sections=[
            (
                _("检查"),
                ["enterprise", "kind", "checklist_version", "inspector", "status", "started_at", "submitted_at"],
            ),
            (_("结果"), ["passed", "failed", "not_applicable", "summary", "signed_by", "latitude", "longitude"]),
        ],
        detail_template="inspections/inspection_detail.html",
        detail_context=_inspection_detail_context,
        # The pages that run one inspection, so the scope walk covers them all.
        detail_actions=[
            (_("继续检查"), "inspections:inspection-run", _fills),
            (_("检查项一览"), "inspections:inspection-run-list", _fills),
        ],
        # Signing is the phone run's last screen (``run_views.submit``, at this action's address);
        # the API takes the same form.
        actions=[
            # Starting is the phone's start page (``run_views.start``: the enterprise picker and the
            # checklists that apply); the API takes the same form.
            Action(
                "start",
                _("开始检查"),
                collection=True,
                form=InspectionStartForm,
                form_kwargs=lambda user, _none: {"user": user},
                may=lambda user, _none: _inspects(user),
                service=services.inspection_start,
                icon="bi-play-circle",
                page=False,  # the phone's start page serves it; the list offers it below
            ),
            # Answering an item is the phone's item screen (``run_views.run_item``: one item per
            # screen, its position in the address); the API names the item in the same form.
            Action(
                ANSWER,
                _("填写检查项"),
                form=AnswerForm,
                form_kwargs=lambda user, inspection: {"inspection": inspection},
                may=rules.fills_inspection,
                states=(InspectionStatus.DRAFT,),
                service=services.inspection_answer,
                record_arg="inspection",
                icon="bi-ui-checks",
                page=False,  # the item screens serve it
                button=False,  # the detail page offers 继续检查 (``detail_actions``) instead
            ),
            Action(
                SUBMIT,
                workflow=INSPECTION_FLOW,
                form=SubmitForm,
                service=services.inspection_submit,
                record_arg="inspection",
                icon="bi-pen",
                done=_("检查已提交"),
            ),
        ],
        list_actions=[
            (_("我的检查"), "inspections:inspection-mine", _inspects),
            (_("开始检查"), "inspections:inspection-start", _inspects),
        ],
    )
)

# The enterprise page (and so its QR code's landing page) offers to start an inspection there.
ENTERPRISE.detail_actions += [
    (_("开始检查"), "inspections:inspection-start-enterprise", lambda user, enterprise: _inspects(user)),
    (
        _("检查二维码"),
        "inspections:inspection-start-qr",
        lambda user, enterprise: user.is_platform_admin or user.is_government,
    ),
]


def _report_detail_context(user, report):
    from anjian.inspections.report_views import detail_context

    return detail_context(user, report)


def _report_action_context(user, report):
    from anjian.inspections.report_views import action_context

    return action_context(user, report)


MONTHLY_REPORT = registry.register(
    Resource(
        model=MonthlyReport,
        slug="monthly-reports",
        namespace="inspections",
        scope=ScopeSpec(enterprise="enterprise", region="region"),
        columns=[
            Column("month", _("月份"), sort="month", link=True),
            Column("enterprise__name", _("企业"), link=True),
            Column("status", _("状态"), sort="status"),
            Column("submitted_at", _("提交时间"), sort="submitted_at"),
            Column("reviewed_by__display_name", _("审核人")),
        ],
        filters=[
            Filter("region", _("区域"), "region__code__startswith", kind="region", choices=subregion_choices),
            Filter("status", _("状态"), "status", choices=lambda user: MonthlyReportStatus.choices),
            Filter("month", _("月份"), "month", kind="date"),
        ],
        search_fields=["enterprise__name__icontains"],
        search_placeholder=_("企业名称"),
        default_ordering=["-month", "-id"],
        select_related=["enterprise", "reviewed_by"],
        detail_sections=[
            (_("报告"), ["enterprise", "month", "status", "submitted_by", "submitted_at"]),
            (_("内容"), ["passages", "key_equipment", "electrical", "other"]),
            (_("审核"), ["reviewed_by", "reviewed_at", "return_reason"]),
        ],
        detail_template="inspections/monthly_report_detail.html",
        detail_context=_report_detail_context,
        actions=[
            # Submitting is the page with its month picker (``report_views.monthly_report_submit``);
            # the API takes the same form (multipart, with the photos).
            Action(
                report_workflow.SUBMIT,
                _("提交月度报告"),
                collection=True,
                form=MonthlyReportSubmitForm,
                form_kwargs=lambda user, _none: {"user": user},
                may=lambda user, _none: rules.may_submit_monthly_report(user),
                service=services.monthly_report_submit,
                icon="bi-journal-check",
                page=False,  # the month-picker page serves it; the list offers it below
            ),
            Action(
                report_workflow.APPROVE,
                _("确认通过"),
                workflow=report_workflow.MONTHLY_REPORT_FLOW,
                service=services.monthly_report_approve,
                record_arg="report",
                style="success",
                icon="bi-check2-circle",
                done=_("报告已通过"),
            ),
            Action(
                report_workflow.RETURN,
                _("退回企业修改"),
                workflow=report_workflow.MONTHLY_REPORT_FLOW,
                form=ReturnReportForm,
                service=services.monthly_report_return,
                record_arg="report",
                style="danger",
                icon="bi-arrow-return-left",
                done=_("报告已退回企业修改"),
            ),
        ],
        action_template="inspections/monthly_report_review.html",
        action_context=_report_action_context,
        list_actions=[
            (_("提交月度报告"), "inspections:monthly-report-submit", rules.may_submit_monthly_report),
            (_("巡查覆盖"), "inspections:coverage", lambda user: True),
            (_("提报率"), "inspections:rates", lambda user: True),
        ],
    )
)

# Photos of an answer are attachments owned by the answer: the same scope as its inspection.
register_scope(InspectionAnswer, ScopeSpec(enterprise="inspection__enterprise", region="inspection__region"))


def patrol_rule_scope(queryset, user):
    """Officers see the default rules, the rules above their area and those inside it."""
    if user.role in GOVERNMENT_ROLES and user.region_id:
        code = user.region_id
        return queryset.filter(
            Q(region__isnull=True) | Q(region_id__in=region_and_ancestors(code)) | region_condition("region", code)
        )
    return queryset.none()


def _patrol_rule_form(user, instance):
    if instance is not None and not rules.may_edit_patrol_rule(user, instance):
        return None
    if instance is None and not rules.may_create_patrol_rule(user):
        return None
    from anjian.inspections.plan_forms import patrol_rule_form_class

    return patrol_rule_form_class(user)


def _patrol_rule_save(*, actor, data, instance=None):
    from anjian.inspections.services import patrol_rule_save

    return patrol_rule_save(actor=actor, data=data, instance=instance)


PATROL_RULE = registry.register(
    Resource(
        model=PatrolRule,
        slug="patrol-rules",
        namespace="inspections",
        scope=ScopeSpec(custom=patrol_rule_scope),
        columns=[
            Column("kind", _("检查类型"), sort="kind", link=True),
            Column(
                "region__name", _("适用区划"), value=lambda r: r.region.name if r.region_id else _("默认（全平台）")
            ),
            Column("interval_days", _("周期(天)"), sort="interval_days"),
            Column("use_class_cycle", _("按监管类别周期")),
        ],
        filters=[Filter("kind", _("检查类型"), "kind", choices=lambda user: InspectionKind.choices)],
        default_ordering=["kind", "region_id"],
        select_related=["region"],
        detail_sections=[(_("巡查计划"), ["kind", "region", "interval_days", "use_class_cycle"])],
        form_for=_patrol_rule_form,
        create_service=lambda *, actor, data: _patrol_rule_save(actor=actor, data=data),
        update_service=lambda *, actor, instance, data: _patrol_rule_save(actor=actor, data=data, instance=instance),
    )
)


# --- Menu ---------------------------------------------------------------------------------------


def _sees_inspections(user) -> bool:
    return menu.not_pending(user) and may(user, Inspection, VIEW)


def _supervises(user) -> bool:
    return _sees_inspections(user) and menu.is_government(user)


menu.register_group(menu.MenuGroup("inspections", _("检查"), order=30, icon="clipboard-check"))
for _key, _label, _url, _visible, _order in [
    ("list", _("检查"), "inspections:inspections-list", _sees_inspections, 10),
    ("checklists", _("体检卡"), "inspections:checklists-list", _sees_inspections, 20),
    ("coverage", _("巡查覆盖"), "inspections:coverage", _supervises, 30),
    ("rates", _("提报率"), "inspections:rates", _supervises, 40),
    ("patrol-rules", _("巡查计划"), "inspections:patrol-rules-list", _supervises, 50),
    ("monthly-reports", _("月度报告"), "inspections:monthly-reports-list", _sees_inspections, 60),
]:
    menu.register_entry(
        menu.MenuEntry(f"inspections.{_key}", _label, _url, group="inspections", visible=_visible, order=_order)
    )
