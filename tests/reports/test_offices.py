"""Meetings, packs and public pages by office: a deployment with one office goes straight to its
public page; with two, each office's staff, Panel and public pages hold only its own."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions.models import Reminder, ReminderKind
from reports import selectors, services
from reports.models import Question
from tests.factories import (
    ActionFactory,
    FindingFactory,
    ForceFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    QuestionFactory,
    home_office,
    persona,
)
from tracker import roles
from tracker.audit import WorkflowError

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def office_b(db):
    return OfficeFactory(
        slug="otherland",
        name="Office of the Police and Crime Commissioner for Otherland",
        panel_name="Otherland Police and Crime Panel",
        report_of="Otherland Police and Crime Commissioner",
        contact_name="Sam Jones",
        contact_role="Head of Scrutiny",
        contact_email="scrutiny@otherland.example",
    )


@pytest.fixture
def force_b(office_b):
    return ForceFactory(name="Otherland Police", office=office_b)


@pytest.fixture
def opcc_b(office_b):
    return persona(roles.OPCC_STAFF, username="opcc-b", first_name="Olu", office=office_b)


def test_with_one_office_public_goes_straight_to_its_page(client, force):
    office = home_office()
    for url in (reverse("reports:public_list"), "/public/packs/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:public_office", args=[office.slug])
    page = client.get(reverse("reports:public_office", args=[office.slug]))
    assert page.status_code == 200
    assert office.name in page.content.decode()


@pytest.mark.parametrize("offices", [10, 60])
def test_the_list_of_offices_runs_one_query(offices, client, django_assert_max_num_queries):
    OfficeFactory.create_batch(offices)
    with django_assert_max_num_queries(1):
        response = client.get(reverse("reports:public_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/public/office-') == offices


def test_an_office_cannot_take_a_public_pages_own_address(office_b):
    office_b.slug = "packs"
    with pytest.raises(ValidationError, match="own address: choose another"):
        office_b.full_clean()


def test_a_new_paper_starts_from_its_offices_front_matter(force_b, opcc_b):
    meeting = MeetingFactory(office=force_b.office, kind="panel")
    meeting.inspections.add(InspectionFactory(force=force_b))
    pack = services.pack_generate(by=opcc_b, meeting=meeting, pdf=False)
    assert pack.office_name == "Office of the Police and Crime Commissioner for Otherland"
    assert pack.report_of == "Otherland Police and Crime Commissioner"
    assert (pack.contact_name, pack.contact_role) == ("Sam Jones", "Head of Scrutiny")
    assert pack.contact_email == "scrutiny@otherland.example"
    # What the office does not set comes from the deployment's settings.
    assert pack.purpose == settings.PANEL_PAPER["purpose"]


def test_publishing_tells_only_the_meetings_offices_panel(
    force, force_b, opcc_b, panel_member, django_capture_on_commit_callbacks
):
    ours = persona(roles.PANEL_MEMBER, office=force_b.office)
    mine_by_force = persona(roles.PANEL_MEMBER, office=force_b.office, force=force_b)
    meeting = MeetingFactory(office=force_b.office, kind="panel")
    meeting.inspections.add(InspectionFactory(force=force_b))
    assert set(selectors.panel_members_of(meeting)) == {ours, mine_by_force}
    pack = services.pack_generate(by=opcc_b, meeting=meeting, pdf=False)
    with django_capture_on_commit_callbacks(execute=False):
        services.pack_publish(by=opcc_b, pack=pack, public=False)
    told = Reminder.objects.filter(kind=ReminderKind.PAPER_PUBLISHED)
    assert set(told.values_list("recipient", flat=True)) == {ours.pk, mine_by_force.pk}
    assert panel_member.pk not in set(told.values_list("recipient", flat=True))


def test_the_meeting_form_offers_the_offices_inspections_and_staff_only(
    force, force_b, opcc_officer, opcc_b, signed_in
):
    ours = InspectionFactory(force=force, title="PEEL Hertfordshire")
    theirs = InspectionFactory(force=force_b, title="PEEL Otherland")
    client = signed_in(opcc_officer)
    page = client.get(reverse("reports:meeting_create"))
    form = page.context["form"]
    assert list(form.fields["inspections"].queryset) == [ours]
    assert list(form.fields["opcc_lead"].queryset) == [opcc_officer]
    html = page.content.decode()
    assert "PEEL Hertfordshire" in html and "PEEL Otherland" not in html
    assert "Olu" not in html
    # A forged post naming the other office's inspection or officer is refused.
    data = {"kind": "apm", "title": "APM", "starts_at": "2030-11-14T10:00"}
    for forged in ({"inspections": [theirs.pk]}, {"opcc_lead": opcc_b.pk}):
        response = client.post(reverse("reports:meeting_create"), {**data, **forged})
        assert response.status_code == 200
        assert response.context["form"].errors, forged
    assert not force.office.meetings.exists()


def test_the_meeting_services_refuse_another_offices_inspection_or_lead(
    force, force_b, opcc_officer, opcc_b
):
    when = datetime.datetime(2030, 11, 14, 10, tzinfo=UTC)
    theirs = InspectionFactory(force=force_b)
    with pytest.raises(WorkflowError, match="office's inspections"):
        services.meeting_create(
            by=opcc_officer, kind="apm", title="APM", starts_at=when, inspections=[theirs]
        )
    with pytest.raises(WorkflowError, match="cannot lead this meeting"):
        services.meeting_create(
            by=opcc_officer, kind="apm", title="APM", starts_at=when, opcc_lead=opcc_b
        )
    meeting = services.meeting_create(by=opcc_b, kind="apm", title="APM", starts_at=when)
    assert meeting.office == force_b.office
    with pytest.raises(WorkflowError, match="meeting's office"):
        services.meeting_edit(by=opcc_officer, meeting=meeting, inspections=[], title="Mine")


def test_the_question_form_offers_the_offices_owners_and_staff_only(
    force, force_b, owner, opcc_officer, opcc_b, signed_in
):
    persona(roles.ACTION_OWNER, username="owner-b", force=force_b)
    meeting = MeetingFactory()
    page = signed_in(opcc_officer).get(reverse("reports:question_create", args=[meeting.pk]))
    assert set(page.context["form"].fields["owner"].queryset) == {owner, opcc_officer}


def test_a_pack_carries_only_its_offices_questions_and_earlier_meetings(force, force_b, opcc_b):
    earlier_b = MeetingFactory(
        office=force_b.office, kind="apm", starts_at=datetime.datetime(2030, 1, 1, tzinfo=UTC)
    )
    QuestionFactory(meeting=earlier_b, text="Otherland's question")
    ours = MeetingFactory(kind="apm", starts_at=datetime.datetime(2030, 2, 1, tzinfo=UTC))
    QuestionFactory(meeting=ours, text="Our question")
    meeting = MeetingFactory(
        office=force_b.office, kind="apm", starts_at=datetime.datetime(2030, 3, 1, tzinfo=UTC)
    )
    action = ActionFactory(finding=FindingFactory(inspection__force=force_b))
    meeting.inspections.add(action.finding.inspection)
    assert meeting.previous_of_same_kind() == earlier_b
    with time_machine.travel(datetime.datetime(2030, 2, 20, tzinfo=UTC), tick=False):
        pack = services.pack_generate(by=opcc_b, meeting=meeting, pdf=False)
    assert [q["text"] for q in pack.snapshot["questions"]] == ["Otherland's question"]
    assert Question.objects.visible_to(opcc_b).get().text == "Otherland's question"


def test_the_public_progress_page_names_its_office(force_b, opcc_b, client):
    inspection = ActionFactory(finding=FindingFactory(inspection__force=force_b)).finding.inspection
    services.inspection_edit_for_public(
        by=opcc_b, inspection=inspection, public_progress=True, inspector_summary=""
    )
    for name in ("public_progress", "public_progress_history"):
        page = client.get(reverse(f"reports:{name}", args=["otherland", inspection.pk]))
        html = page.content.decode()
        assert "Office of the Police and Crime Commissioner for Otherland" in html
        assert reverse("reports:public_office", args=["otherland"]) in html
        assert "Otherland Police and Crime Panel" in html
    feed = client.get(reverse("reports:public_progress_feed", args=["otherland", inspection.pk]))
    assert "/public/otherland/progress/" in feed.content.decode()
    moved = client.get(f"/public/progress/{inspection.pk}/history/")
    assert moved["Location"] == reverse(
        "reports:public_progress_history", args=["otherland", inspection.pk]
    )
