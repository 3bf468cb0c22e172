"""Two people acting on the same hazard at once cannot both win (no lost update).

The race runs on PostgreSQL only: two threads, each with its own database connection, start the
same transition together (a barrier), with the same ``expected_version``. Exactly one succeeds, the
other gets a ValidationError, and the hazard has exactly one new transition row. SQLite serialises
writers for the whole database, so there is no race to lose there: the race tests skip on SQLite
(``make test-pg`` and CI run them on PostgreSQL), while the deterministic version check below runs
on every database.
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.hazards import services
from anjian.hazards.models import Hazard, HazardStatus
from anjian.hazards.tests.factories import category, photo

TIMEOUT = 30  # seconds a thread may wait for the other (a row lock is held for milliseconds)


@pytest.fixture
def reference_rows():
    """A transactional test starts from whatever the last one left: another transactional test may
    have flushed the data migrations' rows, so load the categories again (idempotent). Not
    ``serialized_rollback``: restoring the serialized database clashes with the content types that
    a plain transactional test's flush recreates."""
    from anjian.hazards.models import HazardCategory
    from anjian.hazards.reference_data import load_categories

    load_categories(HazardCategory)


def _people(world):
    return {
        "safety": enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="safety_a"),
        "admin": world.enterprise_admin_a,
        "worker": world.employee_a,
    }


def _report(world, people) -> Hazard:
    return services.hazard_report(
        actor=people["worker"],
        enterprise=world.enterprise_a,
        place="二号车间",
        category=category(),
        description="配电箱门缺失",
        photos=[photo()],
    )


def _assign_kwargs(people, measures: str) -> dict:
    return dict(responsible=people["worker"], deadline=timezone.localdate() + dt.timedelta(days=7), measures=measures)


def race(*calls) -> list[tuple[str, object]]:
    """Run the calls in threads released together; each thread uses (and closes) its own connection.
    Returns ("ok", result) or ("refused", ValidationError) per call, in order."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except ValidationError as exc:
            outcomes[index] = ("refused", exc)
        except Exception as exc:  # reported by the assertion below
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (lock wait?)"
    assert all(outcome is not None and outcome[0] != "error" for outcome in outcomes), outcomes
    return outcomes


# Decided before any database is set up, so a skipped race costs nothing on SQLite.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so there is no race to lose; runs on PostgreSQL (make test-pg, CI)",
)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_assignments_at_once_one_wins(world, reference_rows):
    people = _people(world)
    hazard = _report(world, people)
    seen = hazard.version
    outcomes = race(
        lambda: services.hazard_assign(
            actor=people["safety"], hazard=hazard.pk, expected_version=seen, **_assign_kwargs(people, "方案甲")
        ),
        lambda: services.hazard_assign(
            actor=people["admin"], hazard=hazard.pk, expected_version=seen, **_assign_kwargs(people, "方案乙")
        ),
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    (winner,) = [result for kind, result in outcomes if kind == "ok"]
    (refusal,) = [result for kind, result in outcomes if kind == "refused"]
    assert "他人" in str(refusal)
    hazard.refresh_from_db()
    assert hazard.version == seen + 1 and hazard.measures == winner.measures
    assert list(hazard.transitions.values_list("action", flat=True)) == ["report", "assign"]


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_one_wins(world, reference_rows):
    people = _people(world)
    hazard = _report(world, people)
    hazard = services.hazard_assign(actor=people["safety"], hazard=hazard, **_assign_kwargs(people, "更换箱门"))
    hazard = services.hazard_rectify(actor=people["worker"], hazard=hazard, rectification="已更换", photos=[photo()])
    seen = hazard.version
    steps = hazard.transitions.count()
    outcomes = race(
        lambda: services.hazard_accept(actor=people["safety"], hazard=hazard.pk, expected_version=seen),
        lambda: services.hazard_accept(actor=people["admin"], hazard=hazard.pk, expected_version=seen),
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED and hazard.version == seen + 1
    assert hazard.transitions.count() == steps + 1


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_accept_and_return_at_once_without_a_version_one_wins(world, reference_rows):
    """Even a client that sends no version cannot apply two steps to the same state: the row lock
    makes the second one see the first one's result."""
    people = _people(world)
    hazard = _report(world, people)
    hazard = services.hazard_assign(actor=people["safety"], hazard=hazard, **_assign_kwargs(people, "更换箱门"))
    hazard = services.hazard_rectify(actor=people["worker"], hazard=hazard, rectification="已更换", photos=[photo()])
    steps = hazard.transitions.count()
    outcomes = race(
        lambda: services.hazard_accept(actor=people["safety"], hazard=hazard.pk),
        lambda: services.hazard_return(actor=people["admin"], hazard=hazard.pk, reason="照片看不清"),
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    hazard.refresh_from_db()
    assert hazard.transitions.count() == steps + 1
    winner = "accept" if outcomes[0][0] == "ok" else "return"
    assert hazard.status == (HazardStatus.CLOSED if winner == "accept" else HazardStatus.ASSIGNED)


@pytest.mark.django_db
def test_a_stale_version_loses_on_every_database(world):
    """The same rule without threads: two people read version v; the first to act wins, the second
    is refused and nothing of his is written."""
    people = _people(world)
    hazard = _report(world, people)
    seen = Hazard.objects.get(pk=hazard.pk).version
    services.hazard_assign(
        actor=people["safety"], hazard=hazard.pk, expected_version=seen, **_assign_kwargs(people, "方案甲")
    )
    with pytest.raises(ValidationError) as exc:
        services.hazard_assign(
            actor=people["admin"], hazard=hazard.pk, expected_version=seen, **_assign_kwargs(people, "方案乙")
        )
    assert exc.value.error_list[0].code == "stale"
    hazard.refresh_from_db()
    assert hazard.version == seen + 1 and hazard.measures == "方案甲"
    assert list(hazard.transitions.values_list("action", flat=True)) == ["report", "assign"]
    with pytest.raises(ValidationError):
        services.hazard_accept(actor=people["safety"], hazard=hazard.pk, expected_version=seen)
    assert Hazard.objects.get(pk=hazard.pk).version == seen + 1
