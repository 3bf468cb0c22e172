"""Scheduled jobs of the risk module: the inspection schedule is kept a day ahead and missed
checks raise an alarm (the Sichuan plant's red point), every few minutes; late in the month,
enterprises that have not confirmed their risk list are reminded."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.jobs import crontab, periodic_task, zoned_crontab
from anjian.core.models import NotificationLevel, User
from anjian.core.notify import notify
from anjian.core.roles import Role
from anjian.enterprises.models import Enterprise
from anjian.risks import schedule
from anjian.risks.models import RiskPoint, RiskReview, TaskSlot

# From this day of the month on, a missing self-review is reminded of (daily, once a day).
REVIEW_REMINDER_FROM_DAY = 25
MANAGER_ROLES = (Role.ENTERPRISE_ADMIN, Role.SAFETY_OFFICER)


def alert_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell each missed task's owner and his enterprise's safety managers, once per missed window."""
    now = now or timezone.now()
    with transaction.atomic():
        slots = list(
            schedule.overdue_slots(now=now)
            .select_related("task", "point", "task__owner")
            .select_for_update(of=("self",), skip_locked=True)
        )
        if not slots:
            return 0
        by_enterprise: dict[int, list[TaskSlot]] = defaultdict(list)
        for slot in slots:
            by_enterprise[slot.point.enterprise_id].append(slot)
        managers: dict[int, list[User]] = defaultdict(list)
        for user in User.objects.filter(enterprise_id__in=by_enterprise, role__in=MANAGER_ROLES, is_active=True):
            managers[user.enterprise_id].append(user)
        for enterprise_id, missed in by_enterprise.items():
            for slot in missed:
                recipients = {slot.task.owner, *managers[enterprise_id]}
                notify(
                    recipients=[u for u in recipients if u.is_active],
                    title=_("巡检超时未完成"),
                    body=_("%(point)s：%(task)s（应于 %(until)s 前完成）")
                    % {
                        "point": slot.point.name,
                        "task": slot.task.content,
                        "until": timezone.localtime(slot.due_until).strftime("%m-%d %H:%M"),
                    },
                    url=reverse("risks:inspection-points-detail", args=[slot.point_id]),
                    level=NotificationLevel.WARNING,
                )
        TaskSlot.objects.filter(pk__in=[s.pk for s in slots]).update(alerted_at=now)
    return len(slots)


@periodic_task(crontab(minute="*/10"))
def inspection_schedule_tick() -> dict[str, Any]:
    """Every ten minutes: generate the next day of slots, then alarm on the ones just missed."""
    return {"slots": schedule.generate(), "alerted": alert_overdue()}


def remind_reviews(*, today: dt.date | None = None) -> int:
    """Enterprises with risk points and no self-review this month (from the 25th): remind their
    safety managers (once a day)."""
    today = today or timezone.localdate()
    if today.day < REVIEW_REMINDER_FROM_DAY:
        return 0
    month = today.replace(day=1)
    pending = (
        Enterprise.objects.filter(pk__in=RiskPoint.objects.filter(archived=False).values("enterprise_id"))
        .exclude(pk__in=RiskReview.objects.filter(month=month).values("enterprise_id"))
        .values_list("pk", flat=True)
    )
    recipients = list(User.objects.filter(enterprise_id__in=pending, role__in=MANAGER_ROLES, is_active=True))
    if recipients:
        notify(
            recipients=recipients,
            title=_("请确认本月风险清单"),
            body=_("本月的风险自查确认尚未完成，请核对风险点和管控措施后确认。"),
            url=reverse("risks:review-confirm"),
        )
    return len(recipients)


@periodic_task(zoned_crontab(9, 0))
def risk_review_reminder_daily() -> int:
    return remind_reviews()
