"""One place for hashing, so a 国密 SM3 implementation can replace SHA-256 by setting."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings


def new_hasher():
    name = getattr(settings, "ANJIAN_DIGEST", "sha256")
    return hashlib.new(name)


def digest(data: bytes) -> str:
    hasher = new_hasher()
    hasher.update(data)
    return hasher.hexdigest()


def digest_chunks(chunks: Iterable[bytes]) -> str:
    hasher = new_hasher()
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.hexdigest()
