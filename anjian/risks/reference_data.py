"""Reference tables of the risk module every installation starts with; a province or an
administrator changes the rows, not the code.

The rows are in anjian/risks/data/: ``risk_bands.json`` (score bands of each method, lower bound
exclusive, upper inclusive), ``measure_kinds.json`` (control-measure kinds as enterprises name them,
each mapped to one of the national model's four kinds, DOMAIN §4) and ``level_control.json`` (the
owning levels of each risk level: 红 → 公司, 橙 → 公司/车间, 黄 → 车间/班组, 蓝 → 班组/岗位).

The loaders create what is missing and never change an existing row; they take the model class, so
the data migrations can pass their historical models.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from anjian.core.starter_data import read_data

# {method: [(level, lower, upper), ...]}, bounds as decimal strings.
DEFAULT_BANDS: dict[str, list[tuple[str, str, str]]] = {}
for _row in read_data("anjian.risks", "risk_bands.json"):
    DEFAULT_BANDS.setdefault(_row["method"], []).append((_row["level"], _row["lower"], _row["upper"]))

# (code, name, national kind)
DEFAULT_MEASURE_KINDS: list[tuple[str, str, str]] = [
    (row["code"], row["name"], row["national_kind"]) for row in read_data("anjian.risks", "measure_kinds.json")
]

# {risk level: [owning level, ...]}
DEFAULT_LEVEL_CONTROL: dict[str, list[str]] = {
    row["level"]: row["owning_levels"] for row in read_data("anjian.risks", "level_control.json")
}


def load_risk_bands(RiskBand, RiskBandVersion=None) -> None:
    """The default bands. Before band versions existed (migration 0002) the rows alone; with
    ``RiskBandVersion`` (the current models) a method without any band gets them as version 1."""
    for method, rows in DEFAULT_BANDS.items():
        extra = {}
        if RiskBandVersion is not None:
            if RiskBand.objects.filter(method=method).exists():
                continue
            extra["band_version"] = RiskBandVersion.objects.get_or_create(
                method=method, number=1, defaults={"published_at": timezone.now()}
            )[0]
        for level, lower, upper in rows:
            RiskBand.objects.get_or_create(
                method=method, level=level, defaults={"lower": Decimal(lower), "upper": Decimal(upper), **extra}
            )


def load_measure_kinds(MeasureKind) -> None:
    for position, (code, name, national_kind) in enumerate(DEFAULT_MEASURE_KINDS):
        MeasureKind.objects.get_or_create(
            code=code, defaults={"name": name, "national_kind": national_kind, "position": position}
        )


def load_level_control(LevelControl) -> None:
    for level, owning_levels in DEFAULT_LEVEL_CONTROL.items():
        LevelControl.objects.get_or_create(level=level, defaults={"owning_levels": list(owning_levels)})
