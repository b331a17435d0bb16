"""The end of a sustaining period: the OPCC lead (or all OPCC staff) is told 14 days ahead and
on the day to decide whether to close, each once, through the real sweep."""

import datetime

import pytest
import time_machine

from actions import evidence_services, services
from actions.models import Reminder, ReminderKind, Status
from tests.actions.reminders.test_reminders import at, days_mailed, sent
from tests.factories import ActionFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

Kind = ReminderKind
D = datetime.date
SUSTAINED_ON = D(2025, 2, 3)  # a Monday
UNTIL = D(2025, 3, 26)  # a Wednesday; 14 days before is Wednesday 12 March


def sustaining(owner, opcc_officer, second_opcc_officer, *, lead):
    """An action put into a sustaining period until UNTIL through the workflow's services, its
    change notifications sent by a sweep that day."""
    with time_machine.travel(at(SUSTAINED_ON, 9), tick=False):
        action = ActionFactory(
            owner=owner,
            opcc_lead=lead,
            finding__inspection__force=owner.force,
            deadline=D(2025, 6, 30),
        )
        evidence = EvidenceFactory(action=action, submitted_by=owner)
        evidence_services.evidence_assure(by=second_opcc_officer, evidence=evidence, note="Fine.")
        services.action_propose_closure(by=owner, action=action, narrative="All done.")
        services.action_sustain(
            by=opcc_officer, action=action, until=UNTIL, reason="Watch it last."
        )
    action.refresh_from_db()
    assert action.status == Status.SUSTAINING
    return action


@pytest.fixture
def settled(sweep, mailoutbox):
    """Sweep the day of the change so its notifications are out of the way."""

    def settle():
        sweep(SUSTAINED_ON)
        mailoutbox.clear()

    return settle


def test_the_lead_is_told_14_days_before_and_on_the_day_each_once(
    owner, opcc_officer, second_opcc_officer, sweep, settled, mailoutbox
):
    action = sustaining(owner, opcc_officer, second_opcc_officer, lead=opcc_officer)
    settled()
    mailed = days_mailed(sweep, mailoutbox, D(2025, 2, 4), D(2025, 4, 30))
    assert mailed == [D(2025, 3, 12), D(2025, 3, 26)]
    rows = sent(Kind.SUSTAIN_ENDING)
    assert sorted(r.period for r in rows) == ["sustain 2025-03-26-0d", "sustain 2025-03-26-14d"]
    assert {(r.recipient, r.action) for r in rows} == {(opcc_officer, action)}
    assert [m.to for m in mailoutbox] == [[opcc_officer.email]] * 2
    assert (
        "Sustaining period ends 26 March 2025, in 14 days: decide whether to close."
        in mailoutbox[0].body
    )
    assert "Sustaining period ends 26 March 2025, today: decide whether to close." in (
        mailoutbox[1].body
    )
    assert "Sustaining periods ending: decide whether to close" in mailoutbox[1].alternatives[0][0]
    assert f"/actions/{action.pk}/" in mailoutbox[1].body


def test_with_no_lead_all_opcc_staff_are_told(
    owner, opcc_officer, second_opcc_officer, sweep, settled, mailoutbox
):
    sustaining(owner, opcc_officer, second_opcc_officer, lead=None)
    settled()
    sweep(D(2025, 3, 12))
    told = sorted(r.recipient.username for r in sent(Kind.SUSTAIN_ENDING))
    assert told == sorted([opcc_officer.username, second_opcc_officer.username])
    assert not Reminder.objects.filter(kind=Kind.SUSTAIN_ENDING, recipient=owner).exists()


def test_a_missed_day_is_caught_up_and_says_the_period_has_ended(
    owner, opcc_officer, second_opcc_officer, sweep, settled, mailoutbox
):
    sustaining(owner, opcc_officer, second_opcc_officer, lead=opcc_officer)
    settled()
    sweep(D(2025, 3, 27))  # no sweep ran on 12 or 26 March
    sweep(D(2025, 3, 28))
    assert [r.period for r in sent(Kind.SUSTAIN_ENDING)] == ["sustain 2025-03-26-0d"]
    assert len(mailoutbox) == 1
    assert "Sustaining period ended 26 March 2025: decide whether to close." in (mailoutbox[0].body)


def test_a_line_recorded_before_the_action_is_closed_is_dropped_unsent(
    owner, opcc_officer, second_opcc_officer, sweep, settled, mailoutbox
):
    action = sustaining(owner, opcc_officer, second_opcc_officer, lead=opcc_officer)
    settled()
    sweep(D(2025, 3, 15))  # a Saturday: recorded, waiting for Monday's digest
    line = Reminder.objects.get(kind=Kind.SUSTAIN_ENDING)
    assert line.status == Reminder.Status.PENDING
    with time_machine.travel(at(D(2025, 3, 16), 10), tick=False):
        services.action_close(by=opcc_officer, action=action, closure_summary="It lasted.")
    sweep(D(2025, 3, 17))
    sweep(D(2025, 3, 26))
    line.refresh_from_db()
    assert line.status == Reminder.Status.SKIPPED
    assert not Reminder.objects.filter(kind=Kind.SUSTAIN_ENDING, period__endswith="-0d").exists()
    assert not any("Sustaining period" in m.body for m in mailoutbox)


def test_a_period_that_ended_long_ago_sends_nothing(
    owner, opcc_officer, second_opcc_officer, sweep, settled, mailoutbox
):
    sustaining(owner, opcc_officer, second_opcc_officer, lead=opcc_officer)
    settled()
    sweep(UNTIL + datetime.timedelta(days=29))
    assert not Reminder.objects.filter(kind=Kind.SUSTAIN_ENDING).exists()
