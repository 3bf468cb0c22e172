"""The risk band table, versioned: the current band set of a method, and publishing a new version
when an administrator edits a band (through the reference-table pages). Published bands are never
changed, so each assessment keeps the version it was computed with."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.risks import scoring
from anjian.risks.models import RiskBand, RiskBandVersion

# Lowest to highest: each band's upper bound is the next one's lower bound.
LEVELS_UP = ["low", "general", "high", "major"]


def current_version(method: str) -> RiskBandVersion | None:
    return RiskBandVersion.objects.filter(method=method).order_by("-number").first()


def band_set(method: str) -> tuple[RiskBandVersion | None, list[scoring.Band]]:
    """The current version of a method's bands and its bands."""
    version = current_version(method)
    rows = RiskBand.objects.filter(band_version=version) if version is not None else RiskBand.objects.none()
    return version, [scoring.Band(b.level, b.lower, b.upper) for b in rows]


def current_bands() -> QuerySet:
    """The bands of every method's current version (what the reference pages list and edit)."""
    latest = (
        RiskBandVersion.objects.filter(method=OuterRef("method"))
        .values("method")
        .annotate(top=Max("number"))
        .values("top")
    )
    return RiskBand.objects.filter(band_version__number=Subquery(latest)).select_related("band_version")


def _order(level: str) -> int:
    return LEVELS_UP.index(level) if level in LEVELS_UP else len(LEVELS_UP)


@transaction.atomic
def risk_band_publish(*, actor, instance: RiskBand, values: dict[str, Any]) -> RiskBand:
    """Publish a new version of ``instance``'s method with its bounds changed to ``values``; the
    neighbouring bands follow (the band below ends where this one starts, the band above starts
    where it ends) so the set still covers every score exactly once. Returns the edited band's
    row in the new version; refuses (field errors) bounds that would empty a band."""
    version = RiskBandVersion.objects.select_for_update().get(pk=instance.band_version_id)
    latest = current_version(version.method)
    if latest is None or latest.pk != version.pk:
        raise ValidationError(_("只能修改当前版本的分级标准"))
    bands = sorted(RiskBand.objects.filter(band_version=version), key=lambda b: (_order(b.level), b.lower))
    bounds = {b.level: [b.lower, b.upper] for b in bands}
    lower = values.get("lower", instance.lower)
    upper = values.get("upper", instance.upper)
    errors: dict[str, list[str]] = {}
    for name, value in (("lower", lower), ("upper", upper)):
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            errors[name] = [_("请填写不小于0的数")]
    if errors:
        raise ValidationError(errors)
    if lower >= upper:
        raise ValidationError({"upper": [_("上限必须大于下限")]})
    index = next(i for i, b in enumerate(bands) if b.pk == instance.pk)
    bounds[instance.level] = [lower, upper]
    if index > 0:
        below = bands[index - 1].level
        bounds[below][1] = lower
        if bounds[below][0] >= lower:
            raise ValidationError({"lower": [_("下限必须大于下一档的下限（%(v)s）") % {"v": bounds[below][0]}]})
    elif lower != instance.lower:
        raise ValidationError({"lower": [_("最低一档的下限不能修改")]})
    if index < len(bands) - 1:
        above = bands[index + 1].level
        bounds[above][0] = upper
        if bounds[above][1] <= upper:
            raise ValidationError({"upper": [_("上限必须小于上一档的上限（%(v)s）") % {"v": bounds[above][1]}]})
    new_version = RiskBandVersion.objects.create(
        method=version.method, number=version.number + 1, published_at=timezone.now(), published_by=actor
    )
    created = RiskBand.objects.bulk_create(
        RiskBand(
            band_version=new_version, method=b.method, level=b.level, lower=bounds[b.level][0], upper=bounds[b.level][1]
        )
        for b in bands
    )
    return next(b for b in created if b.level == instance.level)


def band_version_label(band: RiskBand) -> str:
    version = band.band_version
    return f"{version} · {timezone.localtime(version.published_at):%Y-%m-%d %H:%M}"
