"""Evidence file checks: size, and type read from the file's content, not trusted from its name.

A file is accepted only when its extension is allowed and its first bytes (or, for the Office
and OpenDocument formats, its zip contents) are that type. A renamed executable, a PDF called
.docx, or a macro-enabled workbook is refused.
"""

import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

# extension -> (content type stored and served, short name for messages)
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", "PDF"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
    ".csv": ("text/csv", "CSV"),
    ".txt": ("text/plain", "text file"),
    ".png": ("image/png", "PNG image"),
    ".jpg": ("image/jpeg", "JPEG image"),
    ".jpeg": ("image/jpeg", "JPEG image"),
}
ALLOWED_DESCRIPTION = "PDF, DOCX, XLSX, ODT, ODS, CSV, TXT, PNG or JPEG"
SNIFF_BYTES = 8192


def max_upload_bytes():
    return settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024


def _zip_names(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def _opendocument_mimetype(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return ""


def _is_text(head):
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def content_matches(extension, upload):
    """True if the file's content is what its extension says."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in (".csv", ".txt"):
        return _is_text(head)
    if not head.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(upload)
    if extension == ".docx":
        return "[Content_Types].xml" in names and "word/document.xml" in names
    if extension == ".xlsx":
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    if extension in (".odt", ".ods"):
        return _opendocument_mimetype(upload) == ALLOWED_TYPES[extension][0]
    return False


def validate_evidence_file(upload):
    """Return the content type to store, or raise ValidationError saying what is wrong."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"The file must be smaller than {settings.EVIDENCE_MAX_UPLOAD_MB} MB "
            f"(this one is {filesizeformat(upload.size)}).",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError("The selected file is empty.", code="empty")
    extension = Path(upload.name or "").suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError(f"The file must be a {ALLOWED_DESCRIPTION}.", code="type_not_allowed")
    content_type, description = ALLOWED_TYPES[extension]
    matches = content_matches(extension, upload)
    upload.seek(0)
    if not matches:
        raise ValidationError(
            f"The file is named {extension} but its content is not a {description}. "
            f"Upload a real {ALLOWED_DESCRIPTION} file.",
            code="content_mismatch",
        )
    return content_type
