"""Notifications: the inbox, and the outside senders (group-robot webhook, SMS).

``notify()`` writes inbox rows inside the caller's transaction and, once it commits, a job sends
the batch to the senders listed in ``settings.NOTIFY_SENDERS``. A sender's failure is logged and
recorded in the row's ``channels``, never raised into the caller; a rerun of the job skips every
channel already marked sent.

From another app::

    from anjian.core.notify import notify

    notify(recipients=[inspector], title=_("新隐患待复查"), body=hazard.title,
           url=reverse("hazards:hazards-detail", args=[hazard.pk]), level="warning", sms=True)
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from anjian.core import jobs
from anjian.core.models import Notification, NotificationLevel, User
from anjian.core.validators import mask_phone

logger = logging.getLogger("anjian.notify")

WEBHOOK = "webhook"
SMS = "sms"
PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"
WEBHOOK_TIMEOUT = 5.0
WEBHOOK_KINDS = ("wecom", "dingtalk")
SMS_MAX_CHARS = 300
_TODO = {PENDING, FAILED}


class DeliveryIncomplete(Exception):
    """Some channel of a batch failed; the job raises it so huey retries later."""


# --- SMS backends -------------------------------------------------------------------------------


class SmsBackend:
    """The SMS adapter interface: one class per provider, named by ``settings.SMS_BACKEND``.

    ``send`` raises on failure (any exception); the caller records it."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Writes the message to the log instead of sending it (the default: no outside call)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class MemorySmsBackend(SmsBackend):
    """Collects messages in memory, for tests: ``MemorySmsBackend.outbox`` is ``[(phone, text)]``."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


# --- Writing to the inbox -----------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str,
    url: str = "",
    level: str = NotificationLevel.INFO,
    sms: bool = False,
) -> list[Notification]:
    """Put a message in each recipient's inbox and schedule the outside senders after commit.

    ``url`` is a path inside the platform (``reverse(...)``). ``sms=True`` also texts recipients
    who have a phone number, when the ``sms`` sender is enabled. Inactive accounts and duplicates
    are skipped. Returns the inbox rows (nothing is sent if the transaction rolls back)."""
    if level not in NotificationLevel.values:
        raise ValueError(f"unknown notification level {level!r}")
    users: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.pk is not None and user.is_active:
            users.setdefault(user.pk, user)
    if not users:
        return []
    senders = set(settings.NOTIFY_SENDERS)
    use_webhook = WEBHOOK in senders and bool(settings.NOTIFY_WEBHOOK_URL)
    use_sms = sms and SMS in senders
    batch = uuid.uuid4()
    rows = []
    for user in users.values():
        channels: dict[str, dict[str, Any]] = {}
        if use_webhook:
            channels[WEBHOOK] = {"status": PENDING}
        if use_sms:
            channels[SMS] = {"status": PENDING} if user.phone else {"status": SKIPPED, "error": "no phone"}
        rows.append(
            Notification(
                recipient=user,
                title=str(title)[:200],
                body=str(body),
                url=str(url)[:500],
                level=level,
                batch=batch,
                channels=channels,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
    if any(ch.get("status") == PENDING for row in rows for ch in row.channels.values()):
        jobs.enqueue_on_commit(jobs.deliver_notifications, str(batch))
    return rows


# --- Reading and marking the inbox --------------------------------------------------------------


def inbox_for(user: User) -> QuerySet[Notification]:
    """The user's own messages, unread first, newest first. Nobody reads another's inbox."""
    unread = Case(When(read_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    return Notification.objects.filter(recipient=user).annotate(unread=unread).order_by("-unread", "-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def inbox_context(request) -> dict[str, Any]:
    """Context processor: ``inbox_unread``, counted only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}


# --- Delivery (runs in the job) -----------------------------------------------------------------


def deliver(batch: str) -> dict[str, Any]:
    """Send a batch's pending or failed channels; record each outcome on the rows.

    The group robot gets one message per batch (it is one group, not one person); each recipient
    with a phone gets one SMS. A lock keeps two workers from sending the same batch at once."""
    summary: dict[str, Any] = {"webhook": None, "sms_sent": 0, "failed": 0}
    with jobs.HUEY.lock_task(f"notify:{batch}"):
        rows = list(Notification.objects.filter(batch=batch).select_related("recipient").order_by("id"))
        outcomes: dict[int, dict[str, dict[str, Any]]] = {}

        webhook_rows = [r for r in rows if r.channels.get(WEBHOOK, {}).get("status") in _TODO]
        if webhook_rows:
            attempts = max(r.channels[WEBHOOK].get("attempts", 0) for r in webhook_rows) + 1
            outcome = _attempt(lambda: send_webhook(rows[0], recipients=[r.recipient for r in rows]), attempts)
            summary["webhook"] = outcome["status"]
            summary["failed"] += outcome["status"] == FAILED
            for row in webhook_rows:
                outcomes.setdefault(row.pk, {})[WEBHOOK] = outcome

        sms_rows = [r for r in rows if r.channels.get(SMS, {}).get("status") in _TODO]
        if sms_rows:
            try:
                backend = get_sms_backend()
            except Exception as exc:  # a misconfigured backend fails the channel, not the caller
                logger.exception("SMS backend %s unavailable", settings.SMS_BACKEND)
                backend, backend_error = None, exc
            for row in sms_rows:
                attempts = row.channels[SMS].get("attempts", 0) + 1
                if backend is None:
                    outcome = _failed(backend_error, attempts)
                else:
                    outcome = _attempt(lambda row=row: backend.send(row.recipient.phone, sms_text(row)), attempts)
                summary["sms_sent"] += outcome["status"] == SENT
                summary["failed"] += outcome["status"] == FAILED
                outcomes.setdefault(row.pk, {})[SMS] = outcome

        _record(outcomes)
    return summary


def _attempt(send, attempts: int) -> dict[str, Any]:
    try:
        send()
    except Exception as exc:
        logger.warning("notification sender failed: %s", exc)
        return _failed(exc, attempts)
    return {"status": SENT, "at": timezone.now().isoformat(), "attempts": attempts}


def _failed(exc: BaseException, attempts: int) -> dict[str, Any]:
    return {"status": FAILED, "at": timezone.now().isoformat(), "attempts": attempts, "error": str(exc)[:300]}


def _record(outcomes: dict[int, dict[str, dict[str, Any]]]) -> None:
    """Merge outcomes into the rows; a channel already marked sent is never overwritten."""
    if not outcomes:
        return
    with transaction.atomic():
        for row in Notification.objects.select_for_update().filter(pk__in=outcomes):
            channels = dict(row.channels)
            for channel, outcome in outcomes[row.pk].items():
                if channels.get(channel, {}).get("status") != SENT:
                    channels[channel] = outcome
            row.channels = channels
            row.save(update_fields=["channels"])


# --- Senders ------------------------------------------------------------------------------------


def absolute_url(url: str) -> str:
    """A link usable outside the platform: ``settings.SITE_URL`` + path, when configured."""
    if not url:
        return ""
    base = getattr(settings, "SITE_URL", "")
    if base and url.startswith("/"):
        return base.rstrip("/") + url
    return url


def webhook_payload(notification: Notification, *, recipients: Iterable[User] = ()) -> dict[str, Any]:
    """The robot message in the configured format (WeCom or DingTalk group robot, markdown)."""
    kind = settings.NOTIFY_WEBHOOK_KIND
    if kind not in WEBHOOK_KINDS:
        raise ValueError(f"NOTIFY_WEBHOOK_KIND must be one of {WEBHOOK_KINDS}, not {kind!r}")
    prefix = {NotificationLevel.WARNING: _("【提醒】"), NotificationLevel.DANGER: _("【紧急】")}.get(
        notification.level, ""
    )
    title = f"{prefix}{notification.title}"
    lines = [f"### {title}"]
    if notification.body:
        lines.append(notification.body)
    names = [str(u) for u in recipients]
    if names:
        shown = "、".join(names[:10]) + ("…" if len(names) > 10 else "")
        lines.append(_("> 接收人：%(names)s") % {"names": shown})
    link = absolute_url(notification.url)
    if link:
        link_text = _("查看详情")
        lines.append(f"[{link_text}]({link})")
    text = "\n\n".join(lines)
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def send_webhook(notification: Notification, *, recipients: Iterable[User] = ()) -> None:
    """POST the robot message; raise on any failure (HTTP error, timeout, non-zero errcode)."""
    post_json(settings.NOTIFY_WEBHOOK_URL, webhook_payload(notification, recipients=recipients))


def post_json(url: str, payload: dict[str, Any], *, timeout: float = WEBHOOK_TIMEOUT) -> dict[str, Any] | None:
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise ValueError("webhook URL must be http(s)")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read(65536)
    try:
        reply = json.loads(raw or b"null")
    except ValueError:
        return None
    # Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal.
    if isinstance(reply, dict) and reply.get("errcode", 0) != 0:
        raise RuntimeError(f"webhook refused: errcode {reply.get('errcode')}: {reply.get('errmsg', '')}")
    return reply if isinstance(reply, dict) else None


def sms_text(notification: Notification) -> str:
    text = notification.title
    if notification.body:
        text = f"{text}：{notification.body}"
    if len(text) > SMS_MAX_CHARS:
        text = text[: SMS_MAX_CHARS - 1] + "…"
    return text
