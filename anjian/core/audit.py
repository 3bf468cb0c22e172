"""Append-only, hash-chained audit trail (留痕).

The trail is a set of chains, one per *partition*: an entry belongs to its record's enterprise
(``enterprise:<id>``), else to its region's district (``district:<code>``), else to
``platform`` (:func:`partition_of`). Every entry carries the hash of the previous entry of its
partition, so a changed, removed or reordered entry breaks its chain at that point, and each
partition's head row (:class:`AuditChainHead`) holds the last hash, so entries removed at the end
are found too. ``manage.py verify_audit`` walks every partition and names the first broken link.

Appending locks only the head row of the entry's partition, until the transaction ends: writes
for one enterprise queue (the chain never forks), writes for different enterprises never wait on
each other. Entries written before partitions existed form the legacy partition ``""``.

Bulk changes go through :func:`record_bulk` / :func:`record_update`, which write the entries of
many rows in one go; a service never updates evidence rows in bulk without them.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.context import current_origin
from anjian.core.crypto import digest
from anjian.core.models import AuditChainHead, AuditEntry
from anjian.core.scoping import scope_spec

GENESIS = "0" * 64
PLATFORM = "platform"  # the partition of records that reach neither an enterprise nor a region
LEGACY = ""  # the single chain written before partitions existed (hashed without a partition)
DISTRICT_CODE_LENGTH = 6  # region codes: province 2, city 4, district 6, town 9, village 12
UPDATE_CHUNK = 5000  # rows per UPDATE in record_update (SQLite caps the parameters of a statement)
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
    if entry.partition != LEGACY:
        body["partition"] = entry.partition  # an entry moved to another chain no longer matches
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    """The one place an entry is sealed (and checked): a keyed hash would change only this."""
    return digest(_entry_payload(entry))


def model_label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


# --- partitions -------------------------------------------------------------------------------


def _has_foreign_key(model: type[models.Model], name: str) -> bool:
    try:
        return model._meta.get_field(name).many_to_one
    except Exception:  # FieldDoesNotExist
        return False


def _follow(instance: models.Model, path: str) -> Any:
    """The raw value at the end of a lookup path (``hazard__enterprise`` → the hazard's
    ``enterprise_id``, without loading the enterprise); ``""`` is the instance's own key."""
    if path == "":
        return instance.pk
    *hops, last = path.split("__")
    obj = instance
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    try:
        return getattr(obj, obj._meta.get_field(last).attname)
    except Exception:  # not a field: nothing to derive from
        return None


def partition_of(instance: models.Model) -> str:
    """The chain an entry about ``instance`` belongs to.

    Its enterprise where it has one (the path of its registered ``ScopeSpec``, or a plain
    ``enterprise`` foreign key), else the district of its region (the spec's region path, or a
    plain ``region`` foreign key), else ``platform``."""
    model = instance.__class__  # not type(): request.user is a lazy proxy of the user
    try:
        spec = scope_spec(model)
    except LookupError:
        spec = None
    enterprise_path = spec.enterprise if spec is not None else None
    if enterprise_path is None and _has_foreign_key(model, "enterprise"):
        enterprise_path = "enterprise"
    if enterprise_path is not None:
        enterprise_id = _follow(instance, enterprise_path)
        if enterprise_id is not None:
            return f"enterprise:{enterprise_id}"
    region_path = spec.region_path() if spec is not None and spec.custom is None else None
    if region_path is None and _has_foreign_key(model, "region"):
        region_path = "region"
    if region_path:
        code = _follow(instance, region_path)
        if code:
            return f"district:{str(code)[:DISTRICT_CODE_LENGTH]}"
    return PLATFORM


def _lock_head(partition: str) -> AuditChainHead:
    """The head row of ``partition``, locked until the transaction ends; created on first use.

    Two first writers of a new partition both try the INSERT: the unique key makes the second
    wait for the first, then fail, and ``get_or_create`` then reads (and locks) the first one's
    row, so a partition never gets two heads."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        partition=partition, defaults={"last_hash": GENESIS}
    )
    return head


def _lock_heads(partitions: Iterable[str]) -> dict[str, AuditChainHead]:
    """Lock several heads, always in the same (sorted) order so two bulk writers cannot deadlock."""
    keys = sorted(set(partitions))
    heads: dict[str, AuditChainHead] = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        heads.update(
            (head.partition, head)
            for head in AuditChainHead.objects.select_for_update().filter(partition__in=chunk).order_by("partition")
        )
    for key in keys:
        if key not in heads:
            heads[key] = _lock_head(key)
    return heads


def _new_entry(actor, action: str, instance: models.Model, changes: dict[str, Any] | None, origin) -> AuditEntry:
    has_actor = getattr(actor, "pk", None) is not None
    return AuditEntry(
        actor=actor if has_actor else None,
        actor_name=str(actor) if has_actor else "",
        ip=origin.ip,
        user_agent=origin.user_agent,
        action=action,
        model=model_label(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=_json_value(changes or {}),
        partition=partition_of(instance),
    )


def _seal(entry: AuditEntry, head: AuditChainHead, now: dt.datetime) -> None:
    """Link ``entry`` after the head of its partition and hash it (the head is locked)."""
    entry.created_at = now
    entry.prev_hash = head.last_hash
    entry.hash = compute_hash(entry)
    head.last_hash = entry.hash


def record(
    *,
    actor,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry for ``instance``. Call inside the service's transaction."""
    entry = _new_entry(actor, action, instance, changes, current_origin())
    with transaction.atomic():
        head = _lock_head(entry.partition)
        _seal(entry, head, timezone.now())
        entry.save()
        head.last_seq = entry.seq
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def record_bulk(
    *,
    actor,
    action: str,
    items: Iterable[tuple[models.Model, dict[str, Any] | None]],
) -> list[AuditEntry]:
    """Append one entry per ``(instance, changes)`` in one go: every head concerned is locked once
    (in sorted order), the entries are inserted in batches and each head is written once. For a
    service or job that changes many evidence rows at once (see :func:`record_update`)."""
    origin = current_origin()
    entries = [_new_entry(actor, action, instance, changes, origin) for instance, changes in items]
    if not entries:
        return []
    with transaction.atomic(savepoint=False):  # a failure here fails the caller's transaction
        heads = _lock_heads(entry.partition for entry in entries)
        now = timezone.now()
        for entry in entries:  # in the given order within each partition
            _seal(entry, heads[entry.partition], now)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        if any(entry.seq is None for entry in entries):  # a database that returns no keys
            raise RuntimeError("record_bulk needs a database that returns keys from a bulk insert")
        for entry in entries:
            heads[entry.partition].last_seq = entry.seq
        AuditChainHead.objects.bulk_update(list(heads.values()), ["last_seq", "last_hash"], batch_size=1000)
    return entries


# Bulk writes to evidence models outside ``record_update`` must say why they need no entry
# (``unaudited("cached priority")``); the test suite fails any other (conftest.py guard).
_unaudited_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("unaudited", default=None)


@contextlib.contextmanager
def unaudited(reason: str):
    """Bulk ``update()`` / ``bulk_update()`` inside this block carry no audit entry, for ``reason``:
    bookkeeping that is not evidence (a cached score, a demo generator, an audited summary)."""
    token = _unaudited_reason.set(reason)
    try:
        yield
    finally:
        _unaudited_reason.reset(token)


def unaudited_reason() -> str | None:
    return _unaudited_reason.get()


def record_update(
    queryset: models.QuerySet,
    *,
    actor,
    action: str | Callable[[dict[str, list[Any]]], str],
    values: dict[str, Any],
    fields: list[str] | None = None,
) -> int:
    """``queryset.update(**values)`` that cannot skip the audit: the rows are locked, updated in
    one statement, and every row whose audited ``fields`` (default: those in ``values``) changed
    gets an entry with the old and new values. ``action`` may be a function of a row's changes.
    Returns the number of rows updated, as ``update()`` does."""
    model = queryset.model
    names = [model._meta.get_field(name).name for name in (fields if fields is not None else values)]
    manager = model._base_manager.db_manager(queryset.db)
    with transaction.atomic(using=queryset.db, savepoint=False):
        # Lock through a plain pk filter: the caller's queryset may carry outer joins.
        locked = manager.filter(pk__in=queryset.values("pk")).select_for_update()
        before = {obj.pk: snapshot(obj, names) for obj in locked}
        pks = sorted(before)
        count = 0
        items = []
        for start in range(0, len(pks), UPDATE_CHUNK):  # exactly the locked rows, in bounded statements
            chunk = pks[start : start + UPDATE_CHUNK]
            with unaudited("audited row by row below"):
                count += manager.filter(pk__in=chunk).update(**values)
            for obj in manager.filter(pk__in=chunk).order_by("pk"):
                changes = diff(before[obj.pk], snapshot(obj, names))
                if changes:
                    items.append((obj, changes))
        by_action: dict[str, list] = {}
        for obj, changes in items:
            by_action.setdefault(action(changes) if callable(action) else action, []).append((obj, changes))
        for name, group in by_action.items():
            record_bulk(actor=actor, action=name, items=group)
    return count


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


def redact_entry(entry: AuditEntry, fields: Collection[str] = (), *, hide_ip: bool = False) -> AuditEntry:
    """A copy of ``entry`` for a reader who may not see ``fields`` (their changes are left out)
    nor, with ``hide_ip``, where the entry was made from. The stored entry is untouched."""
    if not hide_ip and not any(name in entry.changes for name in fields):
        return entry
    shown = copy.copy(entry)
    shown.changes = {name: change for name, change in entry.changes.items() if name not in fields}
    if hide_ip:
        shown.ip = None
        shown.user_agent = ""
    return shown


def redacted_history(entries, fields: Collection[str] = (), ip_actions: Collection[str] = ()) -> list[AuditEntry]:
    """``entries`` as a reader sees them who may not see ``fields`` nor the IP of ``ip_actions``."""
    return [redact_entry(entry, fields, hide_ip=entry.action in ip_actions) for entry in entries]


def redacted_history_rows(
    instance: models.Model, fields: Collection[str] = (), ip_actions: Collection[str] = (), limit: int = 50
) -> list[tuple[AuditEntry, Any, list]]:
    """``history_rows`` for a reader who may not see ``fields`` nor the IP of ``ip_actions``."""
    return [
        (entry, ACTION_LABELS.get(entry.action, entry.action), labelled_changes(type(instance), entry.changes))
        for entry in redacted_history(history(instance)[:limit], fields, ip_actions)
    ]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str = ""
    partition: str | None = None  # of the first broken link
    partitions: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _verify_partition(partition: str, head: AuditChainHead | None) -> tuple[int, int | None, str]:
    """Walk one partition in order: (entries checked, seq of the first broken link, reason)."""
    prev, checked, last_seq = GENESIS, 0, None
    entries = AuditEntry.objects.filter(partition=partition).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return checked, entry.seq, "previous hash does not match (entry removed or reordered)"
        if compute_hash(entry) != entry.hash:
            return checked, entry.seq, "content does not match its hash (entry altered)"
        prev, last_seq = entry.hash, entry.seq
        checked += 1
    if head is None:
        if checked:  # entries but no head: the head row was removed
            return checked, last_seq, "partition has no chain head (head removed)"
        return checked, None, ""
    if head.last_hash != prev or (checked and head.last_seq != last_seq):
        return (
            checked,
            last_seq if last_seq is not None else head.last_seq,
            "chain head does not match the last entry (entries removed at the end)",
        )
    return checked, None, ""


def verify_chain() -> ChainReport:
    """Walk every partition's chain; report the first broken link (partition order, then seq)."""
    heads = {head.partition: head for head in AuditChainHead.objects.all()}
    partitions = sorted(set(heads) | set(AuditEntry.objects.values_list("partition", flat=True).distinct()))
    checked = 0
    for partition in partitions:
        count, broken_at, reason = _verify_partition(partition, heads.get(partition))
        checked += count
        if broken_at is not None:
            return ChainReport(checked, broken_at, reason, partition=partition, partitions=len(partitions))
    return ChainReport(checked, None, partitions=len(partitions))
