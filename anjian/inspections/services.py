"""Every write of the inspection module: checklists and their versions, inspections item by item,
monthly reports. Failed items become hazards through the hazard service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.attachments import attachment_add, attachments_for
from anjian.core.choices import region_and_ancestors
from anjian.core.models import User
from anjian.core.notify import notify
from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, Role
from anjian.core.scoping import VIEW, region_contains, restrict
from anjian.enterprises.models import Enterprise
from anjian.hazards import services as hazard_services
from anjian.hazards.models import HazardLevel, HazardSource
from anjian.inspections import rules
from anjian.inspections.models import (
    AnswerResult,
    AnswerType,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionAnswer,
    InspectionKind,
    InspectionStatus,
    MonthlyReport,
    MonthlyReportStatus,
)
from anjian.inspections.workflow import APPROVE, INSPECTION_FLOW, MONTHLY_REPORT_FLOW, RETURN, SUBMIT

ITEM_FIELDS = (
    "text",
    "clause",
    "category",
    "answer_type",
    "min_value",
    "max_value",
    "unit",
    "photo_required",
    "major_criterion",
)
# Which hazard source an inspection kind gives its findings (who verifies them follows from it).
HAZARD_SOURCE = {
    InspectionKind.SELF_CHECK: HazardSource.SELF_CHECK,
    InspectionKind.GRID_PATROL: HazardSource.PATROL,
    InspectionKind.TOWN_PATROL: HazardSource.PATROL,
    InspectionKind.DEPARTMENT: HazardSource.DEPARTMENT,
    InspectionKind.AGENCY: HazardSource.AGENCY,
}


# --- checklists -------------------------------------------------------------------------------


def _clean_items(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        raise ValidationError({"items": [_("体检卡至少需要一个检查项")]})
    errors: dict[str, list[str]] = {}
    cleaned = []
    for number, raw in enumerate(items, start=1):
        item = {name: raw.get(name) for name in ITEM_FIELDS}
        item["text"] = (item["text"] or "").strip()
        item["clause"] = (item["clause"] or "").strip()
        item["unit"] = (item["unit"] or "").strip()
        item["answer_type"] = item["answer_type"] or AnswerType.CHECK
        item["photo_required"] = bool(item["photo_required"])
        if not item["text"]:
            errors.setdefault("items", []).append(_("第%(n)d项：请填写检查内容") % {"n": number})
        if item["answer_type"] not in AnswerType.values:
            errors.setdefault("items", []).append(_("第%(n)d项：答案类型无效") % {"n": number})
        low, high = item["min_value"], item["max_value"]
        if item["answer_type"] == AnswerType.NUMBER and low is None and high is None:
            errors.setdefault("items", []).append(_("第%(n)d项：数值题须给出允许范围") % {"n": number})
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            errors.setdefault("items", []).append(_("第%(n)d项：下限不能大于上限") % {"n": number})
        cleaned.append(item)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def checklist_publish(
    *,
    actor: User | None,
    template: ChecklistTemplate,
    items: Sequence[dict[str, Any]],
    note: str = "",
    base: int | None = None,
) -> ChecklistVersion:
    """Publish the items as the template's next version. Published versions never change, so past
    inspections keep showing the items they used. ``base``: the version the editor started from;
    publishing over a newer one is refused (someone else published meanwhile)."""
    if actor is not None and not rules.may_edit_checklist(actor, template):
        raise ValidationError(_("无权修改该体检卡"))
    cleaned = _clean_items(items)
    template = (
        ChecklistTemplate.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=template.pk)
    )
    current = template.current_version.number if template.current_version_id else None
    if base is not None and base != current:
        raise ValidationError(
            {"base": [_("他人已发布了新版本（第%(n)s版），请重新打开编辑页后再修改") % {"n": current}]}
        )
    number = (template.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    checklist_version = ChecklistVersion.objects.create(
        template=template, number=number, note=note[:200], published_at=timezone.now(), published_by=actor
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist_version=checklist_version, position=position, **item)
        for position, item in enumerate(cleaned, start=1)
    )
    template.current_version = checklist_version
    template.save(update_fields=["current_version"])
    audit.record(actor=actor, action="publish", instance=template, changes={"version": [number - 1 or None, number]})
    return checklist_version


@transaction.atomic
def checklist_create(
    *, actor: User, name: str, items: Sequence[dict[str, Any]], enterprise: Enterprise | None = None, **fields
) -> ChecklistTemplate:
    """A new template owned by the actor's enterprise, or by his district (government)."""
    if not (name or "").strip():
        raise ValidationError({"name": [_("请填写名称")]})
    template = ChecklistTemplate(name=name.strip(), created_by=actor, **fields)
    if actor.is_platform_admin and enterprise is None:
        pass  # a library template
    elif actor.role in rules.ENTERPRISE_CHECKLIST_EDITORS:
        template.owner_enterprise_id = actor.enterprise_id
    elif actor.role == Role.DISTRICT_ADMIN:
        template.owner_region_id = actor.region_id
    else:
        raise ValidationError(_("只有区县管理员或企业安全管理人员可以建立体检卡"))
    template.save()
    checklist_publish(actor=actor, template=template, items=items, note=_("首次发布"))
    template.refresh_from_db()
    return template


def copied_items(checklist_version: ChecklistVersion) -> list[dict[str, Any]]:
    """The items of a published version as ``checklist_create`` takes them (for a copy)."""
    items = checklist_version.items.select_related("category", "major_criterion").order_by("position")
    return [{name: getattr(item, name) for name in ITEM_FIELDS} for item in items]


def checklist_copy(*, actor: User, template: ChecklistTemplate, name: str, **fields) -> ChecklistTemplate:
    """复制为我的体检卡: a new checklist of the actor's own with the current items of ``template``;
    its name and applicability are given, its items change afterwards by publishing."""
    if not rules.may_copy_checklist(actor, template):
        raise ValidationError(_("只有区县管理员或企业安全管理人员可以复制已发布的体检卡"))
    source = ChecklistVersion.objects.get(pk=template.current_version_id)
    return checklist_create(actor=actor, name=name, items=copied_items(source), **fields)


def checklists_for(enterprise: Enterprise, kind: str | None = None):
    """Templates that apply to an enterprise: library, its region's, its own; filtered by its
    industry, venue type and tags (an empty condition applies to all)."""
    from django.db.models import Q

    prefixes = region_and_ancestors(enterprise.region_id)
    templates = ChecklistTemplate.objects.filter(active=True, current_version__isnull=False).filter(
        Q(owner_region__isnull=True, owner_enterprise__isnull=True)
        | Q(owner_region_id__in=prefixes)
        | Q(owner_enterprise=enterprise)
    )
    industry = enterprise.industry_id or ""
    tags = set(enterprise.tags.values_list("name", flat=True))
    result = []
    for template in templates.order_by("name"):
        if template.industry_prefixes and not any(industry.startswith(p) for p in template.industry_prefixes):
            continue
        if template.venue_types and enterprise.venue_type not in template.venue_types:
            continue
        if template.risk_tags and not tags.intersection(template.risk_tags):
            continue
        if kind and template.kinds and kind not in template.kinds:
            continue
        result.append(template)
    return result


# --- inspections --------------------------------------------------------------------------------


def kinds_for(user: User) -> list[str]:
    """The inspection kinds a user performs."""
    if user.role in ENTERPRISE_ROLES:
        return [InspectionKind.SELF_CHECK]
    if user.role == Role.GRID_INSPECTOR:
        return [InspectionKind.GRID_PATROL]
    if user.role == Role.TOWN_ADMIN:
        return [InspectionKind.TOWN_PATROL]
    if user.role in (Role.DISTRICT_ADMIN, Role.DEPARTMENT_OFFICER):
        return [InspectionKind.DEPARTMENT]
    if user.role in AGENCY_ROLES:
        return [InspectionKind.AGENCY]
    if user.is_platform_admin:
        return list(InspectionKind.values)
    return []


@transaction.atomic
def inspection_start(
    *,
    actor: User,
    enterprise: Enterprise,
    template: ChecklistTemplate,
    kind: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Inspection:
    if not restrict(Enterprise.objects.filter(pk=enterprise.pk), actor, VIEW).exists():
        raise Enterprise.DoesNotExist
    allowed = kinds_for(actor)
    kind = kind or (allowed[0] if allowed else None)
    if kind not in allowed:
        raise ValidationError({"kind": [_("该检查类型与您的身份不符")]})
    if template.current_version_id is None or template not in checklists_for(enterprise, kind):
        raise ValidationError({"template": [_("该体检卡不适用于此企业")]})
    inspection = Inspection.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        checklist_version_id=template.current_version_id,
        kind=kind,
        inspector=actor,
        started_at=timezone.now(),
        latitude=latitude,
        longitude=longitude,
    )
    audit.record(actor=actor, action="create", instance=inspection, changes={"kind": [None, kind]})
    return inspection


def fill_refusal(user: User, inspection: Inspection) -> str | None:
    """Why ``user`` may not fill (answer items of) this inspection now, or None."""
    if not rules.fills_inspection(user, inspection):
        return _("只有检查人本人可以填写这次检查")
    if inspection.status != InspectionStatus.DRAFT:
        return _("这次检查已提交，不能再修改")
    return None


def _own_draft(actor: User, inspection: Inspection | int) -> Inspection:
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    locked = (
        restrict(Inspection.objects.select_for_update(of=("self",)), actor, VIEW)
        .select_related("enterprise", "checklist_version")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise Inspection.DoesNotExist
    problem = fill_refusal(actor, locked)
    if problem:
        raise ValidationError(problem)
    return locked


@transaction.atomic
def inspection_answer(
    *,
    actor: User,
    inspection: Inspection | int,
    item: ChecklistItem | int,
    result: str = "",
    number_value: Decimal | None = None,
    note: str = "",
    photos: Sequence = (),
    latitude: float | None = None,
    longitude: float | None = None,
) -> InspectionAnswer:
    """Record (or correct) the answer to one item while the inspection is open; photos are stored
    as they are taken. A number outside the allowed range is a failure."""
    locked = _own_draft(actor, inspection)
    item_pk = item.pk if isinstance(item, ChecklistItem) else item
    item = ChecklistItem.objects.filter(pk=item_pk, checklist_version_id=locked.checklist_version_id).first()
    if item is None:
        raise ValidationError({"item": [_("该检查项不属于这次检查的体检卡")]})
    if item.answer_type == AnswerType.NUMBER:
        if number_value is None and result != AnswerResult.NA:
            raise ValidationError({"number_value": [_("请填写数值")]})
        if number_value is not None:
            inside = (item.min_value is None or number_value >= item.min_value) and (
                item.max_value is None or number_value <= item.max_value
            )
            result = AnswerResult.PASS if inside else AnswerResult.FAIL
    if result not in AnswerResult.values:
        raise ValidationError({"result": [_("请选择合格、不合格或不适用")]})
    answer, _created = InspectionAnswer.objects.get_or_create(inspection=locked, item=item)
    answer.result = result
    answer.number_value = number_value
    answer.note = (note or "").strip()
    answer.answered_at = timezone.now()
    answer.latitude, answer.longitude = latitude, longitude
    answer.save()
    for photo in photos or ():
        attachment_add(actor=actor, owner=answer, upload=photo, kind="photo", lat=latitude, lng=longitude)
    return answer


def inspection_submit(
    *, actor: User, inspection: Inspection | int, signed_by: str, summary: str = "", signature=None
) -> Inspection:
    """Sign and submit (the ``submit`` move of ``INSPECTION_FLOW``): every item must be answered
    (photo items with a photo); each failed item becomes a hazard through the hazard service,
    linked both ways; the transition row keeps the hazards made."""

    def sign(locked: Inspection) -> dict[str, Any]:
        locked.checklist_version = ChecklistVersion.objects.select_related("template").get(
            pk=locked.checklist_version_id
        )
        items = list(locked.checklist_version.items.select_related("category", "major_criterion"))
        answers = {a.item_id: a for a in locked.answers.all()}
        errors = []
        for item in items:
            answer = answers.get(item.pk)
            if answer is None or not answer.result:
                errors.append(_("第%(n)d项未检查") % {"n": item.position})
            elif (item.photo_required or item.answer_type == AnswerType.PHOTO) and answer.result != AnswerResult.NA:
                if not attachments_for(answer).exists():
                    errors.append(_("第%(n)d项须拍照") % {"n": item.position})
            elif (
                answer.result == AnswerResult.FAIL
                and answer.number_value is None  # a measured value is its own evidence
                and not answer.note
                and not attachments_for(answer).exists()
            ):
                errors.append(_("第%(n)d项不合格，请写明情况或拍照") % {"n": item.position})
        problems: dict[str, list[str]] = {"answers": errors} if errors else {}
        if not (signed_by or "").strip():
            problems["signed_by"] = [_("请签名")]
        if problems:
            raise ValidationError(problems)
        made = []
        for item in items:
            answer = answers[item.pk]
            if answer.result != AnswerResult.FAIL or answer.hazard_id:
                continue
            description = item.text if not answer.note else f"{item.text}：{answer.note}"
            if answer.number_value is not None:
                description += f"（{answer.number_value}{item.unit}）"
            hazard = hazard_services.hazard_from_finding(
                actor=actor,
                enterprise=locked.enterprise,
                place=_("%(checklist)s 第%(n)d项")
                % {"checklist": locked.checklist_version.template.name, "n": item.position},
                category=item.category,
                description=description,
                evidence=attachments_for(answer),
                suggested_level=HazardLevel.MAJOR if item.major_criterion_id else HazardLevel.GENERAL,
                source=HAZARD_SOURCE[locked.kind],
                latitude=answer.latitude,
                longitude=answer.longitude,
                link=answer,
            )
            made.append(hazard)
        counts = {result: 0 for result in AnswerResult.values}
        for answer in answers.values():
            counts[answer.result] += 1
        locked.passed, locked.failed, locked.not_applicable = (
            counts[AnswerResult.PASS],
            counts[AnswerResult.FAIL],
            counts[AnswerResult.NA],
        )
        locked.submitted_at = timezone.now()
        locked.signed_by = signed_by.strip()[:50]
        locked.summary = (summary or "").strip()
        return {"hazards": [h.pk for h in made]}

    def attach(locked: Inspection, _row) -> None:
        if signature is not None:
            attachment_add(actor=actor, owner=locked, upload=signature, kind="photo")

    return INSPECTION_FLOW.move(
        actor=actor,
        record=inspection,
        name=SUBMIT,
        change=sign,
        after=attach,
        queryset=Inspection.objects.select_related("enterprise"),
    )


# --- monthly reports ----------------------------------------------------------------------------

REPORT_FIELDS = ("passages", "key_equipment", "electrical", "other")


def _report_url(report: MonthlyReport) -> str:
    return reverse("inspections:monthly-reports-detail", args=[report.pk])


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def monthly_report_submit(
    *, actor: User, enterprise: Enterprise, month: dt.date, data: dict[str, str], photos: Sequence = ()
) -> MonthlyReport:
    """Submit (or correct and resubmit a returned) monthly safety report of the actor's enterprise."""
    if actor.role not in ENTERPRISE_ROLES or actor.enterprise_id != enterprise.pk:
        raise Enterprise.DoesNotExist
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValidationError({"month": [_("不能提交未来月份的报告")]})
    if not any((data.get(name) or "").strip() for name in REPORT_FIELDS):
        raise ValidationError({"passages": [_("请至少填写一项情况")]})
    report, _created = MonthlyReport.objects.get_or_create(
        enterprise=enterprise, month=month, defaults={"region_id": enterprise.region_id}
    )
    if report.status in (MonthlyReportStatus.SUBMITTED, MonthlyReportStatus.APPROVED):
        raise ValidationError(_("该月报告已提交，等待审核或已通过"))

    def fill(locked: MonthlyReport) -> None:
        for name in REPORT_FIELDS:
            setattr(locked, name, (data.get(name) or "").strip())
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor

    def attach(locked: MonthlyReport, _row) -> None:
        for photo in photos or ():
            attachment_add(actor=actor, owner=locked, upload=photo, kind="photo")

    report = MONTHLY_REPORT_FLOW.move(actor=actor, record=report, name=SUBMIT, change=fill, after=attach)
    if enterprise.grid_inspector_id:
        notify(
            recipients=[enterprise.grid_inspector],
            title=_("月度安全情况报告待审核"),
            body=f"{enterprise.name} {month:%Y-%m}",
            url=_report_url(report),
        )
    return report


def _review(*, actor: User, report: MonthlyReport | int, approve: bool, reason: str = "", expected_version=None):
    def decide(locked: MonthlyReport) -> dict:
        if not approve and not (reason or "").strip():
            raise ValidationError({"reason": [_("请填写退回原因")]})
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.return_reason = "" if approve else reason.strip()[:200]
        return {} if approve else {"reason": locked.return_reason}

    locked = MONTHLY_REPORT_FLOW.move(
        actor=actor,
        record=report,
        name=APPROVE if approve else RETURN,
        change=decide,
        expected_version=expected_version,
        comment="" if approve else reason.strip()[:200],
    )
    if locked.submitted_by_id:
        notify(
            recipients=[locked.submitted_by],
            title=_("月度报告已通过") if approve else _("月度报告被退回"),
            body=reason or f"{locked.month:%Y-%m}",
            url=_report_url(locked),
            level="info" if approve else "warning",
        )
    return locked


def monthly_report_approve(*, actor: User, report: MonthlyReport | int, expected_version=None) -> MonthlyReport:
    return _review(actor=actor, report=report, approve=True, expected_version=expected_version)


def monthly_report_return(
    *, actor: User, report: MonthlyReport | int, reason: str, expected_version=None
) -> MonthlyReport:
    return _review(actor=actor, report=report, approve=False, reason=reason, expected_version=expected_version)


# --- patrol plans -------------------------------------------------------------------------------


@transaction.atomic
def patrol_rule_save(*, actor: User, data: dict[str, Any], instance=None):
    """Create or change a region's patrol rule (巡查计划): who must visit how often there."""
    from anjian.inspections.models import PatrolRule

    region = data.get("region", instance.region if instance else None)
    errors: dict[str, list[str]] = {}
    if not actor.is_platform_admin:
        if not rules.may_create_patrol_rule(actor):
            raise ValidationError(_("只有区县或镇街管理员可以设置巡查计划"))
        if region is None or not region_contains(actor.region_id, region.code):
            errors["region"] = [_("只能为本辖区设置巡查计划")]
    interval = data.get("interval_days", instance.interval_days if instance else None)
    if not interval or not 1 <= interval <= 366:
        errors["interval_days"] = [_("周期应在1到366天之间")]
    kind = data.get("kind", instance.kind if instance else None)
    if kind not in InspectionKind.values:
        errors["kind"] = [_("检查类型无效")]
    clash = PatrolRule.objects.filter(region=region, kind=kind)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        errors["kind"] = [_("该区划已有此类检查的巡查计划")]
    if errors:
        raise ValidationError(errors)
    rule = instance or PatrolRule()
    before = audit.snapshot(rule) if instance else {}
    rule.region, rule.kind, rule.interval_days = region, kind, interval
    rule.use_class_cycle = bool(data.get("use_class_cycle", rule.use_class_cycle))
    rule.save()
    audit.record(
        actor=actor,
        action="update" if instance else "create",
        instance=rule,
        changes=audit.diff(before, audit.snapshot(rule)),
    )
    return rule


CHECKLIST_SETTINGS = ("name", "description", "industry_prefixes", "venue_types", "risk_tags", "kinds", "active")


@transaction.atomic
def checklist_update(*, actor: User, template: ChecklistTemplate, data: dict[str, Any]) -> ChecklistTemplate:
    """Change a checklist's name, description, applicability or active flag (not its items: those
    change only by publishing a new version)."""
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if not rules.may_edit_checklist(actor, template):
        raise ValidationError(_("无权修改该体检卡"))
    if "name" in data and not (data["name"] or "").strip():
        raise ValidationError({"name": [_("请填写名称")]})
    before = audit.snapshot(template)
    for name in CHECKLIST_SETTINGS:
        if name in data:
            value = data[name]
            setattr(template, name, value.strip() if isinstance(value, str) else value)
    template.save()
    changes = audit.diff(before, audit.snapshot(template))
    if changes:
        audit.record(actor=actor, action="update", instance=template, changes=changes)
    return template
