"""The daily overdue / escalation / priority sweep, under a frozen clock (Asia/Shanghai).

Runs on SQLite in the unit suite and on PostgreSQL in `make test-pg`; the INSERT … SELECT and the
days-overdue SQL differ per backend, so both runs matter."""

import datetime as dt
import itertools
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from anjian.core.jobs import zoned_crontab
from anjian.core.models import Notification
from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards import priority, services, sweep, workflow
from anjian.hazards.jobs import SWEEP_AT, hazard_sweep_daily
from anjian.hazards.models import (
    EscalationLevel,
    EscalationStep,
    Hazard,
    HazardLevel,
    HazardStatus,
    HazardTransition,
)
from anjian.hazards.tests.factories import HazardFactory, category, photo
from anjian.hazards.tests.test_concurrency import postgres_only, race

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DEADLINE = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int = 0, minute: int = 20):
    """Freeze the clock on ``day`` at 00:20 in Shanghai (16:20 UTC the day before)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False)


def day(n: int) -> dt.date:
    """The n-th day after DEADLINE."""
    return DEADLINE + dt.timedelta(days=n)


def run(n: int) -> sweep.SweepResult:
    with at(day(n)):
        return sweep.sweep()


@pytest.fixture
def people(world):
    return {
        "safety": enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a"),
        "worker": world.employee_a,
        "safety_b": enterprise_user(world.enterprise_b, role=Role.SAFETY_OFFICER, username="safety_b"),
        "worker_b": enterprise_user(world.enterprise_b, role=Role.EMPLOYEE, username="emp_b"),
    }


def assigned(world, people, enterprise=None, *, deadline=DEADLINE, responsible=None, **report):
    """A hazard reported and assigned through the services, before its deadline."""
    enterprise = enterprise or world.enterprise_a
    own = enterprise == world.enterprise_a
    reporter = people["worker" if own else "worker_b"]
    with at(deadline - dt.timedelta(days=3), hour=10):
        hazard = services.hazard_report(
            actor=reporter,
            enterprise=enterprise,
            place=report.pop("place", "二号车间"),
            category=category(),
            description="配电箱门缺失",
            photos=[photo()],
            **report,
        )
        return services.hazard_assign(
            actor=people["safety" if own else "safety_b"],
            hazard=hazard,
            responsible=responsible or reporter,
            deadline=deadline,
            measures="更换箱门",
        )


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


def actions(hazard):
    return list(hazard.transitions.values_list("action", flat=True))


def test_default_steps_from_the_migration():
    assert list(EscalationStep.objects.order_by("level").values_list("level", "days_overdue")) == [
        (EscalationLevel.GRID, 0),
        (EscalationLevel.TOWN, 7),
        (EscalationLevel.DISTRICT, 15),
    ]


def test_overdue_the_day_after_the_deadline_not_on_it(world, people):
    hazard = assigned(world, people)
    Notification.objects.all().delete()

    result = run(0)
    hazard.refresh_from_db()
    assert (result.overdue, hazard.overdue, hazard.escalation_level) == (0, False, EscalationLevel.NONE)
    assert inbox(people["worker"]) == []

    result = run(1)
    hazard.refresh_from_db()
    assert result.overdue == 1 and hazard.overdue
    step = hazard.transitions.get(action=workflow.OVERDUE)
    assert (step.from_status, step.to_status, step.actor_id) == (HazardStatus.ASSIGNED, HazardStatus.ASSIGNED, None)
    assert step.data == {"deadline": "2026-03-02"}
    assert step.at == dt.datetime(2026, 3, 3, 0, 20, tzinfo=SHANGHAI)
    message = Notification.objects.get(recipient=people["worker"])
    assert message.title == "您有1条隐患整改已逾期"
    assert message.url == "/hazards/?view=overdue"


def test_escalation_grid_at_once_town_after_7_days_district_after_15(world, people):
    hazard = assigned(world, people)
    Notification.objects.all().delete()
    officers = ("grid_inspector_a", "town_admin_a", "town_admin_b", "district_admin")

    def state():
        hazard.refresh_from_db()
        return hazard.escalation_level, {name: len(inbox(getattr(world, name))) for name in officers}

    run(1)
    assert state() == (EscalationLevel.GRID, dict.fromkeys(officers, 0) | {"grid_inspector_a": 1})
    assert inbox(world.grid_inspector_a) == ["1条逾期隐患已升级至网格督办"]
    for n in range(2, 7):
        assert sum(run(n).escalated.values()) == 0
    run(7)
    assert state() == (EscalationLevel.TOWN, {**dict.fromkeys(officers, 0), "grid_inspector_a": 1, "town_admin_a": 1})
    assert inbox(world.town_admin_a) == ["1条逾期隐患已升级至镇街督办"]
    for n in range(8, 15):
        assert sum(run(n).escalated.values()) == 0
    result = run(15)
    assert result.escalated == {1: 0, 2: 0, 3: 1}
    level, counts = state()
    assert level == EscalationLevel.DISTRICT
    assert counts == {"grid_inspector_a": 1, "town_admin_a": 1, "town_admin_b": 0, "district_admin": 1}
    assert Notification.objects.get(recipient=world.district_admin).level == "danger"

    # On the hazard's timeline: overdue once, then one escalation per level, with the level.
    assert actions(hazard) == ["report", "assign", "overdue", "escalate", "escalate", "escalate"]
    steps = hazard.transitions.filter(action=workflow.ESCALATE).order_by("id")
    assert [s.data for s in steps] == [{"level": 1}, {"level": 2}, {"level": 3}]
    assert [s.at.astimezone(SHANGHAI).date() for s in steps] == [day(1), day(7), day(15)]
    assert all(s.actor_id is None for s in steps)
    assert hazard.escalated_at == dt.datetime(2026, 3, 17, 0, 20, tzinfo=SHANGHAI)
    # The responsible person heard once, when it became overdue.
    assert inbox(people["worker"]) == ["您有1条隐患整改已逾期"]


def test_a_missed_run_climbs_every_level_and_each_area_hears_only_its_own(world, people):
    town_a = [assigned(world, people, place=f"{n}号车间") for n in range(3)]
    town_b = assigned(world, people, world.enterprise_b)
    Notification.objects.all().delete()

    result = run(20)  # nothing ran since the deadline
    assert result.overdue == 4
    assert result.escalated == {1: 4, 2: 4, 3: 4}
    for hazard in [*town_a, town_b]:
        hazard.refresh_from_db()
        assert hazard.overdue and hazard.escalation_level == EscalationLevel.DISTRICT
        assert actions(hazard)[2:] == ["overdue", "escalate", "escalate", "escalate"]

    # One message per recipient per run, with the count of its own hazards.
    assert inbox(people["worker"]) == ["您有3条隐患整改已逾期"]
    assert inbox(people["worker_b"]) == ["您有1条隐患整改已逾期"]
    assert inbox(world.grid_inspector_a) == ["3条逾期隐患已升级至网格督办"]  # enterprise B has no grid inspector
    assert inbox(world.town_admin_a) == ["3条逾期隐患已升级至镇街督办"]
    assert inbox(world.town_admin_b) == ["1条逾期隐患已升级至镇街督办"]
    assert inbox(world.district_admin) == ["4条逾期隐患已升级至区县督办"]
    assert result.messages == 6 == Notification.objects.count()


def test_one_recipient_of_several_kinds_gets_one_message(world, people):
    # The town officer is also this enterprise's grid inspector.
    world.enterprise_a.grid_inspector = world.town_admin_a
    world.enterprise_a.save()
    assigned(world, people)
    Notification.objects.all().delete()
    run(7)
    message = Notification.objects.get(recipient=world.town_admin_a)
    assert message.title == "逾期隐患提醒"
    assert message.body == "1条逾期隐患已升级至网格督办；1条逾期隐患已升级至镇街督办"


def test_a_second_run_the_same_day_changes_nothing(world, people):
    hazards = [assigned(world, people, place=f"{n}号车间", deadline=day(-n * 5)) for n in range(4)]
    first = run(1)
    assert first.overdue == 4 and first.priorities == 4 and first.messages > 0
    before = (
        list(Hazard.objects.order_by("id").values()),
        HazardTransition.objects.count(),
        Notification.objects.count(),
    )
    with at(day(1), hour=9):  # same day, later
        second = sweep.sweep()
    assert (second.overdue, second.escalated, second.priorities, second.messages) == (0, {1: 0, 2: 0, 3: 0}, 0, 0)
    assert before == (
        list(Hazard.objects.order_by("id").values()),
        HazardTransition.objects.count(),
        Notification.objects.count(),
    )
    # Same instant too (a frozen clock): run ids, not timestamps, tell this run's rows apart.
    third = run(1)
    assert (third.overdue, sum(third.escalated.values()), third.messages) == (0, 0, 0)
    assert len(hazards) == 4


def test_closed_and_cancelled_hazards_are_never_touched(world, people):
    closed = assigned(world, people, place="一号")
    cancelled = assigned(world, people, place="二号")
    with at(day(-1), hour=10):
        closed = services.hazard_rectify(
            actor=people["worker"], hazard=closed, rectification="已整改", photos=[photo()]
        )
        services.hazard_accept(actor=people["safety"], hazard=closed)
        services.hazard_cancel(actor=world.town_admin_a, hazard=cancelled, reason="重复上报")
    before = list(Hazard.objects.order_by("id").values())
    steps = HazardTransition.objects.count()
    result = run(30)
    assert (result.overdue, sum(result.escalated.values()), result.priorities) == (0, 0, 0)
    assert list(Hazard.objects.order_by("id").values()) == before
    assert HazardTransition.objects.count() == steps
    assert Hazard.objects.get(place="一号").priority == priority.CLOSED


def test_reassigned_to_a_later_deadline_is_not_overdue(world, people):
    hazard = assigned(world, people)
    run(2)
    hazard.refresh_from_db()
    assert hazard.overdue and hazard.escalation_level == EscalationLevel.GRID
    with at(day(2), hour=10):
        services.hazard_assign(
            actor=people["safety"], hazard=hazard, responsible=people["worker"], deadline=day(10), measures="停用设备"
        )
    hazard.refresh_from_db()
    assert not hazard.overdue
    for n in range(3, 11):
        assert run(n).overdue == 0
    hazard.refresh_from_db()
    assert not hazard.overdue and hazard.escalation_level == EscalationLevel.GRID
    assert run(11).overdue == 1
    assert actions(hazard).count(workflow.OVERDUE) == 2
    # The level already reached is kept; the next one comes 7 days after the new deadline.
    assert run(16).escalated[EscalationLevel.TOWN] == 0
    assert run(17).escalated[EscalationLevel.TOWN] == 1


def test_configured_steps_are_followed(world, people):
    EscalationStep.objects.filter(level=EscalationLevel.TOWN).update(days_overdue=3)
    EscalationStep.objects.filter(level=EscalationLevel.DISTRICT).delete()
    hazard = assigned(world, people)
    assert run(3).escalated == {1: 1, 2: 1}
    assert run(40).escalated == {1: 0, 2: 0}
    hazard.refresh_from_db()
    assert hazard.escalation_level == EscalationLevel.TOWN


def test_priority_after_the_sweep_equals_priority_compute(world, people):
    deadlines = [None, day(60), day(0), day(-1), day(-6), day(-7), day(-29), day(-366), day(-400)]
    combos = itertools.product(deadlines, HazardLevel.values, [False, True], [0, 2], list(HazardStatus))
    for n, (deadline, level, repeated, escalation, status) in enumerate(combos):
        HazardFactory(
            enterprise=world.enterprise_a,
            place=f"{n}号",
            deadline=deadline,
            level=level,
            repeated=repeated,
            escalation_level=escalation,
            status=status,
            priority=-7,
        )
    result = run(0)
    assert result.priorities == Hazard.objects.filter(status__in=sweep.OPEN_STATUSES).count()
    hazards = list(Hazard.objects.all())
    assert len(hazards) == 9 * 2 * 2 * 2 * 5
    wrong = [
        (h.deadline, h.level, h.repeated, h.escalation_level, h.priority, priority.for_hazard(h, day(0)))
        for h in hazards
        if h.is_open and h.priority != priority.for_hazard(h, day(0))
    ]
    assert wrong == []
    assert all(h.priority == -7 for h in hazards if not h.is_open)  # closed / cancelled: untouched
    # The days past the deadline are capped, and a big gap is counted right.
    oldest = Hazard.objects.filter(deadline=day(-400), status=HazardStatus.ASSIGNED).first()
    assert oldest.priority >= priority.MAX_DAYS_COUNTED * priority.PER_DAY_OVERDUE


@pytest.mark.parametrize(
    "today, deadline",
    [
        (dt.date(2026, 3, 1), dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 1), dt.date(2024, 2, 28)),  # leap year
        (dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 3, 2), dt.date(2025, 3, 2)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 20)),
        (dt.date(2026, 3, 2), None),
    ],
)
def test_days_overdue_in_sql_agrees_with_python(world, today, deadline):
    HazardFactory(enterprise=world.enterprise_a, deadline=deadline)
    got = Hazard.objects.annotate(days=sweep.days_overdue(today)).values_list("days", flat=True).get()
    assert got == ((today - deadline).days if deadline and deadline < today else 0)


def test_unassigned_and_reported_hazards_are_ranked_but_not_overdue(world, people):
    hazard = HazardFactory(enterprise=world.enterprise_a, priority=0, repeated=True)
    assert run(1).priorities == 1
    hazard.refresh_from_db()
    assert (hazard.overdue, hazard.priority) == (False, priority.REPEATED)


def test_statements_are_set_based(world, people, django_assert_max_num_queries):
    for n in range(30):
        assigned(world, people, place=f"{n}号车间", deadline=day(-n))
    # A few statements whatever the number of hazards: per phase a watermark, an INSERT … SELECT,
    # an UPDATE and the recipients' aggregates; then the priority UPDATE and the inbox writes; and
    # the audit of the changed hazards (lock, re-read, chain heads, entries in one INSERT).
    with at(day(20)), django_assert_max_num_queries(46):
        result = sweep.sweep()
    assert result.overdue == 30 and result.escalated == {1: 30, 2: 30, 3: 30}
    assert HazardTransition.objects.filter(action=workflow.ESCALATE).count() == 90
    assert all(h.overdue and h.priority == priority.for_hazard(h, day(20)) for h in Hazard.objects.all())


def test_each_hazard_the_sweep_changes_gets_an_audit_entry(world, people):
    from anjian.core import audit

    late, later = assigned(world, people), assigned(world, people, world.enterprise_b, place="仓库")
    run(1)  # both overdue, and at the grid level at once
    run(8)  # the town level
    for hazard in (late, later):
        entries = list(audit.history(hazard).filter(actor=None))
        assert [e.action for e in entries] == [workflow.ESCALATE, workflow.ESCALATE]
        assert entries[1].changes["overdue"] == [False, True]
        assert [e.changes["escalation_level"] for e in entries] == [
            [str(EscalationLevel.GRID.label), str(EscalationLevel.TOWN.label)],
            [str(EscalationLevel.NONE.label), str(EscalationLevel.GRID.label)],
        ]
        assert "priority" not in entries[0].changes  # a cached rank, not evidence
        assert entries[0].partition == f"enterprise:{hazard.enterprise_id}"
    run(8)  # nothing more to do: nothing more audited
    assert audit.history(late).filter(actor=None).count() == 2
    assert audit.verify_chain().ok


def test_management_command_back_runs_a_date(world, people, capsys):
    hazard = assigned(world, people)
    with at(day(40)):
        call_command("hazard_sweep", "--date", day(1).isoformat())
    out = capsys.readouterr().out
    assert "2026-03-03" in out and "overdue 1" in out
    hazard.refresh_from_db()
    assert hazard.overdue and hazard.escalation_level == EscalationLevel.GRID
    with at(day(7)):
        call_command("hazard_sweep")
    hazard.refresh_from_db()
    assert hazard.escalation_level == EscalationLevel.TOWN


def test_the_daily_job_runs_at_0020_shanghai_whatever_the_clock_of_the_consumer(world, people):
    # huey hands the schedule a naive timestamp: UTC (the default) or the consumer's local time.
    assert SWEEP_AT == (0, 20)
    utc_check = zoned_crontab(*SWEEP_AT, utc=True)
    assert utc_check(dt.datetime(2026, 3, 2, 16, 20))  # 00:20 on the 3rd in Shanghai
    assert not utc_check(dt.datetime(2026, 3, 3, 0, 20))
    local_check = zoned_crontab(*SWEEP_AT, utc=False, local_zone=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert local_check(dt.datetime(2026, 3, 2, 17, 20))  # Berlin is UTC+1 in March
    assert not local_check(dt.datetime(2026, 3, 3, 0, 20))

    # The task computes "today" itself, in Shanghai, not from the UTC date (still the 2nd).
    hazard = assigned(world, people)
    with time_machine.travel(dt.datetime(2026, 3, 2, 16, 20, tzinfo=dt.UTC), tick=False):
        result = hazard_sweep_daily.call_local()
    assert result["today"] == "2026-03-03" and result["overdue"] == 1
    hazard.refresh_from_db()
    assert hazard.overdue


# --- races (PostgreSQL: SQLite has one writer at a time) --------------------------------------


@pytest.fixture
def reference_rows():
    """A transactional test may start after another flushed the data migrations' rows."""
    from anjian.hazards.models import HazardCategory
    from anjian.hazards.reference_data import load_categories, load_escalation_steps

    load_categories(HazardCategory)
    load_escalation_steps(EscalationStep)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_log_each_hazard_once(world, reference_rows):
    people = {"safety": enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER), "worker": world.employee_a}
    hazards = [assigned(world, people, place=f"{n}号车间") for n in range(5)]
    with at(day(20)):
        outcomes = race(sweep.sweep, sweep.sweep)
    results = [result for _, result in outcomes]
    assert sorted(r.overdue for r in results) == [0, 5]
    assert sorted(r.messages for r in results)[0] == 0
    for hazard in hazards:
        assert actions(hazard)[2:] == ["overdue", "escalate", "escalate", "escalate"]
    assert inbox(world.employee_a).count("您有5条隐患整改已逾期") == 1


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_sweep_and_a_reassignment_at_once_stay_consistent(world, reference_rows):
    people = {"safety": enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER), "worker": world.employee_a}
    hazard = assigned(world, people)
    with at(day(1)):
        race(
            sweep.sweep,
            lambda: services.hazard_assign(
                actor=people["safety"],
                hazard=hazard.pk,
                responsible=people["worker"],
                deadline=day(10),
                measures="停产",
            ),
        )
    hazard.refresh_from_db()
    steps = list(hazard.transitions.order_by("id").values_list("action", flat=True))
    # Either the sweep went first (logged, then the re-assignment cleared the flag) or the
    # re-assignment did (nothing to log): never a flag without its row or a row after the move.
    assert not hazard.overdue and hazard.deadline == day(10)
    assert steps in (
        ["report", "assign", "overdue", "escalate", "assign"],
        ["report", "assign", "assign"],
    )
