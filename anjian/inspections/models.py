"""Inspections (检查 / 体检卡): versioned checklists, runs of them, patrol rules, monthly reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SELF_CHECK = "self_check", _("企业自查")
    GRID_PATROL = "grid_patrol", _("网格巡查")
    TOWN_PATROL = "town_patrol", _("镇街督查")
    DEPARTMENT = "department", _("部门检查")
    AGENCY = "agency", _("机构检查")


class ChecklistTemplate(models.Model):
    """A checklist (体检卡). Owned by the platform library (no owner), a government region (for its
    subtree), or one enterprise (for itself). Items live in versions: editing publishes a new one."""

    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    owner_region = models.ForeignKey(
        "core.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_templates",
    )
    # Where it applies; empty lists mean "any".
    industry_prefixes = models.JSONField(_("适用行业代码前缀"), default=list, blank=True)
    venue_types = models.JSONField(_("适用场所类型"), default=list, blank=True)
    risk_tags = models.JSONField(_("适用风险类型(标签)"), default=list, blank=True)
    kinds = models.JSONField(_("适用检查类型"), default=list, blank=True)
    library_code = models.CharField(_("标准库编号"), max_length=40, blank=True, db_index=True)
    active = models.BooleanField(_("启用"), default=True)
    current_version = models.ForeignKey(
        "ChecklistVersion",
        verbose_name=_("当前版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("体检卡")
        verbose_name_plural = _("体检卡模板")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ChecklistVersion(models.Model):
    """One published, frozen version of a template: past inspections keep the version they used."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("体检卡"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
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
        verbose_name = _("体检卡版本")
        verbose_name_plural = _("体检卡版本")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="checklist_version_unique")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class AnswerType(models.TextChoices):
    CHECK = "check", _("合格/不合格/不适用")
    NUMBER = "number", _("数值")
    PHOTO = "photo", _("拍照")


class ChecklistItem(models.Model):
    checklist_version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("体检卡版本"), on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("检查内容"))
    clause = models.CharField(_("依据条款"), max_length=200, blank=True)
    category = models.ForeignKey(
        "hazards.HazardCategory", verbose_name=_("隐患类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    answer_type = models.CharField(_("答案类型"), max_length=10, choices=AnswerType.choices, default=AnswerType.CHECK)
    min_value = models.DecimalField(_("下限"), max_digits=12, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("上限"), max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    photo_required = models.BooleanField(_("须拍照"), default=False)
    major_criterion = models.ForeignKey(
        "hazards.MajorHazardCriterion",
        verbose_name=_("不合格即重大隐患(判定依据)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["checklist_version", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:40]}"


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("进行中")
    SUBMITTED = "submitted", _("已提交")


class Inspection(models.Model):
    """One run of a checklist at an enterprise, by someone, at a time and place."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="inspections"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    checklist_version = models.ForeignKey(ChecklistVersion, verbose_name=_("体检卡版本"), on_delete=models.PROTECT)
    kind = models.CharField(_("检查类型"), max_length=12, choices=InspectionKind.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), on_delete=models.PROTECT, related_name="inspections"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    started_at = models.DateTimeField(_("开始时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    signed_by = models.CharField(_("签名人"), max_length=50, blank=True)
    passed = models.PositiveIntegerField(_("合格"), default=0)
    failed = models.PositiveIntegerField(_("不合格"), default=0)
    not_applicable = models.PositiveIntegerField(_("不适用"), default=0)
    summary = models.TextField(_("检查结论"), blank=True)

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "kind", "status", "-submitted_at"], name="inspection_coverage"),
            models.Index(
                fields=["region", "submitted_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="inspection_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()} · {self.started_at:%Y-%m-%d}"


class AnswerResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class InspectionAnswer(models.Model):
    """The answer to one item; photos are attachments owned by the answer. A failed item becomes a
    hazard (``hazard``; the hazard points back through ``inspection_answer``)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查记录"), on_delete=models.PROTECT, related_name="answers"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=4, choices=AnswerResult.choices, blank=True)
    number_value = models.DecimalField(_("数值"), max_digits=12, decimal_places=3, null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    answered_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("形成的隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_answer",
    )

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection", "item__position"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_answer_unique")]


class PatrolRule(models.Model):
    """Who must visit whom how often (巡查计划). The rule of the longest matching region prefix wins;
    a rule without region is the default. ``use_class_cycle`` follows the enterprise's supervision
    class (A/B/C/D) cycle instead of ``interval_days``."""

    region = models.ForeignKey(
        "core.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("检查类型"), max_length=12, choices=InspectionKind.choices)
    interval_days = models.PositiveSmallIntegerField(_("周期(天)"))
    use_class_cycle = models.BooleanField(_("按监管类别周期"), default=False)

    class Meta:
        verbose_name = _("巡查计划规则")
        verbose_name_plural = _("巡查计划规则")
        constraints = [models.UniqueConstraint(fields=["region", "kind"], name="patrol_rule_unique")]

    def __str__(self) -> str:
        return f"{self.region or '—'} · {self.get_kind_display()} · {self.interval_days}"


class MonthlyReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class MonthlyReport(models.Model):
    """安全情况报审: an enterprise's monthly safety report, approved or returned by the grid inspector."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="monthly_reports"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MonthlyReportStatus.choices, default=MonthlyReportStatus.DRAFT
    )
    passages = models.TextField(_("主要通道"), blank=True)
    key_equipment = models.TextField(_("重点设备"), blank=True)
    electrical = models.TextField(_("用电情况"), blank=True)
    other = models.TextField(_("其他情况"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("月度安全情况报告")
        verbose_name_plural = _("月度安全情况报告")
        ordering = ["-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "month"], name="monthly_report_unique")]
        indexes = [
            models.Index(
                fields=["region", "month"], opclasses=["varchar_pattern_ops", "date_ops"], name="monthly_report_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.month:%Y-%m}"
