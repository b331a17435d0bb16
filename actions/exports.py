"""CSV and XLSX downloads of exactly the rows a filtered action list shows, in the same order.

The headings are ones the plan import recognises (actions/plan_import/columns.py), so an export
edited in a spreadsheet program and imported again updates the same actions: the Action ID
matches the row, owners are written as usernames, and "RAG" is the rating set (the RAG shown,
red when overdue, is a column of its own, which the import ignores, as it ignores
"Collaboration": who manages a shared action and the forces it is shared with)."""

import csv
import datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# (heading, column width in characters in the XLSX)
COLUMNS = [
    ("Action ID", 10),
    ("Inspection", 30),
    ("Graded area", 20),
    ("Grade", 14),
    ("Finding reference", 12),
    ("Finding type", 14),
    ("Action title", 40),
    ("Description", 50),
    ("Owner (email or username)", 20),
    ("Owner name", 20),
    ("Owner's role title", 18),
    ("OPCC lead (email or username)", 20),
    ("OPCC lead name", 20),
    ("Deadline", 12),
    ("Original deadline", 12),
    ("Overdue", 9),
    ("Status", 16),
    ("RAG", 8),
    ("RAG shown (red when overdue)", 12),
    ("Percent complete", 10),
    ("Latest update", 50),
    ("Latest update date", 12),
    ("Closure summary", 40),
    ("Collaboration", 40),
]
HEADER = [heading for heading, _ in COLUMNS]
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value to write to a CSV cell: text that would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_values(values):
    """One CSV line's values: dates as ISO dates, text safe from formula injection."""
    return [v.isoformat() if isinstance(v, datetime.date) else safe_cell(v) for v in values]


def xlsx_cell(sheet, value):
    """One XLSX cell: dates as dates shown dd/mm/yyyy; text that would run as a formula stored
    as text with Excel's hidden quote prefix (as if typed after an apostrophe), so it never
    runs, even when the cell is edited, and reads back unchanged."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_response(header, rows, filename, *, widths=()):
    """An XLSX download of one "Actions" sheet: a bold, frozen header with an autofilter, the
    column widths given, dates as dates, safe text. `rows` may be a generator, so a large export
    is written as it is read."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    count = 0
    for values in rows:
        sheet.append([xlsx_cell(sheet, value) for value in values])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


def collaboration_text(action):
    """ "" for an action not shared, else "Managed by <office>; shared with <force>, <force>"."""
    collaboration = action.collaboration
    if collaboration is None:
        return ""
    partners = ", ".join(collaboration["shared_with"])
    return f"Managed by {collaboration['managed_by']}; shared with {partners}"


def row_values(action):
    """One action's cells, in COLUMNS order. `action` comes from selectors.action_export_rows."""
    finding, area = action.finding, action.finding.area
    updated = action.latest_update_at and timezone.localtime(action.latest_update_at).date()
    return [
        action.pk,
        finding.inspection.title,
        area.name if area else "",
        area.get_grade_display() if area else "",
        finding.reference,
        finding.get_kind_display(),
        action.title,
        action.description,
        action.owner.username if action.owner else "",
        str(action.owner) if action.owner else "",
        action.owner_role_title,
        action.opcc_lead.username if action.opcc_lead else "",
        str(action.opcc_lead) if action.opcc_lead else "",
        action.deadline,
        action.original_deadline,
        "Yes" if action.is_overdue else "No",
        action.get_status_display(),
        action.get_rag_display(),
        action.get_effective_rag_display(),
        action.percent_complete,
        action.latest_update_narrative or "",
        updated,
        action.closure_summary,
        collaboration_text(action),
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
        yield writer.writerow(HEADER)
        for action in actions.iterator(chunk_size=1000):
            yield writer.writerow(csv_values(row_values(action)))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def actions_xlsx_response(actions):
    rows = (row_values(action) for action in actions.iterator(chunk_size=1000))
    widths = [width for _, width in COLUMNS]
    return xlsx_response(HEADER, rows, _filename("xlsx"), widths=widths)
