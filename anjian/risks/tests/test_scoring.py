"""LEC and LS give DOMAIN §4's levels exactly, boundaries included."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from anjian.core.roles import Role
from anjian.enterprises.tests.factories import enterprise_user
from anjian.risks import scoring, services
from anjian.risks.models import RiskLevel, RiskPoint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("0.1", "low"),
        ("70", "low"),
        ("70.01", "general"),
        ("160", "general"),
        ("160.01", "high"),
        ("320", "high"),
        ("320.01", "major"),
        ("40000", "major"),
    ],
)
def test_lec_bands_at_the_boundaries(value, level):
    assert scoring.level_for(D(value), services.bands("lec")) == level


@pytest.mark.parametrize(
    ("value", "level"),
    [(1, "low"), (8, "low"), (9, "general"), (12, "general"), (15, "high"), (16, "high"), (20, "major"), (25, "major")],
)
def test_ls_bands_at_the_boundaries(value, level):
    assert scoring.level_for(D(value), services.bands("ls")) == level


def test_every_ls_product_falls_in_exactly_one_band():
    bands = services.bands("ls")
    for likelihood in range(1, 6):
        for severity in range(1, 6):
            scoring.level_for(D(likelihood * severity), bands)  # raises unless exactly one band


@pytest.mark.parametrize(
    ("likelihood", "exposure", "consequence", "score", "level"),
    [
        ("10", "6", "7", "420", "major"),
        ("6", "6", "7", "252", "high"),
        ("6", "3", "7", "126", "general"),
        ("3", "6", "3", "54", "low"),
        ("1", "10", "15", "150", "general"),
    ],
)
def test_lec_assessment_gives_score_and_level(world, likelihood, exposure, consequence, score, level):
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so")
    point = services.risk_point_create(
        actor=officer, enterprise=world.enterprise_a, data={"name": "喷涂房", "kind": "area"}
    )
    assessment = services.risk_assess(
        actor=officer, risk_point=point, method="lec", likelihood=likelihood, exposure=exposure, consequence=consequence
    )
    assert assessment.score == D(score) and assessment.level == level
    point.refresh_from_db()
    assert point.level == level


def test_reassessment_keeps_history_and_bad_factors_are_refused(world):
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so")
    point = services.risk_point_create(
        actor=officer, enterprise=world.enterprise_a, data={"name": "液氨储罐", "kind": "equipment"}
    )
    services.risk_assess(actor=officer, risk_point=point, method="ls", likelihood=4, consequence=5)
    services.risk_assess(
        actor=officer, risk_point=point, method="ls", likelihood=2, consequence=4, note="加装泄漏报警后"
    )
    point.refresh_from_db()
    assert point.level == RiskLevel.LOW and point.assessments.count() == 2
    assert [a.level for a in point.assessments.all()] == ["low", "major"]
    with pytest.raises(ValidationError) as exc:
        services.risk_assess(actor=officer, risk_point=point, method="lec", likelihood=5, exposure=6, consequence=7)
    assert "likelihood" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.risk_assess(actor=officer, risk_point=point, method="ls", likelihood=6, consequence=1)


def test_only_the_enterprise_assesses_and_outsiders_get_nothing(world):
    officer = enterprise_user(world.enterprise_a, role=Role.SAFETY_OFFICER, username="so")
    point = services.risk_point_create(
        actor=officer, enterprise=world.enterprise_a, data={"name": "配电房", "kind": "area"}
    )
    with pytest.raises(ValidationError):
        services.risk_assess(actor=world.town_admin_a, risk_point=point, method="ls", likelihood=1, consequence=1)
    with pytest.raises(RiskPoint.DoesNotExist):
        services.risk_assess(actor=world.enterprise_admin_b, risk_point=point, method="ls", likelihood=1, consequence=1)
