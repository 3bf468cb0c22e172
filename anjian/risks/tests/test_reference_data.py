"""The risk module's starter rows come from anjian/risks/data/*.json, loaded idempotently."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anjian.risks import reference_data
from anjian.risks.models import LevelControl, MeasureKind, RiskBand

pytestmark = pytest.mark.django_db


def test_migrations_loaded_the_data_files_and_loading_again_changes_nothing():
    bands = {
        (m, level): (Decimal(lo), Decimal(up))
        for m, rows in reference_data.DEFAULT_BANDS.items()
        for level, lo, up in rows
    }
    assert set(bands) == {("lec", "low"), ("lec", "general"), ("lec", "high"), ("lec", "major")} | {
        ("ls", level) for level in ("low", "general", "high", "major")
    }
    before = (RiskBand.objects.count(), MeasureKind.objects.count(), LevelControl.objects.count())
    assert before == (len(bands), len(reference_data.DEFAULT_MEASURE_KINDS), len(reference_data.DEFAULT_LEVEL_CONTROL))
    for band in RiskBand.objects.all():
        assert (band.lower, band.upper) == bands[(band.method, band.level)]

    MeasureKind.objects.filter(code="ppe").update(name="劳保用品")  # an administrator's change stays
    reference_data.load_risk_bands(RiskBand)
    reference_data.load_measure_kinds(MeasureKind)
    reference_data.load_level_control(LevelControl)
    assert (RiskBand.objects.count(), MeasureKind.objects.count(), LevelControl.objects.count()) == before
    assert MeasureKind.objects.get(code="ppe").name == "劳保用品"
    assert LevelControl.objects.get(level="major").owning_levels == reference_data.DEFAULT_LEVEL_CONTROL["major"]
