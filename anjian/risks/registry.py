"""Risk points in the registry: the area's risk database (every enterprise's points, by level)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core import registry
from anjian.core.choices import subregion_choices
from anjian.core.registry import Column, Filter, Resource
from anjian.core.scoping import CHANGE, CREATE, ScopeSpec, register_scope
from anjian.risks.models import RiskAssessment, RiskLevel, RiskPoint, RiskPointKind

RISK_POINT = registry.register(
    Resource(
        model=RiskPoint,
        slug="risk-points",
        namespace="risks",
        scope=ScopeSpec(enterprise="enterprise", region="region", roles={CHANGE: None, CREATE: None}),
        columns=[
            Column("name", _("风险点"), sort="name", link=True),
            Column("enterprise__name", _("企业")),
            Column("kind", _("类型"), sort="kind"),
            Column("place", _("位置")),
            Column("level", _("风险等级"), sort="level", badge=True),
            Column("collected_at", _("辨识时间"), sort="collected_at"),
        ],
        filters=[
            Filter("region", _("区域"), "region__code__startswith", kind="region", choices=subregion_choices),
            Filter("level", _("风险等级"), "level", choices=lambda user: RiskLevel.choices),
            Filter("kind", _("类型"), "kind", choices=lambda user: RiskPointKind.choices),
        ],
        search_fields=["name__icontains", "place__icontains", "enterprise__name__icontains"],
        search_placeholder=_("风险点 / 位置 / 企业"),
        default_ordering=["-id"],
        select_related=["enterprise"],
        detail_sections=[
            (_("风险点"), ["enterprise", "name", "place", "kind", "accident_types", "equipment_count"]),
            (_("评价"), ["level", "collected_by", "collected_at", "archived"]),
        ],
    )
)

register_scope(RiskAssessment, ScopeSpec(enterprise="risk_point__enterprise", region="risk_point__region"))
