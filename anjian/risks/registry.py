"""Risk resources in the registry: the area's risk database (every enterprise's points, by level),
inspection points, check records, four-colour site plans and monthly self-reviews. What one does
to a risk point or a plan is a declared action (page, API, scope walk from one declaration); the
other pages (edit, the notice card, the QR label, the check page, the zones door) are the detail
actions and extra routes named here, so the scope test walks them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core import menu, reference, registry
from anjian.core.actions import Action
from anjian.core.choices import subregion_choices
from anjian.core.registry import Column, Filter, Resource
from anjian.core.scoping import CHANGE, CREATE, VIEW, ScopeSpec, may, register_scope
from anjian.risks import check_forms, forms, plan_forms, rules, services
from anjian.risks.models import (
    ControlMeasure,
    InspectionPoint,
    InspectionTask,
    LevelControl,
    MeasureKind,
    PointCheck,
    RiskAssessment,
    RiskBand,
    RiskEvent,
    RiskLevel,
    RiskPoint,
    RiskPointKind,
    RiskReview,
    RiskZone,
    SitePlan,
    TaskSlot,
)

# Every role that sees a risk record may change it and create one in its scope, as far as the
# registry is concerned; who may actually edit the risk list is decided by the risk module's own predicates.
ANY_VIEWER_MAY_WRITE = {CHANGE: None, CREATE: None}


def _region_filter():
    return Filter("region", _("区域"), "region__code__startswith", kind="region", choices=subregion_choices)


def _point_views():
    from anjian.risks import views

    return views


def _point_action_context(user, point):
    return _point_views().action_context(user, point)


# What enterprise staff do to a risk point: each is a button and a form on the point's page
# (``risks/point_action.html``) and ``POST /api/v1/risk-points/{pk}/<name>/`` with the same form.
# The names keep the API's paths: a POST to a collection of the point adds to it.
def _point_action(name: str, label, **declaration) -> Action:
    declaration.setdefault("record_arg", "risk_point")
    return Action(name, label, form_kwargs=forms.point_form_kwargs, may=rules.may_edit_risk_point, **declaration)


POINT_ACTIONS = [
    # 新增风险点: the list page's button, ``points/new/`` and ``POST /api/v1/risk-points/new/``
    Action(
        "new",
        _("新增风险点"),
        collection=True,
        form=forms.RiskPointNewForm,
        form_kwargs=forms.new_point_form_kwargs,
        may=rules.may_edit_risk_point,
        service=services.risk_point_create,
        template="core/action.html",
        done=_("已新增风险点，请进行风险评价"),
    ),
    _point_action(
        "edit",
        _("编辑"),
        form=forms.RiskPointEditForm,
        service=services.risk_point_update,
        record_arg="instance",
        style="primary",
        done=_("已保存风险点"),
    ),
    _point_action(
        "assessments",
        _("风险评价"),
        form=forms.AssessForm,
        service=services.risk_assess,
        icon="bi-speedometer2",
        done=_("评价完成"),
        help=_("选择评价方法和各项取值；风险等级按分级标准确定，历次评价记录都保留。"),
    ),
    _point_action(
        "events",
        _("新增风险事件"),
        form=forms.EventForm,
        service=services.risk_event_create,
        done=_("已新增风险事件"),
    ),
    _point_action(
        "measures",
        _("新增管控措施"),
        form=forms.MeasureForm,
        service=services.control_measure_add,
        done=_("已新增管控措施"),
    ),
    _point_action(
        "inspection_points",
        _("新增巡检点"),
        form=forms.InspectionPointForm,
        service=services.inspection_point_create,
        done=_("已新增巡检点"),
    ),
    _point_action(
        "tasks",
        _("新增巡检任务"),
        form=forms.TaskForm,
        service=services.inspection_task_add,
        done=_("已新增巡检任务，排班已生成"),
    ),
    _point_action(
        "archive",
        _("归档 / 恢复"),
        form=forms.ArchiveForm,
        service=services.risk_point_archive,
        record_arg="instance",
        style="outline-secondary",
        done=_("已保存归档状态"),
    ),
    # reached from the stop buttons of the task table (the task in the body)
    _point_action(
        "stop_task",
        _("停用巡检任务"),
        form=forms.StopTaskForm,
        service=services.inspection_task_stop,
        style="danger",
        done=_("已停用巡检任务"),
        help=_("停用后不再生成新的巡检排班，已有的巡检记录仍然保留。"),
        button=False,
    ),
]


RISK_POINT = registry.register(
    Resource(
        model=RiskPoint,
        slug="risk-points",
        namespace="risks",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles=ANY_VIEWER_MAY_WRITE),
        columns=[
            Column("name", _("风险点"), sort="name", link=True),
            Column("enterprise__name", _("企业")),
            Column("kind", _("类型"), sort="kind"),
            Column("place", _("位置")),
            Column("level", _("风险等级"), sort="level", badge=True),
            Column("collected_at", _("辨识时间"), sort="collected_at"),
        ],
        filters=[
            _region_filter(),
            Filter("level", _("风险等级"), "level", choices=lambda user: RiskLevel.choices),
            Filter("kind", _("类型"), "kind", choices=lambda user: RiskPointKind.choices),
            Filter("archived", _("已归档"), "archived", kind="boolean"),
        ],
        search_fields=["name__icontains", "place__icontains", "enterprise__name__icontains"],
        search_placeholder=_("风险点 / 位置 / 企业"),
        default_ordering=["-id"],
        select_related=["enterprise"],
        detail_sections=[
            (_("风险点"), ["enterprise", "name", "place", "kind", "accident_types", "equipment_count"]),
            (_("评价"), ["level", "collected_by", "collected_at", "archived"]),
        ],
        detail_template="risks/point_detail.html",
        detail_context=lambda user, point: _point_views().detail_context(user, point),
        actions=POINT_ACTIONS,
        action_template="risks/point_action.html",
        action_context=_point_action_context,
        detail_actions=[
            (_("风险告知卡"), "risks:point-card", lambda user, point: True),
        ],
        list_template="risks/point_list.html",
        list_actions=[
            (_("导入风险清单"), "risks:risk-import", rules.may_edit_risk_point),
            (_("导出双重预防数据"), "risks:dual-prevention-export", lambda user: True),
        ],
    )
)


def _check_views():
    from anjian.risks import check_views

    return check_views


# 巡检 (the on-site check): the phone check page (``check_views.point_check``, which the QR code
# opens) calls this declaration; the API is ``POST /api/v1/inspection-points/{pk}/checks/``
# (``results`` plus photo files ``photos_<task id>``), answering with the point's detail.
CHECK_ACTION = Action(
    "checks",
    _("巡检"),
    page=False,
    button=False,
    form=check_forms.PointCheckForm,
    form_kwargs=check_forms.check_form_kwargs,
    may=rules.may_check_inspection_point,
    service=services.point_check,
    record_arg="point",
    done=_("已提交巡检结果"),
)

INSPECTION_POINT = registry.register(
    Resource(
        model=InspectionPoint,
        slug="inspection-points",
        namespace="risks",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles=ANY_VIEWER_MAY_WRITE),
        columns=[
            Column("name", _("巡检点"), sort="name", link=True),
            Column("enterprise__name", _("企业")),
            Column("risk_point__name", _("风险点")),
            Column("place", _("位置")),
        ],
        filters=[_region_filter(), Filter("archived", _("已归档"), "archived", kind="boolean")],
        search_fields=["name__icontains", "place__icontains", "enterprise__name__icontains"],
        search_placeholder=_("巡检点 / 位置 / 企业"),
        default_ordering=["enterprise_id", "name"],
        select_related=["enterprise", "risk_point"],
        detail_sections=[(_("巡检点"), ["enterprise", "risk_point", "name", "place", "archived"])],
        detail_template="risks/inspection_point_detail.html",
        detail_context=lambda user, point: _check_views().point_detail_context(user, point),
        detail_actions=[
            (_("巡检"), "risks:inspection-point-check", rules.may_check_inspection_point),
            (_("打印二维码"), "risks:inspection-point-qr", lambda user, point: True),
        ],
        # the check page is also what the QR code opens (a government user sees it read-only)
        extra_routes=["risks:inspection-point-check"],
        list_actions=[(_("巡检看板"), "risks:board", lambda user: True)],
        actions=[CHECK_ACTION],
    )
)

POINT_CHECK = registry.register(
    Resource(
        model=PointCheck,
        slug="point-checks",
        namespace="risks",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles=ANY_VIEWER_MAY_WRITE),
        columns=[
            Column("checked_at", _("巡检时间"), sort="checked_at", link=True),
            Column("enterprise__name", _("企业")),
            Column("point__name", _("巡检点")),
            Column("task__content", _("检查内容")),
            Column("passed", _("是否正常"), sort="passed"),
            Column("checked_by__display_name", _("巡检人")),
        ],
        filters=[
            _region_filter(),
            Filter("passed", _("是否正常"), "passed", kind="boolean"),
            Filter("checked_at", _("巡检时间"), "checked_at", kind="date"),
        ],
        search_fields=["point__name__icontains", "enterprise__name__icontains"],
        search_placeholder=_("巡检点 / 企业"),
        default_ordering=["-checked_at", "-id"],
        select_related=["enterprise", "point", "task", "checked_by"],
        detail_sections=[
            (_("巡检记录"), ["enterprise", "point", "task", "passed", "note", "checked_by", "checked_at"]),
            (_("位置"), ["latitude", "longitude", "hazard"]),
        ],
    )
)


def _plan_detail_context(user, plan):
    from anjian.risks.plan_views import detail_context

    return detail_context(user, plan)


# Drawn on the plan's page: its JSON door calls the same forms and services.
def _plan_action(name: str, label, **declaration) -> Action:
    return Action(
        name,
        label,
        form_kwargs=plan_forms.plan_form_kwargs,
        may=rules.may_draw_site_plan,
        record_arg="plan",
        button=False,
        **declaration,
    )


SITE_PLAN = registry.register(
    Resource(
        model=SitePlan,
        slug="site-plans",
        namespace="risks",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles=ANY_VIEWER_MAY_WRITE),
        columns=[
            Column("title", _("名称"), sort="title", link=True),
            Column("enterprise__name", _("企业")),
            Column("uploaded_at", _("上传时间"), sort="uploaded_at"),
        ],
        filters=[_region_filter()],
        search_fields=["title__icontains", "enterprise__name__icontains"],
        search_placeholder=_("名称 / 企业"),
        default_ordering=["-id"],
        select_related=["enterprise"],
        detail_sections=[(_("四色图"), ["enterprise", "title", "width", "height", "uploaded_by", "uploaded_at"])],
        detail_template="risks/plan_detail.html",
        detail_context=_plan_detail_context,
        actions=[
            # 上传平面图: the list page's button, ``plans/new/`` and ``POST /api/v1/site-plans/new/``
            # (multipart: the form has the image)
            Action(
                "new",
                _("上传平面图"),
                collection=True,
                form=plan_forms.SitePlanForm,
                form_kwargs=plan_forms.new_plan_form_kwargs,
                may=rules.may_edit_risk_point,
                service=services.site_plan_create,
                template="risks/plan_form.html",
                done=_("已上传平面图，请在图上绘制风险区域"),
            ),
            _plan_action(
                "zones",
                _("绘制风险区域"),
                form=plan_forms.ZoneForm,
                service=services.risk_zone_save,
                done=_("已保存风险区域"),
            ),
            _plan_action(
                "archive_zone",
                _("删除风险区域"),
                form=plan_forms.ZoneArchiveForm,
                service=services.risk_zone_remove,
                style="danger",
                done=_("已删除风险区域"),
            ),
        ],
        # the JSON door the drawing page lists and saves zones through
        extra_routes=["risks:site-plan-zones"],
    )
)

# 确认本月风险清单: the confirmation page (``review_views.review_confirm``, which shows the month's
# counts around the form) calls this declaration; the API is ``POST /api/v1/risk-reviews/confirm/``.
REVIEW_CONFIRM = Action(
    "confirm",
    _("确认本月风险清单"),
    collection=True,
    page=False,
    button=False,
    form=check_forms.ReviewForm,
    form_kwargs=check_forms.review_form_kwargs,
    may=rules.may_confirm_risk_review,
    service=services.risk_review_confirm,
    done=_("已确认本月风险清单"),
)

RISK_REVIEW = registry.register(
    Resource(
        model=RiskReview,
        slug="risk-reviews",
        namespace="risks",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles=ANY_VIEWER_MAY_WRITE),
        columns=[
            Column("month", _("月份"), sort="month", link=True),
            Column("enterprise__name", _("企业")),
            Column("confirmed_by__display_name", _("确认人")),
            Column("confirmed_at", _("确认时间"), sort="confirmed_at"),
            Column("note", _("变化说明")),
        ],
        filters=[_region_filter(), Filter("month", _("月份"), "month", kind="date")],
        search_fields=["enterprise__name__icontains"],
        search_placeholder=_("企业"),
        default_ordering=["-month", "-id"],
        select_related=["enterprise", "confirmed_by"],
        detail_sections=[
            (_("月度风险自查"), ["enterprise", "month", "confirmed_by", "confirmed_at", "note", "counts"])
        ],
        actions=[REVIEW_CONFIRM],
        list_actions=[
            (_("本月自查确认"), "risks:review-confirm", lambda user: bool(user.enterprise_id)),
            (
                _("各企业确认情况"),
                "risks:review-status",
                lambda user: user.is_platform_admin or user.is_government or user.is_agency_user,
            ),
        ],
    )
)

register_scope(RiskAssessment, ScopeSpec(enterprise="risk_point__enterprise", region="risk_point__region"))
register_scope(RiskEvent, ScopeSpec(enterprise="risk_point__enterprise", region="risk_point__region"))
register_scope(
    ControlMeasure, ScopeSpec(enterprise="event__risk_point__enterprise", region="event__risk_point__region")
)
register_scope(InspectionTask, ScopeSpec(enterprise="point__enterprise", region="point__region"))
register_scope(TaskSlot, ScopeSpec(enterprise="point__enterprise", region="point__region"))
register_scope(RiskZone, ScopeSpec(enterprise="plan__enterprise", region="plan__region"))


# --- Menu ---------------------------------------------------------------------------------------


def _sees_risks(user) -> bool:
    return menu.not_pending(user) and may(user, RiskPoint, VIEW)


menu.register_group(menu.MenuGroup("risks", _("风险"), order=40, icon="bullseye"))
for _key, _label, _url, _order in [
    ("points", _("风险点"), "risks:risk-points-list", 10),
    ("board", _("巡检看板"), "risks:board", 20),
    ("inspection-points", _("巡检点"), "risks:inspection-points-list", 30),
    ("checks", _("巡检记录"), "risks:point-checks-list", 40),
    ("site-plans", _("四色图"), "risks:site-plans-list", 50),
    ("reviews", _("月度风险自查"), "risks:risk-reviews-list", 60),
]:
    menu.register_entry(menu.MenuEntry(f"risks.{_key}", _label, _url, group="risks", visible=_sees_risks, order=_order))


# --- reference tables (参数表) -------------------------------------------------------------------
# Platform-wide, edited by the platform admin: the bands decide stored levels (versioned, so an
# assessment keeps the set it was computed with) and, like the level-control and measure-kind
# tables, they describe the method and the national export, which a district may not bend.


def _level_control_field():
    from django import forms

    from anjian.risks.models import OwningLevel

    return forms.MultipleChoiceField(
        label=_("管控层级"), choices=OwningLevel.choices, widget=forms.CheckboxSelectMultiple
    )


def _owning_levels(row) -> str:
    from anjian.risks.models import OwningLevel

    labels = dict(OwningLevel.choices)
    return "、".join(str(labels.get(level, level)) for level in row.owning_levels or [])


def _publish_bands(**kwargs):
    from anjian.risks.bands import risk_band_publish

    return risk_band_publish(**kwargs)


def _current_bands():
    from anjian.risks.bands import current_bands

    return current_bands()


def _band_version(row) -> str:
    from anjian.risks.bands import band_version_label

    return band_version_label(row)


reference.register(
    reference.ReferenceTable(
        model=RiskBand,
        slug="risk-bands",
        label=_("风险分级标准"),
        fields=("lower", "upper"),
        columns=("method", "level", "lower", "upper", "band_version"),
        versioned=True,
        publish=_publish_bands,
        rows=_current_bands,
        active_field=None,
        allow_create=False,
        display={"version": _band_version},
        help_text=_("LEC、LS的分值区间（下限不含、上限含）；修改一档时相邻档的边界随之移动"),
    )
)
reference.register(
    reference.ReferenceTable(
        model=LevelControl,
        slug="level-controls",
        label=_("分级管控层级"),
        fields=("level", "owning_levels"),
        form_fields={"owning_levels": _level_control_field},
        display={"owning_levels": _owning_levels},
        help_text=_("各风险等级应由哪些层级管控（缺少时风险点页面提示）"),
    )
)
reference.register(
    reference.ReferenceTable(
        model=MeasureKind,
        slug="measure-kinds",
        label=_("管控措施类别"),
        fields=("code", "name", "national_kind", "position"),
        help_text=_("企业使用的措施类别，各对应国家双重预防数据模型的四类之一"),
    )
)
