"""The enterprise archive (一企一档) in the REST API: /api/v1/enterprises/.

List and detail come from the registry entry (same filters, search and sort as the list page);
create and update call the enterprise services, the declared actions (``move``) the same forms
and services as the pages, so the API enforces exactly the rules of the pages. Related records are named by key (region code, industry code, class code, department code,
tag names, inspector id) and resolved inside the user's scope.

No ``from __future__ import annotations``: django-ninja reads the annotations at run time.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from anjian.core.api import InputSchema, Ref, patch_schema, resource_router
from anjian.core.choices import grid_inspectors
from anjian.core.models import Department, Region, User
from anjian.core.validators import validate_phone
from anjian.enterprises import services
from anjian.enterprises.models import (
    Enterprise,
    EnterpriseKind,
    Industry,
    OperatingStatus,
    Scale,
    StandardizationGrade,
    SupervisionClass,
    Tag,
    VenueType,
)
from anjian.enterprises.registry import ENTERPRISE


def _phone(value: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        validate_phone(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    return value


Phone = Annotated[str, Field(max_length=20), AfterValidator(_phone)]
VenueTypeValue = Literal[("", *VenueType.values)]


REFS = {
    "region": Ref(Region, key="code"),
    "industry": Ref(Industry, key="code"),
    "supervision_class": Ref(SupervisionClass, key="code"),
    "supervising_department": Ref(Department, key="code"),
    "tags": Ref(Tag, key="name", many=True),
    "grid_inspector": Ref(User, choices=grid_inspectors, reveal=False),
}


# --- output -----------------------------------------------------------------------------------


class EnterpriseItem(Schema):
    """A row of the enterprise list."""

    id: int
    credit_code: str
    name: str
    kind: str
    kind_display: str
    legal_representative: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    region: str = Field(..., description="区划/网格代码")
    region_name: str
    industry: str | None = Field(None, description="国民经济行业代码")
    industry_name: str | None = None
    scale: str
    scale_display: str
    staff_count: int
    supervision_class: str | None = Field(None, description="监管类别代码")
    supervision_class_label: str | None = None
    grid_inspector: int | None = Field(None, description="责任网格员的用户ID")
    grid_inspector_name: str | None = None
    status: str
    status_display: str
    tags: list[str] = Field(default_factory=list, description="标签名称")

    @staticmethod
    def resolve_kind_display(obj: Enterprise) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region(obj: Enterprise) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj: Enterprise) -> str:
        return obj.region.name

    @staticmethod
    def resolve_industry(obj: Enterprise) -> str | None:
        return obj.industry_id

    @staticmethod
    def resolve_industry_name(obj: Enterprise) -> str | None:
        return obj.industry.name if obj.industry_id else None

    @staticmethod
    def resolve_scale_display(obj: Enterprise) -> str:
        return str(obj.get_scale_display())

    @staticmethod
    def resolve_supervision_class(obj: Enterprise) -> str | None:
        return obj.supervision_class.code if obj.supervision_class_id else None

    @staticmethod
    def resolve_supervision_class_label(obj: Enterprise) -> str | None:
        return obj.supervision_class.label if obj.supervision_class_id else None

    @staticmethod
    def resolve_grid_inspector(obj: Enterprise) -> int | None:
        return obj.grid_inspector_id

    @staticmethod
    def resolve_grid_inspector_name(obj: Enterprise) -> str | None:
        return str(obj.grid_inspector) if obj.grid_inspector_id else None

    @staticmethod
    def resolve_status_display(obj: Enterprise) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_tags(obj: Enterprise) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class EnterpriseOut(EnterpriseItem):
    """The whole archive of one enterprise (一企一档)."""

    venue_type: str
    venue_type_display: str
    supervising_department: str | None = Field(None, description="行业主管部门代码")
    supervising_department_name: str | None = None
    principal: str
    contact_phone: str
    safety_manager: str
    safety_manager_phone: str
    admin_phone: str
    region_full_name: str
    building_area: Decimal | None = None
    established_on: date | None = None
    main_products: str
    licences: str
    standardization_grade: str
    standardization_grade_display: str
    hazardous_chemicals: str
    special_equipment: str
    special_operations: str
    major_hazard_sources: str
    supervision_class_patrol_cycle_months: int | None = None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_venue_type_display(obj: Enterprise) -> str:
        return str(obj.get_venue_type_display()) if obj.venue_type else ""

    @staticmethod
    def resolve_supervising_department(obj: Enterprise) -> str | None:
        return obj.supervising_department.code if obj.supervising_department_id else None

    @staticmethod
    def resolve_supervising_department_name(obj: Enterprise) -> str | None:
        return obj.supervising_department.name if obj.supervising_department_id else None

    @staticmethod
    def resolve_region_full_name(obj: Enterprise) -> str:
        return obj.region.full_name

    @staticmethod
    def resolve_standardization_grade_display(obj: Enterprise) -> str:
        return str(obj.get_standardization_grade_display())

    @staticmethod
    def resolve_supervision_class_patrol_cycle_months(obj: Enterprise) -> int | None:
        return obj.supervision_class.patrol_cycle_months if obj.supervision_class_id else None


# --- input ------------------------------------------------------------------------------------


class EnterpriseIn(InputSchema):
    """A new enterprise. Related records by key: region/industry/class/department by code, tags
    by name, grid inspector by user id."""

    credit_code: str = Field(..., max_length=40, description="统一社会信用代码（18位，含校验位）")
    name: str = Field(..., min_length=1, max_length=200)
    kind: EnterpriseKind = EnterpriseKind.ENTERPRISE
    venue_type: VenueTypeValue = ""
    supervising_department: str | None = Field(None, description="行业主管部门代码")
    legal_representative: str = Field(..., min_length=1, max_length=50)
    principal: str = Field("", max_length=50)
    contact_phone: Phone = ""
    safety_manager: str = Field("", max_length=50)
    safety_manager_phone: Phone = ""
    admin_phone: Phone = Field("", description="企业管理员预留手机号")
    address: str = Field(..., min_length=1, max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    region: str = Field(..., description="所属镇街/村社区/网格的区划代码")
    industry: str | None = Field(None, description="国民经济行业代码")
    scale: Scale = Scale.SMALL
    staff_count: int = Field(0, ge=0)
    building_area: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    established_on: date | None = None
    main_products: str = Field("", max_length=255)
    licences: str = ""
    standardization_grade: StandardizationGrade = StandardizationGrade.NONE
    hazardous_chemicals: str = ""
    special_equipment: str = ""
    special_operations: str = ""
    major_hazard_sources: str = ""
    tags: list[str] = Field(default_factory=list, description="标签名称")
    supervision_class: str | None = Field(None, description="监管类别代码（A/B/C/D）")
    grid_inspector: int | None = Field(None, description="责任网格员的用户ID")
    status: OperatingStatus = OperatingStatus.OPERATING


EnterprisePatch = patch_schema(EnterpriseIn, "EnterprisePatch")


# --- routes -----------------------------------------------------------------------------------

router = resource_router(
    ENTERPRISE,
    out=EnterpriseOut,
    item=EnterpriseItem,
    create=EnterpriseIn,
    update=EnterprisePatch,
    refs=REFS,
    editable=services.editable_fields,
    select_related=["supervising_department"],
    prefetch_related=["tags"],
)
