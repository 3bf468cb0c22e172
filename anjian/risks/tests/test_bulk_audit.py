"""Archiving a risk point archives its inspection points in one statement, and each of them still
gets its audit entry (issue 11: bulk updates cannot skip the audit)."""

import pytest

from anjian.core import audit
from anjian.core.models import AuditEntry
from anjian.risks import services
from anjian.risks.models import InspectionPoint
from anjian.risks.tests.factories import risk_chain

pytestmark = pytest.mark.django_db


def test_archiving_a_risk_point_audits_each_of_its_inspection_points(world):
    actor = world.enterprise_admin_a
    chain = risk_chain(actor, world.enterprise_a)
    second = services.inspection_point_create(actor=actor, risk_point=chain.risk_point, data={"name": "2号储气罐"})
    services.risk_point_archive(actor=actor, instance=chain.risk_point)
    points = InspectionPoint.objects.filter(pk__in=[chain.inspection_point.pk, second.pk])
    assert all(p.archived for p in points)
    for point in points:
        (entry,) = audit.history(point).filter(action="archive")
        assert entry.changes == {"archived": [False, True]} and entry.actor_id == actor.pk
        assert entry.partition == f"enterprise:{world.enterprise_a.pk}"
    services.risk_point_archive(actor=actor, instance=chain.risk_point, archived=False)
    assert AuditEntry.objects.filter(model="risks.inspectionpoint", action="restore").count() == 2
    assert audit.verify_chain().ok
