"""Writes of the risk module: risk points and their assessments (history kept)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.models import User
from anjian.core.roles import Role
from anjian.core.scoping import VIEW, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks import scoring
from anjian.risks.models import AssessmentMethod, RiskAssessment, RiskBand, RiskPoint, RiskPointKind

RISK_EDITORS = frozenset({Role.ENTERPRISE_ADMIN, Role.SAFETY_OFFICER, Role.ENTERPRISE_LEADER})


def _may_edit(user: User, enterprise_id: int) -> bool:
    """Identifying and assessing risks is the enterprise's own duty (or its contracted agency's,
    whose scope restrict() already limits); government supervises and reads."""
    return (
        user.is_platform_admin
        or (user.role in RISK_EDITORS and user.enterprise_id == enterprise_id)
        or user.role in (Role.AGENCY_ADMIN, Role.AGENCY_ENGINEER)
    )


def bands(method: str) -> list[scoring.Band]:
    return [scoring.Band(b.level, b.lower, b.upper) for b in RiskBand.objects.filter(method=method)]


@transaction.atomic
def risk_point_create(*, actor: User, enterprise: Enterprise, data: dict[str, Any]) -> RiskPoint:
    if not restrict(Enterprise.objects.filter(pk=enterprise.pk), actor, VIEW).exists():
        raise Enterprise.DoesNotExist
    if not _may_edit(actor, enterprise.pk):
        raise ValidationError(_("无权为该企业登记风险点"))
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [_("请填写风险点名称")]
    if data.get("kind") not in RiskPointKind.values:
        errors["kind"] = [_("请选择风险点类型")]
    if errors:
        raise ValidationError(errors)
    point = RiskPoint.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        name=data["name"].strip(),
        place=(data.get("place") or "").strip(),
        kind=data["kind"],
        accident_types=list(data.get("accident_types") or []),
        equipment_count=int(data.get("equipment_count") or 0),
        collected_by=actor,
        collected_at=timezone.now(),
    )
    audit.record(actor=actor, action="create", instance=point, changes=audit.diff({}, audit.snapshot(point)))
    return point


def _decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({field: [_("请填写数字")]}) from exc


@transaction.atomic
def risk_assess(
    *,
    actor: User,
    risk_point: RiskPoint | int,
    method: str,
    likelihood,
    consequence,
    exposure=None,
    note: str = "",
) -> RiskAssessment:
    """Assess (or re-assess) a risk point by LEC or LS; the level comes from the band table. Earlier
    assessments stay as history; the point shows the latest level."""
    pk = risk_point.pk if isinstance(risk_point, RiskPoint) else risk_point
    point = restrict(RiskPoint.objects.select_for_update(of=("self",)), actor, VIEW).filter(pk=pk).first()
    if point is None:
        raise RiskPoint.DoesNotExist
    if not _may_edit(actor, point.enterprise_id):
        raise ValidationError(_("无权评价该风险点"))
    if method not in AssessmentMethod.values:
        raise ValidationError({"method": [_("请选择评价方法")]})
    l_value = _decimal(likelihood, "likelihood")
    e_value = _decimal(exposure, "exposure") if method == AssessmentMethod.LEC else None
    c_value = _decimal(consequence, "consequence")
    try:
        value = scoring.score(method, l_value, e_value, c_value)
    except ValueError as exc:
        raise ValidationError({str(exc): [_("取值不在该评价方法的标准取值表中")]}) from exc
    level = scoring.level_for(value, bands(method))
    assessment = RiskAssessment.objects.create(
        risk_point=point,
        method=method,
        likelihood=l_value,
        exposure=e_value,
        consequence=c_value,
        score=value,
        level=level,
        assessed_by=actor,
        assessed_at=timezone.now(),
        note=(note or "")[:200],
    )
    before = point.level
    point.level = level
    point.save(update_fields=["level"])
    audit.record(
        actor=actor,
        action="assess",
        instance=point,
        changes={"level": [before or None, level], "score": [None, str(value)], "method": [None, method]},
    )
    return assessment
