"""Attachments: checks by content, hashing, storage, audit, scoped download, components."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from anjian.core import audit
from anjian.core.attachments import (
    AttachmentField,
    attachment_add,
    attachment_archive,
    attachment_box,
    attachments_for,
    validate_upload,
)
from anjian.core.models import Attachment, AuditEntry
from anjian.core.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00;"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
HEIF_MIF1 = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1miaf" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def ooxml(main_part: str, *, macro: bool = False, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<root/>")
        if macro:
            archive.writestr("xl/vbaProject.bin", b"\x00\x01")
    return buffer.getvalue()


def real_xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "隐患"
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The browser's content type is deliberately wrong in most tests: it must be ignored.
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- validate_upload ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected", "kind"),
    [
        ("现场.jpg", JPEG, "image/jpeg", "photo"),
        ("a.JPEG", JPEG, "image/jpeg", "photo"),
        ("a.png", PNG, "image/png", "photo"),
        ("a.gif", GIF, "image/gif", "photo"),
        ("a.webp", WEBP, "image/webp", "photo"),
        ("IMG_0001.HEIC", HEIC, "image/heic", "photo"),
        ("a.heif", HEIF_MIF1, "image/heif", "photo"),
        ("整改报告.pdf", PDF, "application/pdf", "file"),
        (
            "台账.xlsx",
            ooxml("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "file",
        ),
        ("台账.xlsx", real_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "file"),
        (
            "制度.docx",
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "file",
        ),
        ("说明.txt", "安全第一，预防为主".encode(), "text/plain", "file"),
        ("名单.csv", "姓名,手机\n张三,13900000000\n".encode(), "text/csv", "file"),
    ],
)
def test_accepted_types_are_detected_from_content(name, content, expected, kind):
    checked = validate_upload(upload(name, content, "text/html"))
    assert checked.content_type == expected
    assert checked.kind == kind
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("scan.pdf", PNG, "extension_mismatch"),  # a PNG renamed .pdf
        ("photo.png", JPEG, "extension_mismatch"),
        ("photo.jpg", EXE, "unsupported"),  # an EXE with a .jpg name
        ("photo.jpg", HTML, "unsupported"),  # HTML with a .jpg name
        ("page.html", HTML, "unsupported"),
        ("setup.exe", EXE, "unsupported"),
        ("video.mp4", MP4, "unsupported"),
        ("notes.txt", "安全".encode("gbk") + b"\xff\xfe", "not_utf8"),
        ("notes.txt", b"text\x00with nul", "not_utf8"),
        ("archive.zip", ooxml("other.xml"), "unsupported"),
        ("book.xlsx", ooxml("xl/workbook.xml", content_types=False), "unsupported"),
        ("book.xlsx", ooxml("xl/workbook.xml", macro=True), "macro"),
        ("book.docx", ooxml("xl/workbook.xml"), "extension_mismatch"),
        ("noextension", JPEG, "no_extension"),
        ("empty.jpg", b"", "empty"),
    ],
)
def test_refused_uploads(name, content, code):
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, content, "image/jpeg"))
    assert exc.value.code == code
    assert exc.value.messages[0]  # a sentence for the user, in Chinese


def test_mismatch_message_names_the_real_type():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("scan.pdf", PNG))
    assert "PNG" in exc.value.messages[0] and ".pdf" in exc.value.messages[0]


def test_oversize_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    validate_upload(upload("a.pdf", PDF[:10] + b" " * 90))
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.pdf", PDF[:10] + b" " * 91))
    assert exc.value.code == "too_large"
    assert "100" in exc.value.messages[0]


def test_photo_kind_accepts_images_only():
    assert validate_upload(upload("a.png", PNG), kind="photo").kind == "photo"
    assert validate_upload(upload("a.png", PNG), kind="file").kind == "file"
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("a.pdf", PDF), kind="photo")
    assert exc.value.code == "not_photo"


def test_form_field_runs_the_same_check():
    class PhotoForm(forms.Form):
        photo = AttachmentField(kind="photo")

    html = str(PhotoForm()["photo"])
    assert 'capture="environment"' in html and 'accept="image/jpeg' in html
    form = PhotoForm(files={"photo": upload("photo.jpg", HTML)})
    assert not form.is_valid()
    assert "不支持" in form.errors["photo"][0]
    assert PhotoForm(files={"photo": upload("photo.jpg", JPEG)}).is_valid()

    class FileForm(forms.Form):
        document = AttachmentField()

    assert "capture" not in str(FileForm()["document"])


# --- attachment_add -----------------------------------------------------------------------------


def test_add_stores_hashes_and_audits(world):
    owner = world.enterprise_a
    attachment = attachment_add(
        actor=world.grid_inspector_a,
        owner=owner,
        upload=upload("现场照片.png", PNG),
        kind="photo",
        lat=31.45,
        lng=121.1,
    )
    attachment.refresh_from_db()
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.size == len(PNG)
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "现场照片.png"
    assert attachment.owner_model == "enterprises.enterprise" and attachment.owner_id == str(owner.pk)
    assert attachment.uploaded_by == world.grid_inspector_a
    assert (attachment.lat, attachment.lng) == (31.45, 121.1)
    # Stored under a date and a uuid, never under the user's name.
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.png", attachment.file.name)
    with attachment.file.open("rb") as handle:
        assert handle.read() == PNG
    entry = audit.history(owner).first()
    assert entry.action == "attachment_add"
    assert entry.actor == world.grid_inspector_a
    assert entry.changes["sha256"] == [None, attachment.sha256]
    assert entry.changes["attachment_id"] == [None, attachment.pk]
    assert audit.verify_chain().ok


def test_stored_extension_follows_the_content_not_the_name(world):
    attachment = attachment_add(actor=None, owner=world.enterprise_a, upload=upload("photo.JPEG", JPEG))
    assert attachment.file.name.endswith(".jpg")
    assert attachment.kind == "photo"


def test_add_refuses_bad_files_and_writes_nothing(world):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        attachment_add(actor=world.enterprise_admin_a, owner=world.enterprise_a, upload=upload("scan.pdf", PNG))
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.count() == before


def test_add_refuses_an_owner_out_of_the_actors_scope(world):
    with pytest.raises(PermissionDenied):
        attachment_add(actor=world.enterprise_admin_b, owner=world.enterprise_a, upload=upload("a.png", PNG))
    assert not Attachment.objects.exists()


def test_add_checks_the_position(world):
    with pytest.raises(ValidationError):
        attachment_add(actor=None, owner=world.enterprise_a, upload=upload("a.png", PNG), lat=31.4)
    with pytest.raises(ValidationError):
        attachment_add(actor=None, owner=world.enterprise_a, upload=upload("a.png", PNG), lat=95, lng=121)


def test_archive_hides_but_keeps(world):
    attachment = attachment_add(actor=world.enterprise_admin_a, owner=world.enterprise_a, upload=upload("a.pdf", PDF))
    attachment_archive(actor=world.enterprise_admin_a, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.archived_at is not None and attachment.archived_by == world.enterprise_admin_a
    assert list(attachments_for(world.enterprise_a)) == []
    assert list(attachments_for(world.enterprise_a, include_archived=True)) == [attachment]
    assert attachment.file.storage.exists(attachment.file.name)
    assert audit.history(world.enterprise_a).first().action == "attachment_archive"
    # Archiving twice is harmless; an outsider cannot archive.
    attachment_archive(actor=world.enterprise_admin_a, attachment=attachment)
    other = attachment_add(actor=None, owner=world.enterprise_a, upload=upload("b.pdf", PDF))
    with pytest.raises(PermissionDenied):
        attachment_archive(actor=world.enterprise_admin_b, attachment=other)


# --- download -----------------------------------------------------------------------------------


@pytest.fixture
def photo(world):
    return attachment_add(
        actor=world.enterprise_admin_a, owner=world.enterprise_a, upload=upload("现场照片.png", PNG), kind="photo"
    )


@pytest.mark.parametrize(
    "user", ["enterprise_admin_a", "employee_a", "grid_inspector_a", "town_admin_a", "district_admin"]
)
def test_download_in_scope(client, world, photo, user):
    client.force_login(getattr(world, user))
    response = client.get(reverse("core:attachment-download", args=[photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('现场照片.png')}"


@pytest.mark.parametrize("user", ["town_admin_b", "enterprise_admin_b"])
def test_download_out_of_scope_is_404(client, world, photo, user):
    client.force_login(getattr(world, user))
    assert client.get(reverse("core:attachment-download", args=[photo.pk])).status_code == 404


def test_download_needs_login_and_an_existing_id(client, world, photo):
    response = client.get(reverse("core:attachment-download", args=[photo.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(world.platform_admin)
    assert client.get(reverse("core:attachment-download", args=[photo.pk + 1000])).status_code == 404


def test_download_of_an_owner_without_scope_is_404(client, world):
    # A model that registered no scope is never served, not even to the platform admin.
    attachment = attachment_add(actor=None, owner=DepartmentFactory(), upload=upload("a.pdf", PDF))
    client.force_login(world.platform_admin)
    assert client.get(reverse("core:attachment-download", args=[attachment.pk])).status_code == 404


def test_files_are_downloaded_not_shown(client, world):
    attachment = attachment_add(actor=None, owner=world.enterprise_a, upload=upload("整改 报告.pdf", PDF))
    text = attachment_add(actor=None, owner=world.enterprise_a, upload=upload("a.txt", b"<b>hi</b>"))
    client.force_login(world.enterprise_admin_a)
    response = client.get(reverse("core:attachment-download", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert quote("整改 报告.pdf") in response["Content-Disposition"]
    response = client.get(reverse("core:attachment-download", args=[text.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


# --- upload door and components -----------------------------------------------------------------


def _post_upload(client, owner, file, **extra):
    data = {"owner": owner._meta.label_lower, "owner_id": owner.pk, "file": file, "next": "/enterprises/", **extra}
    return client.post(reverse("core:attachment-add"), data, headers={"HX-Request": "true"})


def test_upload_door_htmx_returns_the_component(client, world):
    client.force_login(world.enterprise_admin_a)
    response = _post_upload(client, world.enterprise_a, upload("现场.jpg", JPEG), kind="photo", lat="31.5", lng="121.2")
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    html = response.content.decode()
    assert reverse("core:attachment-download", args=[attachment.pk]) in html and "<img" in html
    assert attachment.kind == "photo" and attachment.lat == 31.5 and attachment.taken_at is not None
    response = _post_upload(client, world.enterprise_a, upload("scan.pdf", PNG))
    assert "与扩展名" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_upload_door_without_htmx_redirects_back(client, world):
    client.force_login(world.enterprise_admin_a)
    url = reverse("core:attachment-add")
    data = {"owner": "enterprises.enterprise", "owner_id": world.enterprise_a.pk, "next": "/enterprises/"}
    response = client.post(url, {**data, "file": upload("a.pdf", PDF)})
    assert response.status_code == 302 and response["Location"] == "/enterprises/"
    response = client.post(url, {**data, "file": upload("a.pdf", PDF), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("user", ["enterprise_admin_b", "town_admin_b", "employee_a"])
def test_upload_door_refuses_who_may_not_change_the_owner(client, world, user):
    client.force_login(getattr(world, user))
    response = _post_upload(client, world.enterprise_a, upload("a.pdf", PDF))
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_upload_door_refuses_unknown_owners(client, world):
    client.force_login(world.platform_admin)
    url = reverse("core:attachment-add")
    for owner, owner_id in [("nope.model", "1"), ("core.department", "1"), ("enterprises.enterprise", "x")]:
        response = client.post(url, {"owner": owner, "owner_id": owner_id, "file": upload("a.pdf", PDF)})
        assert response.status_code == 404


def test_component_lists_photos_and_files(rf, world):
    photo = attachment_add(actor=None, owner=world.enterprise_a, upload=upload("现场.jpg", JPEG))
    report = attachment_add(actor=None, owner=world.enterprise_a, upload=upload("报告.pdf", PDF))
    request = rf.get("/")
    request.user = world.enterprise_admin_a
    box = attachment_box(world.enterprise_a, world.enterprise_admin_a, kind="photo")
    assert box.can_upload and box.photos == [photo] and box.files == [report]
    html = render_to_string("components/attachments.html", {"box": box}, request)
    assert f'<img src="{reverse("core:attachment-download", args=[photo.pk])}"' in html
    assert f"{reverse('core:attachment-download', args=[report.pk])}?download=1" in html
    assert 'capture="environment"' in html and 'accept="image/jpeg' in html
    assert f'id="{box.target}"' in html and f'hx-target="#{box.target}"' in html
    # Who may not change the owner sees the list without the form.
    box = attachment_box(world.enterprise_a, world.employee_a)
    html = render_to_string("components/attachments.html", {"box": box}, request)
    assert "attachment-upload" not in html and "报告.pdf" in html


def test_api_download_is_scoped(client, world, photo):
    from anjian.core.api_auth import api_token_create

    def get(user, pk=photo.pk):
        _token, key = api_token_create(user=user)
        return client.get(reverse("api:attachment-file", args=[pk]), HTTP_AUTHORIZATION=f"Bearer {key}")

    response = get(world.town_admin_a)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    for outsider in (world.town_admin_b, world.enterprise_admin_b):
        response = get(outsider)
        assert response.status_code == 404 and response.json() == {"detail": "未找到"}
    assert get(world.platform_admin, photo.pk + 1000).status_code == 404
    assert client.get(reverse("api:attachment-file", args=[photo.pk])).status_code == 401
