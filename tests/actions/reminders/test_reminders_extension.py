"""A deadline extension request waiting on OPCC staff is chased like a closure proposal: the
lead, then all OPCC staff, once per request; the owner's deadline nudges go on meanwhile
(docs/design.md, "Reminder policy"). Over Easter 2026: Good Friday 3 April, Easter Monday
6 April."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions import extension_services
from actions.models import Reminder, ReminderKind
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import (  # noqa: F401 (fixture)
    at,
    days_mailed,
    sent,
)
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

Kind = ReminderKind
ASKED_ON = datetime.date(2026, 4, 1)  # a Wednesday, in BST


@pytest.fixture
def requested(owner, opcc_officer):
    """An extension from 14 April to 30 June asked for on 1 April at 10:00."""
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        action = ActionFactory(
            owner=owner,
            opcc_lead=opcc_officer,
            finding__inspection__force=owner.force,
            deadline=datetime.date(2026, 4, 14),
        )
    with time_machine.travel(at(ASKED_ON, 10), tick=False):
        request = extension_services.extension_request(
            by=owner,
            action=action,
            requested_deadline=datetime.date(2026, 6, 30),
            reason="The supplier is late.",
        )
    # The request itself told the lead at once; clear it to see only the sweep's lines.
    Reminder.objects.all().delete()
    return request


def test_a_pending_request_waits_on_the_lead_then_all_opcc_staff_once_each(
    requested, owner, opcc_officer, second_opcc_officer, sweep, mailoutbox
):
    days_mailed(sweep, mailoutbox, datetime.date(2026, 4, 2), datetime.date(2026, 4, 24))
    # Three working days from Wednesday 1 April (Good Friday and Easter Monday skipped) end on
    # Tuesday 7 April: the lead is told on Wednesday 8 April, once.
    waiting = sent(Kind.EXTENSION_WAITING)
    assert [(r.recipient, r.period) for r in waiting] == [
        (opcc_officer, f"extension {requested.pk} requested 2026-04-01+3wd")
    ]
    assert waiting[0].sent_at.date() == datetime.date(2026, 4, 8)
    assert waiting[0].extension_request == requested
    # Ten working days end on Thursday 16 April: every OPCC officer is told on the 17th, once.
    escalated = sent(Kind.EXTENSION_ESCALATION)
    assert {r.recipient for r in escalated} == {opcc_officer, second_opcc_officer}
    assert {r.sent_at.date() for r in escalated} == {datetime.date(2026, 4, 17)}
    to_lead = [m for m in mailoutbox if m.to == [opcc_officer.email]]
    body = to_lead[0].body
    assert "EXTENSION REQUESTS WAITING FOR YOUR DECISION" in body
    assert (
        "Asked on 1 April 2026 to move the deadline from 14 April 2026 to 30 June 2026; "
        "waiting for a decision." in body
    )
    assert reverse("actions:extension_decide", args=[requested.pk]) in body
    html = to_lead[0].alternatives[0][0]
    assert "Extension requests waiting for your decision" in html
    assert "EXTENSION REQUESTS STILL WAITING FOR A DECISION" in to_lead[1].body
    # The ball is shared: until the request is decided the deadline stands, so the owner is
    # still nudged before it and told once it passes.
    assert {r.period for r in sent(Kind.DEADLINE) if r.recipient == owner} == {
        "2026-04-14-14d",
        "2026-04-14-7d",
        "2026-04-14-1d",
    }
    assert {r.recipient for r in sent(Kind.OVERDUE)} == {owner}


def test_a_line_is_dropped_unsent_once_the_request_is_decided(
    requested, owner, opcc_officer, second_opcc_officer, sweep, mailoutbox
):
    with time_machine.travel(at(datetime.date(2026, 4, 8)), tick=False):
        reminders_sweep()  # recorded, not yet sent (no commit)
    line = Reminder.objects.get(kind=Kind.EXTENSION_WAITING)
    assert line.status == Reminder.Status.PENDING
    with time_machine.travel(at(datetime.date(2026, 4, 8), 8), tick=False):
        extension_services.extension_approve(by=second_opcc_officer, request=requested)
    days_mailed(sweep, mailoutbox, datetime.date(2026, 4, 8), datetime.date(2026, 4, 24))
    line.refresh_from_db()
    assert line.status == Reminder.Status.SKIPPED
    assert not Reminder.objects.filter(kind=Kind.EXTENSION_ESCALATION).exists()
    assert all("WAITING FOR YOUR DECISION" not in m.body for m in mailoutbox)


def test_a_declined_request_is_not_chased_and_a_new_one_has_its_own_clock(
    requested, owner, opcc_officer, second_opcc_officer, sweep, mailoutbox
):
    sweep(datetime.date(2026, 4, 8))
    with time_machine.travel(at(datetime.date(2026, 4, 9), 12), tick=False):
        extension_services.extension_decline(
            by=second_opcc_officer, request=requested, decision_reason="Not yet."
        )
        again = extension_services.extension_request(
            by=owner,
            action=requested.action,
            requested_deadline=datetime.date(2026, 5, 29),
            reason="A shorter extension.",
        )
    days_mailed(sweep, mailoutbox, datetime.date(2026, 4, 10), datetime.date(2026, 4, 16))
    lines = sorted(sent(Kind.EXTENSION_WAITING), key=lambda r: r.sent_at)
    assert [r.extension_request for r in lines] == [requested, again]
    # Thursday 9 April, Friday 10, Monday 13: the lead hears of the second on Tuesday 14 April.
    assert lines[1].sent_at.date() == datetime.date(2026, 4, 14)
