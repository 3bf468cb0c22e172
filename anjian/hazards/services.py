"""Every write to a hazard. Pages, API, jobs, inspections and sensors call these functions.

Each transition locks the row (select_for_update), checks the state, the role and an optional
expected version (so two people acting at once cannot both win), writes one HazardTransition
row and one audit entry, and sends notifications after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit, scoping
from anjian.core.attachments import attachment_add
from anjian.core.models import User
from anjian.core.notify import notify
from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES, Role
from anjian.core.scoping import VIEW, restrict
from anjian.enterprises.models import Enterprise
from anjian.hazards import priority, rules, workflow
from anjian.hazards.models import (
    EscalationLevel,
    GovernancePlan,
    Hazard,
    HazardCategory,
    HazardLevel,
    HazardPolicy,
    HazardSource,
    HazardStatus,
    HazardTransition,
    MajorHazardCriterion,
)

DEFAULT_REPEAT_WINDOW_DAYS = 90
PLAN_FIELDS = ("goal", "measures", "funds_and_materials", "people", "deadline", "interim_measures")


def today() -> dt.date:
    return timezone.localdate()


def allowed_sources(actor: User | None) -> set[str]:
    """Sources a reporter may claim: the source decides who verifies (government findings are
    re-checked by government), so nobody may pass his finding off as someone else's."""
    if actor is None:
        return {HazardSource.IOT, HazardSource.PUBLIC}
    if actor.is_platform_admin:
        return set(HazardSource.values)
    if actor.role in ENTERPRISE_ROLES:
        return {HazardSource.SELF_CHECK, HazardSource.MEETING}
    if actor.role in AGENCY_ROLES:
        return {HazardSource.AGENCY}
    return {default_source(actor)}


def default_source(actor: User | None) -> str:
    if actor is None:
        return HazardSource.IOT
    if actor.role in ENTERPRISE_ROLES:
        return HazardSource.SELF_CHECK
    if actor.role in (Role.GRID_INSPECTOR, Role.TOWN_ADMIN):
        return HazardSource.PATROL
    if actor.role in AGENCY_ROLES:
        return HazardSource.AGENCY
    return HazardSource.DEPARTMENT


def policy_for(enterprise: Enterprise) -> HazardPolicy:
    return HazardPolicy.objects.filter(enterprise=enterprise).first() or HazardPolicy(enterprise=enterprise)


# --- recipients -------------------------------------------------------------------------------


def enterprise_managers(enterprise_id: int) -> list[User]:
    return list(User.objects.filter(enterprise_id=enterprise_id, role__in=rules.ENTERPRISE_MANAGERS, is_active=True))


def government_officers(region_code: str, role: str) -> list[User]:
    """Active officers of ``role`` whose region is the given code (a town or district code)."""
    return list(User.objects.filter(role=role, region_id=region_code, is_active=True))


def town_code(hazard: Hazard) -> str:
    return scoping.town_code(hazard.region_id)


def district_code(hazard: Hazard) -> str:
    return scoping.district_code(hazard.region_id)


def _hazard_url(hazard: Hazard) -> str:
    return reverse("hazards:hazards-detail", args=[hazard.pk])


def _notify_later(recipients: Iterable[User], title: str, body: str, hazard: Hazard, level: str = "info") -> None:
    people = {u.pk: u for u in recipients if u is not None}
    if people:
        notify(recipients=list(people.values()), title=title, body=body, url=_hazard_url(hazard), level=level)


# --- report -----------------------------------------------------------------------------------


def _photo_list(photos) -> list:
    return [p for p in (photos or []) if p]


def _check_position(data: dict[str, Any]) -> None:
    lat, lng = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lng is None):
        raise ValidationError({"latitude": [_("经纬度需同时提供")]})
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError({"latitude": [_("经纬度超出范围")]})


@transaction.atomic
def hazard_report(
    *,
    actor: User | None,
    enterprise: Enterprise,
    place: str,
    category: HazardCategory,
    description: str,
    suggested_level: str = HazardLevel.GENERAL,
    source: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    reporter_name: str = "",
    photos: Sequence = (),
) -> Hazard:
    """Record a newly found hazard (anyone in scope; ``actor=None`` for the system: sensors, public)."""
    if actor is not None and not restrict(Enterprise.objects.filter(pk=enterprise.pk), actor, VIEW).exists():
        raise Enterprise.DoesNotExist
    errors: dict[str, list[str]] = {}
    if not (place or "").strip():
        errors["place"] = [_("请填写隐患部位")]
    if not (description or "").strip():
        errors["description"] = [_("请描述隐患")]
    if suggested_level not in HazardLevel.values:
        errors["suggested_level"] = [_("等级无效")]
    source = source or default_source(actor)
    if source not in allowed_sources(actor):
        errors["source"] = [_("该来源与您的身份不符")]
    if errors:
        raise ValidationError(errors)
    _check_position({"latitude": latitude, "longitude": longitude})
    now = timezone.now()
    hazard = Hazard.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        place=place.strip(),
        category=category,
        description=description.strip(),
        level=HazardLevel.GENERAL,
        suggested_level=suggested_level,
        source=source,
        reported_by=actor,
        reporter_name=reporter_name or (str(actor) if actor else ""),
        reported_at=now,
        latitude=latitude,
        longitude=longitude,
    )
    predecessors = _predecessors(hazard)
    if predecessors:
        hazard.repeated = True
        hazard.predecessors.set(predecessors)
    hazard.priority = priority.for_hazard(hazard, today())
    hazard.save(update_fields=["repeated", "priority"])
    for photo in _photo_list(photos):
        attachment_add(actor=actor, owner=hazard, upload=photo, kind="photo", lat=latitude, lng=longitude)
    workflow.HAZARD_FLOW.record_move(hazard, actor, workflow.REPORT, "", HazardStatus.REPORTED, data={"source": source})
    audit.record(actor=actor, action="create", instance=hazard, changes=audit.diff({}, audit.snapshot(hazard)))
    recipients = enterprise_managers(enterprise.pk)
    if hazard.government_found:
        title = _("政府检查发现隐患")
    else:
        title = _("新上报隐患")
    _notify_later(recipients, title, f"{enterprise.name}：{hazard.place} {hazard.description[:60]}", hazard)
    return hazard


def hazard_from_finding(
    *,
    actor: User,
    enterprise: Enterprise,
    place: str,
    description: str,
    category: HazardCategory | None = None,
    evidence: Iterable = (),
    source: str | None = None,
    suggested_level: str = HazardLevel.GENERAL,
    latitude: float | None = None,
    longitude: float | None = None,
    link=None,
) -> Hazard:
    """A failed finding of a check (an inspection item, a risk inspection point) becomes a hazard:
    reported by the checker, in the fallback category when the finding has none, with the
    finding's evidence photos (stored attachments: same file, same hash) as its on-the-spot
    photos, and linked back to the finding (``link``: a record with a ``hazard`` field)."""
    from django.core.files import File

    from anjian.hazards.selectors import fallback_category

    hazard = hazard_report(
        actor=actor,
        enterprise=enterprise,
        place=place[:100],
        category=category or fallback_category(),
        description=description,
        suggested_level=suggested_level,
        source=source,
        latitude=latitude if longitude is not None else None,
        longitude=longitude if latitude is not None else None,
    )
    for photo in evidence:
        with photo.file.open("rb") as stored:
            attachment_add(
                actor=actor,
                owner=hazard,
                upload=File(stored, name=photo.original_name),
                kind="photo",
                lat=photo.lat,
                lng=photo.lng,
            )
    if link is not None:
        link.hazard = hazard
        link.save(update_fields=["hazard"])
    return hazard


def _predecessors(hazard: Hazard) -> list[Hazard]:
    """Earlier hazards at the same place and of the same category within the repeat window."""
    window = policy_for(hazard.enterprise).repeat_window_days or DEFAULT_REPEAT_WINDOW_DAYS
    since = hazard.reported_at - dt.timedelta(days=window)
    return list(
        Hazard.objects.filter(
            enterprise_id=hazard.enterprise_id,
            place__iexact=hazard.place,
            category_id=hazard.category_id,
            reported_at__gte=since,
        )
        .exclude(pk=hazard.pk)
        .exclude(status=HazardStatus.CANCELLED)
        .order_by("-reported_at")[:10]
    )


# --- transitions ------------------------------------------------------------------------------


def _transition(
    *,
    actor: User,
    hazard: Hazard | int,
    action: str,
    expected_version: int | None,
    change: Callable[[Hazard], dict[str, Any] | None],
    comment: str = "",
    photos: Sequence = (),
    position: tuple[float | None, float | None] = (None, None),
) -> Hazard:
    """One move through ``workflow.HAZARD_FLOW`` (lock, version, state, guard, log, audit), with
    the step's position and evidence photos. ``change`` may return extra data for the step and
    raise ValidationError to refuse."""
    lat, lng = position
    _check_position({"latitude": lat, "longitude": lng})

    def change_at_position(h: Hazard) -> dict[str, Any]:
        return {**(change(h) or {}), "latitude": lat, "longitude": lng}

    def attach_evidence(h: Hazard, step: HazardTransition) -> None:
        for photo in _photo_list(photos):
            attachment_add(actor=actor, owner=step, upload=photo, kind="photo", lat=lat, lng=lng)

    return workflow.HAZARD_FLOW.move(
        actor=actor,
        record=hazard,
        name=action,
        change=change_at_position,
        expected_version=expected_version,
        comment=comment,
        queryset=Hazard.objects.select_related("enterprise"),
        after=attach_evidence,
    )


def hazard_assign(
    *,
    actor: User,
    hazard: Hazard | int,
    responsible: User,
    deadline: dt.date,
    measures: str,
    level: str = HazardLevel.GENERAL,
    criteria: Iterable[MajorHazardCriterion] = (),
    plan: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Hazard:
    """Set the responsible person, deadline and measures; decide general or major. A major hazard
    needs the full governance plan and is reported at once to the district (直报) and listed for
    supervision (挂牌督办)."""
    criteria = list(criteria)
    became_major = []

    def change(h: Hazard):
        errors: dict[str, list[str]] = {}
        if deadline is None or deadline < today():
            errors["deadline"] = [_("整改期限不能早于今天")]
        if not (measures or "").strip():
            errors["measures"] = [_("请填写整改措施")]
        if (
            responsible is None
            or responsible.enterprise_id != h.enterprise_id
            or responsible.role not in ENTERPRISE_ROLES
            or not responsible.is_active
        ):
            errors["responsible"] = [_("整改责任人须为本企业在岗人员")]
        major = level == HazardLevel.MAJOR or bool(criteria)
        if level not in HazardLevel.values:
            errors["level"] = [_("等级无效")]
        if major:
            missing = [name for name in PLAN_FIELDS if not (plan or {}).get(name)]
            if missing:
                errors.update({f"plan_{name}": [_("重大隐患须填写完整的治理方案")] for name in missing})
            elif plan["deadline"] < today():
                errors["plan_deadline"] = [_("治理时限不能早于今天")]
        if errors:
            raise ValidationError(errors)
        was_major = h.level == HazardLevel.MAJOR
        h.responsible = responsible
        h.deadline = deadline
        h.measures = measures.strip()
        h.assigned_at = h.assigned_at or timezone.now()
        if deadline >= today():
            h.overdue = False
        if major:
            h.level = HazardLevel.MAJOR
            h.supervised = True
            GovernancePlan.objects.update_or_create(
                hazard=h, defaults={**{k: plan[k] for k in PLAN_FIELDS}, "created_by": actor}
            )
            if not was_major:
                became_major.append(h)
        else:
            h.level = HazardLevel.GENERAL
        h.criteria.set(criteria)
        return {
            "responsible": str(responsible),
            "deadline": deadline,
            "level": h.level,
            "criteria": [c.code for c in criteria],
        }

    result = _transition(
        actor=actor, hazard=hazard, action=workflow.ASSIGN, expected_version=expected_version, change=change
    )
    _notify_later(
        [result.responsible],
        _("您有新的隐患整改任务"),
        _("%(place)s，期限 %(deadline)s") % {"place": result.place, "deadline": result.deadline},
        result,
    )
    if became_major:
        _notify_later(
            government_officers(district_code(result), Role.DISTRICT_ADMIN)
            + government_officers(town_code(result), Role.TOWN_ADMIN),
            _("重大事故隐患直报"),
            f"{result.enterprise.name}：{result.place} {result.description[:60]}",
            result,
            level="danger",
        )
    return result


def hazard_rectify(
    *,
    actor: User,
    hazard: Hazard | int,
    rectification: str,
    cost=None,
    photos: Sequence = (),
    latitude: float | None = None,
    longitude: float | None = None,
    expected_version: int | None = None,
) -> Hazard:
    """The responsible person reports what was done, what it cost, with after-photos."""

    def change(h: Hazard):
        errors: dict[str, list[str]] = {}
        if not (rectification or "").strip():
            errors["rectification"] = [_("请填写整改情况")]
        if not _photo_list(photos):
            errors["photos"] = [_("请上传整改后照片")]
        if cost is not None and cost < 0:
            errors["cost"] = [_("整改资金不能为负数")]
        if errors:
            raise ValidationError(errors)
        h.rectification = rectification.strip()
        h.cost = cost
        h.rectified_at = timezone.now()
        return {"cost": cost}

    result = _transition(
        actor=actor,
        hazard=hazard,
        action=workflow.RECTIFY,
        expected_version=expected_version,
        change=change,
        comment=rectification,
        photos=photos,
        position=(latitude, longitude),
    )
    verifiers = (
        [result.enterprise.grid_inspector]
        if result.government_found or result.level == HazardLevel.MAJOR
        else enterprise_managers(result.enterprise_id)
    )
    _notify_later(verifiers, _("隐患整改待验收"), f"{result.enterprise.name}：{result.place}", result)
    return result


def hazard_accept(
    *, actor: User, hazard: Hazard | int, comment: str = "", photos: Sequence = (), expected_version=None
) -> Hazard:
    """Accept the rectification: the hazard is closed out (销号)."""

    def change(h: Hazard):
        h.verified_by = actor
        h.closed_at = timezone.now()
        h.overdue = False

    result = _transition(
        actor=actor,
        hazard=hazard,
        action=workflow.ACCEPT,
        expected_version=expected_version,
        change=change,
        comment=comment,
        photos=photos,
    )
    _notify_later([result.responsible], _("隐患已验收销号"), result.place, result)
    return result


def hazard_return(*, actor: User, hazard: Hazard | int, reason: str, expected_version=None) -> Hazard:
    """Return the rectification with a reason (back to assigned). A failed government re-check
    escalates the hazard to the town for joint rectification (联合整治)."""
    joint = []

    def change(h: Hazard):
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("请填写退回原因")]})
        h.returned_count += 1
        if h.government_found and actor.role in GOVERNMENT_ROLES | {Role.PLATFORM_ADMIN}:
            h.joint_rectification = True
            if h.escalation_level < EscalationLevel.TOWN:
                h.escalation_level = EscalationLevel.TOWN
                h.escalated_at = timezone.now()
            joint.append(h)
        return {"joint_rectification": h.joint_rectification}

    result = _transition(
        actor=actor,
        hazard=hazard,
        action=workflow.RETURN,
        expected_version=expected_version,
        change=change,
        comment=reason,
    )
    _notify_later([result.responsible], _("隐患整改被退回"), reason, result, level="warning")
    if joint:
        _notify_later(
            government_officers(town_code(result), Role.TOWN_ADMIN),
            _("复查未通过，需联合整治"),
            f"{result.enterprise.name}：{result.place}",
            result,
            level="warning",
        )
    return result


def hazard_close_on_spot(
    *,
    actor: User,
    hazard: Hazard | int,
    rectification: str,
    photos: Sequence = (),
    latitude: float | None = None,
    longitude: float | None = None,
    expected_version=None,
) -> Hazard:
    """A general hazard fixed at once (立查立改): closed with evidence, if the enterprise allows it."""

    def change(h: Hazard):
        errors: dict[str, list[str]] = {}
        if not policy_for(h.enterprise).allow_close_on_spot:
            raise ValidationError(_("本企业未开启立查立改直接销号"))
        if not (rectification or "").strip():
            errors["rectification"] = [_("请填写整改情况")]
        if not _photo_list(photos):
            errors["photos"] = [_("请上传整改后照片")]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        h.rectification = rectification.strip()
        h.rectified_at = now
        h.closed_at = now
        h.verified_by = actor
        h.responsible = h.responsible or (actor if actor.role in ENTERPRISE_ROLES else None)

    return _transition(
        actor=actor,
        hazard=hazard,
        action=workflow.CLOSE_ON_SPOT,
        expected_version=expected_version,
        change=change,
        comment=rectification,
        photos=photos,
        position=(latitude, longitude),
    )


def hazard_cancel(*, actor: User, hazard: Hazard | int, reason: str, expected_version=None) -> Hazard:
    """Only a government officer cancels, with a reason; nothing is deleted."""

    def change(h: Hazard):
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("请填写撤销原因")]})
        h.cancel_reason = reason.strip()[:200]

    result = _transition(
        actor=actor,
        hazard=hazard,
        action=workflow.CANCEL,
        expected_version=expected_version,
        change=change,
        comment=reason,
    )
    _notify_later(enterprise_managers(result.enterprise_id), _("隐患已撤销"), reason, result)
    return result
