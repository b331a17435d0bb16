"""A briefing pack as a PDF (WeasyPrint), and its action rows as CSV and XLSX."""

import csv
import datetime
import io
import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from actions import exports
from reports import selectors

# WeasyPrint reports every layout step at INFO; only its warnings belong in the log.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def pdf_bytes(pack):
    """The PDF the Panel and the public read: role titles, never personal names.

    Page numbers, the date and the table of contents come from CSS paged media in the template;
    the title and language from its <title> and <html lang>.
    """
    from weasyprint import HTML  # imported here: loading pango is slow and only tasks need it

    context = selectors.pack_view(pack, audience=selectors.PUBLISHED)
    context["printed_on"] = timezone.localdate()
    html = render_to_string("reports/pack_pdf.html", context)
    # PDF/UA-1: a tagged PDF (headings, tables and lists in a structure tree, the charts' alt
    # text) with its title shown and its language set, as the Public Sector Bodies
    # Accessibility Regulations expect of a published document. Bookmarks come from h1-h6.
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def _columns(audience):
    columns = [
        ("Inspection", "inspection"),
        ("Graded area", "area"),
        ("Grade", "grade"),
        ("Finding reference", "finding_reference"),
        ("Finding type", "finding_kind"),
        ("Finding", "finding"),
        ("Action", "title"),
        ("Owner", "owner"),
        ("Owner's role title", "owner_role_title"),
    ]
    if audience == selectors.STAFF:
        columns.append(("OPCC lead", "opcc_lead"))
    return columns + [
        ("Deadline", "deadline"),
        ("Original deadline", "original_deadline"),
        ("Overdue", "overdue"),
        ("Status", "status_label"),
        ("RAG", "rag_label"),
        ("Percent complete", "percent_complete"),
        ("Last update", "last_update_at"),
        # The words as this audience reads them on the page: public ones for the Panel.
        ("Latest update", "latest"),
        ("Reasons (blocked, deadline moved, overdue, reopened)", "reasons"),
    ]


DATE_KEYS = {"deadline", "original_deadline"}


def _value(row, key):
    value = row.get(key)
    if key in DATE_KEYS:
        return datetime.date.fromisoformat(value)
    if key == "last_update_at":
        return timezone.localtime(datetime.datetime.fromisoformat(value)).date() if value else None
    if key == "overdue":
        return "Yes" if value else "No"
    if key == "reasons":
        return "; ".join(f"{r['label']}: {r['text'] or 'none given'}" for r in value or [])
    if key == "latest":
        return value or ""
    return value


def table(pack, audience):
    """(header, rows) of the pack's actions, as the given audience may see them."""
    columns = _columns(audience)
    rows = selectors.action_rows(pack.snapshot, audience)
    return [title for title, _ in columns], [
        [_value(row, key) for _, key in columns] for row in rows
    ]


def filename(pack, extension):
    day = timezone.localtime(pack.meeting.starts_at).date()
    return f"briefing-pack-{day:%Y-%m-%d}-v{pack.version}.{extension}"


def csv_response(pack, audience):
    header, rows = table(pack, audience)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a byte-order mark, so Excel reads UTF-8 correctly
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(exports.csv_values(row))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(pack, "csv")}"'
    return response


def xlsx_response(pack, audience):
    header, rows = table(pack, audience)
    return exports.xlsx_response(header, rows, filename(pack, "xlsx"))
