from django.db import models


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "待审批"
    APPROVED = "approved", "已批准"
    CLOSED = "closed", "已关闭"


class WorkOrder(models.Model):
    """A small stateful record of an enterprise: draft → approved (government) → closed (enterprise)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name="区划", on_delete=models.PROTECT)
    title = models.CharField("标题", max_length=50)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    approval_note = models.CharField("审批意见", max_length=200, blank=True)
    closing_note = models.CharField("关闭说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"

    def __str__(self) -> str:
        return self.title
