"""Monthly risk self-reviews (月度风险自查) in the REST API: /api/v1/risk-reviews/. Confirming the
month is the declared collection action ``confirm`` (``POST /confirm/``, the page's form).

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt

from ninja import Field

from anjian.core.api import EnterpriseOwnedOut, resource_router
from anjian.risks.api_common import enterprise_filter
from anjian.risks.models import RiskReview
from anjian.risks.registry import RISK_REVIEW


class RiskReviewOut(EnterpriseOwnedOut):
    id: int
    month: str = Field(..., description="YYYY-MM")
    confirmed_by: int
    confirmed_by_name: str
    confirmed_at: dt.datetime
    note: str
    counts: dict[str, int] = Field(..., description="确认时各等级风险点数")

    @staticmethod
    def resolve_month(obj: RiskReview) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_confirmed_by(obj: RiskReview) -> int:
        return obj.confirmed_by_id

    @staticmethod
    def resolve_confirmed_by_name(obj: RiskReview) -> str:
        return str(obj.confirmed_by)


# --- routes ---

risk_reviews = resource_router(RISK_REVIEW, out=RiskReviewOut, extra_filters=[enterprise_filter()], mount=False)
