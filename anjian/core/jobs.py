"""The ONE interface to the job queue (huey). Apps import ``task``, ``periodic_task``, ``crontab``
and ``enqueue_on_commit`` from here, never from huey, so the queue can be changed in one place.

The queue itself is djhuey's ``HUEY``, built from ``settings.HUEY``: ``SqliteHuey`` by default,
``PriorityRedisHuey`` when ``REDIS_URL`` is set, immediate (in-process) in tests.

Every task must be rerunnable: a worker may crash after the work and before the acknowledgement,
and then the task runs again.

The consumer (``manage.py run_huey``) only imports ``tasks`` modules by itself; our tasks live in
``jobs`` modules, so :func:`autodiscover` must run at start-up (``CoreConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task

logger = logging.getLogger("anjian.jobs")

# The database-aware decorators: they close stale connections around each run in the consumer.
task = db_task
periodic_task = db_periodic_task

__all__ = [
    "HUEY",
    "zoned_crontab",
    "autodiscover",
    "crontab",
    "enqueue_on_commit",
    "lock_task",
    "periodic_task",
    "purge_expired_tokens",
    "register_credential_purge",
    "task",
]

# Tokens are not evidence: an expired one is kept this long (to answer "why was I refused"), then removed.
TOKEN_RETENTION = dt.timedelta(days=30)


def autodiscover() -> None:
    """Import every installed app's ``jobs`` module so the consumer knows all tasks."""
    autodiscover_modules("jobs")


def enqueue_on_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task(*args, **kwargs)`` once the current transaction commits (now, outside one).

    Nothing is enqueued if the transaction rolls back. A queue that is down is logged, never
    raised: the user's write has already committed and must not look failed."""

    def _enqueue() -> None:
        task(*args, **kwargs)

    transaction.on_commit(_enqueue, robust=True)


# Other expiring credentials (e.g. enterprise binding codes), registered by their app's jobs
# module: name -> purge(cutoff) -> number removed.
_credential_purges: dict[str, Callable[[dt.datetime], int]] = {}


def register_credential_purge(name: str, purge: Callable[[dt.datetime], int]) -> None:
    """Have the nightly housekeeping call ``purge(cutoff)`` to remove credentials of an app
    that expired before ``cutoff``; it returns how many it removed."""
    _credential_purges[name] = purge


def purge_expired_tokens(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete API tokens, and the registered credentials of the apps, that expired over 30 days ago.

    Only credentials are removed, never evidence."""
    from anjian.core.models import ApiToken

    cutoff = (now or timezone.now()) - TOKEN_RETENTION
    purged = {"api_tokens": ApiToken.objects.filter(expires_at__lt=cutoff).delete()[0]}
    for name, purge in _credential_purges.items():
        purged[name] = purge(cutoff)
    if any(purged.values()):
        logger.info("purged expired tokens: %s", purged)
    return purged


def zoned_crontab(
    hour: int, minute: int, *, utc: bool | None = None, local_zone: dt.tzinfo | None = None
) -> Callable[[dt.datetime], bool]:
    """A huey schedule check for ``hour:minute`` every day in settings.TIME_ZONE.

    huey tests a crontab against a naive timestamp: UTC when the queue has ``utc=True`` (its
    default), else the consumer machine's local time. A bare ``crontab(hour=0)`` would so fire at
    08:00 in Shanghai; this converts the timestamp to the platform's zone first. ``utc`` and
    ``local_zone`` are for tests (default: the queue's setting, the machine's zone)."""
    rule = crontab(minute=str(minute), hour=str(hour))

    def check(timestamp: dt.datetime) -> bool:
        in_utc = HUEY.utc if utc is None else utc
        if timestamp.tzinfo is None:
            if in_utc:
                timestamp = timestamp.replace(tzinfo=dt.UTC)
            elif local_zone is not None:
                timestamp = timestamp.replace(tzinfo=local_zone)
            else:
                timestamp = timestamp.astimezone()  # naive = this machine's local time
        return rule(timestamp.astimezone(timezone.get_default_timezone()).replace(tzinfo=None))

    return check


@periodic_task(zoned_crontab(3, 17))
def housekeeping() -> dict[str, int]:
    """Nightly: remove expired credentials. Never touches evidence (records, files, audit)."""
    return purge_expired_tokens()


@task(retries=2, retry_delay=120)
def deliver_notifications(batch: str) -> dict[str, Any]:
    """Send one ``notify()`` batch to the outside channels. Safe to run twice."""
    from anjian.core import notify

    result = notify.deliver(batch)
    if result["failed"]:
        # Let huey retry later; channels already sent are skipped on the next run.
        raise notify.DeliveryIncomplete(f"notification batch {batch}: {result['failed']} failed")
    return result
