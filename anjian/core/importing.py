"""The generic parts of an Excel (.xlsx) import, shared by every domain's import: reading an upload
safely (size, a real .xlsx by content, a bounded inflated size, a row limit), the data rows keyed
by column, the row report (every problem of every row with its row number and column), and the
upload waiting in storage between the dry run and the session-bound confirmation (and the sweep of
those never confirmed).

A domain's ``importing.py`` declares its columns and its checks and calls its own create services;
its ``import_views.py`` keeps the pending upload with ``PendingUploads``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.exporting import XLSX
from anjian.core.forms import BootstrapMixin

HEADER_FILL = "DDEBF7"  # the templates' header colour
# A .xlsx is a zip; refuse one that inflates to far more than any honest sheet.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
# Uploads waiting for confirmation, of every import (``purge_stale_uploads`` sweeps the folder).
UPLOAD_DIR = "imports"
STALE_UPLOAD_AGE = dt.timedelta(days=1)


class WorkbookError(Exception):
    """The file as a whole cannot be read (wrong type, too big, no header, too many rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_bounded(fileobj: IO[bytes] | bytes) -> bytes:
    """The upload's bytes, refusing an empty file or one over ``ATTACHMENT_MAX_BYTES``."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if isinstance(fileobj, (bytes, bytearray)):
        data = bytes(fileobj)
    else:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
        data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise WorkbookError(_("文件过大：不能超过 %(size)s MB") % {"size": f"{limit / 1024 / 1024:.0f}"})
    if not data:
        raise WorkbookError(_("文件是空的"))
    return data


def check_xlsx(data: bytes) -> None:
    """A real .xlsx by content: a zip archive with the OOXML parts, of a sane inflated size."""
    not_xlsx = _("文件不是有效的Excel（.xlsx）文件，请用Excel或WPS另存为“.xlsx”格式后再上传")
    if not data.startswith(b"PK\x03\x04"):
        raise WorkbookError(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookError(not_xlsx) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError(not_xlsx)
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(_("文件内容过大，请拆分后分批导入"))


def cell_text(value: Any) -> str:
    """A cell as the user typed it: trimmed text, whole floats without ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def row_is_empty(cells: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


def normalise_header(value: Any) -> str:
    """A header cell without spaces and the required-column star."""
    return re.sub(r"[\s*＊]", "", str(value or ""))


@dataclass
class ImportRow:
    number: int  # the row number as Excel shows it
    values: dict[str, Any]  # column key -> raw cell value


def read_rows(
    fileobj: IO[bytes] | bytes,
    *,
    header_to_key: dict[str, str],
    required: dict[str, str],
    sheet_title: str,
    max_rows: int,
) -> list[ImportRow]:
    """The data rows of the sheet named ``sheet_title`` (else the first), keyed by column.

    ``header_to_key`` maps a header (as ``normalise_header`` leaves it) to a column key;
    ``required`` maps the keys that must be present to their header. Empty rows are skipped and
    the row numbers stay those Excel shows. Raises ``WorkbookError`` when the file is unusable."""
    from openpyxl import load_workbook

    data = read_bounded(fileobj)
    check_xlsx(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise WorkbookError(_("无法读取该Excel文件，文件可能已损坏")) from exc
    try:
        if not workbook.worksheets:
            raise WorkbookError(_("文件中没有工作表"))
        sheet = workbook[sheet_title] if sheet_title in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size; read what is there
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise WorkbookError(_("第1行应为表头（列名），请使用下载的模板"))
        positions: dict[str, int] = {}
        for index, value in enumerate(header):
            key = header_to_key.get(normalise_header(value))
            if key and key not in positions:
                positions[key] = index
        missing = [title for key, title in required.items() if key not in positions]
        if missing:
            raise WorkbookError(
                _("表头缺少必填列：%(columns)s。请使用下载的模板，第1行为列名") % {"columns": "、".join(missing)}
            )
        rows: list[ImportRow] = []
        for number, line in enumerate(lines, start=2):
            if row_is_empty(line):
                continue
            if len(rows) >= max_rows:
                raise WorkbookError(_("一次最多导入 %(max)s 行，请拆分后分批导入") % {"max": max_rows})
            values = {key: (line[index] if index < len(line) else None) for key, index in positions.items()}
            rows.append(ImportRow(number=number, values=values))
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(_("无法读取该Excel文件，文件可能已损坏")) from exc
    finally:
        workbook.close()
    if not rows:
        raise WorkbookError(_("文件中没有数据行：请从第2行开始填写"))
    return rows


# --- the report of a dry run ----------------------------------------------------------------------


@dataclass
class RowProblem:
    column: str  # the file's column name, "" for the row as a whole
    message: str


@dataclass
class RowResult:
    number: int
    values: dict[str, Any]
    label: str = ""  # what the user recognises the row by
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportReport:
    rows: list[RowResult]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def valid_count(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.ok for r in self.rows)


class ImportRejected(Exception):
    """Nothing was imported; ``report`` says which rows and why."""

    def __init__(self, report: ImportReport):
        super().__init__(_("导入未完成，没有写入任何数据"))
        self.report = report


# --- a domain's columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    key: str  # what the column fills (a field of the record or of the service)
    header: str  # the column name in the file (fixed Chinese: files outlive the page language)
    required: bool = False
    help: Promise | str = ""
    example: str = ""
    width: int = 14
    as_text: bool = True  # formatted as text in the template so Excel keeps long digit strings

    @property
    def header_text(self) -> str:
        """The header as the template writes it: a required column is marked with ``*``."""
        return f"{self.header}*" if self.required else self.header


class ImportColumns:
    """The columns of one import: reading its file, naming the column of a problem, turning a
    service's refusal into problems, and the parts of the template every import has (the header
    row of the data sheet, the table of columns on the help sheet)."""

    def __init__(self, columns: Iterable[ImportColumn], *, sheet_title: str, max_rows: int):
        self.columns = list(columns)
        self.by_key = {c.key: c for c in self.columns}
        self.sheet_title = sheet_title
        self.max_rows = max_rows

    def __iter__(self):
        return iter(self.columns)

    def parse(self, fileobj: IO[bytes] | bytes, max_rows: int | None = None) -> list[ImportRow]:
        """The data rows of the file (see ``read_rows``); ``WorkbookError`` when it is unusable."""
        return read_rows(
            fileobj,
            header_to_key={c.header: c.key for c in self.columns},
            required={c.key: c.header for c in self.columns if c.required},
            sheet_title=self.sheet_title,
            max_rows=self.max_rows if max_rows is None else max_rows,
        )

    def add_problem(self, result: RowResult, key: str, message: Any) -> None:
        """A problem on the column ``key`` of the row (``""``: the row as a whole)."""
        column = self.by_key.get(key)
        result.problems.append(RowProblem(column.header if column else "", str(message)))

    def add_service_errors(
        self, result: RowResult, exc: ValidationError, *, rename: dict[str, str] | None = None, model=None
    ) -> None:
        """A service's ``ValidationError`` as problems of the row: a field on the column of its
        name, or with ``rename`` (service field -> column key) on the column it names (a field it
        does not name: the row); another field of ``model`` under its verbose name; anything else
        on the row as a whole."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_problem(result, "", message)
            return
        for field_name, errors in exc.error_dict.items():
            key = field_name if rename is None else rename.get(field_name, "")
            for error in errors:
                for message in error.messages if isinstance(error, ValidationError) else [error]:
                    if key in self.by_key or key == "__all__" or model is None:
                        self.add_problem(result, key, message)
                        continue
                    try:
                        label = str(model._meta.get_field(key).verbose_name)
                    except FieldDoesNotExist:
                        label = ""
                    result.problems.append(RowProblem(label, str(message)))

    def write_header(self, sheet) -> None:
        """The data sheet's first row: the headers (required ones in red), widths, text columns."""
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        bold, required, fill = (
            Font(bold=True),
            Font(bold=True, color="C00000"),
            PatternFill("solid", fgColor=HEADER_FILL),
        )
        sheet.title = self.sheet_title
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.header_text)
            cell.font = required if column.required else bold
            cell.fill = fill
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            if column.as_text:
                sheet.column_dimensions[letter].number_format = "@"
        sheet.freeze_panes = "A2"

    def write_help(self, sheet, intro: Iterable[str], examples: dict[str, Any] | None = None) -> None:
        """The help sheet's opening: the ``intro`` lines, then a row per column (name, required,
        help, example) under a bold header; ``examples`` overrides the columns' own examples."""
        from openpyxl.styles import Alignment, Font, PatternFill

        examples = examples or {}
        for line in intro:
            sheet.append([line] if line else [])
        sheet.append([_("列名"), _("必填"), _("说明"), _("示例")])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        first = sheet.max_row + 1
        for column in self.columns:
            example = examples.get(column.key, column.example)
            sheet.append([column.header_text, _("是") if column.required else "", str(column.help), example])
        for row in sheet.iter_rows(min_row=first, max_row=sheet.max_row):
            row[2].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([])


# --- the upload form and the upload waiting for confirmation ----------------------------------------


class ImportUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel文件（.xlsx）"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ATTACHMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("文件过大：不能超过 %(size)s MB") % {"size": f"{limit / 1024 / 1024:.0f}"})
        return upload


class PendingUploads:
    """One upload per session waiting between the dry run and the confirmation. The file lies in
    the default storage under ``imports/<uuid>.xlsx``; only the uploader's session knows the id,
    and the confirmation reads the stored file again (checked by its SHA-256): nothing the browser
    sends back is trusted but the id."""

    def __init__(self, session_key: str):
        self.session_key = session_key

    def keep(self, request, data: bytes, filename: str, **extra) -> str:
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        self.discard(request)  # one pending import per session
        token = str(uuid.uuid4())
        path = default_storage.save(f"{UPLOAD_DIR}/{token}.xlsx", ContentFile(data))
        request.session[self.session_key] = {
            token: {
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "filename": filename[:200],
                "user": request.user.pk,
                **extra,
            }
        }
        return token

    def get(self, request, token: str) -> dict | None:
        """The pending entry of this user's session, or None (a foreign or stale token)."""
        entry = request.session.get(self.session_key, {}).get(str(token or ""))
        if entry is None or entry.get("user") != request.user.pk:
            return None
        return entry

    def discard(self, request, token: str | None = None) -> None:
        """Forget the pending upload (all of them when no token) and delete its file."""
        from django.core.files.storage import default_storage

        pending = request.session.get(self.session_key, {})
        for key in [token] if token else list(pending):
            entry = pending.pop(str(key), None)
            if entry:
                try:
                    default_storage.delete(entry["path"])
                except OSError:
                    pass  # already gone; nothing else refers to it
        request.session[self.session_key] = pending

    @staticmethod
    def load(entry: dict) -> bytes:
        from django.core.files.storage import default_storage

        try:
            with default_storage.open(entry["path"], "rb") as stored:
                data = stored.read()
        except OSError as exc:
            raise WorkbookError(_("上传的文件已失效，请重新上传")) from exc
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise WorkbookError(_("上传的文件已失效，请重新上传"))
        return data


def purge_stale_uploads(older_than: dt.timedelta = STALE_UPLOAD_AGE) -> int:
    """Delete uploads nobody confirmed or cancelled (the session expired, the tab was closed).
    Safe to run any time; meant for a periodic job. Returns how many files it deleted."""
    from django.core.files.storage import default_storage

    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    cutoff = timezone.now() - older_than
    deleted = 0
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except (OSError, NotImplementedError):
            continue
    return deleted
