"""Hazards (隐患): the one closed loop of the platform, with its configurable tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HazardCategory(models.Model):
    """Configurable two-level category: basic management vs on-site, then equipment, electrical …"""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    rank = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Deactivated categories stay on the hazards that carry them; new hazards cannot pick them.
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("隐患类别")
        verbose_name_plural = _("隐患类别")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class MajorHazardCriterion(models.Model):
    """One situation of a major-hazard standard (e.g. 应急管理部令第10号 for 工贸 enterprises).
    Picking one on a hazard makes it major; the table can follow new rules without code."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    standard = models.CharField(_("依据"), max_length=100)
    field = models.CharField(_("适用行业/领域"), max_length=60)
    text = models.TextField(_("判定情形"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("重大隐患判定标准")
        verbose_name_plural = _("重大隐患判定标准")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class HazardSource(models.TextChoices):
    SELF_CHECK = "self_check", _("企业自查")
    PATROL = "patrol", _("网格巡查")
    DEPARTMENT = "department", _("部门检查")
    AGENCY = "agency", _("机构检查")
    IOT = "iot", _("物联网报警")
    MEETING = "meeting", _("班前会")
    PUBLIC = "public", _("群众举报")


# Sources whose findings government verifies on re-check (复查).
GOVERNMENT_SOURCES = frozenset({HazardSource.PATROL, HazardSource.DEPARTMENT})


class HazardStatus(models.TextChoices):
    REPORTED = "reported", _("待分派")
    ASSIGNED = "assigned", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATUSES = (HazardStatus.REPORTED, HazardStatus.ASSIGNED, HazardStatus.SUBMITTED)


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("未升级")
    GRID = 1, _("网格")
    TOWN = 2, _("镇街")
    DISTRICT = 3, _("区县")


class Hazard(models.Model):
    # Single-column FK indexes are off where a composite index below leads with the column: every
    # index is rewritten when the daily sweep re-ranks the open hazards.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="hazards",
        db_index=False,
    )
    # Denormalised from the enterprise at report time and kept in step when it moves, so area lists
    # and statistics filter one table by a code prefix.
    region = models.ForeignKey(
        "core.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    place = models.CharField(_("隐患部位"), max_length=100)
    category = models.ForeignKey(HazardCategory, verbose_name=_("隐患类别"), on_delete=models.PROTECT, db_index=False)
    description = models.TextField(_("隐患描述"))
    level = models.CharField(_("隐患等级"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    suggested_level = models.CharField(
        _("建议等级"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    source = models.CharField(_("来源"), max_length=12, choices=HazardSource.choices)
    status = models.CharField(_("状态"), max_length=10, choices=HazardStatus.choices, default=HazardStatus.REPORTED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发现人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reporter_name = models.CharField(_("发现人姓名"), max_length=50, blank=True)
    reported_at = models.DateTimeField(_("发现时间"), db_index=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)

    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整改责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_hazards",
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    criteria = models.ManyToManyField(
        MajorHazardCriterion, verbose_name=_("重大隐患判定依据"), blank=True, related_name="hazards"
    )

    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    cost = models.DecimalField(_("整改资金(元)"), max_digits=12, decimal_places=2, null=True, blank=True)

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    overdue = models.BooleanField(_("已逾期"), default=False)
    escalation_level = models.PositiveSmallIntegerField(
        _("升级层级"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    joint_rectification = models.BooleanField(_("联合整治"), default=False)
    supervised = models.BooleanField(_("挂牌督办"), default=False)
    repeated = models.BooleanField(_("反复出现"), default=False)
    predecessors = models.ManyToManyField(
        "self", verbose_name=_("此前同类隐患"), symmetrical=False, blank=True, related_name="successors"
    )
    # 一线三排: higher first; recomputed on every transition and by the daily sweep.
    priority = models.IntegerField(_("优先级"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=0)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患清单")
        ordering = ["-priority", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "status", "-priority"], name="hazard_enterprise_status"),
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline"),
            models.Index(fields=["enterprise", "place", "category", "reported_at"], name="hazard_repeat_lookup"),
            # Area prefix scans (LIKE '3205%') need the pattern operator class outside the C collation;
            # the included columns let statistics and tiles run from the index alone (PostgreSQL).
            models.Index(
                fields=["region", "reported_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                include=[
                    "id",
                    "status",
                    "overdue",
                    "level",
                    "repeated",
                    "deadline",
                    "closed_at",
                    "enterprise",
                    "category",
                ],
                name="hazard_stats_region",
            ),
            models.Index(
                fields=["region"],
                opclasses=["varchar_pattern_ops"],
                include=["id", "overdue", "level", "supervised"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="hazard_open_region",
            ),
            models.Index(
                fields=["-priority", "-id"], condition=models.Q(status__in=OPEN_STATUSES), name="hazard_open_priority"
            ),
            models.Index(
                fields=["closed_at"],
                include=["region"],
                condition=models.Q(status="closed"),
                name="hazard_closed_region",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.place} · {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def government_found(self) -> bool:
        return self.source in GOVERNMENT_SOURCES


class GovernancePlan(models.Model):
    """治理方案 of a major hazard (DOMAIN §3): required before a major hazard is assigned."""

    hazard = models.OneToOneField(Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="plan")
    goal = models.TextField(_("治理目标和任务"))
    measures = models.TextField(_("采取的方法和措施"))
    funds_and_materials = models.TextField(_("经费和物资落实"))
    people = models.TextField(_("负责治理的机构和人员"))
    deadline = models.DateField(_("治理时限"))
    interim_measures = models.TextField(_("治理期间的安全措施和应急预案"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重大隐患治理方案")
        verbose_name_plural = _("重大隐患治理方案")


class HazardTransition(models.Model):
    """One step of a hazard's life (留痕): who, when, where, what. Evidence photos of a step are
    attachments owned by this row. Never updated, never deleted."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="transitions", db_index=False
    )
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("时间"))
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["hazard", "at"], name="hazard_transition_hazard")]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class EscalationStep(models.Model):
    """逾期升级: a hazard overdue by at least ``days_overdue`` days goes up to ``level``. A row
    without region is the default; a row with a district overrides that level in the district."""

    region = models.ForeignKey(
        "core.Region", verbose_name=_("适用区县"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("升级到"), choices=EscalationLevel.choices)
    days_overdue = models.PositiveSmallIntegerField(_("逾期天数"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("逾期升级规则")
        verbose_name_plural = _("逾期升级规则")
        ordering = ["region", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["level"], condition=models.Q(region__isnull=True), name="escalation_step_default_unique"
            ),
            models.UniqueConstraint(fields=["region", "level"], name="escalation_step_region_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.days_overdue}"


class HazardPolicy(models.Model):
    """Per-enterprise settings of the loop (DOMAIN §3 marks them configurable). An enterprise
    without a row uses the defaults."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="hazard_policy"
    )
    allow_close_on_spot = models.BooleanField(_("允许一般隐患立查立改直接销号"), default=True)
    repeat_window_days = models.PositiveSmallIntegerField(_("反复出现判定天数"), default=90)

    class Meta:
        verbose_name = _("隐患治理设置")
        verbose_name_plural = _("隐患治理设置")
