"""Choices of people with two offices: an action's OPCC lead is staff of the office overseeing its
force, a meeting's of the meeting's office; the pages offer only them and the services refuse
anyone else, whatever is posted."""

import datetime

import pytest
from django.urls import reverse

from actions import services
from reports import services as meeting_services
from reports.models import Meeting
from tests.factories import (
    ForceFactory,
    MeetingFactory,
    OfficeFactory,
    UserFactory,
    home_office,
    persona,
)
from tracker import roles
from tracker.audit import WorkflowError
from tracker.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def bravo_officer(db):
    office = OfficeFactory(name="Office of the PCC for Bravoshire", slug="bravoshire")
    ForceFactory(name="Bravoshire Police", office=office)
    return persona(roles.OPCC_STAFF, username="bravo-opcc", office=office)


def lead_choices(response):
    return {user.pk for user in response.context["form"].fields["opcc_lead"].queryset}


# Python and SQL agree


def test_the_lead_rule_and_its_query_agree(force, opcc_officer, owner, bravo_officer):
    legacy = UserFactory(username="legacy", office=None, role=roles.OPCC_STAFF)
    leads = set(User.objects.opcc_leads(force.pk))
    assert leads == {opcc_officer}
    for person in (opcc_officer, owner, bravo_officer, legacy):
        assert roles.can_lead_in_force(person, force.pk) == (person in leads), person
    bravo_force = bravo_officer.office.forces.get()
    assert set(User.objects.opcc_leads(bravo_force.pk)) == {bravo_officer}
    assert roles.can_lead_in_force(bravo_officer, bravo_force.pk)


def test_with_one_office_staff_with_none_set_lead_its_actions(force, opcc_officer):
    legacy = UserFactory(username="legacy", office=None, role=roles.OPCC_STAFF)
    assert set(User.objects.opcc_leads(force.pk)) == {opcc_officer, legacy}
    assert roles.can_lead_in_force(legacy, force.pk)
    assert set(User.objects.opcc_staff(home_office().pk)) == {opcc_officer, legacy}


# Actions


def test_the_assign_page_offers_only_the_offices_staff_and_refuses_another(
    action, opcc_officer, second_opcc_officer, bravo_officer, signed_in
):
    client = signed_in(opcc_officer)
    page = client.get(reverse("actions:assign", args=[action.pk]))
    assert lead_choices(page) == {opcc_officer.pk, second_opcc_officer.pk}
    assert bravo_officer.username not in page.content.decode()
    response = client.post(
        reverse("actions:assign", args=[action.pk]),
        {"owner": action.owner_id, "opcc_lead": bravo_officer.pk},
    )
    assert "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.opcc_lead == opcc_officer


def test_the_new_action_page_offers_only_the_offices_staff(
    finding, opcc_officer, bravo_officer, signed_in
):
    page = signed_in(opcc_officer).get(reverse("actions:action_create", args=[finding.pk]))
    assert lead_choices(page) == {opcc_officer.pk}


def test_the_services_refuse_another_offices_officer_as_lead(
    action, finding, opcc_officer, bravo_officer
):
    with pytest.raises(WorkflowError, match="not staff of the office overseeing"):
        services.action_assign(
            by=opcc_officer, action=action, owner=action.owner, opcc_lead=bravo_officer
        )
    with pytest.raises(WorkflowError, match="not staff of the office overseeing"):
        services.action_create(
            by=opcc_officer,
            finding=finding,
            title="Audit supervision",
            deadline=datetime.date.today() + datetime.timedelta(days=30),
            opcc_lead=bravo_officer,
        )
    with pytest.raises(WorkflowError, match="not staff of the office overseeing"):
        services.action_bulk_assign(by=opcc_officer, actions=[action], opcc_lead=bravo_officer)
    action.refresh_from_db()
    assert action.opcc_lead == opcc_officer


def test_bulk_assign_does_not_find_another_offices_officer(
    action, opcc_officer, bravo_officer, signed_in
):
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_assign"),
        {"actions": [action.pk], "opcc_lead": bravo_officer.username},
    )
    assert "There is no active OPCC officer bravo-opcc" in response.content.decode()
    action.refresh_from_db()
    assert action.opcc_lead == opcc_officer


# Meetings


def test_the_meeting_pages_offer_only_the_offices_staff_and_people(
    opcc_officer, owner, bravo_officer, signed_in
):
    bravo_owner = persona(
        roles.ACTION_OWNER, username="bravo-owner", force=bravo_officer.office.forces.get()
    )
    meeting = MeetingFactory()
    client = signed_in(opcc_officer)
    for url in (
        reverse("reports:meeting_create"),
        reverse("reports:meeting_edit", args=[meeting.pk]),
    ):
        assert lead_choices(client.get(url)) == {opcc_officer.pk}, url
    page = client.get(reverse("reports:question_create", args=[meeting.pk]))
    owners = set(page.context["form"].fields["owner"].queryset)
    assert owners == {opcc_officer, owner}
    assert bravo_owner not in owners and bravo_officer not in owners


def test_a_meeting_led_by_another_offices_officer_is_refused(
    opcc_officer, bravo_officer, signed_in
):
    with pytest.raises(WorkflowError, match="cannot lead this meeting"):
        meeting_services.meeting_create(
            by=opcc_officer,
            kind="apm",
            title="APM",
            starts_at=MeetingFactory.build().starts_at,
            opcc_lead=bravo_officer,
        )
    assert not Meeting.objects.exists()
    meeting = MeetingFactory()
    with pytest.raises(WorkflowError, match="cannot lead this meeting"):
        meeting_services.meeting_edit(
            by=opcc_officer, meeting=meeting, inspections=[], opcc_lead=bravo_officer
        )
    meeting.refresh_from_db()
    assert meeting.opcc_lead is None
