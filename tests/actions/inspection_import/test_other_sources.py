"""The import screens for IOPC and coroners' reports, texts not recognised, and reports already
in the register. The letters and reports here are invented: every name is fictional."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from actions.inspection_import.draft import SESSION_KEY
from actions.models import Finding, Inspection
from actions.sample_data.demo import PEEL_2023_TITLE, TEXTS
from tests.actions.inspection_import.test_import_command import REPORT
from tests.actions.inspection_import.test_views import form_data
from tests.factories import ForceFactory

pytestmark = pytest.mark.django_db

START = reverse("actions:import_start")
REVIEW = reverse("actions:import_review")

IOPC_LETTER = """Independent Office for Police Conduct
Learning recommendations to Eastmere Constabulary
Dated: 12 February 2025

Dear Chief Constable,

Our investigation into the death of Mr Arlo Finchley following contact with Eastmere
Constabulary officers identified learning for the force. Please respond within 56 days, as
paragraph 28A of Schedule 3 to the Police Reform Act 2002 requires.

Learning recommendation 1
The IOPC recommends that Eastmere Constabulary reviews its guidance on welfare checks of
detained people so that officers rouse and speak to anyone who is intoxicated.

Learning recommendation 2
The IOPC recommends that Eastmere Constabulary makes sure that control room staff record the
reason whenever a call is downgraded.

Recommendation 3
The IOPC recommends that Eastmere Constabulary shares the learning from this investigation
with all custody staff.

Yours sincerely,
Priya Oakhurst
Regional Director
"""

CORONER_REPORT = """REGULATION 28: REPORT TO PREVENT FUTURE DEATHS

THIS REPORT IS BEING SENT TO:
1. The Chief Constable of Northmoor Police

1 CORONER
I am Helena Brackwater, Assistant Coroner for the coroner area of Northmoor.

2 CORONER'S LEGAL POWERS
I make this report under paragraph 7, Schedule 5, of the Coroners and Justice Act 2009 and
regulations 28 and 29 of the Coroners (Investigations) Regulations 2013.

3 INVESTIGATION and INQUEST
On 4 March 2024 I commenced an investigation into the death of Tobias Wrenfield.

4 CIRCUMSTANCES OF THE DEATH
Mr Wrenfield died in a police cell at Northmoor Central custody suite.

5 CORONER'S CONCERNS
During the course of the inquest the evidence revealed matters giving rise to concern.

The MATTERS OF CONCERN are as follows.

1. Custody staff did not carry out rousing checks at the intervals the risk assessment
required.
2. There was no system to alert the custody sergeant when a check was missed.
3. Detention officers had not received refresher training in the recognition of head
injuries.

6 ACTION SHOULD BE TAKEN
In my opinion action should be taken to prevent future deaths and I believe you have the
power to take such action.

7 YOUR RESPONSE
You are under a duty to respond to this report within 56 days of the date of this report.

9 Date: 23 January 2025
Helena Brackwater
Assistant Coroner for Northmoor
"""

MINUTES = """Minutes of the Eastmere Community Safety Partnership
Members discussed the budget and the summer events plan.
"""


@pytest.fixture
def officer(opcc_officer, signed_in):
    return signed_in(opcc_officer)


def upload(client, name, text):
    return client.post(START, {"file": SimpleUploadedFile(name, text.encode())})


def accept(client):
    return client.post(REVIEW, form_data(client.session[SESSION_KEY], do="accept"))


def test_an_iopc_letter_becomes_dated_learning_recommendations_of_an_iopc_source(officer):
    force = ForceFactory(name="Eastmere Constabulary")
    response = officer.post(START, {"text": IOPC_LETTER})
    assert response["Location"] == REVIEW
    page = officer.get(REVIEW).content.decode()
    assert '<option value="iopc" selected>IOPC learning recommendation</option>' in page
    accept(officer)
    inspection = Inspection.objects.get()
    assert (inspection.force, inspection.source_type, inspection.published_on) == (
        force,
        Inspection.SourceType.IOPC,
        datetime.date(2025, 2, 12),
    )
    assert inspection.title == "IOPC learning recommendations of 12 February 2025"
    assert [(f.kind, f.reference) for f in inspection.findings.order_by("position")] == [
        ("recommendation", "Recommendation 1"),
        ("recommendation", "Recommendation 2"),
        ("recommendation", "Recommendation 3"),
    ]


def test_an_uploaded_coroners_report_becomes_its_matters_of_concern_of_a_coroner_source(officer):
    force = ForceFactory(name="Northmoor Police")
    assert upload(officer, "pfd-wrenfield.txt", CORONER_REPORT)["Location"] == REVIEW
    accept(officer)
    inspection = Inspection.objects.get()
    assert (inspection.force, inspection.source_type, inspection.published_on) == (
        force,
        Inspection.SourceType.CORONER,
        datetime.date(2025, 1, 23),
    )
    findings = inspection.findings.order_by("position")
    assert [(f.kind, f.reference) for f in findings] == [
        ("matter_of_concern", f"Matter of concern {n}") for n in (1, 2, 3)
    ]
    assert findings[1].text == (
        "There was no system to alert the custody sergeant when a check was missed."
    )


def test_two_coroners_reports_to_one_force_are_not_taken_for_the_same_report(officer):
    ForceFactory(name="Northmoor Police")
    upload(officer, "pfd-wrenfield.txt", CORONER_REPORT)
    accept(officer)
    later = CORONER_REPORT.replace("23 January 2025", "2 June 2025").replace("Tobias", "Ada")
    assert upload(officer, "pfd-2.txt", later)["Location"] == REVIEW
    accept(officer)
    assert Inspection.objects.filter(source_type="coroner").count() == 2


def test_a_text_not_recognised_says_why_and_keeps_the_text_to_add_findings_by_hand(officer):
    force = ForceFactory(name="Eastmere Constabulary")
    response = officer.post(START, {"text": MINUTES, "force": force.pk})
    assert response["Location"] == REVIEW
    page = officer.get(REVIEW).content.decode()
    assert "No findings were recognised in this text." in page
    assert "was not recognised as an HMICFRS report" in page
    assert "Members discussed the budget and the summer events plan." in page
    assert '<textarea class="govuk-textarea" id="source-text"' in page
    draft = officer.session[SESSION_KEY]
    assert draft["findings"] == [] and draft["inspection"]["source_type"] == "other"

    refused = officer.post(
        REVIEW, form_data(draft, do="accept", **{"inspection-title": "Partnership minutes"})
    )
    assert "There are no findings to import." in refused.content.decode()
    officer.post(REVIEW, form_data(officer.session[SESSION_KEY], do="add"))
    draft = officer.session[SESSION_KEY]
    edits = {
        "inspection-title": "Partnership minutes, May 2025",
        "finding-0-kind": "recommendation",
        "finding-0-text": "The force should publish its summer events plan.",
    }
    response = officer.post(REVIEW, form_data(draft, do="accept", **edits))
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.source_type == "other"
    assert inspection.findings.get().text == "The force should publish its summer events plan."


@pytest.fixture
def imported_kent(officer):
    ForceFactory(name="Kent Police")
    officer.post(START, {"text": REPORT})
    accept(officer)
    return Inspection.objects.get()


def assert_refused_with_a_link(response, inspection, client):
    html = response.content.decode()
    assert response.status_code == 200
    assert "This report is already in the register" in html
    href = reverse("actions:inspection", args=[inspection.pk])
    name = escape(f"{inspection.title} ({inspection.force})")
    assert f'<a class="govuk-link" href="{href}">{name}</a>' in html
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("how", ["paste", "upload"])
def test_the_same_text_again_is_refused_with_a_link_to_the_inspection(officer, imported_kent, how):
    # Other line breaks and spacing: the same words are the same report.
    text = REPORT.replace("\n", "\n\n")
    response = (
        officer.post(START, {"text": text}) if how == "paste" else upload(officer, "k.txt", text)
    )
    assert_refused_with_a_link(response, imported_kent, officer)
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 5


@pytest.mark.parametrize("how", ["paste", "upload"])
def test_another_text_of_the_same_force_and_title_is_refused(officer, imported_kent, how):
    text = REPORT + "\nThis copy was printed for the Panel.\n"
    response = (
        officer.post(START, {"text": text}) if how == "paste" else upload(officer, "k.txt", text)
    )
    assert_refused_with_a_link(response, imported_kent, officer)


def test_a_refused_report_leaves_the_draft_under_review_alone(officer, imported_kent):
    ForceFactory(name="Eastmere Constabulary")
    officer.post(START, {"text": IOPC_LETTER})
    officer.post(START, {"text": REPORT})
    assert officer.session[SESSION_KEY]["source_name"] == "pasted text"
    assert officer.session[SESSION_KEY]["inspection"]["source_type"] == "iopc"


@pytest.mark.parametrize("how", ["paste", "upload"])
def test_the_demos_peel_2023_25_text_is_refused_after_load_demo(officer, how):
    call_command("load_demo", stdout=None)
    text = (TEXTS / "pcc-panel-report-peel-2023-25.txt").read_text()
    response = (
        officer.post(START, {"text": text})
        if how == "paste"
        else upload(officer, "peel-2023-25.txt", text)
    )
    assert_refused_with_a_link(response, Inspection.objects.get(title=PEEL_2023_TITLE), officer)


def test_an_action_owner_cannot_import(owner, signed_in):
    client = signed_in(owner)
    assert client.post(START, {"text": IOPC_LETTER}).status_code == 403
    assert Inspection.objects.count() == 0
