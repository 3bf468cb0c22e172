"""Scheduled jobs of the inspection module: the daily coverage and monthly-report warnings.

Every morning (``WARN_AT``, Asia/Shanghai) :func:`warn` tells

- each grid inspector how many enterprises of his wait for an overdue grid patrol;
- his superior, each town admin of the town, how many grid patrols of the town are overdue and
  how many town patrols (the town's own duty) are;
- each enterprise admin of an operating enterprise whose monthly report (安全情况报审) is missing
  after the cut-off: last month's once this month's cut-off day has passed, and the month before.

Counts come from the coverage selector (anjian.inspections.coverage) over the whole platform, in a
few set-based queries. One inbox message per person per day: a recipient who already has today's
message with the same title is skipped, so a rerun the same day sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from anjian.core.jobs import periodic_task, zoned_crontab
from anjian.core.models import Notification, NotificationLevel, User
from anjian.core.notify import notify
from anjian.core.roles import Role
from anjian.inspections import coverage
from anjian.inspections.models import InspectionKind

logger = logging.getLogger("anjian.inspections.jobs")

WARN_AT = (7, 30)
USER_CHUNK = 500
# Titles are fixed per kind of warning: "the same title today" is what makes a rerun a no-op.
PATROL_TITLE = gettext_noop("巡查逾期提醒")
TOWN_TITLE = gettext_noop("辖区巡查逾期提醒")
REPORT_TITLE = gettext_noop("月度安全情况报告未按时提交")


def _titles() -> dict[str, str]:
    return {"patrol": _(PATROL_TITLE), "town": _(TOWN_TITLE), "report": _(REPORT_TITLE)}


def warn(today: dt.date | None = None) -> dict[str, Any]:
    """Send today's warnings (see the module). Idempotent per day."""
    today = today or coverage.local_today()
    titles = _titles()
    per_inspector, per_town = coverage.overdue_counts(today)
    missing = coverage.missing_reports(today)
    board = reverse("inspections:coverage")
    submit = reverse("inspections:monthly-report-submit")

    # recipient id → (title, body, url, level)
    messages: dict[int, tuple[str, str, str, str]] = {}
    grid_url = f"{board}?{urlencode({'kind': InspectionKind.GRID_PATROL, 'group': 'inspector'})}"
    for inspector_id, n in per_inspector.items():
        body = _("您负责的%(n)d家企业网格巡查已逾期，请尽快安排巡查。") % {"n": n}
        messages[inspector_id] = (titles["patrol"], body, grid_url, NotificationLevel.WARNING)

    towns = [code for code, counts in per_town.items() if counts["grid"] or counts["town"]]
    for start in range(0, len(towns), USER_CHUNK):
        admins = User.objects.filter(
            role=Role.TOWN_ADMIN, is_active=True, region_id__in=towns[start : start + USER_CHUNK]
        ).values_list("pk", "region_id")
        for pk, town in admins:
            counts = per_town[town]
            parts = []
            if counts["grid"]:
                parts.append(_("网格巡查逾期%(n)d家") % {"n": counts["grid"]})
            if counts["town"]:
                parts.append(_("镇街督查逾期%(n)d家") % {"n": counts["town"]})
            body = _("本镇街%(parts)s，请督促落实。") % {"parts": "，".join(parts)}
            kind = InspectionKind.GRID_PATROL if counts["grid"] else InspectionKind.TOWN_PATROL
            url = f"{board}?{urlencode({'kind': kind})}"
            messages[pk] = (titles["town"], body, url, NotificationLevel.WARNING)

    enterprise_ids = list(missing)
    for start in range(0, len(enterprise_ids), USER_CHUNK):
        admins = User.objects.filter(
            role=Role.ENTERPRISE_ADMIN, is_active=True, enterprise_id__in=enterprise_ids[start : start + USER_CHUNK]
        ).values_list("pk", "enterprise_id")
        for pk, enterprise_id in admins:
            months = missing[enterprise_id]
            listed = "、".join(f"{m:%Y-%m}" for m in months)
            body = _("%(months)s的月度安全情况报告未按时提交（每月%(day)d日前提交上月报告），请尽快补报。") % {
                "months": listed,
                "day": coverage.REPORT_CUTOFF_DAY,
            }
            url = f"{submit}?{urlencode({'month': f'{months[0]:%Y-%m}'})}"
            messages[pk] = (titles["report"], body, url, NotificationLevel.WARNING)

    result = {"today": today.isoformat(), "inspectors": len(per_inspector), "enterprises": len(missing)}
    with transaction.atomic():
        already = _told_today(today, list(titles.values()))
        todo = {pk: message for pk, message in messages.items() if (pk, message[0]) not in already}
        by_text: dict[tuple[str, str, str, str], list[User]] = defaultdict(list)
        ids = list(todo)
        for start in range(0, len(ids), USER_CHUNK):
            for user in User.objects.filter(pk__in=ids[start : start + USER_CHUNK]):
                by_text[todo[user.pk]].append(user)
        sent = 0
        for (title, body, url, level), users in by_text.items():
            sent += len(notify(recipients=users, title=title, body=body, url=url, level=level))
    result["messages"] = sent
    result["skipped"] = len(messages) - len(todo)
    logger.info("inspection warnings %s", result)
    return result


def _told_today(today: dt.date, titles: list[str]) -> set[tuple[int, str]]:
    """(recipient, title) of the warnings already in the inbox today."""
    return set(
        Notification.objects.filter(
            created_at__gte=coverage.day_start(today),
            created_at__lt=coverage.day_start(today + dt.timedelta(days=1)),
            title__in=titles,
        ).values_list("recipient_id", "title")
    )


@periodic_task(zoned_crontab(*WARN_AT))
def inspection_warnings_daily() -> dict[str, Any]:
    """Daily at 07:30 Asia/Shanghai: overdue patrols and missing monthly reports (see warn)."""
    return warn()
