"""Monthly risk self-reviews (月度风险自查) in the REST API: /api/v1/risk-reviews/.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Status

from anjian.core.api import EnterpriseOwnedOut, InputSchema, resource_router, scoped_get
from anjian.risks import services
from anjian.risks.api_common import CREATED_ERRORS, body_enterprise, enterprise_filter
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


class ReviewIn(InputSchema):
    enterprise: int | None = Field(None, description="企业ID；企业用户不填即为本企业")
    note: str = Field("", max_length=500, description="变化说明")


# --- routes ---

risk_reviews = resource_router(RISK_REVIEW, out=RiskReviewOut, extra_filters=[enterprise_filter()], mount=False)
RISK_REVIEWS = risk_reviews.api_resource.resource


@risk_reviews.post(
    "/",
    response={201: RiskReviewOut, **CREATED_ERRORS},
    operation_id="risk-reviews_create",
    url_name="risk-reviews-create",
    summary="确认本月风险清单（月度风险自查，每月一次）",
)
def risk_review_create(request: HttpRequest, payload: ReviewIn):
    enterprise = body_enterprise(request, payload.enterprise)
    review = services.risk_review_confirm(actor=request.auth, enterprise=enterprise, note=payload.note)
    return Status(201, scoped_get(request, RISK_REVIEWS, review.pk))
