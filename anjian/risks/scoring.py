"""LEC and LS scoring (DOMAIN §4): the standard value tables and the band lookup."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# LEC (D = L × E × C): the values the method's tables allow.
LEC_LIKELIHOOD = {Decimal(v) for v in ("10", "6", "3", "1", "0.5", "0.2", "0.1")}
LEC_EXPOSURE = {Decimal(v) for v in ("10", "6", "3", "2", "1", "0.5")}
LEC_CONSEQUENCE = {Decimal(v) for v in ("100", "40", "15", "7", "3", "1")}
# LS matrix (R = L × S): both 1–5.
LS_SCALE = {Decimal(v) for v in range(1, 6)}

# The bands themselves are rows of RiskBand (defaults in anjian/risks/data/risk_bands.json).


@dataclass(frozen=True)
class Band:
    level: str
    lower: Decimal
    upper: Decimal


def score(method: str, likelihood: Decimal, exposure: Decimal | None, consequence: Decimal) -> Decimal:
    """The product; raises ValueError naming the factor that is not a value of the method's table."""
    if method == "lec":
        if likelihood not in LEC_LIKELIHOOD:
            raise ValueError("likelihood")
        if exposure not in LEC_EXPOSURE:
            raise ValueError("exposure")
        if consequence not in LEC_CONSEQUENCE:
            raise ValueError("consequence")
        return likelihood * exposure * consequence
    if method == "ls":
        if likelihood not in LS_SCALE:
            raise ValueError("likelihood")
        if consequence not in LS_SCALE:
            raise ValueError("consequence")
        return likelihood * consequence
    raise ValueError("method")


def level_for(value: Decimal, bands: Iterable[Band]) -> str:
    """The level of the one band with ``lower < value <= upper``."""
    matches = [band.level for band in bands if band.lower < value <= band.upper]
    if len(matches) != 1:
        raise LookupError(f"{value} falls in {len(matches)} bands; the band table must partition the scores")
    return matches[0]
