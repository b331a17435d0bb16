"""Uploaded files: the private storage, and checks on size and on type read from the content.

A file is accepted only when its extension is allowed and its first bytes (or, for the Office
and OpenDocument formats, its zip contents) are that type. A renamed executable, a PDF called
.docx, or a macro-enabled workbook is refused. So is a text, PDF or image file with web page code
in its first 8 KB (a PDF/HTML "polyglot": a PDF to a PDF reader, a page to a browser that sniffs
it). Files are not parsed further (docs/security.md, "Evidence files", says why).
"""

import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat


def private_storage():
    """Evidence files, packs and imports live under MEDIA_ROOT, which no URL serves directly."""
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


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
# An Office or OpenDocument file is a zip: refuse one that would expand past these when opened
# (a "zip bomb"), whatever its size on disk.
ZIP_MAX_EXPANDED_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_MAX_MEMBERS = 10_000
# Markup that a browser would run if the file were ever shown inline: never accepted in a text,
# PDF or image file's first SNIFF_BYTES, the part content sniffers read (browsers read 1,445).
MARKUP_CHECKED = (".csv", ".txt", ".pdf", ".png", ".jpg", ".jpeg")
MARKUP_SIGNS = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<iframe", b"javascript:")


def max_upload_bytes():
    return settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024


def _zip_names(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def zip_expands_too_far(upload, *, max_bytes=ZIP_MAX_EXPANDED_BYTES):
    """True if the zip's members, as declared, expand far past any real document's size (in all,
    past `max_bytes`), or one large member is compressed suspiciously well. Read from the zip's
    directory alone: nothing is decompressed."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # not a readable zip: the content check refuses it
    if len(members) > ZIP_MAX_MEMBERS:
        return True
    if sum(member.file_size for member in members) > max_bytes:
        return True
    return any(
        member.file_size > 1024 * 1024
        and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )


def _looks_like_markup(head):
    lowered = head.lower()
    return any(sign in lowered for sign in MARKUP_SIGNS)


def safe_filename(name):
    """The name to keep and offer on download: no folders, no control characters, not hidden."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable() and char not in '<>:"|?*')
    name = name.strip().lstrip(".")
    return name[-150:] or "evidence"


def _opendocument_mimetype(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return ""


def is_text(head):
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
        return is_text(head)
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
    zipped = extension in (".docx", ".xlsx", ".odt", ".ods")
    too_far = matches and zipped and zip_expands_too_far(upload)
    upload.seek(0)
    markup = (
        matches and extension in MARKUP_CHECKED and _looks_like_markup(upload.read(SNIFF_BYTES))
    )
    upload.seek(0)
    if markup:
        raise ValidationError(
            "The file contains web page code (HTML, SVG or script), which is not accepted as "
            "evidence. Save or print it to a PDF from the program that made it, and upload that.",
            code="markup",
        )
    if too_far:
        raise ValidationError(
            f"The {description} would expand to an unreasonable size when opened, so it has not "
            "been accepted. Save it again from your office software and upload that copy.",
            code="zip_bomb",
        )
    if not matches:
        raise ValidationError(
            f"The file is named {extension} but its content is not "
            f"{'an' if description[0] in 'AEIOaeio' else 'a'} {description}. "
            f"Upload a real {ALLOWED_DESCRIPTION} file.",
            code="content_mismatch",
        )
    return content_type


def decode_text(raw):
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves it in the UK."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
