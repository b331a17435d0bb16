"""The reminder sweep: every kind and threshold on a frozen clock, digests, exactly once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from notifications_python_client.notifications import NotificationsAPIClient

from actions import evidence_services, services, tasks
from actions.models import Reminder, ReminderKind, Status
from actions.reminders import digest, due
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminder_mail_backends import FlakyBackend
from tests.factories import ActionFactory, EvidenceFactory, MeetingFactory, UserFactory
from tracker import settings as project_settings
from tracker.celery import app

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Kind = ReminderKind


def at(day, hour=7, minute=0):
    """A Europe/London wall-clock time on `day`, as beat would fire it."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def sent(kind=None):
    rows = Reminder.objects.filter(status=Reminder.Status.SENT)
    return list(rows.filter(kind=kind) if kind else rows)


def days_mailed(sweep, mailoutbox, first, last):
    """Sweep every morning from `first` to `last`; the days on which any mail went out."""
    days = []
    day = first
    while day <= last:
        before = len(mailoutbox)
        sweep(day)
        if len(mailoutbox) > before:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


# Deadline nudges


def test_owner_is_nudged_14_7_and_1_days_before_the_deadline_and_on_no_other_day(
    action, sweep, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 31)
    action.save()
    mailed = days_mailed(sweep, mailoutbox, datetime.date(2025, 3, 10), datetime.date(2025, 3, 31))
    # The day before the deadline is a Sunday: that nudge goes on the Friday.
    assert mailed == [
        datetime.date(2025, 3, 17),
        datetime.date(2025, 3, 24),
        datetime.date(2025, 3, 28),
    ]
    periods = sorted(r.period for r in sent(Kind.DEADLINE))
    assert periods == ["2025-03-31-14d", "2025-03-31-1d", "2025-03-31-7d"]
    assert {r.recipient for r in sent()} == {action.owner}
    assert "Due 31 March 2025, in 3 days." in mailoutbox[-1].body


def test_a_missed_run_is_caught_up_the_next_day_with_the_latest_threshold_only(
    action, sweep, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 31)
    action.save()
    sweep(datetime.date(2025, 3, 17))  # 14 days before
    # No runs on the 24th (7 days before) or the 25th: the 26th catches up the 7-day nudge.
    sweep(datetime.date(2025, 3, 26))
    assert sorted(r.period for r in sent(Kind.DEADLINE)) == ["2025-03-31-14d", "2025-03-31-7d"]
    assert len(mailoutbox) == 2
    assert "Due 31 March 2025, in 5 days." in mailoutbox[1].body


def test_an_action_first_seen_four_days_out_gets_one_nudge_not_two(action, sweep, mailoutbox):
    action.deadline = datetime.date(2025, 3, 31)
    action.save()
    sweep(datetime.date(2025, 3, 27))
    assert [r.period for r in sent(Kind.DEADLINE)] == ["2025-03-31-7d"]
    assert len(mailoutbox) == 1


def test_moving_the_deadline_restarts_the_nudges_for_the_new_date(
    action, opcc_officer, sweep, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 31)
    action.save()
    sweep(datetime.date(2025, 3, 24))
    with time_machine.travel(at(datetime.date(2025, 3, 24), 12), tick=False):
        services.action_change_deadline(
            by=opcc_officer, action=action, deadline=datetime.date(2025, 4, 4), reason="Audit."
        )
    sweep(datetime.date(2025, 3, 28))
    periods = sorted(r.period for r in sent(Kind.DEADLINE))
    assert periods == ["2025-03-31-7d", "2025-04-04-7d"]


def test_thresholds_are_settings_read_when_the_sweep_runs(action, sweep, mailoutbox):
    action.deadline = datetime.date(2025, 3, 31)
    action.save()
    with override_settings(REMINDER_DEADLINE_DAYS=[3]):
        sweep(datetime.date(2025, 3, 24))
        assert mailoutbox == []
        sweep(datetime.date(2025, 3, 28))
    assert [r.period for r in sent(Kind.DEADLINE)] == ["2025-03-31-3d"]


# Overdue and escalation


def test_overdue_notice_the_day_after_then_weekly_and_one_escalation_at_14_working_days(
    action, owner, opcc_officer, sweep, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    mailed = days_mailed(sweep, mailoutbox, datetime.date(2025, 3, 4), datetime.date(2025, 3, 31))
    overdue = sorted(r.period for r in sent(Kind.OVERDUE))
    assert overdue == ["2025-03-03+15d", "2025-03-03+1d", "2025-03-03+22d", "2025-03-03+8d"]
    escalations = sent(Kind.ESCALATION)
    assert [(r.recipient, r.period) for r in escalations] == [(opcc_officer, "2025-03-03+14d")]
    assert escalations[0].sent_at.date() == datetime.date(2025, 3, 21)
    assert mailed == [datetime.date(2025, 3, d) for d in (4, 11, 18, 21, 25)]
    assert all(owner.email in m.to or opcc_officer.email in m.to for m in mailoutbox)


def test_escalation_reaches_a_lead_who_opted_out_of_the_weekly_summary(
    action, opcc_officer, sweep, mailoutbox
):
    opcc_officer.weekly_digest = False
    opcc_officer.save()
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    sweep(datetime.date(2025, 3, 21))
    to_lead = [m for m in mailoutbox if m.to == [opcc_officer.email]]
    assert len(to_lead) == 1
    assert "ESCALATED TO YOU" in to_lead[0].body
    assert "Was due 3 March 2025: 18 days overdue." in to_lead[0].body


# Stale


def test_stale_notice_after_30_working_days_without_an_update_and_every_30_after(
    owner, opcc_officer, sweep, mailoutbox
):
    with time_machine.travel(at(datetime.date(2025, 1, 10), 15), tick=False):
        action = ActionFactory(
            owner=owner,
            opcc_lead=opcc_officer,
            finding__inspection__force=owner.force,
            deadline=datetime.date(2026, 1, 1),
        )
    # Created on Friday 10 January: its 30th working day without an update ends on 20 February.
    assert days_mailed(
        sweep, mailoutbox, datetime.date(2025, 2, 19), datetime.date(2025, 2, 24)
    ) == [datetime.date(2025, 2, 21)]
    sweep(datetime.date(2025, 4, 3))
    assert len(sent(Kind.STALE)) == 1
    sweep(datetime.date(2025, 4, 4))
    assert sorted(r.period for r in sent(Kind.STALE)) == ["2025-01-10+30d", "2025-01-10+60d"]
    assert all(r.action == action for r in sent())


def test_posting_an_update_resets_the_stale_clock(owner, opcc_officer, sweep, mailoutbox):
    with time_machine.travel(at(datetime.date(2025, 1, 10), 15), tick=False):
        action = ActionFactory(
            owner=owner,
            opcc_lead=opcc_officer,
            finding__inspection__force=owner.force,
            deadline=datetime.date(2026, 1, 1),
        )
    with time_machine.travel(at(datetime.date(2025, 2, 1), 9), tick=False):
        services.action_post_update(
            by=owner,
            action=action,
            narrative="Started.",
            status="in_progress",
            rag="green",
            percent_complete=10,
        )
    sweep(datetime.date(2025, 2, 21))
    assert sent(Kind.STALE) == []
    # Updated on a Saturday: 30 working days from Monday 3 February end on Friday 14 March; the
    # notice recorded on Saturday the 15th goes with Monday's digest.
    sweep(datetime.date(2025, 3, 15))
    assert sent(Kind.STALE) == []
    sweep(datetime.date(2025, 3, 17))
    assert [r.period for r in sent(Kind.STALE)] == ["2025-02-01+30d"]


def test_stale_counts_london_days_across_the_october_clock_change(owner, sweep, mailoutbox):
    # Created at 00:30 BST on Thursday 24 September 2026 (23:30 UTC on the 23rd): its 30th
    # working day ends on Wednesday 4 November, after the clocks go back on 25 October.
    with time_machine.travel(at(datetime.date(2026, 9, 24), 0, 30), tick=False):
        ActionFactory(
            owner=owner, finding__inspection__force=owner.force, deadline=datetime.date(2027, 6, 1)
        )
    sweep(datetime.date(2026, 11, 4))
    assert sent(Kind.STALE) == []
    sweep(datetime.date(2026, 11, 5))
    assert [r.period for r in sent(Kind.STALE)] == ["2026-09-24+30d"]


# Clock changes


def test_nudges_land_on_the_right_london_days_in_the_week_the_clocks_go_back(
    action, sweep, mailoutbox
):
    # BST ends at 02:00 on Sunday 25 October 2026. Deadline Monday 2 November: the day-before
    # nudge falls on Sunday 1 November and goes on Friday 30 October.
    action.deadline = datetime.date(2026, 11, 2)
    action.save()
    mailed = days_mailed(sweep, mailoutbox, datetime.date(2026, 10, 17), datetime.date(2026, 11, 2))
    assert mailed == [
        datetime.date(2026, 10, 19),
        datetime.date(2026, 10, 26),
        datetime.date(2026, 10, 30),
    ]


def test_a_sweep_just_after_midnight_bst_uses_the_london_date_not_the_utc_one(
    action, sweep, mailoutbox
):
    # 00:30 BST on Monday 30 March 2026 (the clocks went forward on the 29th) is 23:30 UTC on
    # Sunday the 29th: the London date is what counts. Deadline Easter Monday, 6 April.
    action.deadline = datetime.date(2026, 4, 6)
    action.save()
    sweep(datetime.date(2026, 3, 30), hour=0, minute=30)
    assert [r.period for r in sent(Kind.DEADLINE)] == ["2026-04-06-7d"]


def test_beat_runs_the_sweep_at_07_00_and_the_weekly_summary_on_monday_07_30_london_time():
    schedule = app.conf.beat_schedule
    daily = schedule["send-due-reminders"]
    weekly = schedule["send-weekly-digest"]
    assert daily["task"] == "actions.tasks.send_due_reminders"
    assert daily["schedule"].hour == {7} and daily["schedule"].minute == {0}
    assert weekly["task"] == "actions.tasks.send_weekly_digest"
    assert weekly["schedule"].day_of_week == {1}
    assert (weekly["schedule"].hour, weekly["schedule"].minute) == ({7}, {30})
    assert app.conf.timezone == "Europe/London"


def test_the_broker_holds_a_message_longer_than_any_task_may_run():
    assert tasks.send_digest.acks_late is True
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > app.conf.task_time_limit > app.conf.task_soft_time_limit


# Meetings


@pytest.fixture
def agenda_meeting(action):
    """A meeting on Thursday 8 May 2025 with the action's inspection on its agenda.

    Monday 5 May 2025 is the early May bank holiday.
    """
    meeting = MeetingFactory(title="APM May 2025", starts_at=at(datetime.date(2025, 5, 8), 10))
    meeting.inspections.add(action.finding.inspection)
    action.deadline = datetime.date(2025, 12, 31)
    action.save()
    return meeting


def test_owners_are_asked_for_an_update_10_working_days_before_a_meeting_skipping_bank_holidays(
    action, agenda_meeting, sweep, mailoutbox
):
    # Counting back 10 working days from Thursday 8 May, skipping Monday 5 May: Wednesday 23 April.
    sweep(datetime.date(2025, 4, 22))
    assert sent(Kind.MEETING_UPDATE) == []
    sweep(datetime.date(2025, 4, 23))
    requests = sent(Kind.MEETING_UPDATE)
    assert [(r.recipient, r.action, r.meeting) for r in requests] == [
        (action.owner, action, agenda_meeting)
    ]
    assert "On the agenda of APM May 2025 on 8 May 2025" in mailoutbox[0].body
    sweep(datetime.date(2025, 4, 24))
    assert len(sent(Kind.MEETING_UPDATE)) == 1


def test_working_days_skip_weekends_and_england_and_wales_bank_holidays():
    assert due.working_days_before(datetime.date(2025, 5, 8), 10) == datetime.date(2025, 4, 23)
    assert due.working_days_before(datetime.date(2025, 5, 15), 10) == datetime.date(2025, 4, 30)
    # Good Friday 18 and Easter Monday 21 April 2025.
    assert due.working_days_before(datetime.date(2025, 4, 23), 3) == datetime.date(2025, 4, 16)


def test_opcc_staff_hear_the_pack_is_ready_5_working_days_before_the_meeting(
    opcc_officer, second_opcc_officer, agenda_meeting, sweep, mailoutbox
):
    sweep(datetime.date(2025, 4, 29))
    assert sent(Kind.PACK_READY) == []
    sweep(datetime.date(2025, 4, 30))
    ready = sent(Kind.PACK_READY)
    assert {r.recipient for r in ready} == {opcc_officer, second_opcc_officer}
    assert {r.meeting for r in ready} == {agenda_meeting}
    staff_mail = [m for m in mailoutbox if m.to == [second_opcc_officer.email]]
    assert "BRIEFING PACKS TO PREPARE" in staff_mail[0].body


def test_closed_actions_on_the_agenda_get_no_update_request(
    action, agenda_meeting, sweep, mailoutbox
):
    action.status = Status.CLOSED
    action.closure_summary = "Done."
    action.save()
    sweep(datetime.date(2025, 4, 23))
    assert sent(Kind.MEETING_UPDATE) == []


# Closed and sustaining actions, recipients


@pytest.mark.parametrize("status", [Status.CLOSED, Status.SUSTAINING])
def test_closed_and_sustaining_actions_are_never_reminded(
    status, owner, opcc_officer, sweep, mailoutbox
):
    with time_machine.travel(at(datetime.date(2024, 1, 1)), tick=False):
        ActionFactory(
            owner=owner,
            opcc_lead=opcc_officer,
            status=status,
            closure_summary="Done.",
            deadline=datetime.date(2025, 3, 3),
        )
    for day in [datetime.date(2025, 2, 17), datetime.date(2025, 3, 4), datetime.date(2025, 3, 20)]:
        sweep(day)
    sweep(datetime.date(2025, 3, 24), weekly=True)
    assert Reminder.objects.count() == 0
    assert mailoutbox == []


def test_a_reminder_recorded_before_the_action_closed_is_dropped_not_sent(
    action, sweep, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(at(datetime.date(2025, 3, 4)), tick=False):
        reminders_sweep()  # recorded; the digest is not sent (no commit here)
    Reminder.objects.filter(kind=Kind.OVERDUE).get()
    action.status = Status.CLOSED
    action.closure_summary = "Done."
    action.save()
    assert digest.digest_send(recipient_id=action.owner_id) == 0
    assert Reminder.objects.get().status == Reminder.Status.SKIPPED
    assert mailoutbox == []


def test_people_without_an_email_address_or_no_longer_active_get_nothing(
    action, owner, sweep, mailoutbox
):
    owner.email = ""
    owner.save()
    action.deadline = datetime.date(2025, 3, 3)
    action.opcc_lead.is_active = False
    action.opcc_lead.save()
    action.save()
    sweep(datetime.date(2025, 3, 20))
    assert Reminder.objects.count() == 0


# The digest


def test_one_digest_per_recipient_per_run_grouped_by_kind_with_links_in_both_bodies(
    owner, opcc_officer, force, sweep, mailoutbox
):
    with time_machine.travel(at(datetime.date(2025, 1, 2)), tick=False):
        make = {"owner": owner, "opcc_lead": opcc_officer, "finding__inspection__force": force}
        soon = ActionFactory(title="Train supervisors", deadline=datetime.date(2025, 3, 17), **make)
        late = ActionFactory(
            title="Audit crime records", deadline=datetime.date(2025, 3, 2), **make
        )
        stale = ActionFactory(title="Review vetting", deadline=datetime.date(2025, 9, 1), **make)
    sweep(datetime.date(2025, 3, 10))
    to_owner = [m for m in mailoutbox if m.to == [owner.email]]
    assert len(to_owner) == 1
    message = to_owner[0]
    # Nudge, overdue, and all three stale (created in January, never updated).
    assert message.subject == "Action tracker: 5 items for you"
    body = message.body
    assert body.index("OVERDUE") < body.index("DEADLINES COMING UP") < body.index("NO UPDATE")
    for action in (soon, late, stale):
        assert f"{digest.action_url(action.pk)}\n" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="{digest.action_url(late.pk)}"' in html
    assert "<h2" in html and "Was due 2 March 2025: 8 days overdue." in html
    assert digest.action_url(late.pk).startswith("http://127.0.0.1:8000/")


def test_the_weekly_summary_lists_open_actions_and_respects_the_opt_out(
    owner, opcc_officer, action, sweep, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 12)
    action.save()
    opcc_officer.weekly_digest = False
    opcc_officer.save()
    sweep(datetime.date(2025, 3, 10), weekly=True)
    assert [m.to for m in mailoutbox] == [[owner.email]]
    assert mailoutbox[0].subject == "Action tracker: your weekly summary"
    assert "You have 1 open action: 0 overdue, 1 due in the next 14 days." in mailoutbox[0].body
    assert [r.period for r in sent(Kind.WEEKLY_DIGEST)] == ["2025-W11"]
    sweep(datetime.date(2025, 3, 10), weekly=True)
    sweep(datetime.date(2025, 3, 12), weekly=True)
    assert len(mailoutbox) == 1


# Exactly once


def test_running_the_sweep_twice_sends_nothing_twice(action, sweep, mailoutbox):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    sweep(datetime.date(2025, 3, 21))
    first = (len(mailoutbox), Reminder.objects.count())
    sweep(datetime.date(2025, 3, 21))
    assert (len(mailoutbox), Reminder.objects.count()) == first == (2, 2)


def test_two_sweeps_recording_before_either_sends_still_send_each_reminder_once(
    action, django_capture_on_commit_callbacks, mailoutbox
):
    # Two beat processes: both record and both enqueue a digest for the same people.
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(at(datetime.date(2025, 3, 21)), tick=False):
        with django_capture_on_commit_callbacks() as first:
            reminders_sweep()
        with django_capture_on_commit_callbacks() as second:
            reminders_sweep()
        for callback in [*first, *second]:
            callback()
    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 2


def test_a_failed_send_is_retried_by_celery_with_attempts_and_error_recorded(
    action, mailoutbox, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    # Eagerly, Celery runs each retry at once (no countdown) when failures are not propagated.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(at(datetime.date(2025, 3, 4)), tick=False):
        reminders_sweep()
        FlakyBackend.failures = 2
        tasks.send_digest.apply(args=[action.owner_id])
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.attempts == 3
    # The failures' error went with the send that succeeded (issue 24, item 8).
    assert reminder.last_error == ""
    assert len(mailoutbox) == 1


def test_celery_retries_a_failed_send_with_exponential_backoff():
    assert tasks.send_digest.autoretry_for == (Exception,)
    assert tasks.send_digest.retry_backoff == project_settings.REMINDER_RETRY_BACKOFF
    assert tasks.send_digest.retry_jitter is True
    assert tasks.send_digest.max_retries == project_settings.REMINDER_SEND_RETRIES


def test_a_send_that_fails_inline_stays_in_the_outbox_and_the_next_sweep_sends_it_once(
    action, sweep, mailoutbox, settings
):
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    FlakyBackend.failures = 1
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    sweep(datetime.date(2025, 3, 4))
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts, len(mailoutbox)) == ("pending", 1, 0)
    sweep(datetime.date(2025, 3, 5))
    sweep(datetime.date(2025, 3, 6))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, len(mailoutbox)) == ("sent", 2, 1)


def test_a_reminder_that_keeps_failing_is_marked_failed_for_an_administrator(
    action, sweep, mailoutbox, settings
):
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    settings.REMINDER_MAX_ATTEMPTS = 2
    FlakyBackend.failures = 5
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    sweep(datetime.date(2025, 3, 4))
    sweep(datetime.date(2025, 3, 5))
    sweep(datetime.date(2025, 3, 6))
    FlakyBackend.failures = 0
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == ("failed", 2)
    assert mailoutbox == []


def test_the_unique_key_refuses_a_second_row_for_the_same_occurrence(action, owner):
    Reminder.objects.create(recipient=owner, action=action, kind=Kind.OVERDUE, period="x")
    with pytest.raises(Exception, match="(?i)unique"), transaction.atomic():
        Reminder.objects.create(recipient=owner, action=action, kind=Kind.OVERDUE, period="x")


# Change notifications


def test_the_lead_hears_of_an_owners_update_in_the_next_digest(
    action, owner, opcc_officer, sweep, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.action_post_update(
            by=owner,
            action=action,
            narrative="Training booked.",
            status="in_progress",
            rag="amber",
            percent_complete=30,
        )
    assert mailoutbox == []
    change = Reminder.objects.get()
    assert (change.recipient, change.kind, change.status) == (
        opcc_officer,
        "update_posted",
        "pending",
    )
    sweep(timezone.localdate())
    assert [m.to for m in mailoutbox] == [[opcc_officer.email]]
    assert "Training booked." in mailoutbox[0].body and "UPDATES POSTED" in mailoutbox[0].body


def test_a_lead_who_asked_for_changes_at_once_hears_when_the_change_commits(
    action, owner, opcc_officer, mailoutbox, django_capture_on_commit_callbacks
):
    opcc_officer.notify_changes_at_once = True
    opcc_officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.action_propose_closure(by=owner, action=action, narrative="All delivered.")
    assert [m.to for m in mailoutbox] == [[opcc_officer.email]]
    assert "Proposed for closure" in mailoutbox[0].body
    assert Reminder.objects.get().kind == Kind.CLOSURE_PROPOSED


def test_a_closure_proposal_already_decided_is_not_sent(
    action, owner, opcc_officer, second_opcc_officer, mailoutbox, sweep
):
    evidence = EvidenceFactory(action=action, submitted_by=owner)
    evidence_services.evidence_assure(by=opcc_officer, evidence=evidence, note="Checked.")
    services.action_propose_closure(by=owner, action=action, narrative="All delivered.")
    services.action_close(by=second_opcc_officer, action=action, closure_summary="Delivered.")
    sweep(timezone.localdate())
    proposal = Reminder.objects.get(recipient=opcc_officer, kind=Kind.CLOSURE_PROPOSED)
    assert proposal.status == "skipped"
    assert all(
        "Proposed for closure" not in m.body for m in mailoutbox if opcc_officer.email in m.to
    )


def test_the_owner_hears_when_opcc_assures_evidence_closes_reopens_and_moves_the_deadline(
    action, owner, opcc_officer, second_opcc_officer, mailoutbox
):
    evidence = EvidenceFactory(action=action, submitted_by=owner)
    evidence_services.evidence_assure(
        by=opcc_officer, evidence=evidence, note="Checked the sample."
    )
    services.action_propose_closure(by=owner, action=action, narrative="Done.")
    services.action_close(by=second_opcc_officer, action=action, closure_summary="Delivered.")
    services.action_reopen(
        by=second_opcc_officer,
        action=action,
        reason="Not sustained.",
        rag="amber",
        percent_complete=60,
    )
    services.action_change_deadline(
        by=opcc_officer, action=action, deadline=datetime.date(2030, 1, 1), reason="Re-plan."
    )
    to_owner = Reminder.objects.filter(recipient=owner).order_by("pk")
    assert [r.kind for r in to_owner] == [
        "evidence_assured",
        "action_closed",
        "action_reopened",
        "deadline_moved",
    ]
    assert "Delivered." in to_owner[1].detail and "Re-plan." in to_owner[3].detail


def test_nobody_is_notified_of_their_own_change(action, opcc_officer):
    action.owner = opcc_officer
    action.save()
    services.action_change_deadline(
        by=opcc_officer, action=action, deadline=datetime.date(2030, 1, 1), reason="Re-plan."
    )
    assert Reminder.objects.count() == 0


def test_a_change_notification_is_rolled_back_with_the_change(action, opcc_officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.action_change_deadline(
            by=opcc_officer, action=action, deadline=datetime.date(2030, 1, 1), reason="Re-plan."
        )
        raise RuntimeError("the request failed after the service ran")
    assert Reminder.objects.count() == 0


# The command


def test_send_reminders_dry_run_prints_who_would_get_what_and_records_nothing(
    action, capsys, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    call_command("send_reminders", "--dry-run", "--date", "2025-03-21")
    out = capsys.readouterr().out
    assert "Dry run for Friday 21 March 2025: 2 reminders would go to 2 people." in out
    assert f"{action.owner.email}:\n  Overdue: {action.title} (2025-03-03+15d)" in out
    assert f"Escalated: overdue: {action.title}" in out
    assert Reminder.objects.count() == 0
    assert mailoutbox == []


def test_send_reminders_runs_the_same_sweep_and_sends(
    action, capsys, mailoutbox, django_capture_on_commit_callbacks
):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--date", "2025-03-21")
    assert "Friday 21 March 2025: 2 reminders due" in capsys.readouterr().out
    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(status="sent").count() == 2


def test_send_reminders_refuses_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "20/03/2025")


# Settings


def test_reminder_settings_refuse_malformed_values(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("REMINDER_DEADLINE_DAYS", "14,seven")
    with pytest.raises(ImproperlyConfigured, match="whole days"):
        project_settings.env_days("REMINDER_DEADLINE_DAYS", [14])
    monkeypatch.setenv("REMINDER_SWEEP_TIME", "7am")
    with pytest.raises(ImproperlyConfigured, match="24-hour time"):
        project_settings.env_time("REMINDER_SWEEP_TIME", "07:00")
    monkeypatch.setenv("REMINDER_DEADLINE_DAYS", "1, 14,7")
    assert project_settings.env_days("REMINDER_DEADLINE_DAYS", [14]) == [14, 7, 1]
    monkeypatch.setenv("REMINDER_SWEEP_TIME", "06:45")
    assert project_settings.env_time("REMINDER_SWEEP_TIME", "07:00") == (6, 45)


# Celery entry points, the outbox in admin, GOV.UK Notify


def test_the_daily_and_weekly_tasks_run_the_sweep_for_the_date_given(
    action, mailoutbox, django_capture_on_commit_callbacks
):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with django_capture_on_commit_callbacks(execute=True):
        people = tasks.send_due_reminders.delay(date="2025-03-21").get()
    assert people == 2 and len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        people = tasks.send_weekly_digest.delay(date="2025-03-24").get()
    assert people == 2 and len(mailoutbox) == 4
    assert sorted(r.period for r in sent(Kind.WEEKLY_DIGEST)) == ["2025-W13", "2025-W13"]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_outbox_changelist_filters_and_uses_a_constant_number_of_queries(
    rows, owner, client, django_assert_max_num_queries
):
    for n in range(rows):
        action = ActionFactory(owner=owner)
        Reminder.objects.create(recipient=owner, action=action, kind=Kind.OVERDUE, period=f"{n}")
    Reminder.objects.filter(pk__lte=Reminder.objects.order_by("pk")[2].pk).update(
        status="failed", last_error="SMTPServerDisconnected"
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:actions_reminder_changelist")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.context["cl"].result_count == rows
    response = client.get(url, {"status__exact": "failed", "last_error__isempty": "0"})
    assert response.context["cl"].result_count == 3
    assert client.get(reverse("admin:actions_reminder_add")).status_code == 403


def test_digests_can_be_sent_through_gov_uk_notify_chosen_by_settings(
    action, settings, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        NotificationsAPIClient, "send_email_notification", lambda self, **kw: calls.append(kw)
    )
    settings.EMAIL_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = (
        "test-11111111-2222-3333-4444-555555555555-66666666-7777-8888-9999-000000000000"
    )
    settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = "plain-template"
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(at(datetime.date(2025, 3, 4)), tick=False):
        reminders_sweep()
        digest.digest_send(recipient_id=action.owner_id)
    assert [call["email_address"] for call in calls] == [action.owner.email]
    assert calls[0]["template_id"] == "plain-template"
    assert calls[0]["personalisation"]["subject"] == "Action tracker: 1 item for you"
    assert "OVERDUE" in calls[0]["personalisation"]["body"]
    assert Reminder.objects.get().status == "sent"


def test_working_days_before_follows_the_holidays_subdivision_setting():
    # 2 January is a bank holiday in Scotland, not in England: the answer (remembered per day)
    # must still follow the setting.
    monday = datetime.date(2026, 1, 5)
    assert due.working_days_before(monday, 1) == datetime.date(2026, 1, 2)
    with override_settings(REMINDER_HOLIDAYS_SUBDIVISION="SCT"):
        assert due.working_days_before(monday, 1) == datetime.date(2025, 12, 31)
    assert due.working_days_before(monday, 1) == datetime.date(2026, 1, 2)
