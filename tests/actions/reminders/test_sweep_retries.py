"""A database blip at 07:00 does not cost a day: the sweep retries within its London day, and a
weekly summary run that never finished is sent later in the week, once."""

import datetime

import pytest
import time_machine
from django.db import OperationalError

from actions import tasks
from actions.models import Reminder, ReminderKind
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import at
from tracker.celery import app
from tracker.heartbeat import heartbeat_record
from tracker.models import Heartbeat

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 21)


@pytest.fixture
def overdue(action):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    return action


@pytest.fixture
def blips(monkeypatch):
    """The sweep fails with a database error the first `count` times it is called."""
    calls = []

    def blip(count):
        def sweep(**kwargs):
            calls.append(kwargs)
            if len(calls) <= count:
                raise OperationalError("server closed the connection unexpectedly")
            return reminders_sweep(**kwargs)

        monkeypatch.setattr(tasks, "reminders_sweep", sweep)
        monkeypatch.setitem(app.conf, "task_eager_propagates", False)
        return calls

    return blip


def test_a_database_blip_at_07_00_is_retried_the_same_day_and_the_reminders_go(
    overdue, blips, mailoutbox, django_capture_on_commit_callbacks
):
    calls = blips(2)
    with (
        time_machine.travel(at(DAY), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = tasks.send_due_reminders.apply()  # eager: each retry runs at once
    assert result.successful() and result.get() == 2
    assert len(calls) == 3
    # The retries sweep the day the run began, whenever they run.
    assert calls[1]["today"] == calls[2]["today"] == DAY
    assert len(mailoutbox) == 2


def test_the_weekly_summary_run_is_retried_too(overdue, blips, django_capture_on_commit_callbacks):
    calls = blips(1)
    monday = datetime.date(2025, 3, 24)
    with (
        time_machine.travel(at(monday, 7, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.send_weekly_digest.apply().get() == 2
    assert len(calls) == 2
    assert Reminder.objects.filter(kind=ReminderKind.WEEKLY_DIGEST, status="sent").count() == 2


def test_retries_back_off_and_never_fall_on_the_next_london_day(settings):
    settings.REMINDER_SWEEP_RETRY_BACKOFF = 60
    settings.REMINDER_SWEEP_RETRIES = 8
    morning = at(DAY)
    assert [tasks.sweep_retry_countdown(n, day=DAY, now=morning) for n in range(3)] == [
        60,
        120,
        240,
    ]
    assert tasks.sweep_retry_countdown(8, day=DAY, now=morning) is None  # retries used up
    # 23:58 London (BST or GMT): a retry two minutes later would sweep tomorrow. Give up.
    late = at(DAY, 23, 58)
    assert tasks.sweep_retry_countdown(0, day=DAY, now=late) == 60
    assert tasks.sweep_retry_countdown(1, day=DAY, now=late) is None


def test_a_blip_near_midnight_is_not_retried_into_the_next_day(overdue, blips):
    calls = blips(5)
    with time_machine.travel(at(DAY, 23, 59), tick=False):
        result = tasks.send_due_reminders.apply()
    assert result.failed() and isinstance(result.result, OperationalError)
    assert len(calls) == 1
    assert not Reminder.objects.exists()


# The weekly summary caught up later in the week


def weekly_rows():
    return sorted(
        Reminder.objects.filter(kind=ReminderKind.WEEKLY_DIGEST).values_list("period", "status")
    )


def test_a_weekly_run_that_failed_is_sent_by_the_next_daily_sweep_and_never_twice(
    overdue, mailoutbox, django_capture_on_commit_callbacks
):
    heartbeat_record(name=Heartbeat.WEEKLY_DIGEST, at=at(datetime.date(2025, 3, 17), 7, 30))
    # Monday 24 March: the weekly run failed for good; Tuesday's daily sweep catches it up.
    for day in [datetime.date(2025, 3, 24), datetime.date(2025, 3, 25), datetime.date(2025, 3, 26)]:
        with (
            time_machine.travel(at(day), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminders_sweep(today=None)
        if day == datetime.date(2025, 3, 24):
            assert weekly_rows() == []  # Monday's daily sweep leaves it to the weekly run
    assert weekly_rows() == [("2025-W13", "sent"), ("2025-W13", "sent")]
    summaries = [m.to for m in mailoutbox if m.subject.endswith("your weekly summary")]
    assert sorted(summaries) == sorted([[overdue.owner.email], [overdue.opcc_lead.email]])


def test_a_weekly_run_that_finished_is_not_repeated_by_the_daily_sweeps(
    overdue, mailoutbox, django_capture_on_commit_callbacks
):
    heartbeat_record(name=Heartbeat.WEEKLY_DIGEST, at=at(datetime.date(2025, 3, 17), 7, 30))
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at(datetime.date(2025, 3, 24), 7, 30), tick=False):
            reminders_sweep(weekly=True)
        Reminder.objects.filter(kind=ReminderKind.WEEKLY_DIGEST).delete()  # as if opted out since
        with time_machine.travel(at(datetime.date(2025, 3, 25)), tick=False):
            reminders_sweep()
    assert weekly_rows() == []
