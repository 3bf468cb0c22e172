"""Records follow their enterprise.

Many records copy their enterprise's region when they are made (a hazard, an inspection, a risk
point …) so that government scoping filters on one local column. When an enterprise moves to
another grid or town those copies must move with it, in the same transaction, or the old town
keeps seeing them and the new town does not.

Nothing here is listed by hand: a model *copies the region* when its registered ``ScopeSpec``
reaches an enterprise through a path (``enterprise``) and names a local foreign key to ``Region``
as its region path (``region="region"``). Every such model follows; a new module that declares
its scope that way follows without touching this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from anjian.core import audit
from anjian.core.models import Region
from anjian.core.scoping import ScopeSpec, scope_spec

FOLLOW_ACTION = "records_follow"
audit.ACTION_LABELS.setdefault(FOLLOW_ACTION, _("关联记录随企业迁移"))


@dataclass(frozen=True)
class Follower:
    """A model whose rows carry a copy of their enterprise's region."""

    model: type[models.Model]
    enterprise_path: str  # lookup from the model to its enterprise
    region_field: str  # the local foreign key to Region that holds the copy


def _follower(model: type[models.Model], spec: ScopeSpec) -> Follower | None:
    if spec.custom is not None or not spec.enterprise:
        return None  # scoped by hand, or the enterprise itself (the source of the region)
    region_path = spec.region_path()
    if not region_path or "__" in region_path:
        return None  # reaches the region through its parent: nothing copied here
    try:
        field = model._meta.get_field(region_path)
    except LookupError:
        return None
    if not (isinstance(field, models.ForeignKey) and field.related_model is Region):
        return None
    return Follower(model=model, enterprise_path=spec.enterprise, region_field=field.name)


def followers() -> list[Follower]:
    """Every registered model that copies its enterprise's region, in a stable order."""
    found = []
    for model in apps.get_models():
        try:
            spec = scope_spec(model)
        except LookupError:
            continue
        follower = _follower(model, spec)
        if follower is not None:
            found.append(follower)
    return sorted(found, key=lambda f: f.model._meta.label_lower)


def _kind(model: type[models.Model]) -> str:
    # Audit entries are written in the source language, whatever the actor's interface language.
    with translation.override(None):
        return str(model._meta.verbose_name_plural)


def records_follow_enterprise(*, actor, enterprise: models.Model) -> dict[type[models.Model], int]:
    """Give every region-copied record of ``enterprise`` the enterprise's current region.

    Call it inside the service that changed the region (it joins that transaction; on its own it
    is atomic too). Returns how many rows of each model moved, and records one audit entry on the
    enterprise naming those counts, since the bulk updates write no entry per row.
    """
    region_id = enterprise.region_id
    moved: dict[type[models.Model], int] = {}
    with transaction.atomic(), audit.unaudited("recorded as one summary entry on the enterprise"):
        for follower in followers():
            column = f"{follower.region_field}_id"
            count = (
                follower.model._default_manager.filter(**{follower.enterprise_path: enterprise})
                .exclude(**{column: region_id})
                .update(**{column: region_id})
            )
            if count:
                moved[follower.model] = count
        if moved:
            changes: dict[str, list] = {"region": [None, str(enterprise.region)]}
            for model, count in moved.items():
                key = _kind(model)
                changes[key if key not in changes else f"{key} ({model._meta.label_lower})"] = [None, count]
            audit.record(actor=actor, action=FOLLOW_ACTION, instance=enterprise, changes=changes)
    return moved
