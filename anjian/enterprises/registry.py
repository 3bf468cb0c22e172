"""The enterprise archive in the registry: columns, filters, search, detail sections, forms."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core import menu, reference, registry
from anjian.core.actions import Action
from anjian.core.choices import grid_inspector_choices, subregion_choices
from anjian.core.models import User
from anjian.core.registry import Column, Filter, Resource
from anjian.core.roles import ENTERPRISE_PROFILE_EDITOR_ROLES, ENTERPRISE_REGISTRARS
from anjian.core.scoping import CHANGE, CREATE, ScopeSpec, restrict
from anjian.enterprises import rules, selectors, services
from anjian.enterprises.forms import MoveForm
from anjian.enterprises.models import Enterprise, Industry, Scale, SupervisionClass, Tag


def industry_choices(user) -> list[tuple[str, str]]:
    """GB/T 4754 sections and divisions for industry filters (a code prefix selects a sector)."""
    rows = Industry.objects.filter(code__regex=r"^[A-Z](\d\d)?$").order_by("code").values_list("code", "name")
    return [(code, f"{code} {name}" if len(code) == 1 else f"— {code} {name}") for code, name in rows]


def _detail_context(user, enterprise: Enterprise) -> dict:
    """Licences and site photos, and the accounts bound to the enterprise (as far as the user may see)."""
    from anjian.core.attachments import attachment_box

    accounts = restrict(User.objects.filter(enterprise=enterprise, is_active=True), user).order_by("role", "pk")
    return {"attachments": attachment_box(enterprise, user), "accounts": list(accounts)}


def _form_for(user, instance):
    from anjian.enterprises.forms import enterprise_form_class

    return enterprise_form_class(user, instance)


ENTERPRISE = registry.register(
    Resource(
        model=Enterprise,
        slug="enterprises",
        namespace="enterprises",
        scope=ScopeSpec(
            enterprise="",
            roles={
                CHANGE: ENTERPRISE_REGISTRARS | ENTERPRISE_PROFILE_EDITOR_ROLES,
                CREATE: ENTERPRISE_REGISTRARS,
            },
        ),
        columns=[
            Column("name", _("名称"), sort="name", link=True),
            Column("credit_code", _("统一社会信用代码"), sort="credit_code"),
            Column("region__name", _("所属网格"), sort="region_id"),
            Column("industry__name", _("行业"), sort="industry_id"),
            Column("scale", _("规模"), sort="scale"),
            Column("supervision_class__code", _("监管类别"), sort="supervision_class__rank", badge=True),
            Column("legal_representative", _("法定代表人")),
            Column("grid_inspector__display_name", _("责任网格员")),
            Column("staff_count", _("从业人数"), sort="staff_count"),
            Column("status", _("经营状态"), sort="status"),
        ],
        filters=[
            Filter("region", _("镇街/区域"), "region__code__startswith", kind="region", choices=subregion_choices),
            Filter("industry", _("行业"), "industry__code__startswith", choices=industry_choices),
            Filter("scale", _("规模"), "scale", choices=lambda user: Scale.choices),
            Filter(
                "class",
                _("监管类别"),
                "supervision_class__code",
                choices=lambda user: [
                    (code, f"{code} · {label}") for code, label in SupervisionClass.objects.values_list("code", "label")
                ],
            ),
            Filter(
                "tag",
                _("标签"),
                "tags__name",
                kind="multi",
                choices=lambda user: [(name, name) for name in Tag.objects.values_list("name", flat=True)],
            ),
            Filter("inspector", _("责任网格员"), "grid_inspector_id", choices=grid_inspector_choices),
            Filter(
                "status", _("经营状态"), "status", choices=lambda user: Enterprise._meta.get_field("status").choices
            ),
        ],
        search_fields=["name__icontains", "credit_code__istartswith", "legal_representative__icontains"],
        search_placeholder=_("名称 / 信用代码 / 法定代表人"),
        default_ordering=["-id"],
        select_related=["region", "industry", "supervision_class", "grid_inspector"],
        detail_sections=[
            (
                _("基本信息"),
                [
                    "name",
                    "credit_code",
                    "kind",
                    "venue_type",
                    "legal_representative",
                    "principal",
                    "established_on",
                    "status",
                ],
            ),
            (
                _("属地与监管"),
                [
                    "region",
                    "address",
                    "latitude",
                    "longitude",
                    "supervising_department",
                    "supervision_class",
                    "grid_inspector",
                    "tags",
                ],
            ),
            (_("规模与生产"), ["industry", "scale", "staff_count", "building_area", "main_products"]),
            (
                _("安全管理"),
                [
                    "standardization_grade",
                    "licences",
                    "safety_manager",
                    "safety_manager_phone",
                    "contact_phone",
                    "admin_phone",
                ],
            ),
            (
                _("重点风险要素"),
                ["hazardous_chemicals", "special_equipment", "special_operations", "major_hazard_sources"],
            ),
        ],
        form_for=_form_for,
        detail_template="enterprises/enterprise_detail.html",
        detail_context=_detail_context,
        create_service=services.enterprise_create,
        update_service=lambda *, actor, instance, data: services.enterprise_update(
            actor=actor, enterprise=instance, data=data
        ),
        actions=[
            Action(
                "move",
                _("调整网格"),
                form=MoveForm,
                form_kwargs=lambda user, enterprise: {"user": user, "enterprise": enterprise},
                may=rules.is_enterprise_manager,
                service=services.enterprise_move,
                record_arg="enterprise",
                style="outline-primary",
                icon="bi-geo-alt",
                template="enterprises/move.html",
                done=_("已调整所属网格"),
                help=_("企业的隐患、风险点、检查等记录随企业一并转到新网格。"),
            ),
            # Generating a code is a write: the QR page (``views.enterprise_binding_code``, at this
            # action's address) shows the current code and generates a new one through this
            # declaration. The code itself is shown on the page only, so no API route.
            Action(
                "binding_code",
                _("企业绑定码"),
                may=rules.is_enterprise_manager,
                service=services.binding_token_create,
                record_arg="enterprise",
                style="outline-primary",
                icon="bi-qr-code",
                api=False,
            ),
        ],
        list_actions=[(_("Excel导入"), "enterprises:enterprise-import", rules.is_enterprise_manager)],
    )
)


# --- Menu and home widgets ----------------------------------------------------------------------


def _sees_archive_list(user) -> bool:
    return user.is_platform_admin or user.is_government or user.is_agency_user


def _archive_url(user) -> str:
    """Supervisors get the archive, an enterprise user his own enterprise's page."""
    if _sees_archive_list(user):
        return reverse("enterprises:enterprises-list")
    return reverse("enterprises:enterprises-detail", args=[user.enterprise_id])


def _enterprise_home(request) -> dict:
    return {"enterprise": selectors.enterprise_home(request.user)}


def _pending_home(request) -> dict:
    return {"phone_enterprise": selectors.enterprise_for_phone(request.user.phone)}


menu.register_group(menu.MenuGroup("archive", _("档案"), order=10, icon="buildings"))
menu.register_entry(
    menu.MenuEntry(
        "enterprises.archive",
        _("企业档案"),
        _archive_url,
        group="archive",
        visible=lambda user: _sees_archive_list(user) or bool(user.enterprise_id),
        order=10,
    )
)
menu.register_widget(
    menu.HomeWidget(
        "enterprises.archive-button",
        _("企业档案"),
        template="enterprises/_home_archive_button.html",
        visible=menu.is_government,
        area="header",
    )
)
menu.register_widget(
    menu.HomeWidget(
        "enterprises.overview",
        _("辖区企业/场所"),
        template="enterprises/_home_overview.html",
        context=lambda request: {"overview": selectors.government_overview(request.user)},
        visible=menu.is_government,
        order=50,
    )
)
menu.register_widget(
    menu.HomeWidget(
        "enterprises.own-archive",
        _("本企业档案"),
        template="enterprises/_home_own_button.html",
        visible=lambda user: user.is_enterprise_user and bool(user.enterprise_id),
        order=50,
        area="actions",
    )
)
menu.register_widget(
    menu.HomeWidget(
        "enterprises.profile",
        _("企业信息"),
        template="enterprises/_home_profile.html",
        context=_enterprise_home,
        visible=lambda user: user.is_enterprise_user and bool(user.enterprise_id),
        order=50,
        css="col-12 col-md-6",
    )
)
menu.register_widget(
    menu.HomeWidget(
        "enterprises.agency-list",
        _("服务企业"),
        template="enterprises/_home_agency_list.html",
        context=lambda request: {"enterprises": selectors.agency_enterprises(request.user)},
        visible=lambda user: user.is_agency_user and bool(user.agency_id),
        order=10,
    )
)
menu.register_widget(
    menu.HomeWidget(
        "enterprises.binding",
        _("绑定您的企业"),
        template="enterprises/_home_binding.html",
        context=_pending_home,
        visible=lambda user: not menu.not_pending(user),
        order=10,
    )
)


# --- reference tables (参数表) -------------------------------------------------------------------
# Supervision classes are the platform's (letters, meanings and cycles must mean the same on every
# district's statistics); a district or town that patrols on its own cycle says so in its patrol
# plan (inspections' PatrolRule, already edited per region by its government users).
reference.register(
    reference.ReferenceTable(
        model=SupervisionClass,
        slug="supervision-classes",
        label=_("监管类别"),
        fields=("code", "label", "patrol_cycle_months", "colour", "rank"),
        help_text=_("分级分类监管的类别、含义与检查周期；区域巡查计划可覆盖检查周期"),
    )
)
