"""Meetings and questions: the list, create and edit pages, through the services, with history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Meeting, Question
from tests.factories import InspectionFactory, MeetingFactory, QuestionFactory

pytestmark = pytest.mark.django_db

LONDON = timezone.get_default_timezone()


def test_meeting_list_splits_upcoming_and_past_and_links_each_meeting(opcc_officer, signed_in):
    past = MeetingFactory(title="APM November", starts_at=timezone.now() - datetime.timedelta(30))
    upcoming = MeetingFactory(title="APM January")
    response = signed_in(opcc_officer).get(reverse("reports:meetings"))
    assert [m.title for m in response.context["upcoming"]] == ["APM January"]
    assert [m.title for m in response.context["past"]] == ["APM November"]
    html = response.content.decode()
    assert reverse("reports:meeting_detail", args=[past.pk]) in html
    assert reverse("reports:meeting_detail", args=[upcoming.pk]) in html


def test_opcc_staff_create_a_meeting_in_uk_time_with_its_agenda(opcc_officer, signed_in):
    inspection = InspectionFactory(title="PEEL 2023-25")
    response = signed_in(opcc_officer).post(
        reverse("reports:meeting_create"),
        {
            "kind": "apm",
            "title": "Accountability & Performance Meeting",
            "starts_at": "2024-11-14T10:00",
            "location": "Harpenden",
            "webcast_url": "https://example.org/webcast",
            "inspections": [inspection.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:meeting_detail", args=[meeting.pk])
    assert meeting.starts_at == datetime.datetime(2024, 11, 14, 10, 0, tzinfo=LONDON)
    assert list(meeting.inspections.all()) == [inspection]
    record = meeting.history.get()
    assert (record.history_user, record.history_change_reason) == (opcc_officer, "Created")


def test_a_meeting_without_a_title_or_date_is_refused_with_clear_messages(opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(
        reverse("reports:meeting_create"), {"kind": "apm", "title": "", "starts_at": "soon"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a title." in html
    assert "Enter a real date and time" in html
    assert not Meeting.objects.exists()


def test_editing_a_meeting_records_the_change_and_keeps_its_history(opcc_officer, signed_in):
    meeting = MeetingFactory(title="APM")
    inspection = InspectionFactory()
    response = signed_in(opcc_officer).post(
        reverse("reports:meeting_edit", args=[meeting.pk]),
        {
            "kind": "panel",
            "title": "Police & Crime Panel",
            "starts_at": "2025-02-06T14:00",
            "inspections": [inspection.pk],
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.title) == ("panel", "Police & Crime Panel")
    latest = meeting.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (opcc_officer, "Edited")
    assert list(meeting.inspections.all()) == [inspection]


def test_recording_then_answering_a_question_sets_when_it_was_answered(
    opcc_officer, owner, signed_in
):
    meeting = MeetingFactory()
    client = signed_in(opcc_officer)
    response = client.post(
        reverse("reports:question_create", args=[meeting.pk]),
        {
            "kind": "commitment",
            "text": "The ACC will report 999 answer times monthly.",
            "owner": owner.pk,
            "due_on": "2025-01-31",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.owner_role_title == "ACC Crime"  # taken from the owner
    assert question.answered_at is None
    response = client.post(
        reverse("reports:question_edit", args=[question.pk]),
        {
            "kind": "commitment",
            "text": question.text,
            "owner": owner.pk,
            "owner_role_title": "ACC Crime",
            "due_on": "2025-01-31",
            "answer": "Reported in the January performance pack.",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.is_answered
    reasons = [r.history_change_reason for r in question.history.order_by("history_id")]
    assert reasons == ["Raised", "Answered"]
    page = client.get(reverse("reports:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Reported in the January performance pack." in page


def test_a_question_with_no_text_is_refused_and_nothing_is_saved(opcc_officer, signed_in):
    meeting = MeetingFactory()
    response = signed_in(opcc_officer).post(
        reverse("reports:question_create", args=[meeting.pk]), {"kind": "question", "text": " "}
    )
    assert response.status_code == 200
    assert "Enter the question or commitment." in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize("count", [2, 40])
def test_meeting_pages_run_a_constant_number_of_queries(
    count, opcc_officer, signed_in, django_assert_max_num_queries
):
    for n in range(count):
        meeting = MeetingFactory(starts_at=timezone.now() + datetime.timedelta(days=n - count // 2))
        meeting.inspections.add(InspectionFactory())
        QuestionFactory(meeting=meeting)
    client = signed_in(opcc_officer)
    # Session, user, roles, the heartbeat banner (first page only: then cached), the two lists.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("reports:meetings")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:meeting_detail", args=[meeting.pk])).status_code == 200


def test_a_meeting_form_refuses_an_inspection_id_past_the_databases_ids(opcc_officer, signed_in):
    # Found by the fuzzer: SQLite cannot compare such a number, and answered a server error.
    response = signed_in(opcc_officer).post(
        reverse("reports:meeting_create"),
        {
            "kind": "apm",
            "title": "APM",
            "starts_at": "2024-11-14T10:00",
            "inspections": ["99999999999999999999999999"],
        },
    )
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_meeting_date_and_time_is_posted_in_the_govuk_date_input(opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    parts = {"starts_at_day": "14", "starts_at_month": "11", "starts_at_year": "2024"}
    refused = client.post(
        reverse("reports:meeting_create"), {"kind": "apm", "title": "APM", **parts}
    )
    assert '<a href="#id_starts_at_time">Date and time must include a time</a>' in (
        refused.content.decode()
    )
    client.post(
        reverse("reports:meeting_create"),
        {"kind": "apm", "title": "APM", **parts, "starts_at_time": "10:00"},
    )
    assert Meeting.objects.get().starts_at == datetime.datetime(2024, 11, 14, 10, tzinfo=LONDON)
