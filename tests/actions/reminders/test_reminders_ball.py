"""Reminders chase whoever holds the ball: OPCC staff while a closure proposal waits for
assurance, the owner and the delegate while the work is theirs (docs/design.md, "Reminder
policy"). Over Easter 2026: Good Friday 3 April, Easter Monday 6 April, the clocks having gone
forward on 29 March."""

import datetime

import pytest
import time_machine

from actions import evidence_services, services
from actions.models import Action, Reminder, ReminderKind, Status
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import (  # noqa: F401 (fixture)
    at,
    days_mailed,
    sent,
)
from tests.factories import ActionFactory, EvidenceFactory, persona
from tracker import roles

pytestmark = pytest.mark.django_db

Kind = ReminderKind
PROPOSED_ON = datetime.date(2026, 4, 1)  # a Wednesday, in BST
DEADLINE = datetime.date(2026, 4, 7)  # the Tuesday after Easter


@pytest.fixture
def proposed(owner, opcc_officer, second_opcc_officer):
    """An action proposed for closure on 1 April at 10:00, due 7 April, with a delegate."""
    delegate = persona(roles.ACTION_OWNER, username="delegate", force=owner.force)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        action = ActionFactory(
            owner=owner,
            delegate=delegate,
            opcc_lead=opcc_officer,
            finding__inspection__force=owner.force,
            deadline=DEADLINE,
        )
    with time_machine.travel(at(PROPOSED_ON, 10), tick=False):
        EvidenceFactory(action=action, submitted_by=owner)
        services.action_propose_closure(by=owner, action=action, narrative="All done.")
    action.refresh_from_db()
    assert action.status == Status.PROPOSED
    return action


def kinds_for(user):
    return sorted(set(Reminder.objects.filter(recipient=user).values_list("kind", flat=True)))


def test_a_proposal_waits_on_the_lead_then_all_opcc_staff_and_never_on_the_owner(
    proposed,
    owner,
    opcc_officer,
    second_opcc_officer,
    sweep,
    mailoutbox,
):
    # The closure proposal itself told the lead at once; clear it to see only the sweep's lines.
    Reminder.objects.all().delete()
    days_mailed(sweep, mailoutbox, datetime.date(2026, 4, 2), datetime.date(2026, 4, 24))
    # The deadline passes on 7 April, but the owner and the delegate hold no ball: nothing.
    assert kinds_for(owner) == kinds_for(proposed.delegate) == []
    # Three working days from Wednesday 1 April (Good Friday and Easter Monday skipped) end on
    # Tuesday 7 April: the lead is told on Wednesday 8 April, once.
    waiting = sent(Kind.CLOSURE_WAITING)
    assert [(r.recipient, r.period) for r in waiting] == [(opcc_officer, "proposed 2026-04-01+3wd")]
    assert waiting[0].sent_at.date() == datetime.date(2026, 4, 8)
    # Ten working days end on Thursday 16 April: every OPCC officer is told on the 17th, once.
    escalated = sent(Kind.CLOSURE_ESCALATION)
    assert {r.recipient for r in escalated} == {opcc_officer, second_opcc_officer}
    assert {r.sent_at.date() for r in escalated} == {datetime.date(2026, 4, 17)}
    to_lead = [m.body for m in mailoutbox if m.to == [opcc_officer.email]]
    assert "CLOSURES WAITING FOR YOUR ASSURANCE" in to_lead[0]
    assert "Proposed for closure on 1 April 2026; waiting for assurance." in to_lead[0]
    assert "CLOSURES STILL WAITING FOR ASSURANCE" in to_lead[1]


def test_a_closure_line_is_not_sent_once_the_proposal_is_sent_back(
    proposed,
    opcc_officer,
    second_opcc_officer,
    sweep,
    mailoutbox,
):
    sweep(datetime.date(2026, 4, 8))
    assert len(sent(Kind.CLOSURE_WAITING)) == 1
    with time_machine.travel(at(datetime.date(2026, 4, 9), 12), tick=False):
        evidence_services.action_return(
            by=second_opcc_officer, action=proposed, reason="Show the dip-sample."
        )
    days_mailed(sweep, mailoutbox, datetime.date(2026, 4, 10), datetime.date(2026, 4, 20))
    assert sent(Kind.CLOSURE_ESCALATION) == []


def test_evidence_returned_puts_the_ball_back_with_the_owner_and_the_delegate(
    proposed,
    owner,
    second_opcc_officer,
    sweep,
    mailoutbox,
):
    sweep(datetime.date(2026, 4, 8))
    assert Reminder.objects.filter(kind=Kind.OVERDUE).count() == 0
    with time_machine.travel(at(datetime.date(2026, 4, 8), 12), tick=False):
        evidence_services.evidence_return(
            by=second_opcc_officer,
            evidence=proposed.evidence.get(),
            reason="The sample is too small.",
        )
    sweep(datetime.date(2026, 4, 9))
    overdue = sent(Kind.OVERDUE)
    assert {r.recipient for r in overdue} == {owner, proposed.delegate}
    assert {r.period for r in overdue} == {"2026-04-07+1d"}


def test_a_nudge_recorded_before_the_proposal_is_dropped_unsent(
    owner, opcc_officer, django_capture_on_commit_callbacks, mailoutbox
):
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        action = ActionFactory(
            owner=owner, opcc_lead=opcc_officer, finding__inspection__force=owner.force
        )
        action.deadline = datetime.date(2026, 3, 10)
        action.save()
    with time_machine.travel(at(datetime.date(2026, 3, 3)), tick=False):
        reminders_sweep()  # recorded, not yet sent (no commit)
        assert Reminder.objects.filter(kind=Kind.DEADLINE, status="pending").count() == 1
        services.action_propose_closure(by=owner, action=action, narrative="Done early.")
        with django_capture_on_commit_callbacks(execute=True):
            reminders_sweep()
    assert Reminder.objects.get(kind=Kind.DEADLINE).status == Reminder.Status.SKIPPED
    assert all(owner.email not in m.to for m in mailoutbox)


def test_the_owners_stale_clock_starts_again_when_the_action_is_sent_back(
    proposed, owner, second_opcc_officer, sweep, mailoutbox
):
    # Proposed on 1 April; OPCC staff sit on it until Tuesday 12 May and then send it back.
    with time_machine.travel(at(datetime.date(2026, 5, 12), 12), tick=False):
        evidence_services.evidence_return(
            by=second_opcc_officer, evidence=proposed.evidence.get(), reason="Too small."
        )
    proposed.refresh_from_db()
    # Thirty working days from the proposal would end on Friday 15 May: the owner, who has had
    # the work back for a week, is not stale on 20 May, by the one rule and by the sweep.
    may_20 = datetime.date(2026, 5, 20)
    assert not proposed.is_stale_on(may_20)
    assert not Action.objects.stale(may_20).filter(pk=proposed.pk).exists()
    sweep(may_20)
    assert Reminder.objects.filter(kind=Kind.STALE).count() == 0
    # Thirty working days from the return (the spring bank holiday, 25 May, skipped) end on
    # Tuesday 23 June: stale on the 24th, counted from the return.
    assert not proposed.is_stale_on(datetime.date(2026, 6, 23))
    june_24 = datetime.date(2026, 6, 24)
    assert proposed.is_stale_on(june_24)
    sweep(june_24)
    stale = sent(Kind.STALE)
    assert {r.recipient for r in stale} == {owner, proposed.delegate}
    assert {r.period for r in stale} == {"2026-05-12+30d"}
    assert "No update since 12 May 2026." in mailoutbox[-1].body
