"""Events, measures, inspection tasks, the schedule and the green / yellow / red board."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import photo
from anjian.risks import schedule, services
from anjian.risks.models import PointCheck, RiskPoint, TaskSlot
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def colour(chain, now) -> str:
    return schedule.board([chain.inspection_point], now=now)[0].colour


@pytest.mark.parametrize(
    ("cycle", "moment", "window"),
    [
        ("hour", at(2026, 3, 2, 9, 30), (at(2026, 3, 2, 9), at(2026, 3, 2, 10))),
        ("shift", at(2026, 3, 2, 9, 30), (at(2026, 3, 2, 8), at(2026, 3, 2, 20))),
        ("shift", at(2026, 3, 2, 3, 0), (at(2026, 3, 1, 20), at(2026, 3, 2, 8))),
        ("shift", at(2026, 3, 2, 20, 0), (at(2026, 3, 2, 20), at(2026, 3, 3, 8))),
        ("day", at(2026, 3, 2, 0, 0), (at(2026, 3, 2), at(2026, 3, 3))),
        ("week", at(2026, 3, 4, 12), (at(2026, 3, 2), at(2026, 3, 9))),
        ("month", at(2026, 12, 31, 23, 59), (at(2026, 12, 1), at(2027, 1, 1))),
        ("quarter", at(2026, 5, 15), (at(2026, 4, 1), at(2026, 7, 1))),
        ("year", at(2026, 5, 15), (at(2026, 1, 1), at(2027, 1, 1))),
    ],
)
def test_windows_follow_the_shanghai_calendar(cycle, moment, window):
    assert schedule.window_at(cycle, moment) == window


def test_the_board_turns_red_when_a_task_is_missed(world):
    with time_machine.travel(at(2026, 3, 2, 9, 10), tick=False):
        chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour")
        # Nothing was due before the task existed: pending, not red.
        assert colour(chain, at(2026, 3, 2, 9, 10)) == "pending"
    assert TaskSlot.objects.filter(task=chain.task).count() >= 24
    # 10:05: the 09–10 window ended without a check.
    assert colour(chain, at(2026, 3, 2, 10, 5)) == "red"
    with time_machine.travel(at(2026, 3, 2, 10, 20), tick=False):
        services.point_check(
            actor=world.employee_a, point=chain.inspection_point, results=[{"task": chain.task.pk, "passed": True}]
        )
        assert colour(chain, at(2026, 3, 2, 10, 20)) == "green"
    # Through the next hour it stays green (the last window was done) …
    assert colour(chain, at(2026, 3, 2, 11, 30)) == "green"
    # … and turns red again once the 11–12 window is missed.
    assert colour(chain, at(2026, 3, 2, 12, 1)) == "red"


def test_a_failed_check_is_yellow_and_makes_a_hazard(world):
    with time_machine.travel(at(2026, 3, 2, 9, 10), tick=False):
        chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="shift")
        with pytest.raises(ValidationError) as refused:
            services.point_check(
                actor=world.employee_a,
                point=chain.inspection_point,
                results=[{"task": chain.task.pk, "passed": False, "note": "压力表指针卡滞"}],
            )
        assert "results" in refused.value.message_dict  # a failure needs a photo
        assert not PointCheck.objects.exists()
        [check] = services.point_check(
            actor=world.employee_a,
            point=chain.inspection_point,
            results=[{"task": chain.task.pk, "passed": False, "note": "压力表指针卡滞", "photos": [photo()]}],
        )
        assert colour(chain, at(2026, 3, 2, 9, 11)) == "yellow"
    hazard = Hazard.objects.get(pk=check.hazard_id)
    assert hazard.enterprise == world.enterprise_a
    assert "压力表指针卡滞" in hazard.description
    assert hazard.source == "self_check"


def test_before_and_after_photos_are_required_when_the_task_says_so(world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="day", evidence="before_after")
    with pytest.raises(ValidationError):
        services.point_check(
            actor=world.employee_a,
            point=chain.inspection_point,
            results=[{"task": chain.task.pk, "passed": True, "photos": [photo()]}],
        )
    services.point_check(
        actor=world.employee_a,
        point=chain.inspection_point,
        results=[{"task": chain.task.pk, "passed": True, "photos": [photo("前.png"), photo("后.png")]}],
    )
    assert colour(chain, dt.datetime.now(SHANGHAI)) == "green"


def test_outsiders_cannot_check_or_edit(world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a)
    with pytest.raises(type(chain.inspection_point).DoesNotExist):
        services.point_check(
            actor=world.enterprise_admin_b,
            point=chain.inspection_point,
            results=[{"task": chain.task.pk, "passed": True}],
        )
    with pytest.raises(ValidationError):  # government reads, the enterprise acts
        services.point_check(
            actor=world.town_admin_a, point=chain.inspection_point, results=[{"task": chain.task.pk, "passed": True}]
        )
    with pytest.raises(RiskPoint.DoesNotExist):
        services.risk_event_create(
            actor=world.enterprise_admin_b, risk_point=chain.risk_point, data={"name": "x", "accident_type": "fire"}
        )
    with pytest.raises(ValidationError):
        services.risk_point_update(actor=world.town_admin_a, instance=chain.risk_point, data={"name": "改名"})


def test_control_gaps_follow_the_level_table(world):
    chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, level=("lec", "10", "6", "7"))  # 420 → 重大
    assert chain.risk_point.level == "major"
    [gap] = services.control_gaps(chain.risk_point)
    assert "公司级" in gap
    services.control_measure_create(
        actor=world.enterprise_admin_a,
        event=chain.event,
        data={"kind": "management", "description": "公司级每月专项检查", "owning_level": "company"},
    )
    assert services.control_gaps(chain.risk_point) == []


def test_overdue_slots_are_found_once(world):
    with time_machine.travel(at(2026, 3, 2, 9, 10), tick=False):
        chain = risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour")
    overdue = schedule.overdue_slots(now=at(2026, 3, 2, 11, 1))
    assert [(s.due_from, s.due_until) for s in overdue] == [
        (at(2026, 3, 2, 9), at(2026, 3, 2, 10)),
        (at(2026, 3, 2, 10), at(2026, 3, 2, 11)),
    ]
    assert chain.task.pk == overdue[0].task_id


def test_monthly_review_needs_an_assessed_list_and_happens_once(world):
    point = services.risk_point_create(
        actor=world.enterprise_admin_a, enterprise=world.enterprise_a, data={"name": "危废仓库", "kind": "area"}
    )
    with pytest.raises(ValidationError):
        services.risk_review_confirm(actor=world.enterprise_admin_a, enterprise=world.enterprise_a)
    services.risk_assess(actor=world.enterprise_admin_a, risk_point=point, method="ls", likelihood=2, consequence=3)
    review = services.risk_review_confirm(actor=world.enterprise_admin_a, enterprise=world.enterprise_a, note="无变化")
    assert review.counts["low"] == 1
    with pytest.raises(ValidationError):
        services.risk_review_confirm(actor=world.enterprise_admin_a, enterprise=world.enterprise_a)


def test_missed_checks_alarm_the_owner_and_managers_once(world):
    from anjian.core.models import Notification
    from anjian.risks import jobs

    with time_machine.travel(at(2026, 3, 2, 9, 10), tick=False):
        risk_chain(world.enterprise_admin_a, world.enterprise_a, cycle="hour", owner=world.employee_a)
    assert jobs.alert_overdue(now=at(2026, 3, 2, 10, 1)) == 1
    assert jobs.alert_overdue(now=at(2026, 3, 2, 10, 2)) == 0
    recipients = set(Notification.objects.filter(title="巡检超时未完成").values_list("recipient__username", flat=True))
    assert recipients == {"emp_a", "ent_a"}
