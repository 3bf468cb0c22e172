"""Four-colour site plans (四色图) in the REST API: /api/v1/site-plans/. The upload is a route of
its own (multipart); drawing and removing a zone are declared actions of the registry
(``zones``, ``archive_zone``), with the forms the drawing page uses.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Schema, Status, UploadedFile
from pydantic import field_validator

from anjian.core.api import (
    AttachmentOut,
    EnterpriseOwnedOut,
    InputSchema,
    check_required,
    raise_errors,
    resource_router,
    scoped_get,
)
from anjian.core.attachments import validate_upload
from anjian.risks import services
from anjian.risks.api_common import (
    CREATED_ERRORS,
    blank_is_none,
    body_enterprise,
    display,
    enterprise_filter,
    required_in_schema,
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


# --- input ---


class SitePlanForm(InputSchema):
    model_config = required_in_schema("title")

    enterprise: int | None = Field(None, description="企业ID；企业用户不填即为本企业")
    title: str | None = Field(None, max_length=60, description="名称")

    @field_validator("enterprise", mode="before")
    @classmethod
    def blank_is_none(cls, value):
        return blank_is_none(value)


# --- routes ---

site_plans = resource_router(
    SITE_PLAN,
    out=SitePlanOut,
    item=SitePlanItem,
    extra_filters=[enterprise_filter()],
    select_related=["image"],
    mount=False,
)
SITE_PLANS = site_plans.api_resource.resource
SitePlanDetail = site_plans.api_resource.out  # with allowed_actions


@site_plans.post(
    "/",
    response={201: SitePlanDetail, **CREATED_ERRORS},
    operation_id="site-plans_create",
    url_name="site-plans-create",
    summary="上传厂区平面图（multipart：enterprise、title、image；PNG/JPEG/WebP）",
)
def site_plan_create(request: HttpRequest, payload: Form[SitePlanForm], image: File[UploadedFile] = None):
    enterprise = body_enterprise(request, payload.enterprise)
    errors = check_required(payload, "title")
    if image is None:
        errors["image"] = [_("请上传平面图")]
    else:
        try:
            validate_upload(image, kind="photo")
        except ValidationError as exc:
            errors["image"] = list(exc.messages)
    raise_errors(errors)
    plan = services.site_plan_create(actor=request.auth, enterprise=enterprise, title=payload.title, image=image)
    return Status(201, scoped_get(request, SITE_PLANS, plan.pk))
