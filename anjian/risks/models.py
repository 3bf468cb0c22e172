"""Risk grading control (风险分级管控), after the national dual-prevention data model:
risk point (analysis unit) → risk event → control measure → inspection task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    MAJOR = "major", _("重大风险")
    HIGH = "high", _("较大风险")
    GENERAL = "general", _("一般风险")
    LOW = "low", _("低风险")


# Colour of each level (四色): red, orange, yellow, blue.
LEVEL_COLOURS = {RiskLevel.MAJOR: "red", RiskLevel.HIGH: "orange", RiskLevel.GENERAL: "yellow", RiskLevel.LOW: "blue"}


class AssessmentMethod(models.TextChoices):
    LEC = "lec", _("LEC作业条件危险性评价法")
    LS = "ls", _("LS风险矩阵法")


class RiskBandVersion(models.Model):
    """One published set of a method's bands. Bands are never changed in place: an edit publishes
    a new version, and every assessment keeps the version its level was computed with."""

    method = models.CharField(_("评价方法"), max_length=4, choices=AssessmentMethod.choices)
    number = models.PositiveIntegerField(_("版本号"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("风险分级标准版本")
        verbose_name_plural = _("风险分级标准版本")
        ordering = ["method", "-number"]
        constraints = [models.UniqueConstraint(fields=["method", "number"], name="risk_band_version_unique")]

    def __str__(self) -> str:
        return _("%(method)s 第%(n)d版") % {"method": self.get_method_display(), "n": self.number}


class RiskBand(models.Model):
    """One band of a method's score: ``lower < score <= upper`` (half-open, both bounds stated, so
    every score, a boundary included, falls in exactly one band). Provinces differ: data, not code."""

    band_version = models.ForeignKey(
        RiskBandVersion, verbose_name=_("版本"), on_delete=models.PROTECT, related_name="bands"
    )
    method = models.CharField(_("评价方法"), max_length=4, choices=AssessmentMethod.choices)
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    lower = models.DecimalField(_("下限(不含)"), max_digits=8, decimal_places=2)
    upper = models.DecimalField(_("上限(含)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("风险分级标准")
        verbose_name_plural = _("风险分级标准")
        ordering = ["method", "lower"]
        constraints = [models.UniqueConstraint(fields=["band_version", "level"], name="risk_band_unique")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} · {self.get_level_display()} ({self.lower}, {self.upper}]"


class RiskPointKind(models.TextChoices):
    EQUIPMENT = "equipment", _("设备设施")
    OPERATION = "operation", _("作业活动")
    AREA = "area", _("区域场所")
    SUBSTANCE = "substance", _("危险物质")


class RiskPoint(models.Model):
    """风险点 (the national model's risk analysis unit): what can go wrong where."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="risk_points"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("风险点名称"), max_length=100)
    place = models.CharField(_("所在位置"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=RiskPointKind.choices)
    accident_types = models.JSONField(_("可能导致的事故类型"), default=list, blank=True)
    equipment_count = models.PositiveIntegerField(_("设备数量"), default=0)
    responsible_name = models.CharField(_("责任人"), max_length=30, blank=True)
    responsible_phone = models.CharField(_("责任人电话"), max_length=20, blank=True)
    # The level of its latest assessment (denormalised for the area's risk database and the map).
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("辨识人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collected_at = models.DateTimeField(_("辨识时间"))
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["enterprise", "name"]
        indexes = [
            models.Index(
                fields=["region", "level"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="risk_point_region_level",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RiskAssessment(models.Model):
    """One assessment of a risk point (re-assessment keeps the history)."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.PROTECT, related_name="assessments"
    )
    method = models.CharField(_("评价方法"), max_length=4, choices=AssessmentMethod.choices)
    likelihood = models.DecimalField(_("L 可能性"), max_digits=5, decimal_places=2)
    exposure = models.DecimalField(_("E 暴露频繁程度"), max_digits=5, decimal_places=2, null=True, blank=True)
    consequence = models.DecimalField(_("C/S 后果严重性"), max_digits=6, decimal_places=2)
    score = models.DecimalField(_("风险值"), max_digits=10, decimal_places=2)
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    # The band set the level was computed with (a later edit of the bands leaves this one alone).
    band_version = models.ForeignKey(
        RiskBandVersion,
        verbose_name=_("分级标准版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("评价时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("风险评价")
        verbose_name_plural = _("风险评价")
        ordering = ["risk_point", "-assessed_at", "-id"]


class AccidentType(models.TextChoices):
    """GB 6441 事故类别 (the 20 categories)."""

    STRUCK = "struck", _("物体打击")
    VEHICLE = "vehicle", _("车辆伤害")
    MACHINERY = "machinery", _("机械伤害")
    LIFTING = "lifting", _("起重伤害")
    ELECTRIC = "electric", _("触电")
    DROWNING = "drowning", _("淹溺")
    BURN = "burn", _("灼烫")
    FIRE = "fire", _("火灾")
    FALL = "fall", _("高处坠落")
    COLLAPSE = "collapse", _("坍塌")
    ROOF_FALL = "roof_fall", _("冒顶片帮")
    FLOODING = "flooding", _("透水")
    BLASTING = "blasting", _("放炮")
    EXPLOSIVE = "explosive", _("火药爆炸")
    GAS_EXPLOSION = "gas_explosion", _("瓦斯爆炸")
    BOILER = "boiler", _("锅炉爆炸")
    VESSEL = "vessel", _("容器爆炸")
    OTHER_EXPLOSION = "other_explosion", _("其他爆炸")
    POISONING = "poisoning", _("中毒和窒息")
    OTHER = "other", _("其他伤害")


class RiskEvent(models.Model):
    """风险事件: what can happen at a risk point (the national model's risk event)."""

    risk_point = models.ForeignKey(RiskPoint, verbose_name=_("风险点"), on_delete=models.PROTECT, related_name="events")
    name = models.CharField(_("风险事件"), max_length=100)
    accident_type = models.CharField(_("事故类型"), max_length=20, choices=AccidentType.choices)
    consequence = models.CharField(_("可能后果"), max_length=200, blank=True)
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("风险事件")
        verbose_name_plural = _("风险事件")
        ordering = ["risk_point", "id"]

    def __str__(self) -> str:
        return self.name


class NationalMeasureKind(models.TextChoices):
    """The four kinds of the national dual-prevention data model (the export mapping)."""

    ENGINEERING = "engineering", _("工程技术")
    MAINTENANCE = "maintenance", _("维护保养")
    OPERATION = "operation", _("操作行为")
    EMERGENCY = "emergency", _("应急措施")


class MeasureKind(models.Model):
    """Kind of control measure as enterprises name them (工程技术、管理、培训教育、个体防护、应急处置 …):
    a table an administrator extends, each row mapped to one of the four national kinds."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    national_kind = models.CharField(_("国家模型类别"), max_length=12, choices=NationalMeasureKind.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Deactivated kinds stay on the measures that carry them; new measures cannot pick them.
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("管控措施类别")
        verbose_name_plural = _("管控措施类别")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class OwningLevel(models.TextChoices):
    """管控层级: who owns a measure."""

    COMPANY = "company", _("公司级")
    WORKSHOP = "workshop", _("车间(部门)级")
    TEAM = "team", _("班组级")
    POST = "post", _("岗位级")


class ControlMeasure(models.Model):
    """管控措施 of a risk event, owned at a level and by a person."""

    event = models.ForeignKey(RiskEvent, verbose_name=_("风险事件"), on_delete=models.PROTECT, related_name="measures")
    kind = models.ForeignKey(MeasureKind, verbose_name=_("措施类别"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("管控措施"), max_length=300)
    owning_level = models.CharField(_("管控层级"), max_length=10, choices=OwningLevel.choices)
    owning_unit = models.CharField(_("责任部门/班组/岗位"), max_length=60, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_name = models.CharField(_("责任人姓名"), max_length=30, blank=True)
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("管控措施")
        verbose_name_plural = _("管控措施")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class InspectionPoint(models.Model):
    """巡检点: a place a worker walks to and checks (QR code on site)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="inspection_points"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.PROTECT, related_name="inspection_points"
    )
    name = models.CharField(_("巡检点名称"), max_length=100)
    place = models.CharField(_("位置"), max_length=100, blank=True)
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("巡检点")
        verbose_name_plural = _("巡检点")
        ordering = ["enterprise", "name"]

    def __str__(self) -> str:
        return self.name


class TaskCycle(models.TextChoices):
    HOUR = "hour", _("每小时")
    SHIFT = "shift", _("每班")
    DAY = "day", _("每天")
    WEEK = "week", _("每周")
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class EvidenceRule(models.TextChoices):
    NONE = "none", _("无需照片")
    PHOTO = "photo", _("拍照留证")
    BEFORE_AFTER = "before_after", _("前后对比照片")


class InspectionTask(models.Model):
    """巡检任务: who checks a control measure at which point, how often, with what evidence."""

    measure = models.ForeignKey(
        ControlMeasure, verbose_name=_("管控措施"), on_delete=models.PROTECT, related_name="tasks"
    )
    point = models.ForeignKey(InspectionPoint, verbose_name=_("巡检点"), on_delete=models.PROTECT, related_name="tasks")
    content = models.CharField(_("检查内容"), max_length=200)
    cycle = models.CharField(_("巡检周期"), max_length=8, choices=TaskCycle.choices)
    evidence = models.CharField(_("留证要求"), max_length=12, choices=EvidenceRule.choices, default=EvidenceRule.NONE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡检人"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"))
    archived = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("巡检任务")
        verbose_name_plural = _("巡检任务")
        ordering = ["point", "id"]

    def __str__(self) -> str:
        return self.content[:40]


class TaskSlot(models.Model):
    """One generated occurrence of a task: the window in which the check is due. A slot without a
    check whose window has ended is overdue (red)."""

    task = models.ForeignKey(InspectionTask, verbose_name=_("巡检任务"), on_delete=models.PROTECT, related_name="slots")
    point = models.ForeignKey(InspectionPoint, verbose_name=_("巡检点"), on_delete=models.PROTECT, related_name="slots")
    due_from = models.DateTimeField(_("应检开始"))
    due_until = models.DateTimeField(_("应检截止"))
    record = models.OneToOneField(
        "PointCheck", verbose_name=_("巡检记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="slot"
    )
    alerted_at = models.DateTimeField(_("超期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("巡检排班")
        verbose_name_plural = _("巡检排班")
        ordering = ["due_from"]
        constraints = [models.UniqueConstraint(fields=["task", "due_from"], name="task_slot_unique")]
        indexes = [models.Index(fields=["point", "due_from"], name="task_slot_point_due")]


class PointCheck(models.Model):
    """巡检记录: one tick of one task at its point (photos are attachments; a failure makes a hazard)."""

    task = models.ForeignKey(
        InspectionTask, verbose_name=_("巡检任务"), on_delete=models.PROTECT, related_name="checks"
    )
    point = models.ForeignKey(
        InspectionPoint, verbose_name=_("巡检点"), on_delete=models.PROTECT, related_name="checks"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("是否正常"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡检人"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("巡检时间"))
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("生成隐患"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("巡检记录")
        verbose_name_plural = _("巡检记录")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.point} {self.checked_at:%Y-%m-%d %H:%M}"


class SitePlan(models.Model):
    """厂区平面图 of an enterprise, on which zones are drawn for the four-colour map (四色图)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="site_plans"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=60)
    image = models.ForeignKey(
        "core.Attachment", verbose_name=_("平面图"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    width = models.PositiveIntegerField(_("宽(像素)"))
    height = models.PositiveIntegerField(_("高(像素)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("四色图")
        verbose_name_plural = _("四色图")
        ordering = ["enterprise", "-id"]

    def __str__(self) -> str:
        return self.title


class RiskZone(models.Model):
    """A zone drawn on a site plan: a polygon in plan coordinates (fractions 0–1 of width and
    height), coloured by the highest level of its risk points."""

    plan = models.ForeignKey(SitePlan, verbose_name=_("四色图"), on_delete=models.PROTECT, related_name="zones")
    name = models.CharField(_("区域名称"), max_length=60)
    polygon = models.JSONField(_("区域边界"))
    risk_points = models.ManyToManyField(RiskPoint, verbose_name=_("风险点"), related_name="zones", blank=True)
    archived = models.BooleanField(_("已归档"), default=False)

    class Meta:
        verbose_name = _("风险区域")
        verbose_name_plural = _("风险区域")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.name


class RiskReview(models.Model):
    """月度风险自查确认: the enterprise confirms each month that its risk list is current."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="risk_reviews"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"))
    note = models.CharField(_("变化说明"), max_length=500, blank=True)
    # Counts by level at confirmation (a snapshot: the list changes afterwards).
    counts = models.JSONField(_("各等级风险点数"), default=dict)

    class Meta:
        verbose_name = _("月度风险自查")
        verbose_name_plural = _("月度风险自查")
        ordering = ["-month", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "month"], name="risk_review_unique")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class LevelControl(models.Model):
    """Which owning levels control a risk of each level (红 → 公司级, 橙 → 公司/车间级, 黄 → 车间/班组级,
    蓝 → 班组/岗位级 by default; a table, since companies differ)."""

    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices, unique=True)
    owning_levels = models.JSONField(_("管控层级"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("分级管控层级")
        verbose_name_plural = _("分级管控层级")

    def __str__(self) -> str:
        return self.get_level_display()
