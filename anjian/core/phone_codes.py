"""One-time SMS codes: proof that a user holds a phone number, sent through the SMS adapter."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.crypto import digest
from anjian.core.models import PhoneCode, User
from anjian.core.notify import get_sms_backend

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 5
DAILY_LIMIT = 10


def _code_digest(user: User, code: str) -> str:
    return digest(f"{user.pk}:{code}".encode())


def phone_code_send(*, user: User, purpose: str) -> PhoneCode:
    """Send a 6-digit code to the user's phone; refuses to send more than once a minute or ten a day."""
    if not user.phone:
        raise ValidationError(_("账号没有手机号"))
    now = timezone.now()
    recent = PhoneCode.objects.filter(user=user, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - RESEND_AFTER).exists():
        raise ValidationError(_("验证码已发送，请一分钟后再试"))
    if recent.count() >= DAILY_LIMIT:
        raise ValidationError(_("今天发送验证码的次数已达上限"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    record = PhoneCode.objects.create(
        user=user, phone=user.phone, purpose=purpose, code_digest=_code_digest(user, code), expires_at=now + CODE_TTL
    )
    get_sms_backend().send(user.phone, _("【安监】验证码 %(code)s，10分钟内有效，请勿告诉他人。") % {"code": code})
    return record


def phone_code_check(*, user: User, purpose: str, code: str) -> None:
    """Consume the newest code for ``purpose``; raise a ValidationError naming the "code" field.
    A wrong guess is counted (and kept, outside the caller's failure) so guessing stops at five."""
    with transaction.atomic():
        record = (
            PhoneCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, phone=user.phone, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = timezone.now()
        if record is None or record.expires_at < now:
            problem = _("验证码已过期，请重新获取")
        elif record.attempts >= MAX_ATTEMPTS:
            problem = _("尝试次数过多，请重新获取验证码")
        elif not secrets.compare_digest(record.code_digest, _code_digest(user, (code or "").strip())):
            record.attempts += 1
            record.save(update_fields=["attempts"])
            problem = _("验证码不正确")
        else:
            record.used_at = now
            record.save(update_fields=["used_at"])
            return
    raise ValidationError({"code": [problem]})
