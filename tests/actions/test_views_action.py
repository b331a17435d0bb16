"""The action page, its history tab, and every workflow form, with bad input refused whole."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Action, Finding, Rag, Status
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    GradedAreaFactory,
    UpdateFactory,
    UserFactory,
)
from tracker import roles

pytestmark = pytest.mark.django_db


def url(name, obj):
    return reverse(f"actions:{name}", args=[obj.pk])


def proposed_with_assured_evidence(action, owner, opcc_officer):
    services.action_propose_closure(by=owner, action=action, narrative="All done.")
    EvidenceFactory(
        action=action,
        submitted_by=owner,
        assured_by=UserFactory(role=roles.OPCC_STAFF),
        assured_at=timezone.now(),
    )
    action.refresh_from_db()
    return action


def added_days_ago(action, days=2):
    """The action as if added `days` ago: a deadline changed then is a move, not a correction."""
    Action.objects.filter(pk=action.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )
    action.refresh_from_db()
    return action


def test_action_page_shows_finding_people_slipped_deadline_status_rag_updates_and_evidence(
    action, owner, opcc_officer, signed_in
):
    added_days_ago(action)
    services.action_change_deadline(
        by=opcc_officer,
        action=action,
        deadline=action.deadline + datetime.timedelta(days=30),
        reason="Training delayed",
    )
    UpdateFactory(action=action, author=owner, narrative="Dip sampling started.")
    EvidenceFactory(action=action, submitted_by=owner, title="Dip-sample results")
    html = signed_in(owner).get(url("detail", action)).content.decode()
    assert action.finding.text in html
    assert action.finding.area.name in html
    assert str(owner) in html and str(opcc_officer) in html
    assert f"Originally {action.original_deadline:%-d %B %Y}" in html
    assert "Not started</strong>" in html and "Green</strong>" in html
    assert "Dip sampling started." in html
    assert "Dip-sample results" in html


def test_action_page_query_count_does_not_grow_with_updates_and_evidence(
    action, owner, signed_in, django_assert_max_num_queries
):
    client = signed_in(owner)
    for count in (1, 30):
        UpdateFactory.create_batch(count, action=action, author=owner)
        EvidenceFactory.create_batch(count, action=action, submitted_by=owner)
        # 11: one more than before collaborations, for the sharing history.
        with django_assert_max_num_queries(11):
            assert client.get(url("detail", action)).status_code == 200


def test_history_tab_shows_old_and_new_values_with_who_when_and_why(
    action, owner, opcc_officer, second_opcc_officer, signed_in, django_assert_max_num_queries
):
    old_deadline = action.deadline
    services.action_change_deadline(
        by=opcc_officer,
        action=action,
        deadline=old_deadline + datetime.timedelta(days=14),
        reason="Supplier late",
    )
    services.action_assign(
        by=opcc_officer, action=action, owner=owner, opcc_lead=second_opcc_officer
    )
    client = signed_in(owner)
    # One more than before extension requests: their history rows are read too.
    with django_assert_max_num_queries(11):
        response = client.get(url("history", action))
    html = response.content.decode()
    assert "Supplier late" in html
    assert f"{old_deadline:%-d %B %Y}" in html
    assert f"{old_deadline + datetime.timedelta(days=14):%-d %B %Y}" in html
    assert "by Priya Shah" in html
    entry = next(e for e in response.context["entries"] if e["why"] == "Assigned")
    assert {"field": "OPCC lead", "old": "Priya Shah", "new": "Ben Cole"} in entry["changes"]


def test_owner_posts_an_update_that_sets_status_rag_and_percent(action, owner, signed_in):
    response = signed_in(owner).post(
        url("update", action),
        {
            "narrative": "Training booked.",
            "status": "in_progress",
            "rag": "amber",
            "percent_complete": "40",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.rag, action.percent_complete) == ("in_progress", "amber", 40)
    assert action.updates.get().narrative == "Training booked."


def test_update_without_a_narrative_or_with_a_bad_percent_saves_nothing(action, owner, signed_in):
    response = signed_in(owner).post(
        url("update", action),
        {"narrative": " ", "status": "in_progress", "rag": "green", "percent_complete": "140"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the progress made." in html
    assert "There is a problem" in html and 'href="#id_narrative"' in html
    assert not action.updates.exists()


def test_update_cannot_make_an_illegal_transition(action, owner, signed_in):
    response = signed_in(owner).post(
        url("update", action),
        {"narrative": "Done", "status": "closed", "rag": "green", "percent_complete": "100"},
    )
    assert "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


def test_a_closed_action_cannot_be_updated_until_reopened(owner, signed_in):
    action = ActionFactory(
        finding__inspection__force=owner.force,
        owner=owner,
        status=Status.CLOSED,
        closure_summary="Done",
    )
    response = signed_in(owner).post(
        url("update", action),
        {"narrative": "More work", "status": "closed", "rag": "green", "percent_complete": "10"},
    )
    assert "This action is closed" in response.content.decode()
    assert not action.updates.exists()


def test_owner_proposes_closure_and_cannot_then_close_it(action, owner, signed_in):
    client = signed_in(owner)
    response = client.post(url("propose", action), {"narrative": "Evidence attached."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.proposed_by) == (Status.PROPOSED, owner)
    assert client.post(url("close", action), {"closure_summary": "x"}).status_code == 403


def test_opcc_closes_a_proposed_action_with_assured_evidence_and_a_summary(
    action, owner, opcc_officer, signed_in
):
    proposed_with_assured_evidence(action, owner, opcc_officer)
    response = signed_in(opcc_officer).post(
        url("close", action), {"closure_summary": "Supervision now checked monthly."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert action.history.latest().history_change_reason.startswith("Closed:")


def test_close_without_a_summary_is_refused(action, owner, opcc_officer, signed_in):
    proposed_with_assured_evidence(action, owner, opcc_officer)
    response = signed_in(opcc_officer).post(url("close", action), {"closure_summary": ""})
    assert "Enter a closure summary." in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.PROPOSED


def test_close_without_assured_evidence_is_refused_with_the_reason(
    action, owner, opcc_officer, signed_in
):
    services.action_propose_closure(by=owner, action=action, narrative="Done")
    response = signed_in(opcc_officer).post(url("close", action), {"closure_summary": "Done"})
    assert "At least one evidence item must be assured first." in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.PROPOSED


def test_opcc_who_proposed_closure_cannot_close_it(action, owner, opcc_officer, signed_in):
    services.action_propose_closure(by=opcc_officer, action=action, narrative="Done")
    EvidenceFactory(
        action=action,
        submitted_by=owner,
        assured_by=UserFactory(role=roles.OPCC_STAFF),
        assured_at=timezone.now(),
    )
    response = signed_in(opcc_officer).post(url("close", action), {"closure_summary": "Done"})
    assert "someone else must accept it" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.PROPOSED


def test_opcc_holds_an_action_in_a_sustaining_period(action, owner, opcc_officer, signed_in):
    proposed_with_assured_evidence(action, owner, opcc_officer)
    until = timezone.localdate() + datetime.timedelta(days=90)
    response = signed_in(opcc_officer).post(
        url("sustain", action), {"until": until.isoformat(), "reason": "Quarterly audit"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.sustain_until) == (Status.SUSTAINING, until)


def test_reopen_needs_a_reason_and_records_it(action, owner, opcc_officer, signed_in):
    proposed_with_assured_evidence(action, owner, opcc_officer)
    services.action_close(by=opcc_officer, action=action, closure_summary="Done")
    client = signed_in(opcc_officer)
    response = client.post(url("reopen", action), {"reason": ""})
    assert "Enter a reason for reopening." in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    client.post(
        url("reopen", action),
        {"reason": "Revisit found it not sustained", "rag": "amber", "percent_complete": "70"},
    )
    action.refresh_from_db()
    assert action.status == Status.REOPENED
    assert "not sustained" in action.history.latest().history_change_reason
    # It starts clean: RAG and percent as the officer set them, the old summary only in history.
    assert (action.rag, action.percent_complete, action.closure_summary) == ("amber", 70, "")
    assert action.history.filter(closure_summary="Done").exists()
    html = client.get(url("detail", action)).content.decode()
    banner = html.index("Revisit found it not sustained")
    assert banner < html.index('<h2 class="govuk-heading-m">Finding</h2>')
    assert "Closure summary" not in html


def test_reopen_of_an_open_action_is_an_illegal_transition(action, opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(
        url("reopen", action), {"reason": "Because", "rag": "red", "percent_complete": "0"}
    )
    assert "cannot become reopened" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.NOT_STARTED


def test_deadline_change_needs_a_reason_and_keeps_the_original(action, opcc_officer, signed_in):
    added_days_ago(action)
    original = action.deadline
    new = original + datetime.timedelta(days=20)
    client = signed_in(opcc_officer)
    response = client.post(url("deadline", action), {"deadline": new.isoformat(), "reason": ""})
    assert "Enter a reason for moving the deadline." in response.content.decode()
    action.refresh_from_db()
    assert action.deadline == original
    client.post(url("deadline", action), {"deadline": new.isoformat(), "reason": "Delay"})
    action.refresh_from_db()
    assert (action.deadline, action.original_deadline) == (new, original)


def test_opcc_edits_and_reassigns_an_action(
    action, owner, opcc_officer, second_opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    client.post(url("edit", action), {"title": "Audit supervision", "description": "Monthly"})
    client.post(
        url("assign", action),
        {"owner": owner.pk, "opcc_lead": second_opcc_officer.pk, "owner_role_title": "DCI"},
    )
    action.refresh_from_db()
    assert (action.title, action.description) == ("Audit supervision", "Monthly")
    assert (action.opcc_lead, action.owner_role_title) == (second_opcc_officer, "DCI")


def test_assign_offers_only_owners_of_the_actions_force(
    action, opcc_officer, other_force_owner, signed_in
):
    response = signed_in(opcc_officer).post(
        url("assign", action), {"owner": other_force_owner.pk, "opcc_lead": opcc_officer.pk}
    )
    assert "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.owner != other_force_owner


def test_opcc_creates_a_finding_and_an_action_for_it(force, owner, opcc_officer, signed_in):
    area = GradedAreaFactory(inspection__force=force)
    inspection = area.inspection
    client = signed_in(opcc_officer)
    response = client.post(
        reverse("actions:finding_create", args=[inspection.pk]),
        {
            "kind": "recommendation",
            "reference": "Recommendation 1",
            "area": area.pk,
            "text": "The force should audit crime recording.",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(reference="Recommendation 1")
    response = client.post(
        reverse("actions:action_create", args=[finding.pk]),
        {
            "title": "Monthly audit",
            "deadline": "2030-03-31",
            "owner": owner.pk,
            "opcc_lead": opcc_officer.pk,
        },
    )
    action = finding.actions.get()
    assert response["Location"] == url("detail", action)
    assert (action.owner, action.owner_role_title) == (owner, "ACC Crime")


def test_finding_needs_text_and_a_unique_reference(finding, opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(
        reverse("actions:finding_create", args=[finding.inspection_id]),
        {"kind": "afi", "reference": finding.reference, "text": ""},
    )
    html = response.content.decode()
    assert "This field is required." in html
    assert Finding.objects.count() == 1


def test_duplicate_finding_reference_is_refused_by_validation(finding, opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(
        reverse("actions:finding_create", args=[finding.inspection_id]),
        {"kind": "afi", "reference": finding.reference, "text": "Same again"},
    )
    assert "already exists" in response.content.decode()
    assert Finding.objects.count() == 1


def test_opcc_edits_a_finding_and_records_a_reason_for_no_action(finding, opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(
        reverse("actions:finding_edit", args=[finding.pk]),
        {
            "kind": "recommendation",
            "reference": finding.reference,
            "text": finding.text,
            "no_action_reason": "Superseded by the national programme.",
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.kind == "recommendation"
    assert finding.history.latest().history_user == opcc_officer


def test_only_a_recommendation_can_sit_under_a_cause_of_concern(finding, opcc_officer, signed_in):
    concern = Finding.objects.create(
        inspection=finding.inspection, kind="cause_of_concern", reference="CoC 1", text="x"
    )
    response = signed_in(opcc_officer).post(
        reverse("actions:finding_edit", args=[finding.pk]),
        {"kind": "afi", "reference": finding.reference, "text": finding.text, "parent": concern.pk},
    )
    assert "Only a recommendation can belong to a cause of concern." in response.content.decode()
    finding.refresh_from_db()
    assert finding.parent is None


def test_overdue_action_shows_red_whatever_rag_was_set(owner, signed_in):
    action = ActionFactory(
        finding__inspection__force=owner.force,
        owner=owner,
        rag=Rag.GREEN,
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    html = signed_in(owner).get(url("detail", action)).content.decode()
    assert 'app-rag--red">Red</strong>' in html
    assert "Overdue" in html


def test_a_deadline_corrected_within_a_day_of_adding_the_action_is_not_a_slip(
    action, opcc_officer, signed_in
):
    new = action.deadline + datetime.timedelta(days=10)
    client = signed_in(opcc_officer)
    client.post(url("deadline", action), {"deadline": new.isoformat(), "reason": "Typo"})
    action.refresh_from_db()
    assert (action.deadline, action.original_deadline) == (new, new)
    assert action.history.latest().history_change_reason.startswith("Deadline corrected from")


def test_a_past_deadline_is_refused_unless_the_officer_records_history(
    action, opcc_officer, signed_in
):
    added_days_ago(action)
    past = timezone.localdate() - datetime.timedelta(days=3)
    client = signed_in(opcc_officer)
    response = client.post(url("deadline", action), {"deadline": past.isoformat(), "reason": "x"})
    assert "The deadline must be today or later." in response.content.decode()
    early = client.post(
        url("deadline", action),
        {"deadline": "2024-01-01", "reason": "x", "entering_history": "on"},
    )
    assert "before the report was published on 16 October 2024" in early.content.decode()
    client.post(
        url("deadline", action),
        {"deadline": past.isoformat(), "reason": "Agreed in 2026", "entering_history": "on"},
    )
    action.refresh_from_db()
    assert action.deadline == past and action.original_deadline != past


def test_reopen_page_asks_for_rag_and_percent(action, owner, opcc_officer, signed_in):
    proposed_with_assured_evidence(action, owner, opcc_officer)
    services.action_close(by=opcc_officer, action=action, closure_summary="Done")
    response = signed_in(opcc_officer).post(url("reopen", action), {"reason": "Not sustained"})
    assert "Choose the RAG rating the reopened action has now." in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.CLOSED


def test_deadline_form_takes_the_govuk_date_input_and_names_the_part_to_fix(
    action, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    page = client.get(url("deadline", action)).content.decode()
    assert (
        f'name="deadline_year" type="text" inputmode="numeric" value="{action.deadline.year}"'
        in page
    )
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">New deadline</legend>'
        in page
    )

    refused = client.post(
        url("deadline", action),
        {"deadline_day": "30", "deadline_month": "", "deadline_year": "2031", "reason": "Late."},
    )
    html = refused.content.decode()
    assert refused.status_code == 200
    assert '<a href="#id_deadline_month">New deadline must include a month</a>' in html
    assert 'govuk-input--width-2 govuk-input--error" id="id_deadline_month"' in html
    action.refresh_from_db()
    assert action.deadline != datetime.date(2031, 6, 30)

    # A whole date typed into the day box is read too.
    moved = client.post(
        url("deadline", action), {"deadline_day": "30 June 2031", "reason": "Supplier late."}
    )
    assert moved.status_code == 302
    action.refresh_from_db()
    assert action.deadline == datetime.date(2031, 6, 30)
