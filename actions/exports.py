"""CSV and XLSX downloads of exactly the rows a filtered action list shows, in the same order."""

import csv
import datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

COLUMNS = [
    "Inspection",
    "Graded area",
    "Grade",
    "Finding reference",
    "Finding type",
    "Action",
    "Owner",
    "Owner's role title",
    "OPCC lead",
    "Deadline",
    "Original deadline",
    "Overdue",
    "Status",
    "RAG",
    "Percent complete",
    "Last update",
]
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value to write to a spreadsheet cell: text that would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_values(values):
    """One CSV line's values: dates as ISO dates, text safe from formula injection."""
    return [v.isoformat() if isinstance(v, datetime.date) else safe_cell(v) for v in values]


def xlsx_response(header, rows, filename):
    """An XLSX download of one "Actions" sheet: a bold header, dates as dates, safe text.
    `rows` may be a generator, so a large export is written as it is read."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for values in rows:
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            row.append(cell)
        sheet.append(row)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


def row_values(action):
    area = action.finding.area
    last_update = action.last_update_at and timezone.localtime(action.last_update_at).date()
    return [
        action.finding.inspection.title,
        area.name if area else "",
        area.get_grade_display() if area else "",
        action.finding.reference,
        action.finding.get_kind_display(),
        action.title,
        str(action.owner) if action.owner else "",
        action.owner_role_title,
        str(action.opcc_lead) if action.opcc_lead else "",
        action.deadline,
        action.original_deadline,
        "Yes" if action.is_overdue else "No",
        action.get_status_display(),
        action.get_effective_rag_display(),
        action.percent_complete,
        last_update,
    ]


def _filename(extension):
    return f"actions-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_response(actions):
    """Streamed, so a large export starts at once and never sits whole in memory."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so Excel reads UTF-8 (names with accents) correctly
        yield writer.writerow(COLUMNS)
        for action in actions.iterator(chunk_size=1000):
            yield writer.writerow(csv_values(row_values(action)))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def actions_xlsx_response(actions):
    rows = (row_values(action) for action in actions.iterator(chunk_size=1000))
    return xlsx_response(COLUMNS, rows, _filename("xlsx"))
