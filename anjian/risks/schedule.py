"""The inspection schedule: the windows of each task cycle in the platform's time zone
(Asia/Shanghai), the slots generated from them, and the green / yellow / red board (the Sichuan
plant's rule: done and passed is green, done and failed yellow, missed red)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from anjian.risks.models import InspectionPoint, InspectionTask, TaskCycle, TaskSlot

# How far ahead the schedule is generated (the job runs every few minutes, so a day is plenty).
HORIZON = dt.timedelta(days=1)
APPROXIMATE_LENGTH = {
    TaskCycle.HOUR: dt.timedelta(hours=1),
    TaskCycle.SHIFT: dt.timedelta(hours=24),
    TaskCycle.DAY: dt.timedelta(days=1),
    TaskCycle.WEEK: dt.timedelta(days=7),
    TaskCycle.MONTH: dt.timedelta(days=31),
    TaskCycle.QUARTER: dt.timedelta(days=92),
    TaskCycle.YEAR: dt.timedelta(days=366),
}


def shift_starts() -> list[int]:
    """Hours at which shifts start (settings.RISK_SHIFT_HOURS, default 8 and 20: two 12-hour shifts)."""
    return sorted({int(h) % 24 for h in getattr(settings, "RISK_SHIFT_HOURS", (8, 20))}) or [0]


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def window_at(cycle: str, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The window of ``cycle`` that contains ``moment`` (local calendar: the day starts at 00:00,
    the week on Monday, shifts at settings.RISK_SHIFT_HOURS)."""
    local = _local(moment)
    day = local.date()
    if cycle == TaskCycle.HOUR:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(local.hour)))
        return start, timezone.make_aware(dt.datetime.combine(day, dt.time(local.hour)) + dt.timedelta(hours=1))
    if cycle == TaskCycle.SHIFT:
        starts = shift_starts()
        earlier = [h for h in starts if h <= local.hour]
        if earlier:
            begin = dt.datetime.combine(day, dt.time(earlier[-1]))
        else:
            begin = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(starts[-1]))
        later = [h for h in starts if h > begin.hour]
        if later:
            end = dt.datetime.combine(begin.date(), dt.time(later[0]))
        else:
            end = dt.datetime.combine(begin.date() + dt.timedelta(days=1), dt.time(starts[0]))
        return timezone.make_aware(begin), timezone.make_aware(end)
    if cycle == TaskCycle.DAY:
        return _midnight(day), _midnight(day + dt.timedelta(days=1))
    if cycle == TaskCycle.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return _midnight(monday), _midnight(monday + dt.timedelta(days=7))
    if cycle == TaskCycle.MONTH:
        first = day.replace(day=1)
        return _midnight(first), _midnight(_add_months(first, 1))
    if cycle == TaskCycle.QUARTER:
        first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return _midnight(first), _midnight(_add_months(first, 3))
    if cycle == TaskCycle.YEAR:
        return _midnight(dt.date(day.year, 1, 1)), _midnight(dt.date(day.year + 1, 1, 1))
    raise ValueError(cycle)


def windows(cycle: str, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Consecutive windows of ``cycle`` from the one containing ``start`` until one reaches ``end``."""
    begin, until = window_at(cycle, start)
    while begin < end:
        yield begin, until
        begin, until = window_at(cycle, until)


def generate(tasks: Iterable[InspectionTask] | None = None, *, now: dt.datetime | None = None) -> int:
    """Create the missing slots of the active tasks up to ``now + HORIZON``; idempotent. Returns the
    number of slots made."""
    now = now or timezone.now()
    if tasks is None:
        tasks = InspectionTask.objects.filter(archived=False, point__archived=False)
    tasks = list(tasks)
    latest = {
        row["task_id"]: row["last"]
        for row in TaskSlot.objects.filter(task__in=tasks).values("task_id").annotate(last=Max("due_until"))
    }
    rows = []
    for task in tasks:
        if task.archived:
            continue
        # A new task is due from the window around now (or its start date): never for windows
        # that were over before it existed.
        start = latest.get(task.pk) or max(_midnight(task.starts_on), now)
        for begin, until in windows(task.cycle, start, now + HORIZON):
            rows.append(TaskSlot(task=task, point_id=task.point_id, due_from=begin, due_until=until))
    TaskSlot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


# Board colours, worst first.
RED, YELLOW, PENDING, GREEN = "red", "yellow", "pending", "green"
SEVERITY = {RED: 0, YELLOW: 1, PENDING: 2, GREEN: 3}


@dataclass
class TaskState:
    task: InspectionTask
    colour: str
    current: TaskSlot | None
    last_check_at: dt.datetime | None
    overdue_since: dt.datetime | None = None


@dataclass
class PointState:
    point: InspectionPoint
    colour: str
    tasks: list[TaskState]


def _task_state(task: InspectionTask, slots: list[TaskSlot], now: dt.datetime) -> TaskState:
    """``slots``: the task's slots that have begun, newest first."""
    current = slots[0] if slots and slots[0].due_until > now else None
    previous = slots[1] if current is not None and len(slots) > 1 else (slots[0] if slots and current is None else None)
    for slot in (current, previous):
        if slot is not None and slot.record_id:
            colour = GREEN if slot.record.passed else YELLOW
            return TaskState(task, colour, current, slot.record.checked_at)
    if previous is not None and not previous.record_id:
        return TaskState(task, RED, current, None, overdue_since=previous.due_until)
    return TaskState(task, PENDING, current, None)


def board(points: Iterable[InspectionPoint], *, now: dt.datetime | None = None) -> list[PointState]:
    """The live state of each point: the worst state of its active tasks. A task is green when the
    check of its current window (or, while that is still open, of the previous one) passed,
    yellow when it failed, red when the previous window ended without a check, pending when
    nothing was due yet."""
    now = now or timezone.now()
    points = list(points)
    tasks = list(InspectionTask.objects.filter(point__in=points, archived=False).select_related("measure", "owner"))
    recent = Q()
    for cycle, length in APPROXIMATE_LENGTH.items():
        recent |= Q(task__cycle=cycle, due_until__gt=now - 2 * length)
    slots: dict[int, list[TaskSlot]] = {}
    for slot in (
        TaskSlot.objects.filter(task__in=tasks, due_from__lte=now)
        .filter(recent)
        .select_related("record")
        .order_by("-due_from")
    ):
        slots.setdefault(slot.task_id, []).append(slot)
    by_point: dict[int, list[TaskState]] = {}
    for task in tasks:
        by_point.setdefault(task.point_id, []).append(_task_state(task, slots.get(task.pk, []), now))
    result = []
    for point in points:
        states = by_point.get(point.pk, [])
        colour = min((s.colour for s in states), key=SEVERITY.__getitem__, default=PENDING)
        result.append(PointState(point, colour, states))
    return result


def overdue_slots(*, now: dt.datetime | None = None, within: dt.timedelta = dt.timedelta(days=1)):
    """Slots whose window ended without a check and that nobody was told about yet."""
    now = now or timezone.now()
    return TaskSlot.objects.filter(
        record__isnull=True,
        alerted_at__isnull=True,
        due_until__lte=now,
        due_until__gt=now - within,
        task__archived=False,
    )
