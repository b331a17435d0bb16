"""The inspection page: grades with trend, findings by area, the s.55 response date."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions.models import Finding
from tests.factories import (
    ActionFactory,
    FindingFactory,
    GradedAreaFactory,
    InspectionFactory,
)

pytestmark = pytest.mark.django_db


def page(client, inspection):
    return client.get(reverse("actions:inspection", args=[inspection.pk]))


@time_machine.travel(datetime.datetime(2025, 1, 10, 12, 0))
def test_grades_table_compares_with_the_previous_inspection(force, opcc_officer, signed_in):
    before = InspectionFactory(force=force, published_on=datetime.date(2023, 2, 1))
    GradedAreaFactory(inspection=before, name="Investigating crime", grade="adequate")
    GradedAreaFactory(inspection=before, name="Preventing crime", grade="adequate")
    now = InspectionFactory(force=force, published_on=datetime.date(2024, 10, 16))
    GradedAreaFactory(inspection=now, name="Investigating crime", grade="requires_improvement")
    GradedAreaFactory(inspection=now, name="Preventing crime", grade="good")
    GradedAreaFactory(inspection=now, name="Recording data about crime", grade="inadequate")
    response = page(signed_in(opcc_officer), now)
    trends = {
        row["area"].name: (
            row["previous_area"].get_grade_display() if row["previous_area"] else "",
            row["direction"].trend,
        )
        for row in response.context["grades"]
    }
    assert trends == {
        "Investigating crime": ("Adequate", "declined"),
        "Preventing crime": ("Adequate", "improved"),
        "Recording data about crime": ("", None),
    }
    html = response.content.decode()
    # Neutral words: the tracker says what is recorded, never that the office "missed" it.
    assert "No response recorded; the due date has passed (10 December 2024)." in html
    assert "Missed" not in html


def test_s55_response_recorded_after_the_due_date_shows_both_dates_in_neutral_words(
    force, opcc_officer, signed_in
):
    inspection = InspectionFactory(
        force=force,
        published_on=datetime.date(2024, 10, 16),
        response_published_on=datetime.date(2024, 12, 11),
    )
    html = page(signed_in(opcc_officer), inspection).content.decode()
    assert "Response recorded 11 December 2024 (due 10 December 2024)." in html
    assert "Missed" not in html


def test_an_inspection_with_no_publication_date_shows_it_as_not_known(
    force, opcc_officer, signed_in
):
    inspection = InspectionFactory(force=force, published_on=None)
    html = page(signed_in(opcc_officer), inspection).content.decode()
    assert "Not known" in html and "Not yet published" not in html


def test_s55_response_recorded_shows_its_date_and_link(force, opcc_officer, signed_in):
    inspection = InspectionFactory(
        force=force,
        published_on=datetime.date(2024, 10, 16),
        response_published_on=datetime.date(2024, 12, 3),
        response_link="https://pcc.example.org/response",
    )
    html = page(signed_in(opcc_officer), inspection).content.decode()
    assert "Response recorded 3 December 2024 (due 10 December 2024)." in html
    assert 'href="https://pcc.example.org/response"' in html


def test_findings_are_grouped_by_area_with_their_actions_status(force, owner, signed_in):
    area = GradedAreaFactory(inspection__force=force, name="Investigating crime")
    finding = FindingFactory(inspection=area.inspection, area=area, reference="AFI 7")
    ActionFactory(finding=finding, title="Supervision audit", status="in_progress")
    response = page(signed_in(owner), area.inspection)
    (section,) = response.context["sections"]
    assert section["area"] == area and section["findings"] == [finding]
    html = response.content.decode()
    assert "Supervision audit" in html and "In progress</strong>" in html


def test_recommendations_with_no_action_and_no_reason_are_flagged(force, opcc_officer, signed_in):
    inspection = InspectionFactory(force=force)
    flagged = FindingFactory(inspection=inspection, kind="recommendation", reference="Rec 1")
    FindingFactory(
        inspection=inspection,
        kind="recommendation",
        reference="Rec 2",
        no_action_reason="National work covers it.",
    )
    ActionFactory(finding=FindingFactory(inspection=inspection, kind="recommendation"))
    response = page(signed_in(opcc_officer), inspection)
    assert response.context["needing_response"] == [flagged]
    assert "1 finding needs a response" in response.content.decode()


@pytest.mark.parametrize("findings", [2, 60])
def test_inspection_page_query_count_is_constant(
    findings, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    inspection = InspectionFactory(force=force)
    areas = GradedAreaFactory.create_batch(3, inspection=inspection)
    for n in range(findings):
        finding = FindingFactory(inspection=inspection, area=areas[n % 3])
        ActionFactory.create_batch(2, finding=finding, owner=owner)
    client = signed_in(opcc_officer)
    with django_assert_max_num_queries(13):  # with the officer's office's forces (the scope)
        response = page(client, inspection)
    assert Finding.objects.filter(inspection=inspection).count() == findings
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 50])
def test_inspection_list_query_count_is_constant(
    rows, force, opcc_officer, signed_in, django_assert_max_num_queries
):
    InspectionFactory.create_batch(rows, force=force)
    client = signed_in(opcc_officer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("actions:inspections"))
    assert len(response.context["inspections"]) == rows


def test_opcc_records_a_finding_discharged_by_the_inspectorate(finding, opcc_officer, signed_in):
    url = reverse("actions:finding_external_status", args=[finding.pk])
    response = signed_in(opcc_officer).post(
        url, {"status": "discharged", "on": "2026-03-02", "note": "Revisit letter of 2 March."}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.external_status == "discharged"
    assert str(finding.external_status_on) == "2026-03-02"
    latest = finding.history.latest()
    assert latest.history_user == opcc_officer
    assert "Discharged by HMICFRS" in latest.history_change_reason
    page = signed_in(opcc_officer).get(reverse("actions:inspection", args=[finding.inspection_id]))
    assert "Discharged by HMICFRS" in page.content.decode()


def test_external_status_needs_a_note_and_a_date(finding, opcc_officer, signed_in):
    url = reverse("actions:finding_external_status", args=[finding.pk])
    before = finding.history.count()
    response = signed_in(opcc_officer).post(url, {"status": "superseded", "on": "", "note": " "})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    finding.refresh_from_db()
    assert finding.external_status == "open"
    assert finding.history.count() == before
