"""Four-colour site plans (四色图) in the REST API: /api/v1/site-plans/. The upload
(``POST /new/``, multipart) and drawing and removing a zone are declared actions of the registry
(``new``, ``zones``, ``archive_zone``), with the forms of the pages.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt

from ninja import Field, Schema

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    resource_router,
)
from anjian.risks import services
from anjian.risks.api_common import (
    display,
    enterprise_filter,
)
from anjian.risks.models import LEVEL_COLOURS, RiskLevel, RiskZone, SitePlan
from anjian.risks.registry import SITE_PLAN


class ZoneOut(Schema):
    id: int
    name: str
    polygon: list[list[float]] = Field(..., description="顶点，平面图宽、高的比例（0–1）")
    risk_points: list[int]
    level: str = Field(..., description="区域内风险点的最高等级")
    level_display: str
    colour: str
    archived: bool

    @staticmethod
    def resolve_risk_points(obj: RiskZone) -> list[int]:
        return [p.pk for p in obj.risk_points.all()]

    @staticmethod
    def resolve_level(obj: RiskZone) -> str:
        return services.zone_level(obj)

    @staticmethod
    def resolve_level_display(obj: RiskZone) -> str:
        return display(RiskLevel.choices, services.zone_level(obj))

    @staticmethod
    def resolve_colour(obj: RiskZone) -> str:
        return LEVEL_COLOURS.get(services.zone_level(obj), "")


class SitePlanItem(EnterpriseOwnedOut):
    id: int
    title: str
    width: int
    height: int
    uploaded_by: int
    uploaded_at: dt.datetime
    archived: bool

    @staticmethod
    def resolve_uploaded_by(obj: SitePlan) -> int:
        return obj.uploaded_by_id


class SitePlanOut(SitePlanItem):
    image: AttachmentOut | None = Field(None, description="平面图")
    zones: list[ZoneOut] = Field(..., description="在用的风险区域（四色）")

    @staticmethod
    def resolve_zones(obj: SitePlan) -> list[RiskZone]:
        return list(obj.zones.filter(archived=False).prefetch_related("risk_points").order_by("id"))


# --- routes ---

site_plans = resource_router(
    SITE_PLAN,
    out=SitePlanOut,
    item=SitePlanItem,
    extra_filters=[enterprise_filter()],
    select_related=["image"],
    mount=False,
)
