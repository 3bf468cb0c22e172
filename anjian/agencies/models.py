"""Service agencies (社会化服务机构) and their contracts with enterprises.

Only what scoping needs lives here for now: an agency user sees the enterprises that hold an
active contract with his agency."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    name = models.CharField(_("机构名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey("core.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")

    def __str__(self) -> str:
        return self.name


class ServiceContract(models.Model):
    agency = models.ForeignKey(Agency, verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="contracts")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="service_contracts"
    )
    scope = models.CharField(_("服务范围"), max_length=200, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        indexes = [models.Index(fields=["agency", "active", "end_date"])]

    def __str__(self) -> str:
        return f"{self.agency} → {self.enterprise}"
