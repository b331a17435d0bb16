"""Working days: nudges move off weekends and bank holidays, the stale and escalation periods
count working days, and a weekend or bank-holiday digest waits unless it holds an overdue line.
Through the real sweep over 2026's Easter, clock changes and Christmas."""

import datetime

import pytest
import time_machine

from actions.models import Reminder, ReminderKind
from tests.actions.reminders.test_reminders import (  # noqa: F401 (fixture)
    at,
    days_mailed,
    sent,
)
from tests.factories import ActionFactory, persona
from tracker import roles

pytestmark = pytest.mark.django_db

Kind = ReminderKind


@pytest.fixture
def delegate(owner):
    return persona(roles.ACTION_OWNER, username="delegate", force=owner.force)


def created_on(day, **fields):
    with time_machine.travel(at(day, 10), tick=False):
        return ActionFactory(**fields)


def mailed_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_christmas_moves_the_day_before_nudge_to_christmas_eve_for_owner_and_delegate(
    owner,
    delegate,
    sweep,
    mailoutbox,
):
    # Deadline Tuesday 29 December 2026. The day before is the Boxing Day substitute holiday;
    # back over the weekend and Christmas Day, the nudge goes on Thursday 24 December.
    created_on(
        datetime.date(2026, 12, 1),
        owner=owner,
        delegate=delegate,
        finding__inspection__force=owner.force,
        deadline=datetime.date(2026, 12, 29),
    )
    mailed = days_mailed(
        sweep, mailoutbox, datetime.date(2026, 12, 14), datetime.date(2026, 12, 30)
    )
    assert mailed == [
        datetime.date(2026, 12, 15),
        datetime.date(2026, 12, 22),
        datetime.date(2026, 12, 24),
        datetime.date(2026, 12, 30),  # overdue
    ]
    for person in (owner, delegate):
        rows = Reminder.objects.filter(recipient=person)
        assert sorted(rows.values_list("period", flat=True)) == [
            "2026-12-29+1d",
            "2026-12-29-14d",
            "2026-12-29-1d",
            "2026-12-29-7d",
        ]
        assert len(mailed_to(mailoutbox, person)) == 4
    assert "Due 29 December 2026, in 5 days." in mailed_to(mailoutbox, delegate)[2].body


def test_easter_moves_a_nudge_off_good_friday_and_easter_monday(
    action,
    sweep,
    mailoutbox,
):
    # Deadline Tuesday 7 April 2026: the day-before nudge would fall on Easter Monday and goes
    # on Thursday 2 April, before Good Friday.
    action.deadline = datetime.date(2026, 4, 7)
    action.save()
    mailed = days_mailed(sweep, mailoutbox, datetime.date(2026, 3, 31), datetime.date(2026, 4, 7))
    assert mailed == [datetime.date(2026, 3, 31), datetime.date(2026, 4, 2)]
    assert sorted(r.period for r in sent(Kind.DEADLINE)) == ["2026-04-07-1d", "2026-04-07-7d"]


def test_stale_counts_working_days_across_the_march_clock_change_and_waits_out_easter(
    owner,
    delegate,
    sweep,
    mailoutbox,
):
    # Last touched Friday 20 February 2026; the clocks go forward on 29 March. The 30th working
    # day without an update ends on Thursday 2 April, so the notice is recorded on Good Friday
    # and its digest waits, over Easter Monday, for Tuesday 7 April.
    created_on(
        datetime.date(2026, 2, 20),
        owner=owner,
        delegate=delegate,
        finding__inspection__force=owner.force,
        deadline=datetime.date(2027, 1, 1),
    )
    sweep(datetime.date(2026, 3, 24))  # 30 calendar days had passed long before: not stale yet
    sweep(datetime.date(2026, 4, 2))
    assert not Reminder.objects.exists()
    for day in (3, 4, 5, 6):
        sweep(datetime.date(2026, 4, day))
    pending = Reminder.objects.filter(kind=Kind.STALE, status=Reminder.Status.PENDING)
    assert {r.recipient for r in pending} == {owner, delegate}
    assert mailoutbox == []
    sweep(datetime.date(2026, 4, 7))
    assert {r.recipient for r in sent(Kind.STALE)} == {owner, delegate}
    assert {r.period for r in sent(Kind.STALE)} == {"2026-02-20+30d"}
    assert len(mailoutbox) == 2


def test_escalation_counts_working_days_overdue_over_christmas(
    action,
    opcc_officer,
    sweep,
    mailoutbox,
):
    # Due Friday 11 December 2026. Christmas Day, the Boxing Day substitute (28th) and New
    # Year's Day are not counted: the 14th working day overdue is Tuesday 5 January 2027.
    action.deadline = datetime.date(2026, 12, 11)
    action.save()
    sweep(datetime.date(2026, 12, 25))  # 14 calendar days overdue
    sweep(datetime.date(2027, 1, 4))
    assert sent(Kind.ESCALATION) == []
    sweep(datetime.date(2027, 1, 5))
    (escalation,) = sent(Kind.ESCALATION)
    assert (escalation.recipient, escalation.period) == (opcc_officer, "2026-12-11+14d")


def test_a_weekend_digest_goes_only_with_an_overdue_line_over_the_october_clock_change(
    owner,
    second_opcc_officer,
    sweep,
    mailoutbox,
):
    # Owner: an action due Friday 23 October 2026, overdue from Saturday the 24th, and a stale
    # one. Someone else: only a stale action. The clocks go back on Sunday 25 October.
    other = persona(roles.ACTION_OWNER, username="other-owner", force=owner.force)
    created_on(
        datetime.date(2026, 9, 1),
        owner=owner,
        finding__inspection__force=owner.force,
        deadline=datetime.date(2026, 10, 23),
    )
    # Last touched Monday 14 September: the 30th working day ends on Friday 23 October.
    for person in (owner, other):
        created_on(
            datetime.date(2026, 9, 14),
            owner=person,
            finding__inspection__force=owner.force,
            deadline=datetime.date(2027, 6, 1),
        )
    sweep(datetime.date(2026, 10, 23))
    sent_before = len(mailoutbox)
    sweep(datetime.date(2026, 10, 24))
    saturday = mailoutbox[sent_before:]
    # The overdue line sends the owner's digest on Saturday, with the stale line in it.
    assert [m.to for m in saturday] == [[owner.email]]
    assert "OVERDUE" in saturday[0].body and "NO UPDATE FOR A WHILE" in saturday[0].body
    # The other owner's stale line waits, over the clock change, for Monday.
    sweep(datetime.date(2026, 10, 25))
    assert len(mailoutbox) == sent_before + 1
    assert Reminder.objects.get(recipient=other).status == Reminder.Status.PENDING
    sweep(datetime.date(2026, 10, 26))
    assert [m.to for m in mailoutbox[sent_before + 1 :]] == [[other.email]]
    assert Reminder.objects.get(recipient=other).status == Reminder.Status.SENT
