"""The report importer's bounds, through the upload page and the review screen: pages,
characters and findings refused with the limit named, extraction stopped as soon as a limit is
passed, and the review screen shown a page of findings at a time (issue 20 item 6)."""

import itertools
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.inspection_import import source
from actions.models import Finding, Inspection
from tests.actions.inspection_import.test_views import (
    REVIEW,
    START,
    draft_of,
    form_data,
    paste,
)
from tests.actions.pdfs import dense_stream_pdf, many_pages_pdf, text_pdf
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(opcc_officer, signed_in):
    return signed_in(opcc_officer)


def upload(client, name, content):
    return client.post(START, {"file": SimpleUploadedFile(name, content), "text": ""})


def report_of(findings):
    items = "\n".join(f"The force should improve area number {n} of its work." for n in findings)
    return f"PEEL 2025: Kent Police\nAreas for improvement\n{items}"


def test_a_pdf_with_too_many_pages_is_refused_before_any_page_is_read(
    officer, settings, monkeypatch
):
    settings.REPORT_MAX_PAGES = 3
    read = []
    monkeypatch.setattr(source, "_PdfLimits", lambda: read.append(1))
    response = upload(officer, "peel.pdf", many_pages_pdf(5))
    assert "This report has 5 pages; the importer reads at most 3." in response.content.decode()
    assert read == []
    assert Inspection.objects.count() == 0


def test_a_pdf_at_the_page_limit_is_read(officer, settings):
    settings.REPORT_MAX_PAGES = 1
    response = upload(officer, "peel.pdf", text_pdf(report_of(range(2)).split("\n")))
    assert response.status_code == 302


def test_extraction_stops_as_soon_as_the_text_passes_the_character_limit(officer, settings):
    settings.REPORT_MAX_CHARACTERS = 10_000
    pdf = dense_stream_pdf("The force should act on this.", 10_000)  # 290,000 characters
    assert len(pdf) < 20_000
    started = time.monotonic()
    response = upload(officer, "peel.pdf", pdf)
    elapsed = time.monotonic() - started
    assert (
        "This report has more than 10,000 characters of text; the importer reads at most 10,000."
        in response.content.decode()
    )
    # Reading the whole stream takes seconds; stopping at the limit, a fraction of one.
    assert elapsed < 1.5, f"took {elapsed:.1f} s"


def test_extraction_over_its_time_budget_stops_with_a_clear_message(officer, monkeypatch):
    ticks = itertools.count(0, 3)  # each look at the clock is three seconds later
    monkeypatch.setattr(source.time, "monotonic", lambda: next(ticks))
    response = upload(officer, "peel.pdf", text_pdf(report_of(range(3)).split("\n")))
    assert "The PDF took too long to read." in response.content.decode()


def test_pasted_text_over_the_character_limit_is_refused_with_its_length(officer, settings):
    settings.REPORT_MAX_CHARACTERS = 1_000
    text = report_of(range(30))
    response = paste(officer, text=text)
    assert (
        f"This report has {len(text):,} characters of text; the importer reads at most 1,000."
        in response.content.decode()
    )


def test_a_report_with_too_many_findings_is_refused_naming_the_limit(officer, settings):
    settings.REPORT_MAX_FINDINGS = 5
    response = paste(officer, text=report_of(range(8)))
    assert response.status_code == 200
    assert "This report has 8 findings; the importer takes at most 5." in (
        response.content.decode()
    )
    assert not officer.session.get("report_import_draft")
    assert paste(officer, text=report_of(range(5))).status_code == 302


def test_the_review_screen_shows_a_page_of_findings_and_keeps_edits_made_on_each_page(
    officer, force, settings
):
    settings.REPORT_REVIEW_PAGE_SIZE = 50
    paste(officer, text=report_of(range(120)), force=force)
    first = officer.get(REVIEW)
    assert [form.index for form in first.context["finding_forms"]] == list(range(50))
    html = first.content.decode()
    assert 'aria-label="Pages of findings"' in html
    assert f'href="{REVIEW}?page=3" aria-label="Page 3"' in html
    assert "Showing findings 1 to 50 of 120" in html

    last = officer.get(f"{REVIEW}?page=3")
    assert [form.index for form in last.context["finding_forms"]] == list(range(100, 120))

    # Page 2's form posts page 2's findings only; page 1's are untouched.
    draft = draft_of(officer)
    data = form_data(draft)
    page_two = {
        key: value
        for key, value in data.items()
        if not key.startswith("finding-") or 50 <= int(key.split("-")[1]) < 100
    }
    page_two["finding-60-text"] = "Edited on page two."
    response = officer.post(f"{REVIEW}?page=2", page_two)
    assert response.status_code == 302
    assert response["Location"].endswith("?page=2")
    saved = draft_of(officer)["findings"]
    assert saved[60]["text"] == "Edited on page two."
    assert saved[0]["text"] == draft["findings"][0]["text"]

    page_one = {
        key: value
        for key, value in form_data(draft_of(officer), do="accept").items()
        if not key.startswith("finding-") or int(key.split("-")[1]) < 50
    }
    accepted = officer.post(REVIEW, page_one)
    assert accepted.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.findings.count() == 120
    assert Finding.objects.get(inspection=inspection, text="Edited on page two.")


def test_split_on_a_later_page_splits_that_finding(officer, force, settings):
    settings.REPORT_REVIEW_PAGE_SIZE = 2
    paste(officer, text=report_of(range(5)), force=force)
    data = {
        key: value
        for key, value in form_data(draft_of(officer), do="split-2").items()
        if not key.startswith("finding-") or int(key.split("-")[1]) in (2, 3)
    }
    data["finding-2-text"] = "First part.\n\nSecond part."
    officer.post(f"{REVIEW}?page=2", data)
    texts = [finding["text"] for finding in draft_of(officer)["findings"]]
    assert texts[2:4] == ["First part.", "Second part."]
    assert len(texts) == 6


@pytest.mark.parametrize("page", [1, 3])
def test_a_page_of_the_review_screen_takes_a_bounded_number_of_queries(
    officer, force, page, django_assert_max_num_queries
):
    earlier = InspectionFactory(force=force, title="PEEL 2015")
    FindingFactory.create_batch(300, inspection=earlier, area=None)
    paste(officer, text=report_of(range(140)), force=force)
    with django_assert_max_num_queries(8):
        response = officer.get(f"{REVIEW}?page={page}")
    assert len(response.context["finding_forms"]) == (50 if page == 1 else 40)


def test_only_opcc_staff_see_any_page_of_the_review(owner, panel_member, signed_in):
    for user in (owner, panel_member):
        assert signed_in(user).get(f"{REVIEW}?page=2").status_code == 403
