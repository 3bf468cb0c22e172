"""Core models served through the registry: the region tree and the accounts (用户管理)."""

from __future__ import annotations

from django.db.models import Lookup, Q
from django.utils.translation import gettext_lazy as _

from anjian.core import menu, registry, services
from anjian.core.choices import region_and_ancestors, subregion_choices
from anjian.core.models import Region, User
from anjian.core.registry import Column, Filter, Resource
from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES, Role
from anjian.core.scoping import CHANGE, CREATE, VIEW, ScopeSpec, may, region_condition, sector_condition
from anjian.core.validators import mask_phone


def region_scope(queryset, user):
    """Government users see their subtree; enterprise users the chain above their enterprise."""
    if user.role in GOVERNMENT_ROLES and user.region_id:
        return queryset.filter(region_condition("", user.region_id))
    if user.role in ENTERPRISE_ROLES and user.enterprise_id:
        code = user.enterprise.region_id
        return queryset.filter(code__in=region_and_ancestors(code))
    if user.role in AGENCY_ROLES and user.agency_id:
        code = user.agency.region_id
        return queryset.filter(code__in=region_and_ancestors(code))
    return queryset.none()


def _level_choices(user):
    return [(str(value), label) for value, label in Region._meta.get_field("level").choices]


REGION = registry.register(
    Resource(
        model=Region,
        slug="regions",
        namespace="core",
        scope=ScopeSpec(custom=region_scope, roles={CHANGE: frozenset(), CREATE: frozenset()}),
        columns=[
            Column("code", _("区划代码"), sort="code", link=True),
            Column("name", _("名称"), sort="name", link=True),
            Column("level", _("层级"), sort="level"),
            Column("parent__name", _("上级")),
        ],
        filters=[
            Filter("level", _("层级"), "level", kind="choice", choices=_level_choices),
            Filter("parent", _("上级区划"), "parent_id", kind="text"),
        ],
        search_fields=["name__icontains", "code__startswith"],
        search_placeholder=_("名称 / 区划代码"),
        default_ordering=["code"],
        select_related=["parent"],
        detail_sections=[(_("区划信息"), ["code", "name", "level", "parent", "center_lat", "center_lng"])],
    )
)


# --- Accounts (用户管理) ------------------------------------------------------------------------


def _placement_condition(code: str, sector: Q | None = None) -> Q:
    """Government accounts hanging in the subtree of ``code``, and the accounts of the enterprises
    located there (of ``sector`` only, when given)."""
    enterprises = Q(role__in=ENTERPRISE_ROLES) & region_condition("enterprise__region", code)
    if sector is not None:
        enterprises &= sector
    return (Q(role__in=GOVERNMENT_ROLES) & region_condition("region", code)) | enterprises


def user_scope(queryset, user):
    """Who sees which accounts (the platform admin, all of them, never gets here):
    government users their area's government and enterprise accounts (a department officer of a
    sector department only the enterprise accounts of his sector); an enterprise's admin, leader
    and safety officer that enterprise's accounts; an agency admin his agency's."""
    if user.role in GOVERNMENT_ROLES and user.region_id:
        sector = None
        if user.role == Role.DEPARTMENT_OFFICER:
            sector = sector_condition(user, "enterprise__")
            if sector is None:
                return queryset.none()
        return queryset.filter(_placement_condition(user.region_id, sector))
    if user.role in ENTERPRISE_ROLES and user.enterprise_id:
        return queryset.filter(role__in=ENTERPRISE_ROLES, enterprise_id=user.enterprise_id)
    if user.role in AGENCY_ROLES and user.agency_id:
        return queryset.filter(role__in=AGENCY_ROLES, agency_id=user.agency_id)
    return queryset.none()


class PlacedIn(Lookup):
    """``pk__placed_in=<region code>``: the list filter "region" for accounts, which hang on a region
    (government) or on an enterprise that does (enterprise). A filter of the registry applies one
    lookup, so this one is registered on the User primary key only."""

    lookup_name = "placed_in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        placed = User.objects.filter(_placement_condition(str(self.rhs))).values("pk")
        sub_sql, sub_params = placed.query.get_compiler(connection=connection).as_sql()
        return f"{lhs_sql} IN ({sub_sql})", (*lhs_params, *sub_params)


User._meta.pk.register_lookup(PlacedIn)


def _placement(user: User) -> str:
    if user.role in ENTERPRISE_ROLES and user.enterprise_id:
        return str(user.enterprise)
    if user.role in AGENCY_ROLES and user.agency_id:
        return str(user.agency)
    parts = [str(p) for p in (user.region, user.department) if p is not None]
    return " · ".join(parts)


def _role_choices(user):
    return [(value, label) for value, label in Role.choices]


def _user_form_for(user, instance):
    from anjian.core.forms import user_form_class

    return user_form_class(user, instance)


USER = registry.register(
    Resource(
        model=User,
        slug="users",
        namespace="core",
        scope=ScopeSpec(
            custom=user_scope,
            roles={
                VIEW: services.USER_VIEWER_ROLES,
                CHANGE: services.USER_MANAGER_ROLES,
                CREATE: services.USER_MANAGER_ROLES,
            },
        ),
        columns=[
            Column("username", _("用户名"), sort="username", link=True),
            Column("display_name", _("姓名"), sort="display_name", link=True),
            Column("role", _("角色"), sort="role"),
            Column(
                "placement",
                _("区划 / 企业 / 机构"),
                value=_placement,
                fields=("role", "region__name", "department__name", "enterprise__name", "agency__name"),
            ),
            # Masked in the list and the export; whole only on the detail page of a manager.
            Column("phone", _("手机号"), value=lambda u: mask_phone(u.phone)),
            Column("is_active", _("状态"), sort="is_active", value=lambda u: _("在用") if u.is_active else _("停用")),
            Column("last_login", _("最后登录"), sort="last_login"),
        ],
        filters=[
            Filter("role", _("角色"), "role", choices=_role_choices),
            Filter(
                "active",
                _("状态"),
                "is_active",
                kind="boolean",
                choices=lambda user: [("1", _("在用")), ("0", _("停用"))],
            ),
            Filter("region", _("区域"), "pk__placed_in", kind="region", choices=subregion_choices),
        ],
        # The whole phone number only: a prefix search would reveal the masked digits.
        search_fields=["username__icontains", "display_name__icontains", "phone"],
        search_placeholder=_("用户名 / 姓名 / 完整手机号"),
        default_ordering=["username"],
        select_related=["region", "department", "enterprise__region", "agency__region"],
        detail_sections=[
            (_("账号"), ["username", "display_name", "email", "role"]),
            (_("归属"), ["region", "department", "enterprise", "agency"]),
            (_("状态"), ["is_active", "last_login", "date_joined"]),
        ],
        detail_template="core/accounts/user_detail.html",
        form_for=_user_form_for,
        create_service=services.user_create,
        update_service=services.user_update,
        detail_actions=[
            (_("重置密码"), "core:user-password", services.may_manage),
            (_("停用"), "core:user-active", lambda user, obj: obj.is_active and services.may_manage(user, obj)),
            (_("启用"), "core:user-active", lambda user, obj: not obj.is_active and services.may_manage(user, obj)),
        ],
    )
)


# --- Menu ---------------------------------------------------------------------------------------

menu.register_group(menu.MenuGroup("system", _("系统"), order=90, icon="gear"))
menu.register_entry(
    menu.MenuEntry(
        "core.regions",
        _("行政区划"),
        "core:regions-list",
        group="system",
        visible=lambda user: menu.not_pending(user) and menu.is_government(user),
        order=10,
    )
)
menu.register_entry(
    menu.MenuEntry(
        "core.users",
        _("用户管理"),
        "core:users-list",
        group="system",
        visible=lambda user: menu.not_pending(user) and may(user, User, VIEW),
        order=20,
    )
)
