"""A report's text from what an officer gives: pasted text, or a PDF, HTML or plain-text file.

The type is read from the file's content, as for evidence (tracker/files.py), and every
refusal says what is wrong in words an officer can act on.
"""

import hashlib
import io
import logging
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from actions.inspection_import.parser import TIME_BUDGET_SECONDS, ParsedReport, parse_report
from tracker.files import SNIFF_BYTES, decode_text, is_text

ALLOWED_DESCRIPTION = "PDF, HTML or plain text (.txt) file"
HTML_EXTENSIONS = {".html", ".htm"}
EXTENSIONS = {".pdf", ".txt"} | HTML_EXTENSIONS
HTML_MARKERS = (b"<!doctype html", b"<html", b"<body", b"<head", b"<div", b"<p>", b"<p ")

# Elements whose text is page furniture or code, never report text.
SKIPPED_ELEMENTS = {
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "svg",
    "head",
}
VOID_ELEMENTS = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col"}
BLOCK_ELEMENTS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "tr",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
}

# Extraction has the parser's time budget of its own: the two together bound one import.
EXTRACTION_SECONDS = TIME_BUDGET_SECONDS

# pypdf logs a warning for every oddity in a real-world PDF; the officer sees our message.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class ReportInputError(ValidationError):
    """Input that cannot be imported; the message says why and what to do."""


def max_bytes():
    return settings.REPORT_MAX_UPLOAD_MB * 1024 * 1024


def _too_large(size):
    return ReportInputError(
        f"The report must be smaller than {settings.REPORT_MAX_UPLOAD_MB} MB "
        f"(this one is {filesizeformat(size)}).",
        code="too_large",
    )


def report_hash(text):
    """The report's identity: its words, whatever the line breaks and spacing."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def text_from_upload(upload):
    """The text of an uploaded report file, or ReportInputError saying what is wrong."""
    if upload.size > max_bytes():
        raise _too_large(upload.size)
    if upload.size == 0:
        raise ReportInputError("The selected file is empty.", code="empty")
    extension = Path(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise ReportInputError(f"The report must be a {ALLOWED_DESCRIPTION}.", code="type")
    upload.seek(0)
    data = upload.read()
    return text_from_bytes(data, extension=extension)


def text_from_bytes(data, *, extension):
    head = data[:SNIFF_BYTES]
    if extension == ".pdf":
        if not head.startswith(b"%PDF-"):
            raise ReportInputError(
                "The file is named .pdf but its content is not a PDF. Upload the report's PDF, "
                "or paste its text.",
                code="content_mismatch",
            )
        return text_from_pdf(data)
    if not is_text(head):
        raise ReportInputError(
            f"The file is named {extension} but its content is not text (it looks like a binary "
            f"file). Upload a {ALLOWED_DESCRIPTION}, or paste the report's text.",
            code="binary",
        )
    text = decode_text(data)
    looks_html = any(marker in head.lower() for marker in HTML_MARKERS)
    if extension in HTML_EXTENSIONS and not looks_html:
        raise ReportInputError(
            f"The file is named {extension} but its content is not HTML. Upload the web page "
            "saved as HTML, or a .txt file.",
            code="content_mismatch",
        )
    return text_from_html(text) if looks_html else text


class _Stop(Exception):
    """Raised inside pypdf's extraction to leave it as soon as a limit is passed."""

    def __init__(self, error):
        super().__init__()
        self.error = error


def too_many_characters(count=None):
    """The refusal for text past REPORT_MAX_CHARACTERS; `count` when the whole text is known."""
    limit = settings.REPORT_MAX_CHARACTERS
    has = f"{count:,}" if count is not None else f"more than {limit:,}"
    return ReportInputError(
        f"This report has {has} characters of text; the importer reads at most {limit:,}. "
        "Upload or paste only the part of the report that lists its findings.",
        code="too_long",
    )


class _PdfLimits:
    """Counts what pypdf extracts and watches the clock while it works, through its visitor
    callbacks: a PDF built to be slow (one page with a 2 MB content stream took 16 s) is left
    when a limit is passed, not read to its end and checked after."""

    def __init__(self):
        self.characters = 0
        self.deadline = time.monotonic() + EXTRACTION_SECONDS

    def text(self, text, *args):
        self.characters += len(text)
        if self.characters > settings.REPORT_MAX_CHARACTERS:
            raise _Stop(too_many_characters())

    def operator(self, *args):
        if time.monotonic() > self.deadline:
            raise _Stop(
                ReportInputError(
                    "The PDF took too long to read. Upload only the part of the report that "
                    "lists its findings, or paste its text.",
                    code="too_slow",
                )
            )


def _pages_text(reader):
    pages = len(reader.pages)
    if pages > settings.REPORT_MAX_PAGES:
        raise ReportInputError(
            f"This report has {pages:,} pages; the importer reads at most "
            f"{settings.REPORT_MAX_PAGES:,}. Upload only the part of the report that lists its "
            "findings (most PDF readers can print chosen pages to a new PDF), or paste its text.",
            code="too_many_pages",
        )
    limits = _PdfLimits()
    try:
        return [
            page.extract_text(visitor_text=limits.text, visitor_operand_before=limits.operator)
            or ""
            for page in reader.pages
        ]
    except _Stop as stop:
        raise stop.error from None


def text_from_pdf(data):
    try:
        reader = PdfReader(io.BytesIO(data))
        # A PDF with only an owner password (no opening password) decrypts with "".
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileNotDecryptedError("password needed")
        pages = _pages_text(reader)
    except FileNotDecryptedError:
        raise ReportInputError(
            "The PDF is protected by a password, so its text cannot be read. Upload a copy "
            "without a password, or paste the report's text.",
            code="encrypted",
        ) from None
    except (PdfReadError, ValueError, TypeError, KeyError, OSError):
        raise ReportInputError(
            "The PDF could not be read: it may be damaged or incomplete. Download it again, or "
            "paste the report's text.",
            code="unreadable",
        ) from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise ReportInputError(
            "The PDF has no text that can be read: its pages may be scanned images. Use a PDF "
            "with selectable text, the report's web page, or paste its text.",
            code="no_text",
        )
    return text


class _ReportTextParser(HTMLParser):
    """Visible text of an HTML page, a line per block, list items as bullets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            if tag == "br" and not self.skipping:
                self.pieces.append("\n")
            return
        if self.skipping or tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
            return
        if tag == "li":
            self.pieces.append("\n• ")
        elif tag in ("td", "th"):
            self.pieces.append("\t")
        elif tag in BLOCK_ELEMENTS:
            self.pieces.append("\n\n")

    def handle_endtag(self, tag):
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag in BLOCK_ELEMENTS or tag == "li":
            self.pieces.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.pieces.append(" ".join(data.split()) if data.strip() else " ")

    def text(self):
        lines = "".join(self.pieces).split("\n")
        lines = [line.strip(" ") for line in lines]
        # Table rows keep their tabs (the parser reads grade grids from them).
        text = "\n".join(line.strip("\t") if line.count("\t") < 2 else line for line in lines)
        return re.sub(r"\n{3,}", "\n\n", text)


def text_from_html(html):
    parser = _ReportTextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


NO_FINDINGS = (
    "No causes of concern, recommendations or areas for improvement were found in this text. "
    "Check it is the inspection report (or the part listing its findings)."
)


def read_report(*, text="", upload=None, force_name=None, require_findings=True):
    """(parsed report, the text it came from) from pasted text or an uploaded file."""
    if upload is not None:
        text = text_from_upload(upload)
    else:
        if len(text.encode()) > max_bytes():
            raise _too_large(len(text.encode()))
        if "\x00" in text:
            raise ReportInputError(
                "The pasted text contains binary data. Paste the report's text.", code="binary"
            )
    if not text.strip():
        raise ReportInputError(
            "There is no report text: paste the report's text or choose a file.", code="empty"
        )
    if len(text) > settings.REPORT_MAX_CHARACTERS:  # pasted, or an HTML or text file's
        raise too_many_characters(len(text))
    parsed = parse_report(
        text, force_name=force_name or None, max_characters=settings.REPORT_MAX_CHARACTERS
    )
    if require_findings and not parsed.findings:
        raise ReportInputError(NO_FINDINGS, code="no_findings")
    if len(parsed.findings) > settings.REPORT_MAX_FINDINGS:
        raise ReportInputError(
            f"This report has {len(parsed.findings):,} findings; the importer takes at most "
            f"{settings.REPORT_MAX_FINDINGS:,}. Upload or paste only the part of the report that "
            "lists its findings, or add them by hand.",
            code="too_many_findings",
        )
    return parsed, text


def parsed_from_file(path, *, force_name=None, require_findings=True) -> tuple[ParsedReport, str]:
    """The same checks for a file on disk (the import_report command)."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes():
        raise _too_large(size)
    if size == 0:
        raise ReportInputError(f"{path.name} is empty.", code="empty")
    extension = path.suffix.lower()
    if extension not in EXTENSIONS:
        raise ReportInputError(f"The report must be a {ALLOWED_DESCRIPTION}.", code="type")
    text = text_from_bytes(path.read_bytes(), extension=extension)
    return read_report(text=text, force_name=force_name, require_findings=require_findings)


KIND_WORDS = [
    ("crime data integrity", "crime_data_integrity"),
    ("crime recording", "crime_data_integrity"),
    ("revisit", "revisit"),
    ("peel", "peel"),
    ("thematic", "thematic"),
]


def guess_kind(title):
    """The inspection kind its title suggests; the officer can change it on the review screen."""
    lowered = (title or "").lower()
    return next((kind for words, kind in KIND_WORDS if words in lowered), "other")
