"""The audit chain is append-only and tamper-evident; ``manage.py verify_audit`` names the break."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from anjian.core import audit
from anjian.core.models import AuditChainHead, AuditEntry
from anjian.core.tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """Five entries by a user on two records."""
    actor = UserFactory()
    town, village = RegionFactory(name="城厢镇"), RegionFactory(name="中区社区")
    entries = [
        audit.record(actor=actor, action="create", instance=town, changes={"name": [None, "城厢镇"]}),
        audit.record(actor=actor, action="update", instance=town, changes={"name": ["城厢镇", "城厢街道"]}),
        audit.record(actor=None, action="create", instance=village, changes={}),
        audit.record(actor=actor, action="archive", instance=village, changes={"reason": "合并"}),
        audit.record(actor=actor, action="update", instance=town, changes={"level": [4, 4]}),
    ]
    return entries


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", connection.ops.quote_name(AuditEntry._meta.db_table)), params)


def test_an_empty_chain_verifies():
    assert verify() == (0, "OK: 0 entries", "")


def test_a_normal_chain_verifies(chain):
    report = audit.verify_chain()
    assert report.ok and report.checked == 5
    assert verify() == (0, "OK: 5 entries", "")
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]


def test_an_altered_entry_is_detected_at_its_seq(chain):
    target = chain[2]
    _sql("UPDATE {table} SET changes = %s WHERE seq = %s", ['{"name": [null, "伪造"]}', target.seq])
    report = audit.verify_chain()
    assert report.broken_at == target.seq and "altered" in report.reason
    code, out, err = verify()
    assert code == 1 and out == ""
    assert err.startswith(f"BROKEN at entry #{target.seq}: ")


def test_an_altered_actor_name_is_detected(chain):
    target = chain[1]
    _sql("UPDATE {table} SET actor_name = %s WHERE seq = %s", ["别人", target.seq])
    assert audit.verify_chain().broken_at == target.seq


def test_a_deleted_middle_entry_is_detected(chain):
    removed = chain[2]
    _sql("DELETE FROM {table} WHERE seq = %s", [removed.seq])
    report = audit.verify_chain()
    # The entry after the gap no longer links to its predecessor.
    assert report.broken_at == chain[3].seq and "removed" in report.reason
    code, _out, err = verify()
    assert code == 1 and err.startswith(f"BROKEN at entry #{chain[3].seq}: ")


def test_a_deleted_last_entry_is_detected_by_the_chain_head(chain):
    _sql("DELETE FROM {table} WHERE seq = %s", [chain[-1].seq])
    report = audit.verify_chain()
    assert not report.ok and "chain head" in report.reason
    assert report.broken_at == chain[-2].seq
    code, _out, err = verify()
    assert code == 1 and "chain head" in err


def test_appending_after_verification_keeps_the_chain_valid(chain):
    audit.record(actor=None, action="update", instance=RegionFactory(), changes={"x": [1, 2]})
    assert verify()[:2] == (0, "OK: 6 entries")


def test_entries_cannot_be_saved_again_or_deleted(chain):
    entry = AuditEntry.objects.get(seq=chain[0].seq)
    entry.changes = {"name": [None, "伪造"]}
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    assert AuditEntry.objects.get(seq=entry.seq).changes == {"name": [None, "城厢镇"]}
    assert audit.verify_chain().ok


# --- partitions (issue 11): one chain per enterprise / district / platform ----------------------


def _enterprise(name: str):
    from anjian.enterprises.tests.factories import EnterpriseFactory

    return EnterpriseFactory(name=name)


@pytest.fixture
def two_chains():
    """Entries interleaved between two enterprises (and the platform chain of the fixture above)."""
    actor = UserFactory()
    a, b = _enterprise("甲公司"), _enterprise("乙公司")
    entries = []
    for n in range(3):
        for enterprise in (a, b):
            entries.append(
                audit.record(actor=actor, action="update", instance=enterprise, changes={"staff_count": [n, n + 1]})
            )
    return a, b, entries


def _of(enterprise) -> str:
    return f"enterprise:{enterprise.pk}"


def test_partition_of_follows_the_scope_spec():
    from django.utils.functional import SimpleLazyObject

    from anjian.core.roles import Role
    from anjian.core.tests.factories import government_user
    from anjian.enterprises.tests.factories import enterprise_user
    from anjian.hazards.models import HazardTransition
    from anjian.hazards.tests.factories import HazardFactory

    enterprise = _enterprise("甲公司")
    hazard = HazardFactory(enterprise=enterprise)
    town = RegionFactory(code="320585101", name="沙溪镇")
    assert audit.partition_of(enterprise) == _of(enterprise)  # the enterprise itself
    assert audit.partition_of(hazard) == _of(enterprise)  # spec path "enterprise"
    assert audit.partition_of(HazardTransition(hazard=hazard)) == _of(enterprise)  # "hazard__enterprise"
    assert audit.partition_of(enterprise_user(enterprise)) == _of(enterprise)  # a plain enterprise key
    lazy = SimpleLazyObject(lambda: enterprise_user(enterprise))  # request.user
    assert audit.partition_of(lazy) == _of(enterprise)
    assert audit.partition_of(government_user(Role.TOWN_ADMIN, town)) == "district:320585"  # its region's district
    assert audit.partition_of(UserFactory()) == audit.PLATFORM
    assert audit.partition_of(town) == audit.PLATFORM  # regions: reference data of the platform


def test_each_entry_links_to_the_previous_entry_of_its_own_partition(two_chains):
    a, b, entries = two_chains
    for enterprise in (a, b):
        mine = [e for e in entries if e.partition == _of(enterprise)]
        assert len(mine) == 3
        assert mine[0].prev_hash == audit.GENESIS
        assert [e.prev_hash for e in mine[1:]] == [e.hash for e in mine[:-1]]
    heads = {h.partition: h for h in AuditChainHead.objects.all()}
    assert heads[_of(a)].last_hash == entries[-2].hash and heads[_of(a)].last_seq == entries[-2].seq
    assert heads[_of(b)].last_hash == entries[-1].hash and heads[_of(b)].last_seq == entries[-1].seq
    report = audit.verify_chain()
    assert report.ok and report.checked == len(AuditEntry.objects.all()) and report.partitions == len(heads)
    assert verify()[:2] == (0, f"OK: {report.checked} entries")


def test_the_partition_is_part_of_the_hash(two_chains):
    a, b, entries = two_chains
    moved = entries[-1]  # the last of b's chain, moved to the end of a's
    _sql("UPDATE {table} SET partition = %s WHERE seq = %s", [_of(a), moved.seq])
    report = audit.verify_chain()
    assert not report.ok and report.partition in (_of(a), _of(b))


def test_an_altered_entry_is_found_in_its_partition(chain, two_chains):
    a, b, entries = two_chains
    target = entries[3]  # b's second entry
    _sql("UPDATE {table} SET changes = %s WHERE seq = %s", ['{"staff_count": [0, 999]}', target.seq])
    report = audit.verify_chain()
    assert (report.partition, report.broken_at) == (_of(b), target.seq) and "altered" in report.reason
    code, _out, err = verify()
    assert code == 1 and err.startswith(f"BROKEN at entry #{target.seq}: ") and f"«{_of(b)}»" in err


def test_a_removed_middle_entry_is_found_in_its_partition(two_chains):
    a, b, entries = two_chains
    _sql("DELETE FROM {table} WHERE seq = %s", [entries[2].seq])  # a's second entry
    report = audit.verify_chain()
    assert (report.partition, report.broken_at) == (_of(a), entries[4].seq) and "removed" in report.reason


def test_removed_entries_at_the_end_of_one_partition_are_found_by_its_head(two_chains):
    a, b, entries = two_chains
    _sql("DELETE FROM {table} WHERE seq IN (%s, %s)", [entries[3].seq, entries[5].seq])  # b's last two
    report = audit.verify_chain()
    assert (report.partition, report.broken_at) == (_of(b), entries[1].seq) and "chain head" in report.reason


def test_a_partition_emptied_entirely_is_found_by_its_head(two_chains):
    a, b, entries = two_chains
    _sql("DELETE FROM {table} WHERE partition = %s", [_of(a)])
    report = audit.verify_chain()
    assert report.partition == _of(a) and "chain head" in report.reason


def test_a_removed_head_is_found(two_chains):
    a, b, entries = two_chains
    AuditChainHead.objects.filter(partition=_of(b)).delete()
    report = audit.verify_chain()
    assert (report.partition, report.broken_at) == (_of(b), entries[-1].seq) and "head" in report.reason


def test_a_reordered_entry_is_found(two_chains):
    a, b, entries = two_chains
    first, second = entries[1], entries[3]  # b's first two entries swap places
    spare = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() + 100
    _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [spare, first.seq])
    _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [first.seq, second.seq])
    _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [second.seq, spare])
    report = audit.verify_chain()
    assert (report.partition, report.broken_at) == (_of(b), first.seq) and "reordered" in report.reason


def test_legacy_entries_of_the_single_chain_still_verify(chain):
    """Entries written before partitions (partition "", hashed without one) form their own chain."""
    head = AuditChainHead.objects.create(partition=audit.LEGACY)
    legacy = []
    for n in range(2):
        entry = audit._new_entry(None, "update", RegionFactory(), {"n": [n, n + 1]}, audit.current_origin())
        entry.partition = audit.LEGACY
        audit._seal(entry, head, audit.timezone.now())
        entry.save()
        head.last_seq = entry.seq
        legacy.append(entry)
    head.save()
    assert b'"partition"' not in audit._entry_payload(legacy[0])
    assert audit.verify_chain().ok
    _sql("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["伪造", legacy[0].seq])
    report = audit.verify_chain()
    assert (report.partition, report.broken_at) == (audit.LEGACY, legacy[0].seq)


# --- bulk changes -----------------------------------------------------------------------------


def test_record_bulk_chains_many_entries_per_partition_in_one_go(chain, two_chains, django_assert_max_num_queries):
    a, b, entries = two_chains
    c = _enterprise("丙公司")  # no head yet
    items = [(x, {"staff_count": [n, n + 1]}) for n in range(50) for x in (a, b, c)]
    with django_assert_max_num_queries(10):
        written = audit.record_bulk(actor=None, action="update", items=items)
    assert len(written) == 150 and all(e.seq for e in written)
    for enterprise in (a, b, c):
        mine = list(AuditEntry.objects.filter(partition=_of(enterprise)).order_by("seq"))
        assert [e.prev_hash for e in mine[1:]] == [e.hash for e in mine[:-1]]
        assert AuditChainHead.objects.get(partition=_of(enterprise)).last_seq == mine[-1].seq
    audit.record(actor=None, action="update", instance=a, changes={})  # single writes carry on
    assert audit.verify_chain().ok
    assert audit.record_bulk(actor=None, action="update", items=[]) == []


def test_record_update_writes_one_entry_per_changed_row(two_chains):
    from anjian.enterprises.models import Enterprise

    a, b, entries = two_chains
    Enterprise.objects.filter(pk=a.pk).update(staff_count=7)  # a already has the new value
    before = AuditEntry.objects.count()
    count = audit.record_update(
        Enterprise.objects.filter(pk__in=[a.pk, b.pk]), actor=None, action="update", values={"staff_count": 7}
    )
    assert count == 2
    (entry,) = AuditEntry.objects.filter(seq__gt=entries[-1].seq)
    assert AuditEntry.objects.count() == before + 1
    assert entry.partition == _of(b) and entry.changes == {"staff_count": [b.staff_count, 7]}
    assert audit.verify_chain().ok
    assert audit.record_update(Enterprise.objects.none(), actor=None, action="update", values={"staff_count": 1}) == 0


# --- concurrency (PostgreSQL) -----------------------------------------------------------------
# Transaction 1 appends an entry and stays open; transaction 2, on another connection, appends
# for another enterprise and must not wait for it; for the same enterprise it must wait and then
# link after transaction 1's entry (no fork). A lock_timeout makes a regression fail fast.

WAIT = 30  # seconds a test waits for a thread before calling it stuck

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks across connections need PostgreSQL (SQLite has one writer); make test-pg and CI run it",
)


class _Holder:
    """Transaction 1 in its own thread: append for ``instance``, then hold the transaction open
    (and the partition's head locked) until released."""

    def __init__(self, instance):
        import threading

        self.written, self.release = threading.Event(), threading.Event()
        self.entry = None
        self.thread = threading.Thread(target=self._run, args=(instance,))
        self.thread.start()
        assert self.written.wait(WAIT), "transaction 1 did not write"

    def _run(self, instance) -> None:
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                self.entry = audit.record(actor=None, action="update", instance=instance, changes={"n": [1, 2]})
                self.written.set()
                self.release.wait(WAIT)
        finally:
            self.written.set()
            connections.close_all()

    def commit(self) -> None:
        self.release.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive() and self.entry is not None


def _append_in_thread(instance, lock_timeout: str | None) -> tuple[str, object]:
    """Transaction 2 on its own connection: ("ok", entry) or ("error", exception)."""
    from concurrent.futures import ThreadPoolExecutor

    def run():
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                if lock_timeout:
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
                return "ok", audit.record(actor=None, action="update", instance=instance, changes={"n": [2, 3]})
        except Exception as exc:
            return "error", exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(WAIT)


def _waiting_on_a_lock() -> bool:
    """Whether some other backend of this database waits on a lock (polled, not timed)."""
    import time

    for _ in range(WAIT * 20):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_writers_for_different_enterprises_do_not_wait_on_each_other():
    a, b = _enterprise("甲公司"), _enterprise("乙公司")
    audit.record(actor=None, action="create", instance=b, changes={})  # b's head exists
    c = _enterprise("丙公司")  # c has none yet: the first entry creates it
    holder = _Holder(a)
    try:
        for other in (b, c):
            kind, result = _append_in_thread(other, lock_timeout="5s")
            assert kind == "ok", f"a writer for another enterprise waited on transaction 1: {result!r}"
            assert result.partition == _of(other)
    finally:
        holder.commit()
    assert audit.verify_chain().ok


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_writers_for_the_same_enterprise_queue_and_never_fork():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import OperationalError

    a = _enterprise("甲公司")
    for _round in ("head created by transaction 1", "head exists"):
        holder = _Holder(a)
        try:
            kind, result = _append_in_thread(a, lock_timeout="200ms")
            assert kind == "error" and isinstance(result, OperationalError), result  # it had to wait
            with ThreadPoolExecutor(1) as pool:
                waiting = pool.submit(_append_in_thread, a, None)
                assert _waiting_on_a_lock(), "transaction 2 did not queue behind transaction 1"
                holder.commit()
                kind, second = waiting.result(WAIT)
        finally:
            holder.release.set()
        assert kind == "ok", second
        assert second.prev_hash == holder.entry.hash  # linked after transaction 1's entry, not beside it
        assert AuditEntry.objects.filter(prev_hash=holder.entry.prev_hash).count() == 1
    assert AuditChainHead.objects.filter(partition=_of(a)).count() == 1
    report = audit.verify_chain()
    assert report.ok and report.checked == 4


def test_a_bulk_update_of_evidence_outside_the_audit_fails_the_suite(world):
    """The suite-wide guard (conftest.py): app code that bulk-updates an evidence model without
    ``audit.record_update`` or ``audit.unaudited(reason)`` fails whichever test runs it."""
    from anjian.core import audit
    from anjian.enterprises.models import Enterprise

    service = compile("Enterprise.objects.filter(pk=pk).update(name='改名')", "anjian/some_service.py", "exec")
    with pytest.raises(AssertionError, match="skips the audit"):
        exec(service, {"Enterprise": Enterprise, "pk": world.enterprise_a.pk})
    with audit.unaudited("a test of the guard"):
        exec(service, {"Enterprise": Enterprise, "pk": world.enterprise_a.pk})
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).name == "改名"
