"""The daily sweep of open hazards (逾期 → 逐级升级 → 一线三排): set-based, idempotent, rerunnable.

One run, for one calendar day ``today`` (Asia/Shanghai):

a. **Overdue.** Open hazards whose deadline is before ``today`` and not yet flagged get
   ``overdue = True`` and one ``overdue`` transition row each.
b. **Escalation.** For each active :class:`EscalationStep` (a district's own step for a level
   overrides the default there), lowest level first, open overdue hazards at
   least ``days_overdue`` days past the deadline and below that level go up to it, with one
   ``escalate`` transition row each. A hazard missed for some days climbs every level it has
   reached in the same run, one row per level, and every level's officers hear of it.
c. **Priority.** Every open hazard's 一线三排 priority is recomputed in one UPDATE from the same
   formula as :func:`anjian.hazards.priority.compute`; rows whose value is already right are
   not written.
d. **Inbox.** One message per recipient per run: the responsible person of each newly overdue
   hazard, and per level the officers of the hazards' areas (grid inspector of the enterprise,
   town admins of the town, district admins of the district), with counts.

How, in a handful of statements whatever the number of hazards:

1. one ``INSERT … SELECT`` per action and level writes the transition rows straight from the
   candidate hazards, locking them (``FOR UPDATE`` on PostgreSQL) so they cannot change before
   step 2;
2. one ``UPDATE`` writes every hazard logged in 1. once: flag, level, time and priority (each row
   rewritten once a day at most: with fifteen indexes on the table, row versions are the cost);
3. one ``UPDATE`` re-ranks the other open hazards whose priority moved with the calendar;
4. ``values().annotate(Count)`` queries turn this run's rows into recipients and counts.

This run's rows are told apart from older ones by id (above the highest id just before the
insert), not by time: runs are serialised (an advisory lock on PostgreSQL; SQLite has one writer
at a time) and only the sweep writes these two actions, so this holds under a frozen clock too.

Everything, inbox rows included, commits in one transaction: a crash leaves nothing half done, and
the rerun does the whole day again. Outside senders (webhook, SMS) start after commit
(``notify()`` schedules them). A second run the same day finds nothing to do.

The sweep does not bump ``Hazard.version``: nobody's open form should go stale because the
calendar moved on.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import NotSupportedError, connections, router, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, JSONObject
from django.db.models.lookups import GreaterThan, StartsWith
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import audit
from anjian.core.models import NotificationLevel, User
from anjian.core.notify import notify
from anjian.core.roles import Role
from anjian.core.scoping import district_code_of, town_code_of
from anjian.hazards import priority, workflow
from anjian.hazards.models import (
    OPEN_STATUSES,
    EscalationLevel,
    EscalationStep,
    Hazard,
    HazardTransition,
)

logger = logging.getLogger("anjian.hazards.sweep")

# Officers told of an escalation to a level above the grid: role, and the kernel's expression
# that turns the hazard's region code into the code of their area.
AREA_OFFICERS = {
    EscalationLevel.TOWN: (Role.TOWN_ADMIN, town_code_of),
    EscalationLevel.DISTRICT: (Role.DISTRICT_ADMIN, district_code_of),
}
RESPONSIBLE = "responsible"
# Key of the PostgreSQL advisory lock that serialises sweeps (any 64-bit number unique to us).
LOCK_KEY = zlib.crc32(b"anjian.hazards.sweep")
USER_CHUNK = 500


@dataclass
class SweepResult:
    today: dt.date
    overdue: int = 0
    escalated: dict[int, int] = field(default_factory=dict)
    priorities: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "overdue": self.overdue,
            "escalated": {str(level): n for level, n in self.escalated.items()},
            "priorities": self.priorities,
            "messages": self.messages,
        }

    def __str__(self) -> str:
        levels = ", ".join(f"{EscalationLevel(level).label}={n}" for level, n in self.escalated.items()) or "-"
        return (
            f"{self.today}: overdue {self.overdue}; escalated {levels}; "
            f"priorities {self.priorities}; messages {self.messages}"
        )


def local_today() -> dt.date:
    """Today in the platform's time zone (settings.TIME_ZONE, Asia/Shanghai), whatever the
    process's own time zone or an activated one."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


# --- days overdue as SQL ----------------------------------------------------------------------


class DaysSince(Func):
    """Whole days from a date column to a given day (negative before it, NULL without a date)."""

    output_field = IntegerField()

    def __init__(self, today: dt.date, column: str = "deadline"):
        super().__init__(Value(today, output_field=DateField()), F(column))

    def _parts(self, compiler, connection):
        today, column = self.get_source_expressions()
        today_sql, today_params = compiler.compile(today)
        column_sql, column_params = compiler.compile(column)
        return today_sql, column_sql, (*today_params, *column_params)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"DaysSince is written for SQLite and PostgreSQL, not {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        # date - date is an integer number of days.
        today_sql, column_sql, params = self._parts(compiler, connection)
        return f"(CAST({today_sql} AS date) - {column_sql})", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Dates are 'YYYY-MM-DD' text; julianday() of two midnights differs by a whole number.
        today_sql, column_sql, params = self._parts(compiler, connection)
        return f"CAST(julianday({today_sql}) - julianday({column_sql}) AS INTEGER)", params


def days_overdue(today: dt.date):
    """Days past the deadline on ``today``; 0 when not past it or without a deadline — the same
    as ``priority.compute``. (GREATEST skips NULL on PostgreSQL but not on SQLite: COALESCE.)"""
    return Coalesce(Greatest(DaysSince(today), Value(0)), Value(0))


# --- the sweep --------------------------------------------------------------------------------


def sweep(today: dt.date | None = None) -> SweepResult:
    """Run the daily sweep for ``today`` (default: today in Asia/Shanghai). Idempotent."""
    today = today or local_today()
    now = timezone.now()
    db = router.db_for_write(Hazard)
    result = SweepResult(today=today)
    with transaction.atomic(using=db):
        _serialise(db)
        inbox = _Inbox(db)
        open_hazards = Hazard.objects.using(db).filter(status__in=OPEN_STATUSES)
        steps = escalation_steps(today, using=db)
        first = _top_id(db)

        # a. + b. Log first, each set in one INSERT … SELECT that locks its hazards.
        result.overdue, rows = _log(
            db,
            workflow.OVERDUE,
            open_hazards.filter(deadline__lt=today, overdue=False),
            data=JSONObject(deadline=F("deadline")),
            now=now,
        )
        if result.overdue:
            inbox.add_responsible(rows)
        # Overdue = flagged, or flagged by this run (the flag itself is written below).
        overdue = Q(overdue=True) | Q(deadline__lt=today)
        for level, reached in steps:
            count, rows = _log(
                db,
                workflow.ESCALATE,
                open_hazards.filter(overdue, reached, escalation_level__lt=level),
                data=JSONObject(level=Value(level)),
                now=now,
            )
            result.escalated[level] = count
            if count:
                inbox.add_officers(level, rows)

        # Then write each hazard logged above once: flag, level, time, priority.
        if result.overdue or any(result.escalated.values()):
            logged = HazardTransition.objects.using(db).filter(
                pk__gt=first, action__in=(workflow.OVERDUE, workflow.ESCALATE)
            )
            # The flag and the level are evidence: one audit entry per hazard (the priority is a
            # cached rank, not evidence: not audited, here or in recompute_priorities).
            result.priorities = audit.record_update(
                Hazard.objects.using(db).filter(pk__in=logged.values("hazard_id")),
                actor=None,
                action=_sweep_action,
                values=_escalated_values(today, steps, now),
                fields=["overdue", "escalation_level", "escalated_at"],
            )

        # c. Everything else open whose rank moved with the calendar.
        result.priorities += recompute_priorities(today, using=db)
        result.messages = inbox.send()
    logger.info("hazard sweep %s", result)
    return result


def escalation_steps(today: dt.date, *, using: str | None = None) -> list[tuple[int, Q]]:
    """Per level, lowest first, the condition "overdue long enough to reach it" on ``today``: a
    district's own active step for a level overrides the default step (no region) there; every
    other area follows the default. A level with neither has no step."""
    rows = EscalationStep.objects.using(using).filter(active=True).values_list("level", "days_overdue", "region_id")
    by_level: dict[int, dict[str | None, int]] = defaultdict(dict)
    for level, days, region in rows:
        by_level[level][region] = days
    steps = []
    for level in sorted(by_level):
        entries = by_level[level]
        overrides = sorted(region for region in entries if region)
        reached = Q()
        parts = [Q(_in_area(region), deadline__lte=today - dt.timedelta(days=entries[region])) for region in overrides]
        if None in entries:
            default = Q(deadline__lte=today - dt.timedelta(days=entries[None]))
            for region in overrides:
                default &= ~Q(_in_area(region))
            parts.append(default)
        for part in parts:
            reached |= part
        steps.append((level, reached))
    return steps


def _sweep_action(changes: dict[str, list[Any]]) -> str:
    """The audit action of a hazard the sweep changed: escalated, or only flagged overdue."""
    return workflow.ESCALATE if "escalation_level" in changes else workflow.OVERDUE


def _in_area(code: str) -> StartsWith:
    """The hazard's region is ``code`` or below it, on the column itself: the kernel's
    ``region_condition`` names the region's code, a related field, which an UPDATE refuses."""
    return StartsWith(Cast("region_id", CharField()), Value(code))


def _escalated_values(today: dt.date, steps: list[tuple[int, Q]], now: dt.datetime) -> dict[str, Any]:
    """New values of a hazard this run logged: overdue; the highest level whose cutoff its
    deadline has reached (which is the highest level logged for it, since it is locked and the
    steps are the same); escalated now if that is above its old level; priority at that level.

    In an UPDATE every right-hand side reads the old row, so the priority adds the level change
    to the formula's value at the old level (the formula is linear in the level; the test against
    priority.compute would catch it if that ever changed)."""
    reached = Case(
        *(When(reached, then=Value(level)) for level, reached in sorted(steps, key=lambda s: s[0], reverse=True)),
        default=Value(EscalationLevel.NONE),
        output_field=IntegerField(),
    )
    level = Greatest(F("escalation_level"), reached)
    return {
        "overdue": True,
        "escalation_level": level,
        "escalated_at": Case(
            When(GreaterThan(level, F("escalation_level")), then=Value(now)), default=F("escalated_at")
        ),
        "priority": priority.expression(days_overdue(today))
        + (level - F("escalation_level")) * priority.PER_ESCALATION_LEVEL,
    }


def recompute_priorities(today: dt.date, *, using: str | None = None) -> int:
    """One UPDATE of every open hazard whose priority is not what the formula gives today."""
    using = using or router.db_for_write(Hazard)
    value = priority.expression(days_overdue(today))
    with audit.unaudited("the cached priority score, recomputed from audited facts"):
        return (
            Hazard.objects.using(using)
            .filter(status__in=OPEN_STATUSES)
            .filter(~Q(priority=value))
            .update(priority=value)
        )


def _serialise(db: str) -> None:
    """Hold the sweep lock until the transaction ends. On SQLite the transaction itself is the
    lock (settings open it with BEGIN IMMEDIATE: one writer at a time)."""
    connection = connections[db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _top_id(db: str) -> int:
    return HazardTransition.objects.using(db).aggregate(top=Max("pk"))["top"] or 0


# HazardTransition columns written by the sweep, in INSERT order; the others stay NULL.
_COLUMNS = ("hazard", "action", "from_status", "to_status", "at", "comment", "data")


def _log(db: str, action: str, candidates: QuerySet, *, data, now: dt.datetime) -> tuple[int, QuerySet]:
    """INSERT one ``action`` transition row per candidate hazard, in one statement, locking the
    candidates (PostgreSQL: FOR UPDATE) so they cannot change before the sweep writes them.
    Returns the count and the new rows (the ids between the highest before and after)."""
    before = _top_id(db)
    select = (
        candidates.select_for_update()
        .order_by()
        .annotate(
            t_hazard=F("pk"),
            t_action=Value(action),
            t_from=F("status"),
            t_to=F("status"),
            t_at=Value(now, output_field=DateTimeField()),
            t_comment=Value(""),
            t_data=data,
        )
        .values_list("t_hazard", "t_action", "t_from", "t_to", "t_at", "t_comment", "t_data")
    )
    count = insert_from_select(HazardTransition, _COLUMNS, select)
    after = _top_id(db) if count else before
    return count, HazardTransition.objects.using(db).filter(pk__gt=before, pk__lte=after, action=action)


def insert_from_select(model, columns: tuple[str, ...], select: QuerySet) -> int:
    """``INSERT INTO model (columns) <select>`` — the ORM has no INSERT … SELECT. ``select`` is
    a values_list() whose items are, in order, the values of ``columns``."""
    connection = connections[select.db]
    select_sql, params = select.query.get_compiler(using=select.db).as_sql()
    quote = connection.ops.quote_name
    target = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {select_sql}", params)
        return cursor.rowcount


# --- the inbox --------------------------------------------------------------------------------


class _Inbox:
    """Collects, with aggregate queries, how many hazards each recipient hears about, then writes
    one message per recipient (one ``notify()`` call per distinct text, not per person)."""

    def __init__(self, db: str):
        self.db = db
        self.counts: dict[int, dict[str | int, int]] = defaultdict(dict)

    def _add(self, user_id, kind, n: int) -> None:
        if user_id is not None and n:
            self.counts[user_id][kind] = self.counts[user_id].get(kind, 0) + n

    def add_responsible(self, rows: QuerySet) -> None:
        per_person = rows.values("hazard__responsible").annotate(n=Count("pk")).order_by()
        for row in per_person:
            self._add(row["hazard__responsible"], RESPONSIBLE, row["n"])

    def add_officers(self, level: int, rows: QuerySet) -> None:
        if level == EscalationLevel.GRID:
            per_inspector = rows.values("hazard__enterprise__grid_inspector").annotate(n=Count("pk")).order_by()
            for row in per_inspector:
                self._add(row["hazard__enterprise__grid_inspector"], level, row["n"])
            return
        if level not in AREA_OFFICERS:
            logger.warning("escalation level %s has no officers to notify", level)
            return
        role, area_of = AREA_OFFICERS[level]
        per_area = dict(
            rows.annotate(area=area_of("hazard__region_id"))
            .values("area")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("area", "n")
        )
        officers = User.objects.using(self.db).filter(role=role, is_active=True, region_id__in=list(per_area))
        for user_id, area in officers.values_list("pk", "region_id"):
            self._add(user_id, level, per_area[area])
        unheard = set(per_area) - set(officers.values_list("region_id", flat=True))
        if unheard:
            listed = sorted(unheard)
            logger.warning("no active %s for %d areas, e.g. %s", role, len(listed), ", ".join(listed[:5]))

    def send(self) -> int:
        if not self.counts:
            return 0
        url = reverse("hazards:hazards-list") + "?view=overdue"
        by_text: dict[tuple[str, str, str], list[User]] = defaultdict(list)
        ids = list(self.counts)
        for start in range(0, len(ids), USER_CHUNK):
            for user in User.objects.using(self.db).filter(pk__in=ids[start : start + USER_CHUNK]):
                by_text[message(self.counts[user.pk])].append(user)
        sent = 0
        for (title, body, level), users in by_text.items():
            sent += len(notify(recipients=users, title=title, body=body, url=url, level=level))
        return sent


def message(counts: dict[str | int, int]) -> tuple[str, str, str]:
    """(title, body, level) of one recipient's message from {kind: number of hazards}."""
    lines = []
    for kind in sorted(counts, key=lambda k: -1 if k == RESPONSIBLE else k):
        n = counts[kind]
        if kind == RESPONSIBLE:
            lines.append(_("您有%(n)d条隐患整改已逾期") % {"n": n})
        else:
            lines.append(_("%(n)d条逾期隐患已升级至%(level)s督办") % {"n": n, "level": EscalationLevel(kind).label})
    if len(lines) == 1:
        title = lines[0]
        if RESPONSIBLE in counts:
            body = _("请尽快完成整改并提交验收；逾期隐患将逐级上报督办。")
        else:
            body = _("请督促企业限期整改，查看逾期隐患清单。")
    else:
        title = _("逾期隐患提醒")
        body = "；".join(lines)
    level = NotificationLevel.DANGER if EscalationLevel.DISTRICT in counts else NotificationLevel.WARNING
    return title, body, level
