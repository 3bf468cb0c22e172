"""The enterprise archive (一企一档): enterprises and non-enterprise venues, with their lookups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.Model):
    """国民经济行业分类 (GB/T 4754-2017). Codes are hierarchical strings: section "C",
    division "C13", so a prefix selects a sector."""

    code = models.CharField(_("行业代码"), max_length=8, primary_key=True)
    name = models.CharField(_("行业名称"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("行业")
        verbose_name_plural = _("行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Tag(models.Model):
    """A label such as 涉爆粉尘, 有限空间, 液氨制冷 that groups enterprises for supervision."""

    name = models.CharField(_("标签"), max_length=40, unique=True)
    colour = models.CharField(_("颜色"), max_length=20, default="secondary")

    class Meta:
        verbose_name = _("企业标签")
        verbose_name_plural = _("企业标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SupervisionClass(models.Model):
    """分级分类监管 class. Letter, meaning and patrol cycle are data, not code (DOMAIN §4)."""

    code = models.CharField(_("类别"), max_length=4, unique=True)
    label = models.CharField(_("含义"), max_length=60)
    patrol_cycle_months = models.PositiveSmallIntegerField(_("检查周期(月)"))
    colour = models.CharField(_("颜色"), max_length=20, default="secondary")
    rank = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Deactivated classes stay on the enterprises that carry them; they are not offered any more.
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("监管类别")
        verbose_name_plural = _("监管类别")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.label}"


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    VENUE = "venue", _("场所")


class VenueType(models.TextChoices):
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    CARE_HOME = "care_home", _("养老机构")
    CINEMA = "cinema", _("影剧院")
    RELIGIOUS = "religious", _("宗教场所")
    MARKET = "market", _("商场市场")
    HOTEL = "hotel", _("宾馆酒店")
    RESTAURANT = "restaurant", _("餐饮场所")


class Scale(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class StandardizationGrade(models.TextChoices):
    GRADE_1 = "1", _("一级")
    GRADE_2 = "2", _("二级")
    GRADE_3 = "3", _("三级")
    SMALL = "small", _("小微企业达标")
    NONE = "none", _("未达标")


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", _("在产")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关闭注销")


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=EnterpriseKind.choices, default=EnterpriseKind.ENTERPRISE)
    venue_type = models.CharField(_("场所类型"), max_length=20, choices=VenueType.choices, blank=True)
    supervising_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("行业主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    principal = models.CharField(_("主要负责人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    safety_manager = models.CharField(_("安全管理人员"), max_length=50, blank=True)
    safety_manager_phone = models.CharField(_("安全管理人员电话"), max_length=20, blank=True)
    admin_phone = models.CharField(
        _("企业管理员预留手机号"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("企业管理员用此手机号注册后可直接绑定本企业"),
    )
    address = models.CharField(_("地址"), max_length=255)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("所属区划/网格"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("国民经济行业"), null=True, blank=True, on_delete=models.PROTECT
    )
    scale = models.CharField(_("规模"), max_length=10, choices=Scale.choices, default=Scale.SMALL)
    staff_count = models.PositiveIntegerField(_("从业人数"), default=0)
    building_area = models.DecimalField(_("建筑面积(㎡)"), max_digits=12, decimal_places=2, null=True, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    main_products = models.CharField(_("主要产品"), max_length=255, blank=True)
    licences = models.TextField(_("许可证照"), blank=True, help_text=_("每行一项：名称、编号、有效期"))
    standardization_grade = models.CharField(
        _("安全生产标准化等级"),
        max_length=10,
        choices=StandardizationGrade.choices,
        default=StandardizationGrade.NONE,
    )
    hazardous_chemicals = models.TextField(_("涉及危险化学品"), blank=True)
    special_equipment = models.TextField(_("特种设备"), blank=True)
    special_operations = models.TextField(_("特种作业"), blank=True)
    major_hazard_sources = models.TextField(_("重大危险源"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="enterprises")
    supervision_class = models.ForeignKey(
        SupervisionClass, verbose_name=_("监管类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    grid_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任网格员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspected_enterprises",
    )
    status = models.CharField(
        _("经营状态"), max_length=12, choices=OperatingStatus.choices, default=OperatingStatus.OPERATING
    )
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业档案")
        verbose_name_plural = _("企业档案")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["region", "-id"], name="enterprise_region_id"),
            models.Index(fields=["industry", "-id"], name="enterprise_industry_id"),
        ]

    def __str__(self) -> str:
        return self.name


class BindingToken(models.Model):
    """A one-time QR token a grid inspector shows so an enterprise admin can bind his account."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+")
    token = models.CharField(_("令牌"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("绑定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业绑定码")
        verbose_name_plural = _("企业绑定码")
