"""Writes of the core: accounts."""

from __future__ import annotations

from django.db import transaction

from anjian.core import audit
from anjian.core.models import User
from anjian.core.roles import Role


@transaction.atomic
def user_register(*, display_name: str, phone: str, password: str) -> User:
    """A self-registered account waits (role pending) until it is bound to an enterprise."""
    user = User(username=phone, phone=phone, display_name=display_name, role=Role.PENDING)
    user.set_password(password)
    user.save()
    audit.record(actor=user, action="register", instance=user, changes={"phone": [None, phone]})
    return user
