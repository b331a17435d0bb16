"""The briefing pack as a Panel paper: its parts in the order a Police & Crime Panel expects, on
the page, in the PDF and on the public page; progress per finding a Panel can scrutinise; and
the paper's words carried into the next version."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from actions import services as action_services
from actions.inspection_import import services as import_services
from actions.models import Finding, Rag, Status
from reports import documents, services
from reports.models import BriefingPack
from tests.api.conftest import api_token
from tests.factories import FindingFactory, GradedAreaFactory
from tests.reports.conftest import at, fresh
from tests.reports.test_pack_documents import pdf_text

pytestmark = pytest.mark.django_db

PAPER = {
    "office_name": "Office of the Police and Crime Commissioner for Hertfordshire",
    "report_of": "Police & Crime Commissioner",
    "contact_name": "Gavin Miles",
    "contact_role": "Deputy Chief Executive",
    "contact_email": "gavin.miles@example.org",
    "purpose": "To update the Panel on the PEEL action plan.",
    "overall": "Two areas are behind plan.",
    "response": "The PCC wants improvements made at pace.",
    "next_steps": "The PCC will scrutinise the plan at the next APM.",
    "recommendation": "The Panel is recommended to note the update and make any observations.",
}

# The paper's parts, in the order the page, the PDF and the public page print them.
PARTS = [
    "Report of",
    "Contact officer",
    "Purpose",
    "Summary",
    "Grades and direction of travel",
    "The Commissioner's response",
    "Progress against the action plan",
    "Next steps",
    "Recommendation",
    "Appendix A: every action",
    "Appendix B: HM Inspector's summary",
]


def in_order(text, parts):
    """The parts found one after another, reading the text without its list of contents."""
    if 'id="contents-heading"' in text:  # a page: its contents are a <nav>
        start = text.index('id="contents-heading"')
        text = text[:start] + text[text.index("</nav>", start) :]
    else:  # the PDF's text: its contents run from "Contents" to the last entry
        start = text.index("Contents")
        text = text[:start] + text[text.index("Appendix F: Charts", start) + 18 :]
    position, found = 0, []
    for part in parts:
        position = text.index(part, position + 1)
        found.append(part)
    return found


def write_paper(client, pack, **extra):
    data = {**PAPER, **extra}
    with at(2025, 3, 26):
        response = client.post(reverse("reports:pack_narratives", args=[pack.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pack.refresh_from_db()
    return pack


@pytest.fixture
def paper(world, pack, opcc_officer, signed_in):
    inspection = world["inspection"]
    inspection.inspector_summary = "I have concerns about crime data integrity."
    inspection.fieldwork_start = datetime.date(2023, 12, 1)
    inspection.fieldwork_end = datetime.date(2024, 6, 30)
    inspection.link = "https://example.org/peel-2023-25"
    inspection.save()
    with at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    return write_paper(signed_in(opcc_officer), pack)


def test_new_pack_takes_the_front_matter_from_the_office_settings(world, opcc_officer):
    office = {
        "office_name": "Office of the Police and Crime Commissioner for Testshire",
        "report_of": "Police and Crime Commissioner",
        "contact_name": "Sam Reed",
        "contact_role": "Head of Scrutiny",
        "contact_email": "sam.reed@example.org",
        "purpose": "To update the Panel.",
        "recommendation": "To note the update.",
    }
    with override_settings(PANEL_PAPER=office), at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    assert pack.paper() == {**office, "response": "", "next_steps": ""}
    assert pack.carried_from is None


def test_the_page_and_the_public_page_print_the_paper_in_the_panels_order(
    paper, opcc_officer, signed_in, client
):
    staff = signed_in(opcc_officer).get(reverse("reports:pack", args=[paper.pk])).content.decode()
    assert in_order(staff, PARTS) == PARTS
    for text in PAPER.values():
        assert escape(text) in staff
    services.pack_publish(by=opcc_officer, pack=paper, public=True)
    client.logout()
    public = client.get(paper.get_public_url()).content.decode()
    assert in_order(public, PARTS) == PARTS
    assert "Office of the Police and Crime Commissioner for Hertfordshire" in public
    assert 'href="mailto:gavin.miles@example.org"' in public
    assert "The fieldwork took place between December 2023 and June 2024." in public
    assert 'href="https://example.org/peel-2023-25">PEEL 2023-25</a>' in public
    assert "I have concerns about crime data integrity." in public


def test_the_pdf_prints_the_paper_in_the_panels_order(paper):
    text = pdf_text(documents.pdf_bytes(paper))
    assert in_order(text, PARTS) == PARTS
    assert "Gavin Miles, Deputy Chief Executive, gavin.miles@example.org" in text
    assert "The PCC wants improvements made at pace." in text


def test_the_grades_grid_has_five_columns_beside_the_previous_grades(
    paper, opcc_officer, panel_member, client
):
    services.pack_publish(by=opcc_officer, pack=paper, public=False)
    client.force_login(panel_member)
    html = client.get(reverse("reports:pack", args=[paper.pk])).content.decode()
    grid = html[html.index('class="govuk-table app-grid"') :]
    grid = grid[: grid.index("</table>")]
    headers = ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
    assert [grid.index(f">{h}</th>") for h in headers] == sorted(
        grid.index(f">{h}</th>") for h in headers
    )
    # One row: Preventing crime in the second column (Good), Investigating crime in the fourth.
    row = grid[grid.index("<tbody") :].split("<td")[1:]
    assert ["Preventing crime" in cell for cell in row] == [False, True, False, False, False]
    assert ["Investigating crime" in cell for cell in row] == [False, False, False, True, False]
    assert (
        "The previous inspection, PEEL 2021-22, published in February 2023, was graded "
        "2x Adequate." in html
    )


def test_progress_shows_each_finding_with_its_actions_reasons_and_latest_update(
    paper, opcc_officer, signed_in
):
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[paper.pk])).content.decode()
    progress = html[html.index('id="progress-heading"') : html.index('id="changes-heading"')]
    assert "Supervise every investigation." in progress  # OPCC staff read the original wording
    assert "originally 1 Mar 2025" in progress  # the audit's deadline moved twice
    assert "<strong>Deadline moved:</strong> Scope grew." in progress
    assert "<strong>Blocked:</strong> No trainers available." in progress
    assert "<strong>Reopened:</strong> Plan not followed." in progress
    assert "<strong>Overdue:</strong> no reason recorded" in progress  # Analyst recruitment
    assert "Audit started." in progress  # the latest update's text
    assert "Red" in progress and "Blocked" in progress  # RAG and status in words


def test_public_pages_show_only_public_wording_in_progress(world, opcc_officer, owner, client):
    with at(2025, 3, 20):
        action_services.action_post_update(
            by=owner,
            action=fresh(world["actions"]["a4"]),
            narrative="Two analysts left for Operation Nightjar.",
            public_narrative="Recruitment has been delayed.",
            status=Status.IN_PROGRESS,
            rag=Rag.AMBER,
            percent_complete=20,
        )
    with at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    services.pack_publish(by=opcc_officer, pack=pack, public=True)
    html = client.get(pack.get_public_url()).content.decode()
    pdf = pdf_text(documents.pdf_bytes(pack))
    for text in (html, pdf):
        assert "Improve supervision of investigations." in text  # the public wording
        assert "Recruitment has been delayed." in text
        for secret in [
            "Supervise every investigation.",
            "Operation Nightjar",
            "No trainers available.",
            "Scope grew.",
            "Plan not followed.",
            "Audit started.",
            str(owner),
            str(opcc_officer),
        ]:
            assert secret not in text, secret
    assert "<strong>Overdue:</strong> Recruitment has been delayed." in html
    assert "<strong>Blocked:</strong> no reason published" in html


def test_a_recurring_finding_says_where_it_was_raised_before_and_an_empty_area_says_so(
    world, opcc_officer, signed_in
):
    earlier = Finding.objects.get(reference="Recommendation 1").inspection
    peel_2021 = earlier.previous_inspection()
    old = FindingFactory(inspection=peel_2021, reference="AFI 7", text="Supervise investigations.")
    import_services.finding_link_repeat(
        by=opcc_officer, finding=Finding.objects.get(reference="AFI 1"), earlier=old
    )
    empty = GradedAreaFactory(inspection=world["inspection"], name="Managing offenders", position=3)
    FindingFactory(inspection=world["inspection"], area=empty, reference="AFI 9")
    with at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert "Raised before in PEEL 2021-22 (AFI 7)." in html
    area = html[html.index("Managing offenders (Adequate)") :]
    assert area.index("No actions have been set for this area's 1 finding yet.") < 200
    assert "0% complete" not in area[:300]


def test_a_new_version_carries_the_paper_forward_and_says_so(paper, world, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    key = next(a["key"] for a in paper.snapshot["areas"] if a["area"] == "Preventing crime")
    write_paper(client, paper, **{key: "Prevention is on track."})
    with at(2025, 3, 28):
        response = client.post(
            reverse("reports:pack_generate", args=[world["meeting"].pk]), follow=True
        )
    html = response.content.decode()
    new = BriefingPack.objects.get(meeting=world["meeting"], version=paper.version + 1)
    assert new.paper() == {k: v for k, v in PAPER.items() if k != "overall"}
    assert new.narratives == {"overall": PAPER["overall"], key: "Prevention is on track."}
    assert f"Its words were carried forward from version {paper.version}." in html
    assert f"carried forward from version {paper.version}" in html
    assert "Prevention is on track." in html
    assert new.history.filter(
        history_change_reason__endswith=f"carried forward from version {paper.version}"
    ).exists()


def test_a_narrative_whose_area_left_the_pack_is_kept_with_a_warning(
    paper, world, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    key = next(a["key"] for a in paper.snapshot["areas"] if a["area"] == "Preventing crime")
    write_paper(client, paper, **{key: "Prevention is on track."})
    world["meeting"].inspections.clear()
    with at(2025, 3, 28):
        new = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    assert new.dropped_narratives == {"Preventing crime": "Prevention is on track."}
    html = client.get(reverse("reports:pack", args=[new.pk])).content.decode()
    assert "had narratives for areas no longer in this pack" in html
    assert "Prevention is on track." in html


def test_the_pdf_is_tagged_with_a_title_a_language_and_bookmarks(paper, tmp_path):
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed: apt-get install poppler-utils")
    path = tmp_path / "paper.pdf"
    path.write_bytes(documents.pdf_bytes(paper))
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    assert re.search(
        r"^Title:\s+Report to Accountability & Performance Meeting: APM April$", info, re.MULTILINE
    ), info
    reader = PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    bookmarks = list(outline_titles(reader.outline))
    for heading in [
        "Report to Accountability & Performance Meeting: APM April",
        "Summary",
        "The Commissioner's response",
        "Recommendation",
        "Appendix A: every action",
    ]:
        assert heading in bookmarks, bookmarks


def outline_titles(outline):
    """Every bookmark's title, nested ones too (pypdf nests children in lists)."""
    for item in outline:
        if isinstance(item, list):
            yield from outline_titles(item)
        else:
            yield item.title


def test_the_series_across_meetings_comes_from_each_published_papers_own_figures(
    world, opcc_officer, signed_in
):
    february = world["previous"]
    february.inspections.add(world["inspection"])
    with at(2025, 1, 31):
        published = services.pack_generate(by=opcc_officer, meeting=february, pdf=False)
        services.pack_generate(by=opcc_officer, meeting=february, pdf=False)  # a later draft
    services.pack_publish(by=opcc_officer, pack=published, public=False)
    key = str(world["inspection"].pk)
    before = {
        "actions": 5,
        "open": 5,
        "closed": 0,
        "overdue": 0,
        "percent_complete": 26,
        # Its findings by the public status rule, which the national view reads.
        "findings": {
            "recommendations": {"open": 2, "complete": 0},
            "afis": {"open": 2, "complete": 0},
            "closed": 0,
        },
    }
    assert published.figures[key] == before
    with at(2025, 3, 20):
        action_services.action_post_update(
            by=world["actions"]["a4"].owner,
            action=fresh(world["actions"]["a4"]),
            narrative="Half the analysts are in post.",
            status=Status.IN_PROGRESS,
            rag=Rag.AMBER,
            percent_complete=50,
        )
    with at(2025, 3, 25):
        april = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    (inspection,) = april.snapshot["inspections"]
    points = [
        (p["meeting"], p["overdue"], p["percent_complete"], p["current"])
        for p in inspection["series"]
    ]
    assert points == [("APM February", 0, 26, False), ("APM April", 1, 36, True)]
    published.refresh_from_db()
    assert published.figures[key] == before  # a published paper keeps its figures
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[april.pk])).content.decode()
    assert 'alt="PEEL 2023-25: actions at each meeting: APM February (2025-02-01): 5 open' in html
    table = html[html.index("PEEL 2023-25 at each meeting") :]
    assert "APM April, 1 Apr 2025 (this paper)" in table[: table.index("</table>")]


def test_questions_and_commitments_from_earlier_meetings_show_in_the_next_paper_with_answers(
    paper, world, opcc_officer, owner, client
):
    services.pack_publish(by=opcc_officer, pack=paper, public=True)
    html = client.get(paper.get_public_url()).content.decode()
    section = html[html.index('id="questions-heading"') : html.index('id="next-steps-heading"')]
    assert "Is the plan funded?" in section
    assert "Yes, 15 Mar 2025: Yes, in the 2025 budget." in section
    assert "Will 999 times be reported?" in section
    assert "ACC Crime" in section and str(owner) not in section
    assert "1 Mar 2025 (overdue)" in section  # the open one, past its date
    assert "Old question" not in section  # answered before the last meeting


def test_the_heading_names_the_meeting_kind_once(world, opcc_officer, signed_in):
    meeting = world["meeting"]
    meeting.kind, meeting.title = "panel", "Police & Crime Panel: PEEL progress"
    meeting.save()
    with at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert (
        '<h1 class="govuk-heading-l">Report to Police &amp; Crime Panel: PEEL progress</h1>' in html
    )
    assert "Panel: Police" not in html


def test_the_api_gives_the_panel_the_papers_progress_in_public_words_only(
    world, opcc_officer, panel_member, owner, client
):
    with at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    services.pack_publish(by=opcc_officer, pack=pack, public=False)
    response = client.get(
        reverse("api:pack-detail", args=[pack.pk]),
        headers={"Authorization": f"Token {api_token(panel_member)}"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Improve supervision of investigations." in body
    for secret in ["Supervise every investigation.", "No trainers available.", str(owner)]:
        assert secret not in body, secret


def test_a_pack_generated_before_the_paper_still_reads(pack, opcc_officer, signed_in):
    """Packs frozen with the first snapshot schema have none of the paper's new keys."""
    snapshot = pack.snapshot
    for key in ("findings", "figures"):
        del snapshot[key]
    for area in snapshot["areas"]:
        del area["inspection_id"]
    for inspection in snapshot["inspections"]:
        for key in ("series", "series_chart", "figures", "inspector_summary", "force"):
            del inspection[key]
        del inspection["grades"]["grid"]
    snapshot["changes"] = {"new": [], "closures": [], "reopenings": [], "status": []}
    snapshot["schema"] = 1
    BriefingPack.objects.filter(pk=pack.pk).update(snapshot=snapshot)
    response = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Investigating crime (Requires improvement)" in html  # areas under their inspection
    assert "Appendix A: every action" in html


def test_a_coroners_matter_of_concern_with_no_action_is_listed_as_needing_a_response(
    world, opcc_officer, signed_in
):
    FindingFactory(
        inspection=world["inspection"],
        kind=Finding.Kind.MATTER_OF_CONCERN,
        reference="Matter of concern 1",
        text="No alert when a check was missed.",
    )
    FindingFactory(inspection=world["inspection"], kind=Finding.Kind.AFI, reference="AFI 99")
    with at(2025, 3, 25):
        pack = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    (inspection,) = pack.snapshot["inspections"]
    needing = [f["reference"] for f in inspection["statutory"]["needing_response"]]
    assert "Matter of concern 1" in needing and "AFI 99" not in needing
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert (
        "<li>Matter of concern 1 (matter of concern): No alert when a check was missed.</li>"
        in (html)
    )
