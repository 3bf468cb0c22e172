"""Jobs: the huey interface, after-commit enqueueing, housekeeping, and real round trips through
Redis and SQLite queues (one consumer step: dequeue, execute, read the result)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import uuid

import pytest
from django.db import transaction
from django.utils import timezone
from huey import PriorityRedisHuey, SqliteHuey

from anjian.core import jobs, notify
from anjian.core.models import ApiToken, Notification
from anjian.core.notify import MemorySmsBackend
from conftest import need_service

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
CALLS: list[tuple] = []


@jobs.task()
def record_call(*args):
    CALLS.append(args)
    return len(args)


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def test_the_interface_is_exported():
    for name in ("task", "periodic_task", "crontab", "enqueue_on_commit", "HUEY"):
        assert hasattr(jobs, name)
    assert jobs.HUEY.immediate  # tests run jobs inline
    assert jobs.crontab(hour="3", minute="17")(dt.datetime(2026, 1, 1, 3, 17))


def test_enqueue_on_commit_runs_after_commit_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue_on_commit(record_call, 1, "二")
        assert CALLS == []
    assert len(callbacks) == 1 and CALLS == []
    callbacks[0]()
    assert CALLS == [(1, "二")]


def test_enqueue_on_commit_rolled_back_runs_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            jobs.enqueue_on_commit(record_call, 1)
            raise RuntimeError
    assert CALLS == []


def test_a_queue_that_is_down_does_not_fail_the_committed_write(caplog, django_capture_on_commit_callbacks):
    def queue_down(*args):
        raise ConnectionError("redis unreachable")

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(queue_down, 1)
    assert "redis unreachable" in caplog.text


def test_autodiscover_imports_every_jobs_module():
    jobs.autodiscover()
    assert "anjian.core.jobs" in sys.modules


def test_housekeeping_purges_only_old_tokens(world):
    from anjian.enterprises.models import BindingToken

    now = timezone.now()
    user = world.enterprise_admin_a

    def api_token(key, expires):
        return ApiToken.objects.create(user=user, key_digest=key, expires_at=expires)

    def binding(key, expires, used=False):
        return BindingToken.objects.create(
            enterprise=world.enterprise_a,
            token=key,
            created_by=world.grid_inspector_a,
            expires_at=expires,
            used_by=user if used else None,
            used_at=expires if used else None,
        )

    long_expired = api_token("a", now - dt.timedelta(days=31))
    recently_expired = api_token("b", now - dt.timedelta(days=2))
    valid = api_token("c", now + dt.timedelta(days=30))
    old_unused = binding("x", now - dt.timedelta(days=40))
    old_used = binding("y", now - dt.timedelta(days=40), used=True)
    fresh = binding("z", now + dt.timedelta(hours=1))

    assert jobs.housekeeping.call_local() == {"api_tokens": 1, "binding_tokens": 1}
    assert set(ApiToken.objects.all()) == {recently_expired, valid}
    assert set(BindingToken.objects.all()) == {old_used, fresh}
    assert not ApiToken.objects.filter(pk=long_expired.pk).exists()
    assert not BindingToken.objects.filter(pk=old_unused.pk).exists()
    # Rerunnable.
    assert jobs.housekeeping.call_local() == {"api_tokens": 0, "binding_tokens": 0}


# --- real queues ----------------------------------------------------------------------------------


def _redis_reachable() -> tuple[bool, str]:
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except Exception as exc:
        return False, str(exc)
    return True, ""


@pytest.fixture
def redis_huey():
    reachable, why = _redis_reachable()
    need_service("Redis", reachable, f"{REDIS_TEST_URL}: {why}")
    # The class settings.HUEY names when REDIS_URL is set.
    queue = PriorityRedisHuey(f"anjian-test-{uuid.uuid4().hex[:8]}", url=REDIS_TEST_URL, immediate=False)
    yield queue
    queue.storage.flush_all()


@pytest.fixture
def sqlite_huey(tmp_path):
    queue = SqliteHuey("anjian-test", filename=str(tmp_path / "huey.sqlite3"), immediate=False)
    yield queue
    queue.storage.close()


@pytest.fixture(params=["redis", "sqlite"])
def queue(request):
    return request.getfixturevalue(f"{request.param}_huey")


def _consume_one(queue):
    """One consumer step, as a worker does it: take the next task off the queue and run it."""
    task = queue.dequeue()
    assert task is not None, "nothing was enqueued"
    queue.execute(task)


def test_a_task_round_trips_through_the_queue(queue):
    @queue.task()
    def summarise(payload):
        return {"region": payload["region"], "count": len(payload["ids"])}

    result = summarise({"region": "城厢镇", "ids": [1, 2, 3]})
    assert queue.pending_count() == 1
    _consume_one(queue)
    assert queue.pending_count() == 0
    assert result.get(blocking=True, timeout=5) == {"region": "城厢镇", "count": 3}


def test_notification_delivery_round_trips_through_the_queue(queue, world, settings):
    settings.NOTIFY_SENDERS = ["sms"]
    settings.SMS_BACKEND = "anjian.core.notify.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    deliver = queue.task(name="deliver_notifications")(notify.deliver)
    # No on_commit is run here: the batch reaches the SMS backend only through the queue.
    rows = notify.notify(recipients=[world.town_admin_a], title="复查提醒", body="明天到期", sms=True)
    result = deliver(str(rows[0].batch))
    assert MemorySmsBackend.outbox == []
    _consume_one(queue)
    assert result.get(blocking=True, timeout=5) == {"webhook": None, "sms_sent": 1, "failed": 0}
    assert MemorySmsBackend.outbox == [(world.town_admin_a.phone, "复查提醒：明天到期")]
    assert Notification.objects.get(pk=rows[0].pk).channels["sms"]["status"] == "sent"
    MemorySmsBackend.outbox.clear()
