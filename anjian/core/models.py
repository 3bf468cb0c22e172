"""Who and where: the region tree, government departments, users; plus the audit chain."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.roles import AGENCY_ROLES, ENTERPRISE_ROLES, GOVERNMENT_ROLES, Role


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    DISTRICT = 3, _("区县")
    TOWN = 4, _("镇街")
    VILLAGE = 5, _("村社区")
    GRID = 6, _("网格")


class Region(models.Model):
    """A node of the administrative division tree (GB/T 2260 and statistical codes).

    The code is the primary key: scoping is a prefix match on it, so a subtree is
    ``code LIKE 'prefix%'`` and every record that points to a region can be scoped by its
    foreign-key column alone. Grids extend their parent's code.
    """

    code = models.CharField(_("区划代码"), max_length=20, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Optional boundary (GeoJSON geometry) imported from the installation's own file.
    boundary = models.JSONField(_("边界"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Region]:
        """Ancestors from the root down to the parent (one query)."""
        prefixes = [self.code[:n] for n in (2, 4, 6, 9, 12) if n < len(self.code)]
        return list(Region.objects.filter(code__in=prefixes).order_by("code"))

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in self.ancestors() if r.level >= RegionLevel.DISTRICT) + self.name


class Department(models.Model):
    """A government department (应急管理局, 教育局 ...). A department officer sees only its sector:
    the enterprises whose industry code starts with one of ``industry_prefixes`` or whose venue type
    is in ``venue_types``. A department with neither (the emergency management bureau, which
    supervises comprehensively) sees every enterprise of its officers' regions."""

    code = models.CharField(_("部门代码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    industry_prefixes = models.JSONField(_("监管行业代码前缀"), default=list, blank=True)
    venue_types = models.JSONField(_("监管场所类型"), default=list, blank=True)

    class Meta:
        verbose_name = _("监管部门")
        verbose_name_plural = _("监管部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_comprehensive(self) -> bool:
        return not self.industry_prefixes and not self.venue_types


class User(AbstractUser):
    """An account. Government users hang on a region (+ department); enterprise users on one
    enterprise; agency users on one agency. Frontline persons need no account at all."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.PENDING)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("所属服务机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN or self.is_superuser

    @property
    def is_government(self) -> bool:
        return self.role in GOVERNMENT_ROLES

    @property
    def is_enterprise_user(self) -> bool:
        return self.role in ENTERPRISE_ROLES

    @property
    def is_agency_user(self) -> bool:
        return self.role in AGENCY_ROLES


class ApiToken(models.Model):
    """A bearer token for the REST API. Only the digest of the key is stored."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(_("令牌摘要"), max_length=128, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最后使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")


class AuditEntry(models.Model):
    """One append-only, hash-chained audit entry (留痕). Never updated, never deleted."""

    seq = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    action = models.CharField(_("操作"), max_length=40)
    model = models.CharField(_("对象类型"), max_length=80)
    object_id = models.CharField(_("对象ID"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    # The chain this entry belongs to (``anjian.core.audit.partition_of``): its enterprise, else
    # its district, else the platform; "" is the single chain written before partitions existed.
    partition = models.CharField(_("分区"), max_length=64, default="", blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=128)
    hash = models.CharField(_("哈希"), max_length=128, unique=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            models.Index(fields=["model", "object_id", "seq"]),
            models.Index(fields=["partition", "seq"]),
        ]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditChainHead(models.Model):
    """The last entry of one partition of the audit chain. Its row is locked while an entry is
    appended to that partition, so a partition never forks while other partitions append freely."""

    id = models.BigAutoField(primary_key=True)
    partition = models.CharField(max_length=64, unique=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=128, default="0" * 64)


class WorkflowTransition(models.Model):
    """One move of a record through its workflow (流转记录), for stateful models without a log
    table of their own (``anjian.core.workflow``). Never updated, never deleted."""

    model = models.CharField(_("对象类型"), max_length=80)
    object_id = models.CharField(_("对象ID"), max_length=64)
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["model", "object_id", "at"], name="workflow_transition_object")]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise RuntimeError("transition rows are append-only")
        super().save(*args, **kwargs)


# --- Attachments and the inbox ----------------------------------------------------------------


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    FILE = "file", _("文件")


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """``attachments/YYYY/MM/DD/<uuid><ext>``: the user's file name never reaches the storage.

    Only the extension of ``filename`` is kept; the attachment service passes one derived from
    the detected content type."""
    import os
    import uuid

    from django.utils import timezone

    ext = os.path.splitext(filename)[1].lower()
    if not ext[1:].isalnum() or len(ext) > 6:
        ext = ""
    return f"attachments/{timezone.localdate():%Y/%m/%d}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    """A file or an on-the-spot photo attached to any record (the owner, named by model label and
    primary key like audit entries, so any model can own attachments without a foreign key).
    Attachments are evidence: never deleted, only archived."""

    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("文件摘要"), max_length=128, db_index=True)
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.FILE)
    owner_model = models.CharField(_("所属对象类型"), max_length=80)
    owner_id = models.CharField(_("所属对象ID"), max_length=64)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    lng = models.FloatField(_("拍摄经度"), null=True, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(
        User, verbose_name=_("归档人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["owner_model", "owner_id", "uploaded_at"], name="attachment_owner")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_photo(self) -> bool:
        return self.kind == AttachmentKind.PHOTO

    @property
    def is_image(self) -> bool:
        """Whether a browser can show it inline (HEIC cannot)."""
        return self.content_type in {"image/jpeg", "image/png", "image/gif", "image/webp"}


class NotificationLevel(models.TextChoices):
    INFO = "info", _("通知")
    WARNING = "warning", _("提醒")
    DANGER = "danger", _("紧急")


class Notification(models.Model):
    """One message in a user's inbox. ``channels`` records what each outside sender did with it
    (``{"webhook": {"status": "sent", "at": ...}, "sms": {...}}``) so a rerun sends nothing twice."""

    recipient = models.ForeignKey(
        User, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    level = models.CharField(
        _("级别"), max_length=10, choices=NotificationLevel.choices, default=NotificationLevel.INFO
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # The rows written by one notify() call share a batch: a group robot gets one message per batch.
    batch = models.UUIDField(_("批次"), db_index=True)
    channels = models.JSONField(_("外发结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("收件箱消息")
        verbose_name_plural = _("收件箱消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class PhoneCode(models.Model):
    """A one-time SMS code proving that a user holds a phone number (e.g. before binding to the
    enterprise that pre-registered it). Only a digest of the code is stored."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("手机号"), max_length=20)
    purpose = models.CharField(_("用途"), max_length=30)
    code_digest = models.CharField(_("验证码摘要"), max_length=128)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["user", "purpose", "-created_at"])]
