"""Attachments: upload checks by content, SHA-256, storage, scoped download, page components.

Any record can own attachments (named by model label and primary key, like audit entries). A
domain service adds one with::

    from anjian.core.attachments import attachment_add

    attachment_add(actor=user, owner=hazard, upload=request.FILES["photo"], kind="photo", lat=..., lng=...)

Forms use :class:`AttachmentField` and the API :func:`validate_upload`, so every door applies the
same check: size limit, type detected from the bytes (never from the name or the browser's
claim), and an extension that matches the content. A detail page shows the list and the upload
form with ``{% include "components/attachments.html" with box=attachments %}`` where
``attachments = attachment_box(obj, request.user)``.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from anjian.core import audit
from anjian.core.crypto import digest_chunks
from anjian.core.models import Attachment, AttachmentKind, User
from anjian.core.scoping import CHANGE, VIEW, restrict, scope_spec

# --- What may be uploaded -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first one names the stored file
    label: Any
    image: bool = False  # acceptable as a photo
    inline: bool = False  # a browser may show it in the page


FILE_TYPES: dict[str, FileType] = {
    t.content_type: t
    for t in [
        FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG", image=True, inline=True),
        FileType("image/png", (".png",), "PNG", image=True, inline=True),
        FileType("image/gif", (".gif",), "GIF", image=True, inline=True),
        FileType("image/webp", (".webp",), "WEBP", image=True, inline=True),
        FileType("image/heic", (".heic", ".heif"), "HEIC", image=True),
        FileType("image/heif", (".heif", ".heic"), "HEIF", image=True),
        FileType("application/pdf", (".pdf",), "PDF"),
        FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel (xlsx)"),
        FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word (docx)"),
        FileType("text/plain", (".txt",), gettext_lazy("纯文本")),
        FileType("text/csv", (".csv",), gettext_lazy("CSV 文本")),
    ]
}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}
MAX_NAME_LENGTH = 200

PHOTO_ACCEPT = ",".join([t.content_type for t in FILE_TYPES.values() if t.image] + [".heic", ".heif"])
FILE_ACCEPT = ",".join(sorted({ext for t in FILE_TYPES.values() for ext in t.extensions}))


def accept_for(kind: str | None) -> str:
    """The ``accept`` attribute of a file input for that kind of attachment."""
    return PHOTO_ACCEPT if kind == AttachmentKind.PHOTO else FILE_ACCEPT


def _read_head(upload, size: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head or b""


def _sniff_ooxml(upload) -> str | None:
    """A Word or Excel file is a zip holding ``[Content_Types].xml`` and its main part."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(_("不接受含宏的 Office 文件。"), code="macro")
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def sniff_content_type(upload) -> str | None:
    """The type of a binary file from its first bytes (magic numbers), or None."""
    head = _read_head(upload)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        major = head[8:12]
        box_size = int.from_bytes(head[:4], "big")
        compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
        if major in HEIC_BRANDS:
            return "image/heic"
        if major in HEIF_BRANDS:
            return "image/heic" if compatible & HEIC_BRANDS else "image/heif"
        return None  # MP4, MOV, AVIF ...: not accepted
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(upload)
    return None


def _is_utf8_text(upload) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def clean_original_name(name: str) -> str:
    """The user's file name, for showing and downloading only: no path, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str  # for the stored file's name
    kind: str
    original_name: str
    size: int


def validate_upload(upload, *, kind: str | None = None) -> CheckedUpload:
    """Check an uploaded file (Django ``UploadedFile``); raise a translated ValidationError.

    ``kind="photo"`` accepts images only; ``kind=None`` derives the kind from the content."""
    if upload is None:
        raise ValidationError(_("请选择文件。"), code="required")
    if kind is not None and kind not in AttachmentKind.values:
        raise ValueError(f"unknown attachment kind {kind!r}")
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size <= 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），单个文件不能超过 %(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    original_name = clean_original_name(getattr(upload, "name", ""))
    ext = os.path.splitext(original_name)[1].lower()
    if not ext:
        raise ValidationError(_("文件名缺少扩展名（如 .jpg、.pdf）。"), code="no_extension")
    detected = sniff_content_type(upload)
    if detected is None and ext in TEXT_TYPES:
        if not _is_utf8_text(upload):
            raise ValidationError(_("文本文件（.txt、.csv）须为 UTF-8 编码的纯文本。"), code="not_utf8")
        detected = TEXT_TYPES[ext]
    if detected is None:
        raise ValidationError(
            _(
                "不支持此文件类型。可上传照片（JPEG、PNG、GIF、WEBP、HEIC）、PDF、Excel（.xlsx）、"
                "Word（.docx）或 UTF-8 文本（.txt、.csv）。"
            ),
            code="unsupported",
        )
    file_type = FILE_TYPES[detected]
    if ext not in file_type.extensions:
        raise ValidationError(
            _("文件内容是 %(type)s，与扩展名“%(ext)s”不符。") % {"type": file_type.label, "ext": ext},
            code="extension_mismatch",
        )
    if kind == AttachmentKind.PHOTO and not file_type.image:
        raise ValidationError(_("请上传照片（JPEG、PNG、GIF、WEBP 或 HEIC）。"), code="not_photo")
    if kind is None:
        kind = AttachmentKind.PHOTO if file_type.image else AttachmentKind.FILE
    return CheckedUpload(
        content_type=detected, extension=ext, kind=kind, original_name=original_name or f"file{ext}", size=size
    )


def validate_attachment(upload) -> None:
    """A field validator (``validators=[validate_attachment]``) applying the upload check."""
    validate_upload(upload)


def validate_photo(upload) -> None:
    validate_upload(upload, kind=AttachmentKind.PHOTO)


# Forms are declared at import time: the help text is rendered later, in the reader's language.
_size_help = lazy(lambda: _("单个文件不超过 %(limit)s") % {"limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}, str)


class AttachmentField(forms.FileField):
    """A form field running the same check as the service; ``kind="photo"`` opens the camera."""

    def __init__(self, *, kind: str | None = None, **kwargs: Any) -> None:
        self.kind = kind
        attrs = {"accept": accept_for(kind)}
        if kind == AttachmentKind.PHOTO:
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs=attrs))
        kwargs.setdefault("help_text", _size_help())
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            validate_upload(upload, kind=self.kind)
        return upload


def _validate_position(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise ValidationError(_("经纬度须同时提供。"), code="position")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("经纬度超出范围。"), code="position")


# --- Services -----------------------------------------------------------------------------------


def owner_label(owner: models.Model | type[models.Model]) -> str:
    return owner._meta.label_lower


def _owner_in_scope(actor, owner: models.Model, action: str) -> bool:
    """Whether ``actor`` may see (``action``) the owner; True for models without a scope."""
    model = type(owner)
    try:
        scope_spec(model)
    except LookupError:
        return True
    return restrict(model._default_manager.filter(pk=owner.pk), actor, action).exists()


@transaction.atomic
def attachment_add(
    *,
    actor: User | None,
    owner: models.Model,
    upload,
    kind: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    taken_at=None,
) -> Attachment:
    """Check, hash and store an uploaded file as an attachment of ``owner``; audit it on the owner.

    ``actor`` must see the owner (when the owner's model has a scope); ``actor=None`` is the
    system (imports, jobs). ``kind``: "photo" (images only) or "file"; None derives it from the
    content. ``lat``/``lng``/``taken_at``: where and when a photo was taken on the spot."""
    if owner.pk is None:
        raise ValueError("the owner must be saved before attaching files")
    checked = validate_upload(upload, kind=kind)
    _validate_position(lat, lng)
    if actor is not None and not _owner_in_scope(actor, owner, VIEW):
        raise PermissionDenied
    sha = digest_chunks(upload.chunks())
    attachment = Attachment(
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=sha,
        kind=checked.kind,
        owner_model=owner_label(owner),
        owner_id=str(owner.pk),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        lat=lat,
        lng=lng,
        taken_at=taken_at,
    )
    # The storage name is date + uuid + the extension of the *detected* type (see upload_to).
    attachment.file.save(f"upload{FILE_TYPES[checked.content_type].extensions[0]}", upload, save=False)
    attachment.save()
    changes: dict[str, Any] = {
        "attachment": [None, attachment.original_name],
        "attachment_id": [None, attachment.pk],
        "sha256": [None, sha],
        "size": [None, attachment.size],
        "content_type": [None, attachment.content_type],
    }
    if lat is not None:
        changes["position"] = [None, [lat, lng]]
    audit.record(actor=actor, action="attachment_add", instance=owner, changes=changes)
    return attachment


@transaction.atomic
def attachment_archive(*, actor: User | None, attachment: Attachment) -> Attachment:
    """Hide an attachment from lists. Files are evidence: nothing is ever deleted."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.archived_at is not None:
        return attachment
    owner = attachment_owner(attachment)
    if actor is not None and owner is not None and not _owner_in_scope(actor, owner, CHANGE):
        raise PermissionDenied
    attachment.archived_at = timezone.now()
    attachment.archived_by = actor if getattr(actor, "pk", None) else None
    attachment.save(update_fields=["archived_at", "archived_by"])
    audit.record(
        actor=actor,
        action="attachment_archive",
        instance=owner if owner is not None else attachment,
        changes={"attachment": [attachment.original_name, None], "attachment_id": [attachment.pk, None]},
    )
    return attachment


# --- Selectors ----------------------------------------------------------------------------------


def attachments_for(owner: models.Model, *, include_archived: bool = False) -> QuerySet[Attachment]:
    """The attachments of one record, oldest first. Callers have already scoped the owner."""
    qs = Attachment.objects.filter(owner_model=owner_label(owner), owner_id=str(owner.pk)).select_related("uploaded_by")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.order_by("uploaded_at", "id")


def owner_model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def attachment_owner(attachment: Attachment) -> models.Model | None:
    model = owner_model(attachment.owner_model)
    if model is None:
        return None
    return model._default_manager.filter(pk=attachment.owner_id).first()


def scoped_owner(label: str, owner_id: str, user, action: str = VIEW) -> models.Model | None:
    """The owner record if ``user`` may ``action`` it, else None. Models without a scope: None
    (a download must never bypass scoping because a model forgot to register one)."""
    model = owner_model(label)
    if model is None:
        return None
    try:
        qs = restrict(model._default_manager.all(), user, action)
    except LookupError:
        return None
    try:
        return qs.filter(pk=owner_id).first()
    except (ValueError, ValidationError):
        return None


@dataclass
class AttachmentBox:
    """What ``components/attachments.html`` renders for one owner."""

    owner_label: str
    owner_id: str
    items: list[Attachment]
    can_upload: bool
    kind: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"attachments-{self.owner_label.replace('.', '-')}-{self.owner_id}"

    @property
    def accept(self) -> str:
        return accept_for(self.kind)

    @property
    def photos(self) -> list[Attachment]:
        return [a for a in self.items if a.is_image]

    @property
    def files(self) -> list[Attachment]:
        return [a for a in self.items if not a.is_image]

    @property
    def max_bytes(self) -> int:
        return settings.ATTACHMENT_MAX_BYTES


def attachment_box(
    owner: models.Model, user, *, kind: str | None = None, can_upload: bool | None = None
) -> AttachmentBox:
    """The component's data for a detail page. ``can_upload`` defaults to "may change the owner"."""
    if can_upload is None:
        can_upload = _owner_in_scope(user, owner, CHANGE) if getattr(user, "is_authenticated", False) else False
    return AttachmentBox(
        owner_label=owner_label(owner),
        owner_id=str(owner.pk),
        items=list(attachments_for(owner)),
        can_upload=can_upload,
        kind=kind,
    )


# --- Views --------------------------------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a file to a user who may see its owner; 404 otherwise (same as missing)."""
    return attachment_response(pk, request.user, download=bool(request.GET.get("download")))


def attachment_response(pk, user, *, download: bool = False) -> FileResponse:
    """The file of attachment ``pk`` for ``user`` (pages and the API alike); Http404 when it is
    missing or its owner is out of the user's scope."""
    attachment = Attachment.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if attachment is None or scoped_owner(attachment.owner_model, attachment.owner_id, user, VIEW) is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    file_type = FILE_TYPES.get(attachment.content_type)
    inline = file_type is not None and file_type.inline and not download
    content_type = attachment.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class AttachmentUploadForm(forms.Form):
    owner = forms.CharField(max_length=80)
    owner_id = forms.CharField(max_length=64)
    kind = forms.ChoiceField(choices=[("", "")] + AttachmentKind.choices, required=False)
    file = forms.FileField()
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)


@login_required
@require_POST
def attachment_upload(request: HttpRequest) -> HttpResponse:
    """The generic upload door behind ``components/attachments_upload.html``: adds one file to a
    record the user may change. An htmx request gets the refreshed component back."""
    form = AttachmentUploadForm(request.POST, request.FILES)
    label, owner_id = request.POST.get("owner", ""), request.POST.get("owner_id", "")
    owner = scoped_owner(label, owner_id, request.user, CHANGE) if label and owner_id else None
    if owner is None:
        raise Http404
    errors: list[str] = []
    kind = request.POST.get("kind") or None
    if form.is_valid():
        kind = form.cleaned_data["kind"] or None
        try:
            attachment = attachment_add(
                actor=request.user,
                owner=owner,
                upload=form.cleaned_data["file"],
                kind=kind,
                lat=form.cleaned_data["lat"],
                lng=form.cleaned_data["lng"],
                taken_at=timezone.now() if kind == AttachmentKind.PHOTO else None,
            )
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            if not request.htmx:
                messages.success(request, _("已上传：%(name)s") % {"name": attachment.original_name})
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
    if request.htmx:
        box = attachment_box(owner, request.user, kind=kind, can_upload=True)
        box.errors = errors
        return render(request, "components/attachments.html", {"box": box})
    for error in errors:
        messages.error(request, error)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return HttpResponseRedirect(target)
