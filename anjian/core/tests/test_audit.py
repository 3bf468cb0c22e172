"""The audit chain is append-only and tamper-evident; ``manage.py verify_audit`` names the break."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from anjian.core import audit
from anjian.core.models import AuditEntry
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
