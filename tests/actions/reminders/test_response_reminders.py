"""Reminders to OPCC staff about sources: response dates (each source's own clock) and revisits."""

import datetime

import pytest

from actions import inspection_services
from actions.models import Reminder, ReminderKind
from tests.actions.reminders.test_reminders import days_mailed, sent
from tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db

Kind = ReminderKind
D = datetime.date


def test_opcc_staff_hear_a_response_is_due_14_7_and_1_days_ahead_then_once_when_it_passes(
    force, opcc_officer, owner, sweep, mailoutbox
):
    # s.55: published 16 October 2024, due 10 December 2024.
    inspection = InspectionFactory(force=force, published_on=D(2024, 10, 16))
    mailed = days_mailed(sweep, mailoutbox, D(2024, 11, 20), D(2024, 12, 20))
    assert mailed == [D(2024, 11, 26), D(2024, 12, 3), D(2024, 12, 9), D(2024, 12, 11)]
    periods = sorted((r.kind, r.period) for r in sent())
    assert periods == [
        (Kind.RESPONSE_DUE, "2024-12-10-14d"),
        (Kind.RESPONSE_DUE, "2024-12-10-1d"),
        (Kind.RESPONSE_DUE, "2024-12-10-7d"),
        (Kind.RESPONSE_PASSED, "2024-12-10+1d"),
    ]
    assert {(r.recipient, r.inspection) for r in sent()} == {(opcc_officer, inspection)}
    assert "Response due 10 December 2024, tomorrow." in mailoutbox[2].body
    assert "No response recorded; the due date has passed (10 December 2024)." in (
        mailoutbox[3].body
    )
    assert f"/inspections/{inspection.pk}/" in mailoutbox[3].body


def test_each_source_is_reminded_on_its_own_clock(force, opcc_officer, sweep, mailoutbox):
    # A coroner's report sent on 16 October 2024 is due on 11 December: one day later than s.55.
    InspectionFactory(
        force=force, source_type="coroner", kind="other", published_on=D(2024, 10, 16)
    )
    InspectionFactory(
        force=force, source_type="internal_audit", kind="other", response_due_on=D(2024, 12, 2)
    )
    sweep(D(2024, 12, 1))
    assert sorted(r.period for r in sent(Kind.RESPONSE_DUE)) == [
        "2024-12-02-1d",
        "2024-12-11-14d",
    ]


def test_a_recorded_response_stops_the_reminders_and_a_pending_one_is_dropped(
    force, opcc_officer, sweep, mailoutbox
):
    inspection = InspectionFactory(force=force, published_on=D(2024, 10, 16))
    Reminder.objects.create(
        recipient=opcc_officer, inspection=inspection, kind=Kind.RESPONSE_DUE, period="x"
    )
    inspection_services.inspection_record_response(
        by=opcc_officer, inspection=inspection, published_on=D(2024, 12, 3)
    )
    sweep(D(2024, 12, 9))
    sweep(D(2024, 12, 11))
    assert not mailoutbox
    assert Reminder.objects.get(period="x").status == Reminder.Status.SKIPPED


def test_sources_long_past_their_due_date_send_nothing(force, opcc_officer, sweep, mailoutbox):
    InspectionFactory(force=force, published_on=D(2019, 3, 1))
    sweep(D(2024, 12, 1))
    assert not mailoutbox


def test_a_revisit_is_announced_14_days_ahead_once(force, opcc_officer, sweep, mailoutbox):
    InspectionFactory(force=force, published_on=D(2023, 1, 1), revisit_on=D(2025, 2, 10))
    mailed = days_mailed(sweep, mailoutbox, D(2025, 1, 20), D(2025, 2, 10))
    assert mailed == [D(2025, 1, 27)]
    assert [r.period for r in sent(Kind.REVISIT)] == ["2025-02-10-14d"]
    assert "HMICFRS revisit 10 February 2025, in 14 days." in mailoutbox[0].body
