"""Reading a spreadsheet (the first sheet of an XLSX, or a CSV in any common encoding and
delimiter) and finding its header row; the templates; the stored upload; the skipped rows."""

import csv
import datetime
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from actions import exports
from actions.models import Status
from actions.plan_import.columns import (
    ALIASES,
    FIELD_LABELS,
    FIELDS,
    clean_text,
    normalise_heading,
    remembered_mapping,
)
from actions.plan_import.preview import ERROR
from tracker import files as upload_checks
from tracker.files import private_storage

HEADER_SCAN_ROWS = 20
# openpyxl reads sharedStrings.xml whole even in read-only mode: a workbook whose parts expand past
# this (or compress suspiciously well) is refused before it is opened. A 5,000-row plan is a few MB.
MAX_EXPANDED_BYTES = 50 * 1024 * 1024
ALLOWED_EXTENSIONS = {".xlsx", ".csv"}


class ImportFileError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why, for the user."""


def _xlsx_cell(cell):
    value = cell.value
    # A cell formatted as a percentage holds 0.5 for 50%.
    if isinstance(value, int | float) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{value * 100:g}%"
    return value


def too_many(what, count, limit, *, at_least=False):
    has = f"more than {limit:,}" if at_least else f"{count:,}"
    advice = "Split it into smaller files." if what == "rows" else "Delete the unused columns."
    return ImportFileError(
        f"The spreadsheet has {has} {what}; the most it can have is {limit:,}. {advice}"
    )


def bounded_rows(numbered_rows):
    """The rows, stopping at the first past PLAN_IMPORT_MAX_ROWS or PLAN_IMPORT_MAX_COLUMNS
    wide: a hostile file is refused as soon as it shows itself, never read to its end."""
    max_rows, max_columns = settings.PLAN_IMPORT_MAX_ROWS, settings.PLAN_IMPORT_MAX_COLUMNS
    rows = []
    for number, values in numbered_rows:
        if number > max_rows:
            raise too_many("rows", number, max_rows, at_least=True)
        if len(values) > max_columns:
            raise too_many("columns", len(values), max_columns)
        rows.append((number, values))
    return rows


def read_xlsx(handle):
    if upload_checks.zip_expands_too_far(handle, max_bytes=MAX_EXPANDED_BYTES):
        raise ImportFileError(
            "The workbook would expand to an unreasonable size when opened, so it has not been "
            "read. Save it again from your spreadsheet program, or save it as CSV, and upload that."
        )
    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ImportFileError("The file could not be read as an Excel workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        # The size the sheet declares (its <dimension>), refused before any row is read; a sheet
        # that declares none, or too little, is still stopped row by row.
        if (declared := sheet.max_row or 0) > settings.PLAN_IMPORT_MAX_ROWS:
            raise too_many("rows", declared, settings.PLAN_IMPORT_MAX_ROWS)
        if (declared := sheet.max_column or 0) > settings.PLAN_IMPORT_MAX_COLUMNS:
            raise too_many("columns", declared, settings.PLAN_IMPORT_MAX_COLUMNS)
        numbered = (
            (number, [_xlsx_cell(cell) for cell in cells])
            for number, cells in enumerate(sheet.iter_rows(), start=1)
        )
        return bounded_rows(numbered)
    finally:
        workbook.close()


def csv_delimiter(text):
    """The delimiter that splits the first lines into the most columns (Excel in much of
    Europe saves with semicolons); csv.Sniffer gives up on files with title lines."""
    head = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    widths = {
        delimiter: max(
            (len(row) for row in csv.reader(io.StringIO(head), delimiter=delimiter)), default=0
        )
        for delimiter in ",;\t|"
    }
    return max(widths, key=lambda delimiter: widths[delimiter])


def read_csv(handle):
    text = upload_checks.decode_text(handle.read())
    delimiter = csv_delimiter(text)
    return bounded_rows(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))


def read_rows(handle, name):
    """(row number as a spreadsheet program shows it, cell values) for every row of the file."""
    if Path(name).suffix.lower() == ".xlsx":
        return read_xlsx(handle)
    return read_csv(handle)


def find_header(rows, known):
    """The index of the header row: among the first few rows with two or more filled cells
    (merged title rows have one; blank lines none), the one whose cells best match known
    headings, or if no row matches at least two, the first of them."""
    candidates = []
    for index, (_, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        filled = [normalise_heading(v) for v in values if clean_text(v)]
        if len(filled) >= 2:
            candidates.append((sum(heading in known for heading in filled), -index))
    if not candidates:
        raise ImportFileError("No row of column headings was found in the first 20 rows.")
    score, index = max(candidates)
    return -index if score >= 2 else -candidates[0][1]


@dataclass
class Sheet:
    name: str
    headings: list
    rows: list  # (row number, values) after the header row, blank rows included


def load_sheet(handle, name, *, user=None):
    rows = read_rows(handle, name)
    known = set(ALIASES) | set(remembered_mapping(user))
    header = find_header(rows, known)
    headings = [clean_text(v) for v in rows[header][1]]
    while headings and not headings[-1]:
        headings.pop()
    return Sheet(name=name, headings=headings, rows=rows[header + 1 :])


def template_headings():
    return [FIELD_LABELS[name] for name in FIELDS]


def template_xlsx(stream):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet.append(template_headings())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Guidance")
    guide.append(["Column", "What to enter"])
    for row in TEMPLATE_GUIDANCE:
        guide.append(row)
    workbook.save(stream)


TEMPLATE_GUIDANCE = [
    ("Action ID", "Leave blank for a new action; the tracker's ID to update one."),
    ("Inspection", "The inspection's title exactly as in the tracker (add it there first)."),
    ("Finding reference", 'As printed in the report, e.g. "AFI 3".'),
    ("Finding text", "Needed only for a finding the tracker does not have yet."),
    ("Action title", "Short description of the action; with the reference it identifies it."),
    ("Owner (email or username)", "An action owner in the inspected force."),
    ("Owner's role title", 'Shown publicly, e.g. "ACC Crime". Blank: the owner\'s own title.'),
    ("OPCC lead (email or username)", "A member of OPCC staff."),
    ("Deadline", "dd/mm/yyyy, 1 Dec 2024 or 1 December 2024. Needed for a new action."),
    ("Status", ", ".join(s.label for s in Status) + "."),
    ("RAG", "Green, Amber or Red."),
    ("Percent complete", "0 to 100."),
    ("Latest update", "The latest progress narrative; recorded as an update."),
]


def template_csv(stream):
    stream.write("\ufeff")
    csv.writer(stream).writerow(template_headings())


def skipped_report(plan, stream):
    """CSV of the rows not imported: row number, column and problem, then the row as it was."""
    writer = csv.writer(stream)
    stream.write("\ufeff")
    writer.writerow(["Row", "Column", "Problem", *plan.headings])
    for row in plan.of(ERROR):
        values = exports.csv_values(row.values)
        for column, message in row.errors:
            writer.writerow([row.number, column, message, *values])


def validate_upload(upload):
    """The file's name, size and content: an .xlsx that is a workbook or a .csv that is text."""
    name = Path(upload.name or "").name
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError("The file must be an Excel workbook (.xlsx) or a CSV file (.csv).")
    if len(name) > 200:
        raise ValidationError("The file name must be shorter than 200 characters.")
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    limit = settings.PLAN_MAX_UPLOAD_MB
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(
            f"The file must be smaller than {limit} MB (this one is {filesizeformat(upload.size)})."
        )
    if not upload_checks.content_matches(extension, upload):
        kind = "an Excel workbook" if extension == ".xlsx" else "a text CSV file"
        raise ValidationError(f"The file is named {extension} but its content is not {kind}.")
    upload.seek(0)
    return name


def store_upload(upload):
    """Keep the file in private storage under a generated name until the import is confirmed."""
    storage = private_storage()
    extension = Path(upload.name).suffix.lower()
    prune_uploads(storage)
    return storage.save(f"imports/{uuid.uuid4().hex}{extension}", upload)


def prune_uploads(storage, days=2):
    """Uploads left from imports that were never confirmed are removed after a couple of days."""
    if not storage.exists("imports"):
        return
    cutoff = timezone.now() - datetime.timedelta(days=days)
    for name in storage.listdir("imports")[1]:
        path = f"imports/{name}"
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)


def open_stored(path, name, *, user=None):
    with private_storage().open(path, "rb") as handle:
        return load_sheet(io.BytesIO(handle.read()), name, user=user)
