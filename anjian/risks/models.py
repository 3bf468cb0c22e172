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


class RiskBand(models.Model):
    """One band of a method's score: ``lower < score <= upper`` (half-open, both bounds stated, so
    every score, a boundary included, falls in exactly one band). Provinces differ: data, not code."""

    method = models.CharField(_("评价方法"), max_length=4, choices=AssessmentMethod.choices)
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    lower = models.DecimalField(_("下限(不含)"), max_digits=8, decimal_places=2)
    upper = models.DecimalField(_("上限(含)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("风险分级标准")
        verbose_name_plural = _("风险分级标准")
        ordering = ["method", "lower"]
        constraints = [models.UniqueConstraint(fields=["method", "level"], name="risk_band_unique")]

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
