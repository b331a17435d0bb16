"""The import screens: upload or paste, review and edit the draft, accept in one transaction."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.inspection_import.draft import SESSION_KEY
from actions.models import Finding, Force, GradedArea, Inspection
from tests.actions.inspection_import.test_import_command import REPORT
from tests.actions.pdfs import blank_pdf, image_only_pdf, text_pdf
from tests.factories import FindingFactory, ForceFactory, InspectionFactory

pytestmark = pytest.mark.django_db

START = reverse("actions:import_start")
REVIEW = reverse("actions:import_review")


def counts():
    return (
        Force.objects.count(),
        Inspection.objects.count(),
        GradedArea.objects.count(),
        Finding.objects.count(),
    )


def form_data(draft, do="save", **changes):
    """What the review form posts when the officer changes nothing (then `changes`)."""
    info = draft["inspection"]
    data = {
        "do": do,
        "inspection-title": info["title"],
        "inspection-force": info["force_id"] or "",
        "inspection-kind": info["kind"],
        "inspection-source_type": info["source_type"],
        "inspection-published": info["published"] or "",
    }
    for i, area in enumerate(draft["graded_areas"]):
        data |= {f"area-{i}-name": area["name"], f"area-{i}-grade": area["grade"]}
    for i, finding in enumerate(draft["findings"]):
        data |= {
            f"finding-{i}-kind": finding["kind"],
            f"finding-{i}-reference": finding["reference"],
            f"finding-{i}-area": finding["area"] or "",
            f"finding-{i}-parent": finding["parent"] or "",
            f"finding-{i}-text": finding["text"],
            f"finding-{i}-repeats": finding["repeats"],
        }
    return data | changes


@pytest.fixture
def kent(db):
    return ForceFactory(name="Kent Police")


@pytest.fixture
def officer(opcc_officer, signed_in):
    return signed_in(opcc_officer)


def paste(client, text=REPORT, force=None):
    return client.post(START, {"text": text, "force": force.pk if force else ""})


def draft_of(client):
    return client.session[SESSION_KEY]


def test_pasting_a_report_shows_its_draft_for_review_and_saves_nothing(officer, kent):
    response = paste(officer)
    assert response.status_code == 302 and response["Location"] == REVIEW
    assert counts() == (1, 0, 0, 0)
    draft = draft_of(officer)
    assert draft["inspection"]["force_id"] == kent.pk  # matched by the name in the report
    assert [f["reference"] for f in draft["findings"]] == [
        "Cause of concern 1",
        "Recommendation 1",
        "Recommendation 2",
        "AFI 1",
        "AFI 2",
    ]
    page = officer.get(REVIEW)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Within six months, the force should train all investigators" in html
    assert 'value="PEEL 2025: An inspection of Kent Police"' in html
    assert len(page.context["finding_forms"]) == 5


def test_a_force_not_in_the_tracker_must_be_chosen_before_accepting(officer, force):
    paste(officer)
    draft = draft_of(officer)
    assert draft["inspection"]["force_id"] is None
    page = officer.get(REVIEW).content.decode()
    assert "The report names Kent Police, which is not in the tracker yet" in page
    response = officer.post(REVIEW, form_data(draft, do="accept"))
    assert "Choose the force the report is about." in response.content.decode()
    assert counts() == (1, 0, 0, 0)
    officer.post(REVIEW, form_data(draft, do="accept", **{"inspection-force": force.pk}))
    assert Inspection.objects.get().force == force


def test_uploading_a_pdf_gives_the_same_draft(officer, kent):
    pdf = text_pdf(REPORT.replace("\t", "    ").splitlines())
    response = officer.post(START, {"file": SimpleUploadedFile("kent.pdf", pdf)})
    assert response.status_code == 302
    draft = draft_of(officer)
    assert draft["source_name"] == "kent.pdf"
    assert len(draft["findings"]) == 5


def test_accepting_the_edited_draft_creates_everything_audited_in_one_go(
    officer, kent, opcc_officer
):
    paste(officer)
    draft = draft_of(officer)
    edits = {
        "inspection-title": "PEEL 2025: Kent Police",
        "inspection-published": "2025-03-04",
        "area-0-grade": "adequate",
        "finding-3-text": "The force should keep victims informed.",
        "finding-4-area": "Investigating crime",
        "finding-2-reference": "Rec 2",
    }
    response = officer.post(REVIEW, form_data(draft, do="accept", **edits))
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("actions:inspection", args=[inspection.pk])
    assert (inspection.title, str(inspection.published_on)) == (
        "PEEL 2025: Kent Police",
        "2025-03-04",
    )
    assert inspection.graded_areas.get(name="Preventing crime").grade == "adequate"
    assert (
        inspection.findings.get(reference="AFI 1").text == "The force should keep victims informed."
    )
    assert inspection.findings.get(reference="AFI 2").area.name == "Investigating crime"
    assert inspection.findings.get(reference="Rec 2").parent.reference == "Cause of concern 1"
    for obj in [inspection, *inspection.graded_areas.all(), *inspection.findings.all()]:
        row = obj.history.get()
        assert (row.history_user, row.history_change_reason) == (
            opcc_officer,
            "Imported from pasted text",
        )
    assert SESSION_KEY not in officer.session


def test_edits_are_kept_in_the_draft_and_nothing_is_saved_until_accepted(officer, kent):
    paste(officer)
    draft = draft_of(officer)
    officer.post(
        REVIEW, form_data(draft, **{"finding-0-kind": "afi", "area-1-name": "Investigations"})
    )
    draft = draft_of(officer)
    assert draft["findings"][0]["kind"] == "afi"
    assert draft["graded_areas"][1]["name"] == "Investigations"
    assert counts() == (1, 0, 0, 0)


def test_merge_joins_the_selected_findings_into_the_first(officer, kent):
    paste(officer)
    draft = draft_of(officer)
    officer.post(
        REVIEW,
        form_data(draft, do="merge", **{"finding-3-selected": "on", "finding-4-selected": "on"}),
    )
    findings = draft_of(officer)["findings"]
    assert len(findings) == 4
    assert findings[3]["text"] == (
        "The force should improve how it keeps victims informed about their case. "
        "The force should make sure it records crime at the first point of contact."
    )


def test_merging_one_finding_is_refused_with_a_message(officer, kent):
    paste(officer)
    response = officer.post(
        REVIEW,
        form_data(draft_of(officer), do="merge", **{"finding-3-selected": "on"}),
        follow=True,
    )
    assert "Select two or more findings to merge." in response.content.decode()
    assert len(draft_of(officer)["findings"]) == 5


def test_drop_removes_findings_and_their_recommendations_lose_the_parent(officer, kent):
    paste(officer)
    officer.post(REVIEW, form_data(draft_of(officer), do="drop", **{"finding-0-selected": "on"}))
    findings = draft_of(officer)["findings"]
    assert [f["reference"] for f in findings][:2] == ["Recommendation 1", "Recommendation 2"]
    assert findings[0]["parent"] is None


def test_split_makes_a_finding_per_paragraph(officer, kent):
    paste(officer)
    text = "The force should improve call handling.\n\nThe force should answer 101 calls."
    officer.post(REVIEW, form_data(draft_of(officer), do="split-3", **{"finding-3-text": text}))
    findings = draft_of(officer)["findings"]
    assert [(f["reference"], f["text"]) for f in findings[3:5]] == [
        ("AFI 1", "The force should improve call handling."),
        ("AFI 1 (2)", "The force should answer 101 calls."),
    ]


def test_add_appends_a_finding_that_must_get_text_before_accepting(officer, kent):
    paste(officer)
    officer.post(REVIEW, form_data(draft_of(officer), do="add"))
    draft = draft_of(officer)
    assert draft["findings"][-1]["reference"] == "New finding 1"
    response = officer.post(REVIEW, form_data(draft, do="accept"))
    assert response.status_code == 200
    assert "New finding 1 has no text: add its text or drop it." in response.content.decode()
    assert counts() == (1, 0, 0, 0)
    data = form_data(draft, do="accept", **{"finding-5-text": "The force should publish data."})
    officer.post(REVIEW, data)
    assert Inspection.objects.get().findings.filter(reference="New finding 1").exists()


def test_add_area_then_grade_it(officer, kent):
    paste(officer)
    officer.post(REVIEW, form_data(draft_of(officer), do="add-area"))
    draft = draft_of(officer)
    officer.post(
        REVIEW,
        form_data(
            draft, do="accept", **{"area-2-name": "Managing offenders", "area-2-grade": "good"}
        ),
    )
    assert Inspection.objects.get().graded_areas.get(name="Managing offenders").grade == "good"


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"finding-1-reference": "AFI 1"}, "The reference &quot;AFI 1&quot; is used twice."),
        ({"finding-3-parent": "Cause of concern 1"}, "only a recommendation can belong"),
        ({"inspection-title": ""}, "Enter a title."),
        ({"inspection-force": ""}, "Choose the force the report is about."),
        ({"finding-0-kind": "observation"}, "Select a valid choice"),
    ],
)
def test_an_invalid_draft_is_not_accepted_and_nothing_is_created(officer, kent, edits, message):
    paste(officer)
    response = officer.post(REVIEW, form_data(draft_of(officer), do="accept", **edits))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == (1, 0, 0, 0)


def test_a_report_imported_by_someone_else_during_the_review_is_not_imported_twice(
    officer, kent, second_opcc_officer
):
    paste(officer)
    colleague = Client()
    colleague.force_login(second_opcc_officer)
    paste(colleague)
    colleague.post(REVIEW, form_data(draft_of(colleague), do="accept"))
    response = officer.post(REVIEW, form_data(draft_of(officer), do="accept"))
    assert "already been imported" in response.content.decode()
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 5


def test_discard_forgets_the_draft(officer, kent):
    paste(officer)
    response = officer.post(reverse("actions:import_discard"))
    assert response.status_code == 302 and SESSION_KEY not in officer.session
    assert officer.get(REVIEW)["Location"] == START


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"text": ""}, "There is no report text"),
        ({"file": ("scan.pdf", blank_pdf())}, "scanned images"),
        ({"file": ("scan.pdf", image_only_pdf())}, "scanned images"),
        ({"file": ("locked.pdf", text_pdf(["x"], password="pw"))}, "protected by a password"),
        ({"file": ("fake.pdf", b"The force should improve.")}, "not a PDF"),
        ({"file": ("photo.txt", b"\xff\xd8\xff\x00\x00binary")}, "not text"),
        ({"file": ("empty.txt", b"")}, "The submitted file is empty."),
        ({"file": ("report.docx", b"PK\x03\x04")}, "PDF, HTML or plain text"),
    ],
)
def test_bad_input_on_the_upload_page_gives_a_clear_message_and_saves_nothing(
    officer, kent, post, message
):
    if "file" in post:
        name, content = post["file"]
        post = {"file": SimpleUploadedFile(name, content)}
    response = officer.post(START, post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert SESSION_KEY not in officer.session
    assert counts() == (1, 0, 0, 0)


def test_a_file_and_pasted_text_together_are_refused(officer, kent):
    response = officer.post(
        START, {"text": REPORT, "file": SimpleUploadedFile("r.txt", REPORT.encode())}
    )
    assert "Choose a file or paste text, not both." in response.content.decode()


def test_owner_cannot_accept_a_draft(owner, signed_in, kent):
    client = signed_in(owner)
    assert client.post(START, {"text": REPORT}).status_code == 403
    assert client.post(REVIEW, {"do": "accept"}).status_code == 403
    assert counts() == (2, 0, 0, 0)


def test_the_inspections_page_links_to_import_for_opcc_staff_only(officer, owner, signed_in):
    assert START in officer.get(reverse("actions:inspections")).content.decode()
    assert START not in signed_in(owner).get(reverse("actions:inspections")).content.decode()


@pytest.mark.parametrize(("afis", "earlier"), [(5, 10), (60, 300)])
def test_review_page_query_count_is_constant(
    officer, kent, afis, earlier, django_assert_max_num_queries
):
    old = InspectionFactory(force=kent, title="PEEL 2015")
    FindingFactory.create_batch(earlier, inspection=old, area=None)
    text = "PEEL 2025: Kent Police\nAreas for improvement\n" + "\n".join(
        f"The force should improve area number {n} of its work." for n in range(afis)
    )
    paste(officer, text=text)
    with django_assert_max_num_queries(8):
        response = officer.get(REVIEW)
    assert len(response.context["finding_forms"]) == min(afis, 50)  # a page of the review
    assert response.context["page"].paginator.count == afis
    with django_assert_max_num_queries(12):
        officer.post(REVIEW, form_data(draft_of(officer)))


def test_every_error_on_the_review_screen_is_listed_and_linked_to_its_field(officer, kent):
    paste(officer)
    edits = {"inspection-title": "", "finding-4-kind": "observation", "area-0-grade": "great"}
    response = officer.post(REVIEW, form_data(draft_of(officer), do="accept", **edits))
    html = response.content.decode()
    assert '<a href="#id_inspection-title">Title: Enter a title.</a>' in html
    assert 'href="#id_finding-4-kind">Type (AFI 2): Select a valid choice.' in html
    assert 'href="#id_area-0-grade">Grade: Select a valid choice.' in html
    assert counts() == (1, 0, 0, 0)


def test_edits_survive_a_refused_accept(officer, kent):
    paste(officer)
    data = form_data(draft_of(officer), do="accept", **{"finding-1-reference": "AFI 1"})
    data["finding-3-text"] = "The force should keep victims informed."
    officer.post(REVIEW, data)
    assert draft_of(officer)["findings"][3]["text"] == "The force should keep victims informed."
