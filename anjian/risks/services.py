"""Writes of the risk module (风险分级管控): risk points and their assessments (history kept),
risk events, control measures, inspection points and tasks, checks (a failed one makes a hazard),
site plans with zones, and the monthly self-review. Views, API, import and jobs all call these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.models import User
from anjian.core.scoping import VIEW, restrict
from anjian.enterprises.models import Enterprise
from anjian.risks import rules, scoring
from anjian.risks.bands import band_set
from anjian.risks.models import (
    AccidentType,
    AssessmentMethod,
    ControlMeasure,
    EvidenceRule,
    InspectionPoint,
    InspectionTask,
    LevelControl,
    MeasureKind,
    OwningLevel,
    PointCheck,
    RiskAssessment,
    RiskEvent,
    RiskLevel,
    RiskPoint,
    RiskPointKind,
    RiskReview,
    RiskZone,
    SitePlan,
    TaskCycle,
)

LEVEL_ORDER = [RiskLevel.MAJOR, RiskLevel.HIGH, RiskLevel.GENERAL, RiskLevel.LOW]
POINT_FIELDS = ("name", "place", "kind", "accident_types", "equipment_count", "responsible_name", "responsible_phone")


def _editable(model, actor: User, pk: int, enterprise_path: str):
    """The record if ``actor`` sees it (else DoesNotExist: a 404) and may edit it (else a refusal)."""
    obj = restrict(model.objects.select_for_update(of=("self",)), actor, VIEW).filter(pk=pk).first()
    if obj is None:
        raise model.DoesNotExist
    owner = obj
    for part in enterprise_path.split("__")[:-1]:
        owner = getattr(owner, part)
    if not rules.may_edit_risk_point(actor, owner):
        raise ValidationError(_("只有本企业的安全管理人员可以修改风险管控信息"))
    return obj


def _check_enterprise(actor: User, enterprise: Enterprise) -> None:
    if not restrict(Enterprise.objects.filter(pk=enterprise.pk), actor, VIEW).exists():
        raise Enterprise.DoesNotExist
    if not rules.may_edit_risk_point(actor, enterprise):
        raise ValidationError(_("只有本企业的安全管理人员可以修改风险管控信息"))


def bands(method: str) -> list[scoring.Band]:
    """The bands of the method's current version."""
    return band_set(method)[1]


def _text(data: dict, field: str, errors: dict, message: str = "", limit: int = 100) -> str:
    value = str(data.get(field) or "").strip()
    if message and not value:
        errors[field] = [message]
    elif len(value) > limit:
        errors[field] = [_("不能超过%(n)d个字") % {"n": limit}]
    return value


def _point_values(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked values of a risk point's fields (all required ones unless ``partial``)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if not partial or "name" in data:
        values["name"] = _text(data, "name", errors, _("请填写风险点名称"))
    if not partial or "place" in data:
        values["place"] = _text(data, "place", errors)
    if not partial or "kind" in data:
        if data.get("kind") not in RiskPointKind.values:
            errors["kind"] = [_("请选择风险点类型")]
        values["kind"] = data.get("kind")
    if not partial or "accident_types" in data:
        types = data.get("accident_types") or []
        if isinstance(types, str):
            types = [types]
        unknown = [t for t in types if t not in AccidentType.values]
        if unknown:
            errors["accident_types"] = [_("未知的事故类型：%(v)s") % {"v": "、".join(map(str, unknown))}]
        values["accident_types"] = list(dict.fromkeys(types))
    if not partial or "equipment_count" in data:
        try:
            count = int(data.get("equipment_count") or 0)
            if count < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["equipment_count"] = [_("请填写不小于0的整数")]
            count = 0
        values["equipment_count"] = count
    for field, limit in (("responsible_name", 30), ("responsible_phone", 20)):
        if not partial or field in data:
            values[field] = _text(data, field, errors, limit=limit)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def risk_point_create(*, actor: User, enterprise: Enterprise, data: dict[str, Any]) -> RiskPoint:
    _check_enterprise(actor, enterprise)
    point = RiskPoint.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        collected_by=actor,
        collected_at=timezone.now(),
        **_point_values(data),
    )
    audit.record(actor=actor, action="create", instance=point, changes=audit.diff({}, audit.snapshot(point)))
    return point


@transaction.atomic
def risk_point_update(*, actor: User, instance: RiskPoint | int, data: dict[str, Any]) -> RiskPoint:
    point = _editable(RiskPoint, actor, getattr(instance, "pk", instance), "enterprise_id")
    before = audit.snapshot(point)
    for field, value in _point_values(data, partial=True).items():
        setattr(point, field, value)
    point.save()
    changes = audit.diff(before, audit.snapshot(point))
    if changes:
        audit.record(actor=actor, action="update", instance=point, changes=changes)
    return point


@transaction.atomic
def risk_point_archive(*, actor: User, instance: RiskPoint | int, archived: bool = True) -> RiskPoint:
    """Retire a risk point (nothing is deleted: its assessments and checks are evidence)."""
    point = _editable(RiskPoint, actor, getattr(instance, "pk", instance), "enterprise_id")
    if point.archived != archived:
        point.archived = archived
        point.save(update_fields=["archived"])
        audit.record(actor=actor, action="archive" if archived else "restore", instance=point, changes={})
        # Its inspection points follow, each with its own audit entry.
        audit.record_update(
            InspectionPoint.objects.filter(risk_point=point),
            actor=actor,
            action="archive" if archived else "restore",
            values={"archived": archived},
        )
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
    point = _editable(RiskPoint, actor, getattr(risk_point, "pk", risk_point), "enterprise_id")
    if method not in AssessmentMethod.values:
        raise ValidationError({"method": [_("请选择评价方法")]})
    l_value = _decimal(likelihood, "likelihood")
    e_value = _decimal(exposure, "exposure") if method == AssessmentMethod.LEC else None
    c_value = _decimal(consequence, "consequence")
    try:
        value = scoring.score(method, l_value, e_value, c_value)
    except ValueError as exc:
        raise ValidationError({str(exc): [_("取值不在该评价方法的标准取值表中")]}) from exc
    band_version, method_bands = band_set(method)
    level = scoring.level_for(value, method_bands)
    assessment = RiskAssessment.objects.create(
        risk_point=point,
        method=method,
        likelihood=l_value,
        exposure=e_value,
        consequence=c_value,
        score=value,
        level=level,
        band_version=band_version,
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


def highest_level(levels) -> str:
    """The highest of some levels ('' when none is assessed)."""
    present = set(levels)
    return next((level for level in LEVEL_ORDER if level in present), "")


# --- risk events and control measures ---------------------------------------------------------


@transaction.atomic
def risk_event_create(*, actor: User, risk_point: RiskPoint | int, data: dict[str, Any]) -> RiskEvent:
    point = _editable(RiskPoint, actor, getattr(risk_point, "pk", risk_point), "enterprise_id")
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", errors, _("请填写风险事件"))
    consequence = _text(data, "consequence", errors, limit=200)
    if data.get("accident_type") not in AccidentType.values:
        errors["accident_type"] = [_("请选择事故类型")]
    if errors:
        raise ValidationError(errors)
    event = RiskEvent.objects.create(
        risk_point=point, name=name, accident_type=data["accident_type"], consequence=consequence
    )
    if event.accident_type not in point.accident_types:
        point.accident_types = [*point.accident_types, event.accident_type]
        point.save(update_fields=["accident_types"])
    audit.record(actor=actor, action="create", instance=event, changes=audit.diff({}, audit.snapshot(event)))
    return event


def _enterprise_user(enterprise_id: int, user_id, field: str, errors: dict) -> User | None:
    if user_id in (None, ""):
        return None
    user = User.objects.filter(pk=user_id, enterprise_id=enterprise_id, is_active=True).first()
    if user is None:
        errors[field] = [_("请选择本企业的在职人员")]
    return user


@transaction.atomic
def control_measure_create(*, actor: User, event: RiskEvent | int, data: dict[str, Any]) -> ControlMeasure:
    event = _editable(RiskEvent, actor, getattr(event, "pk", event), "risk_point__enterprise_id")
    enterprise_id = event.risk_point.enterprise_id
    errors: dict[str, list[str]] = {}
    description = _text(data, "description", errors, _("请填写管控措施"), limit=300)
    kind_key = str(data.get("kind") or "")
    kinds = (
        MeasureKind.objects.filter(pk=int(kind_key), active=True)
        if kind_key.isdigit()
        else MeasureKind.objects.filter(code=kind_key, active=True)
    )
    kind = kinds.first() if kind_key else None
    if kind is None:
        errors["kind"] = [_("请选择措施类别")]
    if data.get("owning_level") not in OwningLevel.values:
        errors["owning_level"] = [_("请选择管控层级")]
    owning_unit = _text(data, "owning_unit", errors, limit=60)
    responsible = _enterprise_user(enterprise_id, data.get("responsible"), "responsible", errors)
    responsible_name = _text(data, "responsible_name", errors, limit=30) or (str(responsible) if responsible else "")
    if errors:
        raise ValidationError(errors)
    measure = ControlMeasure.objects.create(
        event=event,
        kind=kind,
        description=description,
        owning_level=data["owning_level"],
        owning_unit=owning_unit,
        responsible=responsible,
        responsible_name=responsible_name[:30],
    )
    audit.record(actor=actor, action="create", instance=measure, changes=audit.diff({}, audit.snapshot(measure)))
    return measure


def control_measure_add(
    *, actor: User, risk_point: RiskPoint | int, event: RiskEvent | int, data: dict[str, Any]
) -> ControlMeasure:
    """A measure for one of this risk point's current events (the declared action on the point)."""
    event_pk = getattr(event, "pk", event)
    if not RiskEvent.objects.filter(
        pk=event_pk, risk_point=getattr(risk_point, "pk", risk_point), archived=False
    ).exists():
        raise ValidationError({"event": [_("请选择该风险点的风险事件")]})
    return control_measure_create(actor=actor, event=event_pk, data=data)


def control_gaps(point: RiskPoint) -> list[str]:
    """What the owning-level table asks of this point's level that its measures lack (e.g. a
    重大 risk with no 公司级 measure)."""
    if not point.level:
        return []
    rule = LevelControl.objects.filter(level=point.level, active=True).first()
    if rule is None:
        return []
    owned = set(
        ControlMeasure.objects.filter(event__risk_point=point, archived=False, event__archived=False).values_list(
            "owning_level", flat=True
        )
    )
    wanted = [level for level in rule.owning_levels if level in OwningLevel.values]
    if owned & set(wanted) or not wanted:
        return []
    names = "、".join(str(OwningLevel(level).label) for level in wanted)
    return [
        _("%(level)s应由%(owners)s管控，目前没有这一层级的管控措施")
        % {"level": point.get_level_display(), "owners": names}
    ]


# --- inspection points, tasks, checks ---------------------------------------------------------


@transaction.atomic
def inspection_point_create(*, actor: User, risk_point: RiskPoint | int, data: dict[str, Any]) -> InspectionPoint:
    point = _editable(RiskPoint, actor, getattr(risk_point, "pk", risk_point), "enterprise_id")
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", errors, _("请填写巡检点名称"))
    place = _text(data, "place", errors) or point.place
    if errors:
        raise ValidationError(errors)
    inspection_point = InspectionPoint.objects.create(
        enterprise_id=point.enterprise_id, region_id=point.region_id, risk_point=point, name=name, place=place
    )
    audit.record(
        actor=actor,
        action="create",
        instance=inspection_point,
        changes=audit.diff({}, audit.snapshot(inspection_point)),
    )
    return inspection_point


@transaction.atomic
def inspection_task_create(*, actor: User, measure: ControlMeasure | int, data: dict[str, Any]) -> InspectionTask:
    """A task checks a measure at one of its risk point's inspection points; its schedule is
    generated at once (from the window around now: nothing is overdue before it existed)."""
    from anjian.risks import schedule

    measure = _editable(ControlMeasure, actor, getattr(measure, "pk", measure), "event__risk_point__enterprise_id")
    risk_point = measure.event.risk_point
    errors: dict[str, list[str]] = {}
    content = _text(data, "content", errors, limit=200) or measure.description[:200]
    point = InspectionPoint.objects.filter(pk=data.get("point") or None, risk_point=risk_point, archived=False).first()
    if point is None:
        errors["point"] = [_("请选择该风险点的巡检点")]
    if data.get("cycle") not in TaskCycle.values:
        errors["cycle"] = [_("请选择巡检周期")]
    evidence = data.get("evidence") or EvidenceRule.NONE
    if evidence not in EvidenceRule.values:
        errors["evidence"] = [_("请选择留证要求")]
    owner = _enterprise_user(risk_point.enterprise_id, data.get("owner"), "owner", errors)
    if owner is None and "owner" not in errors:
        errors["owner"] = [_("请选择巡检人")]
    starts_on = data.get("starts_on") or timezone.localdate()
    if isinstance(starts_on, str):
        try:
            starts_on = dt.date.fromisoformat(starts_on)
        except ValueError:
            errors["starts_on"] = [_("日期格式应为 YYYY-MM-DD")]
    if errors:
        raise ValidationError(errors)
    task = InspectionTask.objects.create(
        measure=measure,
        point=point,
        content=content,
        cycle=data["cycle"],
        evidence=evidence,
        owner=owner,
        starts_on=starts_on,
    )
    audit.record(actor=actor, action="create", instance=task, changes=audit.diff({}, audit.snapshot(task)))
    schedule.generate([task])
    return task


@transaction.atomic
def inspection_task_archive(*, actor: User, task: InspectionTask | int) -> InspectionTask:
    """Stop a task: its future slots go, its past ones (and their checks) stay as evidence."""
    task = _editable(InspectionTask, actor, getattr(task, "pk", task), "point__enterprise_id")
    if not task.archived:
        task.archived = True
        task.save(update_fields=["archived"])
        task.slots.filter(record__isnull=True, due_from__gt=timezone.now()).delete()
        audit.record(actor=actor, action="archive", instance=task, changes={})
    return task


def inspection_task_add(
    *, actor: User, risk_point: RiskPoint | int, measure: ControlMeasure | int, data: dict[str, Any]
) -> InspectionTask:
    """A task for one of this risk point's current measures (the declared action on the point)."""
    measure_pk = getattr(measure, "pk", measure)
    point_pk = getattr(risk_point, "pk", risk_point)
    if not ControlMeasure.objects.filter(pk=measure_pk, event__risk_point=point_pk, archived=False).exists():
        raise ValidationError({"measure": [_("请选择该风险点的管控措施")]})
    return inspection_task_create(actor=actor, measure=measure_pk, data=data)


def inspection_task_stop(*, actor: User, risk_point: RiskPoint | int, task: InspectionTask | int) -> InspectionTask:
    """Stop one of this risk point's tasks (the declared action on the point)."""
    task_pk = getattr(task, "pk", task)
    if not InspectionTask.objects.filter(pk=task_pk, point__risk_point=getattr(risk_point, "pk", risk_point)).exists():
        raise ValidationError({"task": [_("请选择该风险点的巡检任务")]})
    return inspection_task_archive(actor=actor, task=task_pk)


PHOTOS_NEEDED = {EvidenceRule.NONE: 0, EvidenceRule.PHOTO: 1, EvidenceRule.BEFORE_AFTER: 2}


@transaction.atomic
def point_check(
    *,
    actor: User,
    point: InspectionPoint | int,
    results: list[dict[str, Any]],
    latitude: float | None = None,
    longitude: float | None = None,
) -> list[PointCheck]:
    """Tick a point's tasks on the spot: ``results`` = [{task, passed, note, photos}]. Each result
    fills the task's current slot; a failed one becomes a hazard at once (the yellow of the board).
    Photos are required as the task's evidence rule says, and for every failure."""
    from anjian.core.attachments import attachment_add
    from anjian.hazards import services as hazard_services

    pk = getattr(point, "pk", point)
    point = restrict(InspectionPoint.objects.select_related("enterprise"), actor, VIEW).filter(pk=pk).first()
    if point is None:
        raise InspectionPoint.DoesNotExist
    if not rules.may_check_inspection_point(actor, point):
        raise ValidationError(_("只有本企业人员可以巡检"))
    tasks = {t.pk: t for t in InspectionTask.objects.filter(point=point, archived=False)}
    errors: dict[str, list[str]] = {}
    if not results:
        errors["results"] = [_("请至少勾选一项")]
    for index, result in enumerate(results):
        task = tasks.get(int(result.get("task") or 0)) if str(result.get("task") or "").isdigit() else None
        label = task.content if task else str(index + 1)
        if task is None:
            errors.setdefault("results", []).append(_("第%(n)d项不是该巡检点的任务") % {"n": index + 1})
            continue
        if result.get("passed") not in (True, False):
            errors.setdefault("results", []).append(_("“%(task)s”请选择正常或异常") % {"task": label})
            continue
        photos = list(result.get("photos") or [])
        needed = max(PHOTOS_NEEDED[task.evidence], 0 if result["passed"] else 1)
        if len(photos) < needed:
            message = _("“%(task)s”需要整改前、后两张照片") if needed == 2 else _("“%(task)s”需要拍照留证")
            errors.setdefault("results", []).append(message % {"task": label})
        if not result["passed"] and not str(result.get("note") or "").strip():
            errors.setdefault("results", []).append(_("“%(task)s”异常，请写明情况") % {"task": label})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    made = []
    for result in results:
        task = tasks[int(result["task"])]
        note = str(result.get("note") or "").strip()[:300]
        check = PointCheck.objects.create(
            task=task,
            point=point,
            enterprise_id=point.enterprise_id,
            region_id=point.region_id,
            passed=result["passed"],
            note=note,
            checked_by=actor,
            checked_at=now,
            latitude=latitude,
            longitude=longitude,
        )
        evidence = [
            attachment_add(actor=actor, owner=check, upload=photo, kind="photo", lat=latitude, lng=longitude)
            for photo in result.get("photos") or []
        ]
        if not check.passed:
            hazard_services.hazard_from_finding(
                actor=actor,
                enterprise=point.enterprise,
                place=f"{point.name} {point.place}".strip(),
                description=f"{task.content}：{note}"[:500],
                evidence=evidence,
                latitude=latitude,
                longitude=longitude,
                link=check,
            )
        task.slots.filter(record__isnull=True, due_from__lte=now, due_until__gt=now).update(record=check)
        audit.record(
            actor=actor,
            action="check",
            instance=point,
            changes={"task": [None, task.content], "passed": [None, check.passed]},
        )
        made.append(check)
    return made


# --- four-colour map ------------------------------------------------------------------------


PLAN_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}


@transaction.atomic
def site_plan_create(*, actor: User, enterprise: Enterprise, title: str, image) -> SitePlan:
    """Upload a site plan (PNG/JPEG/WebP, checked by content); zones are drawn on it afterwards."""
    from PIL import Image

    from anjian.core.attachments import attachment_add

    _check_enterprise(actor, enterprise)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写名称")]
    if image is None:
        errors["image"] = [_("请上传平面图")]
    if errors:
        raise ValidationError(errors)
    plan = SitePlan(enterprise=enterprise, region_id=enterprise.region_id, title=title[:60], uploaded_by=actor)
    plan.width = plan.height = 0
    try:
        image.seek(0)
        with Image.open(image) as picture:
            plan.width, plan.height = picture.size
        image.seek(0)
    except Exception as exc:
        raise ValidationError({"image": [_("无法识别的图片")]}) from exc
    plan.save()
    attachment = attachment_add(actor=actor, owner=plan, upload=image, kind="photo")
    if attachment.content_type not in PLAN_IMAGE_TYPES:
        raise ValidationError({"image": [_("平面图须为 PNG、JPEG 或 WebP 图片")]})
    plan.image = attachment
    plan.save(update_fields=["image"])
    audit.record(actor=actor, action="create", instance=plan, changes=audit.diff({}, audit.snapshot(plan)))
    return plan


def _polygon(value) -> list[list[float]]:
    try:
        points = [[round(float(x), 5), round(float(y), 5)] for x, y in value]
    except (TypeError, ValueError) as exc:
        raise ValidationError({"polygon": [_("区域边界格式无效")]}) from exc
    if len(points) < 3:
        raise ValidationError({"polygon": [_("区域至少需要三个顶点")]})
    if len(points) > 200 or any(not (0 <= x <= 1 and 0 <= y <= 1) for x, y in points):
        raise ValidationError({"polygon": [_("区域顶点须在平面图内")]})
    return points


@transaction.atomic
def risk_zone_save(
    *, actor: User, plan: SitePlan | int, data: dict[str, Any], zone: RiskZone | int | None = None
) -> RiskZone:
    """Draw (or redraw) a zone: a polygon in plan fractions and the risk points inside it."""
    plan = _editable(SitePlan, actor, getattr(plan, "pk", plan), "enterprise_id")
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", errors, _("请填写区域名称"), limit=60)
    if errors:
        raise ValidationError(errors)
    polygon = _polygon(data.get("polygon"))
    wanted = [int(pk) for pk in data.get("risk_points") or [] if str(pk).isdigit()]
    points = list(RiskPoint.objects.filter(pk__in=wanted, enterprise_id=plan.enterprise_id, archived=False))
    if len(points) != len(set(wanted)):
        raise ValidationError({"risk_points": [_("请选择本企业的风险点")]})
    if zone is None:
        instance = RiskZone.objects.create(plan=plan, name=name, polygon=polygon)
        action = "create"
    else:
        instance = RiskZone.objects.filter(plan=plan, pk=getattr(zone, "pk", zone), archived=False).first()
        if instance is None:
            raise RiskZone.DoesNotExist
        instance.name, instance.polygon = name, polygon
        instance.save()
        action = "update"
    instance.risk_points.set(points)
    audit.record(
        actor=actor,
        action=action,
        instance=plan,
        changes={"zone": [None, name], "risk_points": [None, [p.name for p in points]]},
    )
    return instance


@transaction.atomic
def risk_zone_archive(*, actor: User, zone: RiskZone | int) -> RiskZone:
    zone = _editable(RiskZone, actor, getattr(zone, "pk", zone), "plan__enterprise_id")
    zone.archived = True
    zone.save(update_fields=["archived"])
    audit.record(actor=actor, action="archive", instance=zone.plan, changes={"zone": [zone.name, None]})
    return zone


def risk_zone_remove(*, actor: User, plan: SitePlan | int, zone: RiskZone | int) -> RiskZone:
    """Remove (archive) one of this plan's zones (the declared action on the plan)."""
    zone_pk = getattr(zone, "pk", zone)
    if not RiskZone.objects.filter(pk=zone_pk, plan=getattr(plan, "pk", plan), archived=False).exists():
        raise ValidationError({"zone": [_("请选择该平面图的区域")]})
    return risk_zone_archive(actor=actor, zone=zone_pk)


def zone_level(zone: RiskZone) -> str:
    """A zone's colour is the highest level of its (current) risk points."""
    return highest_level(p.level for p in zone.risk_points.all() if not p.archived)


# --- monthly self-review ------------------------------------------------------------------------


def month_of(day: dt.date | None = None) -> dt.date:
    return (day or timezone.localdate()).replace(day=1)


def level_counts(enterprise_id: int) -> dict[str, int]:
    rows = (
        RiskPoint.objects.filter(enterprise_id=enterprise_id, archived=False)
        .values_list("level")
        .annotate(n=Count("id"))
    )
    counts = {level: 0 for level in [*LEVEL_ORDER, ""]}
    for level, n in rows:
        counts[level] = n
    counts["unassessed"] = counts.pop("")
    return counts


@transaction.atomic
def risk_review_confirm(
    *, actor: User, enterprise: Enterprise, note: str = "", day: dt.date | None = None
) -> RiskReview:
    """The enterprise confirms its risk list is current for the month (once a month; the counts
    at that moment are kept). Points never assessed block the confirmation."""
    _check_enterprise(actor, enterprise)
    if actor.enterprise_id != enterprise.pk and not actor.is_platform_admin:
        raise ValidationError(_("月度风险自查须由企业本身确认"))
    month = month_of(day)
    if RiskReview.objects.filter(enterprise=enterprise, month=month).exists():
        raise ValidationError(_("本月已确认过风险清单"))
    counts = level_counts(enterprise.pk)
    if counts["unassessed"]:
        raise ValidationError(_("还有%(n)d个风险点未评价，请先评价再确认") % {"n": counts["unassessed"]})
    if not sum(counts.values()):
        raise ValidationError(_("尚未登记风险点，无法确认"))
    review = RiskReview.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        month=month,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
        note=(note or "").strip()[:500],
        counts=counts,
    )
    audit.record(actor=actor, action="create", instance=review, changes=audit.diff({}, audit.snapshot(review)))
    return review
