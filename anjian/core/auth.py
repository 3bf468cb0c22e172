from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PhoneOrUsernameBackend(ModelBackend):
    """Log in with the username or with the (unique, active) phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username:
            return user
        matches = list(get_user_model().objects.filter(phone=username, is_active=True)[:2])
        if len(matches) == 1 and matches[0].check_password(password):
            return matches[0]
        return None
