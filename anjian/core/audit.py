"""Append-only, hash-chained audit trail (留痕).

Every entry carries the hash of the previous one, so a changed or removed entry breaks the
chain at that point; ``manage.py verify_audit`` walks the chain and names the first broken link.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.context import current_origin
from anjian.core.crypto import digest
from anjian.core.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
# How actions read in history timelines; an app may add its own with ACTION_LABELS.update().
ACTION_LABELS: dict[str, Any] = {
    "create": _("新建"),
    "update": _("修改"),
    "archive": _("归档"),
    "binding_token": _("生成绑定码"),
    "bind_enterprise": _("绑定企业"),
    "register": _("注册账号"),
    "import": _("Excel导入"),
    "attachment_add": _("添加附件"),
    "attachment_archive": _("归档附件"),
}


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Readable values of an instance's concrete fields (and many-to-many), for diffs."""
    data: dict[str, Any] = {}
    opts = instance._meta
    for field in opts.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.primary_key and fields is None:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue  # bookkeeping, not a change anybody made
        if field.is_relation:
            related_id = getattr(instance, field.attname)
            data[field.name] = str(getattr(instance, field.name)) if related_id is not None else None
        elif field.choices:
            data[field.name] = _json_value(getattr(instance, f"get_{field.name}_display")())
        else:
            data[field.name] = _json_value(field.value_from_object(instance))
    if instance.pk is not None:
        for field in opts.many_to_many:
            if fields is not None and field.name not in fields:
                continue
            data[field.name] = sorted(str(o) for o in getattr(instance, field.name).all())
    return data


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {k: [old.get(k), new.get(k)] for k in new.keys() | old.keys() if old.get(k) != new.get(k)}


def _entry_payload(entry: AuditEntry) -> bytes:
    body = {
        "created_at": entry.created_at.isoformat(),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "action": entry.action,
        "model": entry.model,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    return digest(_entry_payload(entry))


def model_label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def record(
    *,
    actor,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry for ``instance``. Call inside the service's transaction."""
    origin = current_origin()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=str(actor) if getattr(actor, "pk", None) else "",
            ip=origin.ip,
            user_agent=origin.user_agent,
            action=action,
            model=model_label(instance),
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            changes=_json_value(changes or {}),
            prev_hash=head.last_hash,
        )
        entry.hash = compute_hash(entry)
        entry.save()
        head.last_seq = entry.seq
        head.last_hash = entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def history(instance: models.Model):
    """The audit entries of one record, newest first."""
    return (
        AuditEntry.objects.filter(model=model_label(instance), object_id=str(instance.pk))
        .select_related("actor")
        .order_by("-seq")
    )


def labelled_changes(model: type[models.Model], changes: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``[(field's verbose name, old, new)]`` for showing an entry's changes to people."""
    rows = []
    for name, pair in changes.items():
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:  # a key that is not a field (e.g. "how")
            label = name
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((label, old, new))
    return rows


def history_rows(instance: models.Model, limit: int = 50) -> list[tuple[AuditEntry, Any, list]]:
    """The newest entries of a record as (entry, action label, labelled changes), for timelines."""
    return [
        (entry, ACTION_LABELS.get(entry.action, entry.action), labelled_changes(type(instance), entry.changes))
        for entry in history(instance)[:limit]
    ]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Walk the whole chain in order; report the first entry whose link or hash is wrong."""
    prev = GENESIS
    checked = 0
    last_seq = None
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.seq, "previous hash does not match (entry removed or reordered)")
        if compute_hash(entry) != entry.hash:
            return ChainReport(checked, entry.seq, "content does not match its hash (entry altered)")
        prev = entry.hash
        last_seq = entry.seq
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_hash != prev:
        return ChainReport(
            checked, last_seq or 0, "chain head does not match the last entry (entries removed at the end)"
        )
    return ChainReport(checked, None)
