"""Adding and editing a source of findings, recording its response, and the dashboard's
"Responses due" panel."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions.models import Inspection
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("actions:inspection_create")
NOON = datetime.datetime(2025, 1, 10, 12, 0)


def edit_url(inspection):
    return reverse("actions:inspection_edit", args=[inspection.pk])


def response_url(inspection):
    return reverse("actions:inspection_response", args=[inspection.pk])


def source_form(force, **fields):
    return {
        "title": "Learning recommendation: custody handovers",
        "force": force.pk,
        "source_type": "iopc",
        "kind": "other",
        "published_on": "2024-10-16",
        **fields,
    }


def edit_form(inspection, **fields):
    data = {
        "title": inspection.title,
        "source_type": inspection.source_type,
        "kind": inspection.kind,
        "published_on": inspection.published_on.isoformat() if inspection.published_on else "",
        "reason": "Dates checked against the letter",
    }
    return {**data, **fields}


@time_machine.travel(NOON)
def test_opcc_staff_add_an_iopc_recommendation_and_its_page_shows_its_clock(
    force, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    response = client.post(CREATE, source_form(force, link="https://www.policeconduct.gov.uk/r"))
    inspection = Inspection.objects.get(title="Learning recommendation: custody handovers")
    assert response.status_code == 302
    assert response["Location"] == reverse("actions:inspection", args=[inspection.pk])
    record = inspection.history.get()
    assert (record.history_user, record.history_change_reason) == (
        opcc_officer,
        "Source added by hand",
    )
    html = client.get(response["Location"]).content.decode()
    assert "No response recorded; the due date has passed (10 December 2024)." in html
    assert "Police Reform Act 2002, Sch. 3 para 28B" in html


def test_a_source_that_is_not_hmicfrs_must_be_of_kind_other(force, opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(CREATE, source_form(force, kind="peel"))
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_the_models_refusal_is_shown_at_its_field(force, opcc_officer, signed_in):
    data = source_form(force, source_type="hmicfrs", kind="peel", response_due_on="2025-01-31")
    response = signed_in(opcc_officer).post(CREATE, data)
    form = response.context["form"]
    assert "response_due_on" in form.errors
    html = response.content.decode()
    # The date input's fieldset is described by the error, and the summary links to its first box.
    assert 'aria-describedby="response_due_on-hint response_due_on-error"' in html
    assert 'href="#id_response_due_on_day"' in html
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "panel_member", "other_force_owner"])
def test_only_opcc_staff_may_add_edit_or_record_a_response(persona, force, signed_in, request):
    inspection = InspectionFactory(force=force)
    client = signed_in(request.getfixturevalue(persona))
    assert client.post(CREATE, source_form(force)).status_code == 403
    assert client.post(edit_url(inspection), edit_form(inspection)).status_code == 403
    post = {"published_on": "2024-12-03"}
    assert client.post(response_url(inspection), post).status_code == 403
    inspection.refresh_from_db()
    assert inspection.response_published_on is None


def test_edit_keeps_the_reason_and_offers_only_the_forces_earlier_inspections(
    force, other_force, opcc_officer, signed_in
):
    earlier = InspectionFactory(force=force, published_on=datetime.date(2022, 3, 1))
    InspectionFactory(force=force, published_on=datetime.date(2025, 3, 1))
    InspectionFactory(force=other_force, published_on=datetime.date(2022, 3, 1))
    inspection = InspectionFactory(force=force, published_on=datetime.date(2024, 10, 16))
    client = signed_in(opcc_officer)
    choices = client.get(edit_url(inspection)).context["form"].fields["previous"].queryset
    assert list(choices) == [earlier]

    data = edit_form(inspection, previous=earlier.pk, revisit_on="2025-05-01")
    assert client.post(edit_url(inspection), data).status_code == 302
    inspection.refresh_from_db()
    assert (inspection.previous, inspection.revisit_on) == (earlier, datetime.date(2025, 5, 1))
    assert inspection.history.first().history_change_reason == "Dates checked against the letter"


def test_edit_needs_a_reason(force, opcc_officer, signed_in):
    inspection = InspectionFactory(force=force)
    data = edit_form(inspection, reason="", revisit_on="2025-05-01")
    response = signed_in(opcc_officer).post(edit_url(inspection), data)
    assert "reason" in response.context["form"].errors
    inspection.refresh_from_db()
    assert inspection.revisit_on is None


def test_a_coroner_extension_is_recorded_with_its_reason(force, opcc_officer, signed_in):
    inspection = InspectionFactory(force=force, source_type="coroner", kind="other")
    data = edit_form(
        inspection,
        response_extended_to="2025-01-31",
        response_extension_reason="The coroner agreed more time on 2 December",
    )
    signed_in(opcc_officer).post(edit_url(inspection), data)
    inspection.refresh_from_db()
    assert inspection.response_due == datetime.date(2025, 1, 31)
    assert inspection.statutory_response_due == datetime.date(2024, 12, 11)


@time_machine.travel(NOON)
def test_record_the_response_from_the_source_page(force, opcc_officer, signed_in):
    inspection = InspectionFactory(force=force, published_on=datetime.date(2024, 10, 16))
    client = signed_in(opcc_officer)
    page = client.get(reverse("actions:inspection", args=[inspection.pk])).content.decode()
    assert response_url(inspection) in page
    data = {"published_on": "2024-12-03", "link": "https://pcc.example.org/response"}
    assert client.post(response_url(inspection), data).status_code == 302
    inspection.refresh_from_db()
    assert inspection.response_state == "recorded"
    assert inspection.response_link == "https://pcc.example.org/response"
    record = inspection.history.first()
    assert record.history_change_reason == "Response recorded as published on 3 December 2024"
    page = client.get(reverse("actions:inspection", args=[inspection.pk])).content.decode()
    assert "Response recorded 3 December 2024 (due 10 December 2024)." in page


def test_owner_sees_the_clock_but_no_links_to_change_it(force, owner, signed_in):
    inspection = InspectionFactory(force=force)
    page = signed_in(owner).get(reverse("actions:inspection", args=[inspection.pk]))
    html = page.content.decode()
    assert "Response due" in html or "No response recorded" in html
    assert response_url(inspection) not in html and edit_url(inspection) not in html


def test_every_source_type_flags_recommendations_with_no_action_and_no_reason(
    force, opcc_officer, signed_in
):
    for source in Inspection.SourceType.values:
        inspection = InspectionFactory(force=force, source_type=source, kind="other")
        FindingFactory(inspection=inspection, kind="recommendation", reference="R1")
        response = signed_in(opcc_officer).get(reverse("actions:inspection", args=[inspection.pk]))
        assert [f.reference for f in response.context["needing_response"]] == ["R1"], source


@time_machine.travel(NOON)
def test_dashboard_lists_responses_due_in_28_days_and_those_passed(
    force, opcc_officer, owner, signed_in
):
    today = datetime.date(2025, 1, 10)
    soon = InspectionFactory(
        force=force, source_type="internal_audit", kind="other", response_due_on=today
    )
    in_28 = InspectionFactory(
        force=force, source_type="coroner", kind="other", published_on=datetime.date(2024, 12, 12)
    )  # due 6 February, day 27 from today
    InspectionFactory(force=force, published_on=datetime.date(2024, 12, 20))  # due 13 February
    passed = InspectionFactory(force=force, published_on=datetime.date(2024, 10, 16))
    InspectionFactory(
        force=force,
        published_on=datetime.date(2024, 10, 1),
        response_published_on=datetime.date(2024, 11, 20),
    )
    response = signed_in(opcc_officer).get(reverse("actions:dashboard"))
    panel = response.context["responses_due"]
    assert panel["upcoming"] == [soon, in_28] and panel["upcoming_total"] == 2
    assert panel["passed"] == [passed] and panel["passed_total"] == 1
    html = response.content.decode()
    assert "Responses due: 3" in html and "6 February 2025" in html

    owner_view = signed_in(owner).get(reverse("actions:dashboard"))
    assert owner_view.context["responses_due"] is None
    assert "Responses due" not in owner_view.content.decode()


def test_an_empty_form_says_what_to_enter(opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(CREATE, {})
    html = response.content.decode()
    assert "Enter the source&#x27;s title." in html
    assert "Choose the force the source is about." in html
    assert "Choose where the source came from." in html
    assert "This field is required." not in html
    # Each message links to its field; a radio group's to its first option.
    assert 'href="#"' not in html and 'href="#id_source_type_0"' in html
    assert 'id="id_source_type_0"' in html
    assert not Inspection.objects.exists()


def peel_form(force, **fields):
    return source_form(force, title="PEEL 2023-25", source_type="hmicfrs", kind="peel", **fields)


def test_the_add_page_suggests_the_only_forces_latest_earlier_peel_inspection(
    force, opcc_officer, signed_in
):
    InspectionFactory(force=force, kind="peel", published_on=datetime.date(2019, 5, 2))
    InspectionFactory(
        force=force, kind="peel", title="PEEL 2021/22", published_on=datetime.date(2023, 2, 9)
    )
    InspectionFactory(force=force, kind="thematic", published_on=datetime.date(2024, 1, 5))
    response = signed_in(opcc_officer).get(CREATE)
    form = response.context["form"]
    # Suggested in words rather than preselected: an IOPC or coroner's source follows no PEEL.
    assert form.initial["force"] == force and "previous" not in form.initial
    assert (
        "Left as &quot;None chosen&quot;, a PEEL inspection follows the force&#x27;s latest "
        "earlier one: Hertfordshire Constabulary: PEEL 2021/22 (published 9 February 2023)"
    ) in response.content.decode()


def test_the_add_page_suggests_nothing_when_there_are_several_forces(
    force, other_force, opcc_officer, signed_in
):
    InspectionFactory(force=force, kind="peel", published_on=datetime.date(2023, 2, 9))
    response = signed_in(opcc_officer).get(CREATE)
    form = response.context["form"]
    assert form.initial["force"] is None
    assert "None chosen" in form.fields["previous"].empty_label
    assert "Left as" not in response.content.decode()


def test_opcc_staff_add_a_source_with_its_previous_inspection_and_its_page_shows_it(
    force, opcc_officer, signed_in
):
    earlier = InspectionFactory(
        force=force, kind="peel", title="PEEL 2021/22", published_on=datetime.date(2023, 2, 9)
    )
    client = signed_in(opcc_officer)
    response = client.post(CREATE, peel_form(force, previous=earlier.pk))
    inspection = Inspection.objects.get(title="PEEL 2023-25")
    assert response["Location"] == reverse("actions:inspection", args=[inspection.pk])
    assert inspection.previous == earlier
    record = inspection.history.get()
    assert (record.previous, record.history_user) == (earlier, opcc_officer)
    html = client.get(response["Location"]).content.decode()
    assert "Previous inspection" in html
    assert reverse("actions:inspection", args=[earlier.pk]) in html
    assert "PEEL 2021/22</a> (published 9 February 2023)" in html


def test_a_previous_inspection_of_another_force_is_refused_with_the_reason(
    force, other_force, opcc_officer, signed_in
):
    theirs = InspectionFactory(
        force=other_force, title="Their PEEL", published_on=datetime.date(2023, 2, 9)
    )
    response = signed_in(opcc_officer).post(CREATE, peel_form(force, previous=theirs.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["previous"] == [
        f'Choose one of {force}\'s inspections: "Their PEEL" is about {other_force}.'
    ]
    assert 'href="#id_previous"' in response.content.decode()
    assert not Inspection.objects.filter(title="PEEL 2023-25").exists()


@pytest.mark.parametrize("published_on", ["2024-10-16", "2025-03-01"])
def test_a_previous_inspection_published_the_same_day_or_later_is_refused(
    published_on, force, opcc_officer, signed_in
):
    later = InspectionFactory(
        force=force,
        title="Later PEEL",
        published_on=datetime.date.fromisoformat(published_on),
    )
    response = signed_in(opcc_officer).post(CREATE, peel_form(force, previous=later.pk))
    on = later.published_on
    assert response.context["form"].errors["previous"] == [
        f'Choose an inspection published before this one: "Later PEEL" was published on '
        f"{on.day} {on:%B %Y}."
    ]
    assert not Inspection.objects.filter(title="PEEL 2023-25").exists()


def test_the_previous_inspection_left_blank_follows_the_latest_earlier_one(
    force, opcc_officer, signed_in
):
    earlier = InspectionFactory(force=force, kind="peel", published_on=datetime.date(2023, 2, 9))
    client = signed_in(opcc_officer)
    response = client.post(CREATE, peel_form(force, previous=""))
    inspection = Inspection.objects.get(title="PEEL 2023-25")
    assert inspection.previous is None and inspection.previous_inspection() == earlier
    html = client.get(response["Location"]).content.decode()
    assert "None chosen: the force's latest earlier inspection of the same kind." in html


def test_a_coroners_matter_of_concern_added_by_hand_needs_a_response(
    force, opcc_officer, signed_in
):
    coroner = InspectionFactory(force=force, source_type="coroner", kind="other")
    client = signed_in(opcc_officer)
    form_url = reverse("actions:finding_create", args=[coroner.pk])
    assert 'value="matter_of_concern"' in client.get(form_url).content.decode()
    data = {"kind": "matter_of_concern", "reference": "Matter of concern 1", "text": "No alert."}
    assert client.post(form_url, data).status_code == 302
    FindingFactory(inspection=coroner, kind="afi", reference="AFI 1")
    page = client.get(reverse("actions:inspection", args=[coroner.pk]))
    assert [f.reference for f in page.context["needing_response"]] == ["Matter of concern 1"]
    html = page.content.decode()
    assert "Matter of concern 1</a> · Matter of concern" in html
