"""Writes of the core: accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core import audit
from anjian.core.models import RegionLevel, User
from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES, Role
from anjian.core.scoping import CHANGE, region_contains, restrict
from anjian.core.validators import mask_phone, validate_phone


@transaction.atomic
def user_register(*, display_name: str, phone: str, password: str) -> User:
    """A self-registered account waits (role pending) until it is bound to an enterprise."""
    user = User(username=phone, phone=phone, display_name=display_name, role=Role.PENDING)
    user.set_password(password)
    user.save()
    audit.record(actor=user, action="register", instance=user, changes={"phone": [None, mask_phone(phone)]})
    return user


# --- Account management (用户管理) --------------------------------------------------------------
#
# Who may give which role, where (SPEC §1). The rules live here so the page, the API and any
# command enforce them alike; forms only narrow their choices to what these functions accept.

# Roles that may open the account list / create and change accounts.
USER_MANAGER_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.DISTRICT_ADMIN, Role.TOWN_ADMIN, Role.ENTERPRISE_ADMIN, Role.AGENCY_ADMIN}
)
USER_VIEWER_ROLES = USER_MANAGER_ROLES | {
    Role.DEPARTMENT_OFFICER,
    Role.GRID_INSPECTOR,
    Role.ENTERPRISE_LEADER,
    Role.SAFETY_OFFICER,
}
# The region levels a government role hangs on.
ROLE_REGION_LEVELS = {
    Role.DISTRICT_ADMIN: frozenset({RegionLevel.DISTRICT}),
    Role.DEPARTMENT_OFFICER: frozenset({RegionLevel.DISTRICT, RegionLevel.TOWN}),
    Role.TOWN_ADMIN: frozenset({RegionLevel.TOWN}),
    Role.GRID_INSPECTOR: frozenset({RegionLevel.VILLAGE, RegionLevel.GRID}),
}
# What a manager may set on an account; the password has its own service.
USER_FIELDS = ("username", "display_name", "phone", "email", "role", "region", "department", "enterprise", "agency")
PLACEMENT_FIELDS = ("role", "region", "department", "enterprise", "agency")
# What the audit trail keeps of an account (the phone masked: the trail is never erased).
USER_AUDIT_FIELDS = [*USER_FIELDS, "is_active"]

audit.ACTION_LABELS.update(
    {
        "set_password": gettext_lazy("重置密码"),
        "deactivate": gettext_lazy("停用账号"),
        "activate": gettext_lazy("启用账号"),
        "view_phone": gettext_lazy("查看完整手机号"),
    }
)


def grantable_roles(actor) -> list[str]:
    """The roles ``actor`` may give to an account, in the order of ``Role``."""
    if not getattr(actor, "is_active", False) or not getattr(actor, "is_authenticated", False):
        return []
    if actor.is_platform_admin:
        allowed = set(Role) - {Role.PENDING}
    elif actor.role == Role.DISTRICT_ADMIN and actor.region_id:
        allowed = GOVERNMENT_ROLES | ENTERPRISE_ROLES | AGENCY_ROLES
    elif actor.role == Role.TOWN_ADMIN and actor.region_id:
        allowed = {Role.GRID_INSPECTOR, Role.DEPARTMENT_OFFICER} | ENTERPRISE_ROLES
    elif actor.role == Role.ENTERPRISE_ADMIN and actor.enterprise_id:
        allowed = set(ENTERPRISE_ROLES)
    elif actor.role == Role.AGENCY_ADMIN and actor.agency_id:
        allowed = set(AGENCY_ROLES)
    else:
        return []
    return [role for role in Role.values if role in allowed]


def _region_in_scope(actor, region) -> bool:
    return actor.is_platform_admin or (actor.role in GOVERNMENT_ROLES and region_contains(actor.region_id, region.code))


def _enterprise_in_scope(actor, enterprise) -> bool:
    if actor.is_platform_admin:
        return True
    if actor.role == Role.ENTERPRISE_ADMIN:
        return enterprise.pk == actor.enterprise_id
    return _region_in_scope(actor, enterprise.region)


def _agency_in_scope(actor, agency) -> bool:
    if actor.is_platform_admin:
        return True
    if actor.role == Role.AGENCY_ADMIN:
        return agency.pk == actor.agency_id
    return _region_in_scope(actor, agency.region)


def _placement_in_scope(actor, role, region, enterprise, agency) -> bool:
    """Whether an account with this role and placement lies where ``actor`` may manage it."""
    if role not in grantable_roles(actor):
        return False
    if actor.is_platform_admin:
        return True
    if role in GOVERNMENT_ROLES:
        return region is not None and _region_in_scope(actor, region)
    if role in ENTERPRISE_ROLES:
        return enterprise is not None and _enterprise_in_scope(actor, enterprise)
    if role in AGENCY_ROLES:
        return agency is not None and _agency_in_scope(actor, agency)
    return False


def may_create_users(actor) -> bool:
    return bool(grantable_roles(actor))


def may_manage(actor, target) -> bool:
    """Whether ``actor`` may edit, reset the password of, or deactivate ``target``.

    Never himself (his own name and phone he edits through ``user_update`` all the same), never
    a platform admin unless he is one, otherwise only accounts he could have created."""
    if not getattr(actor, "is_active", False) or target.pk == actor.pk:
        return False
    if target.is_platform_admin:
        return actor.is_platform_admin
    return _placement_in_scope(actor, target.role, target.region, target.enterprise, target.agency)


def check_grant(actor, *, role, region=None, department=None, enterprise=None, agency=None) -> dict[str, list[str]]:
    """Field errors if ``actor`` may not give ``role`` with this placement (empty: allowed)."""
    if not role:
        return {"role": [_("请选择角色")]}
    if role not in grantable_roles(actor):
        return {"role": [_("无权授予该角色")]}
    errors: dict[str, list[str]] = {}
    if role in GOVERNMENT_ROLES:
        levels = ROLE_REGION_LEVELS[role]
        if region is None:
            errors["region"] = [_("政府账号须选择所属区划")]
        elif region.level not in levels:
            names = "、".join(str(RegionLevel(level).label) for level in sorted(levels))
            errors["region"] = [_("%(role)s应归属到%(levels)s") % {"role": Role(role).label, "levels": names}]
        elif not _region_in_scope(actor, region):
            errors["region"] = [_("只能在本辖区内设置账号")]
        if role == Role.DEPARTMENT_OFFICER and department is None:
            errors["department"] = [_("部门监管员须选择所属部门")]
    elif role in ENTERPRISE_ROLES:
        if enterprise is None:
            errors["enterprise"] = [_("企业账号须选择所属企业")]
        elif not _enterprise_in_scope(actor, enterprise):
            errors["enterprise"] = [_("只能为本辖区（本企业）的企业设置账号")]
    elif role in AGENCY_ROLES:
        if agency is None:
            errors["agency"] = [_("机构账号须选择所属服务机构")]
        elif not _agency_in_scope(actor, agency):
            errors["agency"] = [_("只能为本辖区（本机构）的服务机构设置账号")]
    return errors


def _user_snapshot(user: User) -> dict[str, Any]:
    data = audit.snapshot(user, USER_AUDIT_FIELDS)
    data["phone"] = mask_phone(data.get("phone") or "")
    return data


def _same(value, current) -> bool:
    return getattr(value, "pk", value) == getattr(current, "pk", current)


def _merged(data: dict[str, Any], current: User | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The account's values after applying ``data`` (text trimmed); errors for unknown fields."""
    unknown = sorted(set(data) - set(USER_FIELDS))
    if unknown:
        return {}, {name: [_("无权修改此字段")] for name in unknown}
    values = {name: (getattr(current, name) if current is not None else None) for name in USER_FIELDS}
    values.update(data)
    for name in ("username", "display_name", "phone", "email"):
        values[name] = (values[name] or "").strip()
    return values, {}


def _placed(actor, data: dict[str, Any], values: dict[str, Any]) -> dict[str, list[str]]:
    """Force an enterprise / agency admin's own unit, and clear the placement fields the role
    does not use (a government account has no enterprise, an enterprise account no region)."""
    errors: dict[str, list[str]] = {}
    if not actor.is_platform_admin:
        for name, admin_role in (("enterprise", Role.ENTERPRISE_ADMIN), ("agency", Role.AGENCY_ADMIN)):
            if actor.role != admin_role:
                continue
            if data.get(name) is not None and not _same(data[name], getattr(actor, f"{name}_id")):
                errors[name] = [_("只能为本单位设置账号")]
            values[name] = getattr(actor, name)
    role = values["role"]
    if role not in GOVERNMENT_ROLES:
        values["region"] = values["department"] = None
    if role not in ENTERPRISE_ROLES:
        values["enterprise"] = None
    if role not in AGENCY_ROLES:
        values["agency"] = None
    return errors


def _grant_errors(actor, values: dict[str, Any]) -> dict[str, list[str]]:
    return check_grant(
        actor,
        role=values["role"],
        region=values["region"],
        department=values["department"],
        enterprise=values["enterprise"],
        agency=values["agency"],
    )


def _identity_errors(values: dict[str, Any], current: User | None) -> dict[str, list[str]]:
    """Username unique; phone valid and unique among active accounts (it is a login name too)."""
    errors: dict[str, list[str]] = {}
    others = User.objects.exclude(pk=current.pk) if current is not None else User.objects.all()
    username, phone = values["username"], values["phone"]
    if not username:
        errors["username"] = [_("请填写用户名")]
    elif current is None or username != current.username:
        if others.filter(username__iexact=username).exists():
            errors["username"] = [_("该用户名已被使用")]
        elif others.filter(phone=username, is_active=True).exists():
            errors["username"] = [_("该用户名是其他账号的手机号")]
    if phone and (current is None or phone != current.phone):
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        else:
            if others.filter(phone=phone, is_active=True).exists() or others.filter(username=phone).exists():
                errors["phone"] = [_("该手机号已被其他账号使用")]
    return errors


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _model_errors(user: User) -> None:
    """Field checks of the model itself (lengths, e-mail format, username characters)."""
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


@transaction.atomic
def user_create(*, actor, data: dict[str, Any]) -> User:
    """Create an account with an initial password, within what ``actor`` may grant."""
    if not may_create_users(actor):
        raise ValidationError(_("无权新建账号"))
    data = dict(data)
    password = data.pop("password", None) or ""
    values, errors = _merged(data, None)
    _raise(errors)
    _raise(_placed(actor, data, values))
    errors = _grant_errors(actor, values) | _identity_errors(values, None)
    user = User(**values)
    if not password:
        errors["password"] = [_("请设置初始密码")]
    else:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    _raise(errors)
    user.set_password(password)
    _model_errors(user)
    user.save()
    audit.record(actor=actor, action="create", instance=user, changes=audit.diff({}, _user_snapshot(user)))
    return user


def _locked_target(actor, user: User) -> User:
    """The account, locked for the write, if ``actor`` may change it at all (else DoesNotExist)."""
    himself = user.pk == actor.pk and actor.is_active
    if not himself and not restrict(User.objects.filter(pk=user.pk), actor, CHANGE).exists():
        raise User.DoesNotExist
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def user_update(*, actor, instance: User, data: dict[str, Any]) -> User:
    """Change an account. Nobody changes his own role or placement; a manager only within what
    he may grant, before and after the change."""
    user = _locked_target(actor, instance)
    data = dict(data)
    if "password" in data:
        raise ValidationError({"password": [_("请通过“重置密码”修改密码")]})
    if user.pk == actor.pk:
        locked = [name for name in PLACEMENT_FIELDS if name in data and not _same(data[name], getattr(user, name))]
        if locked:
            raise ValidationError({name: [_("不能修改自己的角色或归属")] for name in locked})
        values, errors = _merged({k: v for k, v in data.items() if k not in PLACEMENT_FIELDS}, user)
        _raise(errors)
    else:
        if not may_manage(actor, user):
            raise ValidationError(_("无权修改该账号"))
        values, errors = _merged(data, user)
        _raise(errors)
        _raise(_placed(actor, data, values))
        errors = _grant_errors(actor, values)
    errors |= _identity_errors(values, user)
    _raise(errors)
    before = _user_snapshot(user)
    for name, value in values.items():
        setattr(user, name, value)
    _model_errors(user)
    user.save(update_fields=list(USER_FIELDS))
    changes = audit.diff(before, _user_snapshot(user))
    if changes:
        audit.record(actor=actor, action="update", instance=user, changes=changes)
    return user


def _managed_target(actor, user: User) -> User:
    target = _locked_target(actor, user)
    if not may_manage(actor, target):
        raise ValidationError(_("无权管理该账号"))
    return target


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> User:
    """A manager sets a new password for an account (not his own: that needs the old one).
    The audit entry says that it happened, never what the password is."""
    target = _managed_target(actor, user)
    try:
        password_validation.validate_password(password or "", target)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    target.set_password(password)
    target.save(update_fields=["password"])
    audit.record(actor=actor, action="set_password", instance=target, changes={})
    return target


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    """Deactivate (停用) or reactivate an account. Accounts are never deleted: their audit trail,
    records and signatures keep pointing at them. A deactivated account cannot log in, its open
    sessions end at their next request and its API tokens stop working."""
    target = _managed_target(actor, user)
    if target.is_active == active:
        return target
    clash = User.objects.filter(phone=target.phone, is_active=True).exclude(pk=target.pk)
    if active and target.phone and clash.exists():
        raise ValidationError({"phone": [_("该手机号已被其他在用账号使用，请先修改手机号")]})
    target.is_active = active
    target.save(update_fields=["is_active"])
    if not active:
        # Tokens would otherwise come back to life on reactivation.
        target.api_tokens.filter(revoked=False).update(revoked=True)
    audit.record(
        actor=actor,
        action="activate" if active else "deactivate",
        instance=target,
        changes={"is_active": [not active, active]},
    )
    return target


def user_phone_viewed(*, actor, user: User) -> None:
    """Record that ``actor`` saw ``user``'s whole phone number (DOMAIN §2: every unmasked view)."""
    if actor.pk != user.pk:
        audit.record(actor=actor, action="view_phone", instance=user, changes={})
