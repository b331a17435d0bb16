"""Reminders to OPCC staff about sources: response dates (each source's own clock) and revisits."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command

from actions import finding_services
from actions.models import Reminder, ReminderKind
from actions.reminders.digest import digest_send
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import at, days_mailed, sent
from tests.factories import InspectionFactory
from tracker import roles

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
    # Sunday 1 December: both are recorded; their digest waits for Monday (not overdue).
    sweep(D(2024, 12, 1))
    recorded = Reminder.objects.filter(kind=Kind.RESPONSE_DUE)
    assert sorted(recorded.values_list("period", flat=True)) == ["2024-12-02-1d", "2024-12-11-14d"]
    assert not mailoutbox
    sweep(D(2024, 12, 2))
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
    finding_services.inspection_record_response(
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


def test_a_source_added_after_another_with_the_same_due_date_is_still_reminded(
    force, opcc_officer, sweep, mailoutbox
):
    # The same recipient, kind and period as yesterday's row: only the source tells them apart,
    # so the sweep's "recorded lately" filter must compare it too.
    first = InspectionFactory(force=force, published_on=D(2024, 10, 16))
    sweep(D(2024, 11, 26))
    second = InspectionFactory(force=force, published_on=D(2024, 10, 16))
    sweep(D(2024, 11, 27))
    reminded = sorted((r.inspection_id, r.period) for r in sent(Kind.RESPONSE_DUE))
    assert reminded == [(first.pk, "2024-12-10-14d"), (second.pk, "2024-12-10-14d")]
    assert second.title in mailoutbox[1].body


def test_a_dry_run_for_a_later_day_lists_the_source_whose_reminder_that_day_adds(
    force, opcc_officer, capsys
):
    InspectionFactory(force=force, published_on=D(2024, 10, 16), title="PEEL 2024")
    InspectionFactory(force=force, published_on=D(2024, 10, 23), title="Custody 2024")
    with time_machine.travel(at(D(2024, 11, 25)), tick=False):
        call_command("send_reminders", "--dry-run", "--date", "2024-12-03")
    out = capsys.readouterr().out
    # 3 December: PEEL's 7-day notice (due 10 December) and Custody's 14-day one (due 17
    # December) are new that day; PEEL's 14-day notice went out with the 26 November sweep.
    assert "Response due: PEEL 2024 (2024-12-10-7d)" in out
    assert "Response due: Custody 2024 (2024-12-17-14d)" in out
    assert "2024-12-10-14d" not in out
    assert not Reminder.objects.exists()


def test_a_source_reminder_is_not_mailed_to_someone_who_can_no_longer_see_the_source(
    force, other_force, opcc_officer, django_capture_on_commit_callbacks, mailoutbox
):
    inspection = InspectionFactory(force=force, published_on=D(2024, 10, 16), title="PEEL 2024")
    with (
        time_machine.travel(at(D(2024, 12, 9)), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        reminders_sweep()
    (row,) = Reminder.objects.filter(recipient=opcc_officer, inspection=inspection)
    # Before the digest goes, they leave the OPCC and join another force as an action owner.
    opcc_officer.groups.set([Group.objects.get(name=roles.ACTION_OWNER)])
    opcc_officer.force = other_force
    opcc_officer.save()
    with time_machine.travel(at(D(2024, 12, 9), 8), tick=False):
        assert digest_send(recipient_id=opcc_officer.pk) == 0
    assert not mailoutbox
    row.refresh_from_db()
    assert row.status == Reminder.Status.SKIPPED
