"""Reading a report from pasted text or a PDF, HTML or text file; every refusal says why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from actions.inspection_import.source import (
    ReportInputError,
    guess_kind,
    read_report,
    report_hash,
    text_from_html,
)
from tests.actions.pdfs import blank_pdf, image_only_pdf, text_pdf

REPORT_LINES = [
    "PEEL 2025: An inspection of Kent Police",
    "Published 3 March 2025",
    "Areas for improvement",
    "The force should improve how it supervises investigations.",
    "The force should make sure victims are kept informed.",
]


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_a_text_pdf_is_read_and_parsed():
    parsed, text = read_report(upload=upload("peel.pdf", text_pdf(REPORT_LINES)))
    assert "supervises investigations" in text
    assert [f.text for f in parsed.findings] == REPORT_LINES[3:]
    assert parsed.inspection.title == REPORT_LINES[0]
    assert parsed.inspection.published.isoformat() == "2025-03-03"


def test_a_pdf_restricted_only_by_an_owner_password_is_still_read():
    pdf = text_pdf(REPORT_LINES, owner_password="no-printing")
    parsed, _ = read_report(upload=upload("peel.pdf", pdf))
    assert len(parsed.findings) == 2


def test_an_html_page_loses_its_scripts_navigation_and_furniture():
    html = (
        "<!DOCTYPE html><html><head><title>Report</title><script>var areas = 1;</script>"
        "<style>p {}</style></head><body><header><a href='#main'>Skip to content</a></header>"
        "<nav><ul><li>Home</li><li>The force should not be listed from the menu.</li></ul></nav>"
        "<main><h1>PEEL 2025: An inspection of Kent Police</h1><h2>Areas for improvement</h2>"
        "<ul><li>The force should improve how it supervises investigations.</li>"
        "<li>The force should make sure victims are kept &amp; informed.</li></ul></main>"
        "<footer>Print this document</footer></body></html>"
    )
    parsed, text = read_report(upload=upload("report.html", html.encode()))
    assert "var areas" not in text and "menu" not in text and "Print" not in text
    assert [f.text for f in parsed.findings] == [
        "The force should improve how it supervises investigations.",
        "The force should make sure victims are kept & informed.",
    ]


def test_an_inspection_web_page_gives_grades_statements_and_lead_in_recommendations():
    html = (
        "<html><body><a href='#m'>Skip to content</a><main><h1>PEEL 2023-2025: An inspection "
        "of Kent Police</h1><p>Published on: 12 June 2024</p><h2>Investigating crime</h2>"
        "<p>Requires improvement</p><h3>Areas for improvement</h3><p><strong>The force needs "
        "to improve how it supervises investigations</strong></p><p>We found that supervisors "
        "did not always review plans.</p><h3>Recommendations</h3><p>Within six months, Kent "
        "Police should:</p><ul><li>make sure every investigation has a plan;</li><li>review "
        "its supervision.</li></ul><h2>Preventing crime</h2><p>Good</p></main></body></html>"
    )
    parsed, _ = read_report(upload=upload("kent.htm", html.encode()))
    report = parsed.as_dict()
    assert report["inspection"]["published"] == "2024-06-12"
    assert report["graded_areas"] == [
        {"name": "Investigating crime", "grade": "requires_improvement"},
        {"name": "Preventing crime", "grade": "good"},
    ]
    assert [(f["kind"], f["text"]) for f in report["findings"]] == [
        (
            "afi",
            "The force needs to improve how it supervises investigations. We found that "
            "supervisors did not always review plans.",
        ),
        (
            "recommendation",
            "Within six months, Kent Police should make sure every investigation has a plan.",
        ),
        ("recommendation", "Within six months, Kent Police should review its supervision."),
    ]


def test_html_table_rows_keep_their_cells_apart_for_the_grade_grid():
    text = text_from_html(
        "<table><tr><th>Good</th><th>Adequate</th><th>Inadequate</th></tr>"
        "<tr><td>Preventing crime</td><td>Managing offenders</td><td>Recording data</td></tr>"
        "</table>"
    )
    assert "Preventing crime\tManaging offenders\tRecording data" in text


def test_a_plain_text_file_and_pasted_text_give_the_same_report():
    content = "\n".join(REPORT_LINES)
    from_file, _ = read_report(upload=upload("report.txt", content.encode("cp1252")))
    pasted, _ = read_report(text=content)
    assert from_file.as_dict() == pasted.as_dict()


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("report.pdf", b"", "empty", "empty"),
        ("report.pdf", blank_pdf(), "no_text", "scanned images"),
        ("report.pdf", image_only_pdf(), "no_text", "scanned images"),
        ("report.pdf", text_pdf(REPORT_LINES, password="secret"), "encrypted", "password"),
        ("report.pdf", b"%PDF-1.7\nnot really a pdf", "unreadable", "could not be read"),
        ("report.pdf", b"The force should improve.", "content_mismatch", "not a PDF"),
        ("report.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "binary", "not text"),
        ("report.html", b"just words, no markup", "content_mismatch", "not HTML"),
        ("report.docx", b"PK\x03\x04", "type", "PDF, HTML or plain text"),
        ("report.txt", b"Minutes of the meeting. AFIs were mentioned.", "no_findings", "No causes"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(name, content, code, words):
    with pytest.raises(ReportInputError) as caught:
        read_report(upload=upload(name, content))
    assert caught.value.code == code
    assert words in caught.value.messages[0]


@override_settings(REPORT_MAX_UPLOAD_MB=1)
def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ReportInputError, match="smaller than 1 MB"):
        read_report(upload=upload("big.txt", b"a" * (1024 * 1024 + 1)))


@pytest.mark.parametrize(
    ("text", "code"), [("   \n ", "empty"), ("The force\x00 should", "binary")]
)
def test_bad_pasted_text_is_refused(text, code):
    with pytest.raises(ReportInputError) as caught:
        read_report(text=text)
    assert caught.value.code == code


def test_the_report_hash_ignores_line_breaks_and_spacing():
    assert report_hash("The force\nshould  improve.") == report_hash("The force should improve.")
    assert report_hash("The force should improve.") != report_hash("The force should act.")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("PEEL 2023-25: An inspection of Hertfordshire Constabulary", "peel"),
        ("Crime data integrity inspection 2019", "crime_data_integrity"),
        ("A revisit of crime recording", "crime_data_integrity"),
        ("Vetting, misconduct and misogyny", "other"),
    ],
)
def test_the_kind_is_guessed_from_the_title(title, kind):
    assert guess_kind(title) == kind
