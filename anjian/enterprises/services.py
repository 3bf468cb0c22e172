"""Every write to the enterprise archive. Pages, API, import and demo data call these."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit, follow
from anjian.core.models import Region, RegionLevel, User
from anjian.core.phone_codes import phone_code_check, phone_code_send
from anjian.core.roles import (
    ENTERPRISE_ROLES,
    Role,
)
from anjian.core.scoping import CHANGE, region_contains, restrict, user_region_contains
from anjian.core.validators import validate_credit_code
from anjian.enterprises import rules
from anjian.enterprises.models import BindingToken, Enterprise

# Fields an enterprise's own admin may keep current; the rest belong to the supervisor.
PROFILE_FIELDS = [
    "principal",
    "contact_phone",
    "safety_manager",
    "safety_manager_phone",
    "address",
    "latitude",
    "longitude",
    "staff_count",
    "building_area",
    "main_products",
    "licences",
    "standardization_grade",
    "hazardous_chemicals",
    "special_equipment",
    "special_operations",
    "major_hazard_sources",
]
GOVERNMENT_FIELDS = [
    "credit_code",
    "name",
    "kind",
    "venue_type",
    "supervising_department",
    "legal_representative",
    "admin_phone",
    "region",
    "industry",
    "scale",
    "established_on",
    "supervision_class",
    "grid_inspector",
    "status",
    "tags",
    *PROFILE_FIELDS,
]
BINDING_TOKEN_TTL = timedelta(hours=24)


def editable_fields(user: User, enterprise: Enterprise | None) -> list[str]:
    """The fields ``user`` may set on ``enterprise`` (None: a new one)."""
    if rules.is_enterprise_manager(user):
        return GOVERNMENT_FIELDS
    if enterprise is not None and rules.may_edit_enterprise_profile(user, enterprise):
        return PROFILE_FIELDS
    return []


def _check_placement(*, actor: User, region: Region | None, grid_inspector: User | None) -> None:
    errors: dict[str, list[str]] = {}
    if region is None:
        errors["region"] = [_("请选择所属区划或网格")]
    else:
        if region.level < RegionLevel.TOWN:
            errors["region"] = [_("企业应归属到镇街、村社区或网格")]
        elif not user_region_contains(actor, region.code):
            errors["region"] = [_("只能把企业放在本辖区内")]
    if grid_inspector is not None:
        if grid_inspector.role != Role.GRID_INSPECTOR or not grid_inspector.is_active:
            errors["grid_inspector"] = [_("责任网格员必须是在岗的网格员")]
        elif region is not None and not region_contains(grid_inspector.region_id, region.code):
            errors["grid_inspector"] = [_("该网格员不负责企业所在的网格")]
    if errors:
        raise ValidationError(errors)


def _check_credit_code(code: str, exclude_pk: int | None = None) -> None:
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages}) from exc
    clash = Enterprise.objects.filter(credit_code=code)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"credit_code": [_("该统一社会信用代码已建档")]})


def _apply(enterprise: Enterprise, data: dict[str, Any], allowed: list[str]) -> list:
    """Set the allowed scalar fields; return the many-to-many values to set after saving."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("无权修改此字段")] for name in sorted(unknown)})
    tags = None
    for name, value in data.items():
        if name == "tags":
            tags = list(value)
        else:
            setattr(enterprise, name, value)
    return tags


@transaction.atomic
def enterprise_create(*, actor: User, data: dict[str, Any]) -> Enterprise:
    if not rules.is_enterprise_manager(actor):
        raise ValidationError(_("只有政府管理人员可以新建企业档案"))
    data = dict(data)
    data["credit_code"] = (data.get("credit_code") or "").strip().upper()
    _check_credit_code(data["credit_code"])
    _check_placement(actor=actor, region=data.get("region"), grid_inspector=data.get("grid_inspector"))
    enterprise = Enterprise()
    tags = _apply(enterprise, data, GOVERNMENT_FIELDS)
    enterprise.full_clean(exclude=["tags"])
    enterprise.save()
    if tags is not None:
        enterprise.tags.set(tags)
    audit.record(actor=actor, action="create", instance=enterprise, changes=audit.diff({}, audit.snapshot(enterprise)))
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: User, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    """Change an enterprise's fields; government users all of them, its admin the profile ones."""
    enterprise = restrict(Enterprise.objects.select_for_update(), actor, CHANGE).filter(pk=enterprise.pk).first()
    if enterprise is None:
        raise Enterprise.DoesNotExist
    allowed = editable_fields(actor, enterprise)
    if not allowed:
        raise ValidationError(_("无权修改该企业档案"))
    before = audit.snapshot(enterprise)
    data = dict(data)
    if "credit_code" in data:
        data["credit_code"] = (data["credit_code"] or "").strip().upper()
        if data["credit_code"] != enterprise.credit_code:
            _check_credit_code(data["credit_code"], exclude_pk=enterprise.pk)
    if "region" in data or "grid_inspector" in data:
        _check_placement(
            actor=actor,
            region=data.get("region", enterprise.region),
            grid_inspector=data.get("grid_inspector", enterprise.grid_inspector),
        )
    old_region = enterprise.region_id
    tags = _apply(enterprise, data, allowed)
    enterprise.full_clean(exclude=["tags"])
    enterprise.save()
    if tags is not None:
        enterprise.tags.set(tags)
    if enterprise.region_id != old_region:
        follow.records_follow_enterprise(actor=actor, enterprise=enterprise)
    changes = audit.diff(before, audit.snapshot(enterprise))
    if changes:
        audit.record(actor=actor, action="update", instance=enterprise, changes=changes)
    return enterprise


def enterprise_move(*, actor: User, enterprise: Enterprise, region: Region, grid_inspector: User | None) -> Enterprise:
    """Move an enterprise to another grid (and its inspector); every record that copies its region
    follows in the same transaction (``core.follow``)."""
    return enterprise_update(
        actor=actor, enterprise=enterprise, data={"region": region, "grid_inspector": grid_inspector}
    )


@transaction.atomic
def binding_token_create(*, actor: User, enterprise: Enterprise) -> BindingToken:
    """A one-time token (shown as a QR code) that lets an enterprise admin bind his account."""
    if not restrict(Enterprise.objects.filter(pk=enterprise.pk), actor, CHANGE).exists() or not (
        rules.is_enterprise_manager(actor)
    ):
        raise Enterprise.DoesNotExist
    token = BindingToken.objects.create(
        enterprise=enterprise,
        token=secrets.token_urlsafe(24),
        created_by=actor,
        expires_at=timezone.now() + BINDING_TOKEN_TTL,
    )
    audit.record(
        actor=actor, action="binding_token", instance=enterprise, changes={"expires_at": [None, token.expires_at]}
    )
    return token


def _bind(*, user: User, enterprise: Enterprise, how: str) -> User:
    if user.role in ENTERPRISE_ROLES and user.enterprise_id and user.enterprise_id != enterprise.pk:
        raise ValidationError(_("该账号已绑定其他企业，请先联系管理员解绑"))
    if user.role not in ENTERPRISE_ROLES and user.role != Role.PENDING:
        raise ValidationError(_("政府或机构账号不能绑定企业"))
    before = audit.snapshot(user, ["role", "enterprise"])
    user.enterprise = enterprise
    if user.role == Role.PENDING:
        user.role = Role.ENTERPRISE_ADMIN
    user.save(update_fields=["enterprise", "role"])
    changes = audit.diff(before, audit.snapshot(user, ["role", "enterprise"]))
    changes["how"] = [None, how]
    audit.record(actor=user, action="bind_enterprise", instance=user, changes=changes)
    return user


@transaction.atomic
def enterprise_bind_by_token(*, user: User, token: str) -> Enterprise:
    binding = BindingToken.objects.select_for_update().select_related("enterprise").filter(token=token).first()
    if binding is None or binding.used_at is not None or binding.expires_at < timezone.now():
        raise ValidationError(_("二维码无效或已过期，请让网格员重新生成"))
    _bind(user=user, enterprise=binding.enterprise, how="qr")
    binding.used_by = user
    binding.used_at = timezone.now()
    binding.save(update_fields=["used_by", "used_at"])
    return binding.enterprise


def enterprise_for_phone(phone: str) -> Enterprise | None:
    """The enterprise that pre-registered this phone for its admin, if exactly one did."""
    if not phone:
        return None
    matches = list(Enterprise.objects.filter(admin_phone=phone)[:2])
    return matches[0] if len(matches) == 1 else None


PHONE_BINDING = "bind_enterprise"


def enterprise_phone_code_send(*, user: User) -> Enterprise:
    """Send the SMS code that proves the user holds the phone an enterprise pre-registered."""
    enterprise = enterprise_for_phone(user.phone)
    if enterprise is None:
        raise ValidationError(_("没有企业预留您的手机号，请扫描网格员出示的二维码绑定"))
    phone_code_send(user=user, purpose=PHONE_BINDING)
    return enterprise


def enterprise_bind_by_phone(*, user: User, code: str) -> Enterprise:
    """Bind to the enterprise that pre-registered the user's phone, once the SMS code proves it."""
    enterprise = enterprise_for_phone(user.phone)
    if enterprise is None:
        raise ValidationError(_("没有企业预留您的手机号，请扫描网格员出示的二维码绑定"))
    phone_code_check(user=user, purpose=PHONE_BINDING, code=code)  # its own transaction: failures count
    with transaction.atomic():
        _bind(user=user, enterprise=enterprise, how="phone")
    return enterprise
