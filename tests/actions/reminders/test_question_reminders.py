"""Meeting questions and commitments with a due date are chased until answered."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Reminder, ReminderKind
from tests.actions.reminders.test_reminders import days_mailed
from tests.factories import MeetingFactory, QuestionFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2025, 3, 20)


def chased(recipient):
    rows = Reminder.objects.filter(recipient=recipient, kind=ReminderKind.QUESTION_DUE)
    return sorted(rows.values_list("period", flat=True))


def test_commitment_owner_is_told_7_days_before_on_the_day_and_once_overdue(
    opcc_officer,
    sweep,  # noqa: F811 (the fixture)
    mailoutbox,
):
    question = QuestionFactory(
        kind="commitment", text="Publish the custody audit", owner=opcc_officer, due_on=DUE
    )
    mailed = days_mailed(sweep, mailoutbox, DUE - datetime.timedelta(days=9), DUE)
    assert mailed == [DUE - datetime.timedelta(days=7), DUE]
    mailed = days_mailed(
        sweep, mailoutbox, DUE + datetime.timedelta(days=1), DUE + datetime.timedelta(days=20)
    )
    assert mailed == [DUE + datetime.timedelta(days=1)]
    assert chased(opcc_officer) == [
        f"question {question.pk} due 2025-03-20-7d",
        f"question {question.pk} due 2025-03-20-overdue",
        f"question {question.pk} due 2025-03-20-today",
    ]
    first, today, overdue = (m.body for m in mailoutbox)
    assert "Publish the custody audit" in first and "Due 20 March 2025, in 7 days." in first
    assert "Due 20 March 2025, today." in today
    assert "Was due 20 March 2025: 1 days overdue. Please answer it." in overdue
    assert "MEETING QUESTIONS AND COMMITMENTS" in first


def test_without_a_named_owner_the_meetings_opcc_lead_is_told(
    opcc_officer,
    sweep,  # noqa: F811 (the fixture)
    mailoutbox,
):
    meeting = MeetingFactory(opcc_lead=opcc_officer)
    QuestionFactory(meeting=meeting, owner=None, due_on=DUE)
    sweep(DUE + datetime.timedelta(days=4))  # a Monday: a weekend digest waits for one
    (mail,) = mailoutbox
    assert mail.to == [opcc_officer.email]
    assert len(chased(opcc_officer)) == 1


def test_an_answered_question_or_one_without_a_due_date_is_not_chased(
    opcc_officer,
    sweep,  # noqa: F811 (the fixture)
    mailoutbox,
):
    QuestionFactory(owner=opcc_officer, due_on=None)
    QuestionFactory(owner=opcc_officer, due_on=DUE, answer="Done.", answered_at=timezone.now())
    sweep(DUE)
    assert mailoutbox == []
    assert chased(opcc_officer) == []
