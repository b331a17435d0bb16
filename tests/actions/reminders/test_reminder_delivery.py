"""Nothing lost: three failed sends still end in delivery; six mark the reminder failed, where an
administrator sees it. Both through Celery's retries (with Redis) and through the daily sweeps
(inline, no Redis), with the project's default REMINDER_SEND_RETRIES and REMINDER_MAX_ATTEMPTS.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from actions import tasks
from actions.models import Reminder
from actions.reminders import digest, outbox
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminder_mail_backends import FlakyBackend
from tests.actions.reminders.test_reminders import at
from tracker.celery import app

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2025, 3, 3)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.failures = 0


@pytest.fixture
def overdue(action):
    action.deadline = DEADLINE
    action.save()
    return action


def test_the_defaults_are_the_documented_numbers():
    assert (settings.REMINDER_SEND_RETRIES, settings.REMINDER_MAX_ATTEMPTS) == (5, 6)
    assert tasks.send_digest.max_retries == settings.REMINDER_SEND_RETRIES


def celery_send(owner_id, monkeypatch):
    """The digest task as a worker runs it: eagerly, Celery runs each retry at once."""
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    return tasks.send_digest.apply(args=[owner_id])


def test_three_smtp_failures_through_celery_still_end_in_one_delivery(
    overdue, flaky, mailoutbox, monkeypatch
):
    with time_machine.travel(at(DEADLINE + datetime.timedelta(days=1)), tick=False):
        reminders_sweep()
        flaky.failures = 3
        celery_send(overdue.owner_id, monkeypatch)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 4)
    assert len(mailoutbox) == 1


def test_a_send_that_succeeds_after_failures_clears_the_last_error(
    overdue, flaky, mailoutbox, monkeypatch
):
    with time_machine.travel(at(DEADLINE + datetime.timedelta(days=1)), tick=False):
        reminders_sweep()
        flaky.failures = 2
        celery_send(overdue.owner_id, monkeypatch)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 3)
    assert reminder.last_error == ""
    assert not Reminder.objects.exclude(last_error="").exists()


def test_six_smtp_failures_through_celery_mark_the_reminder_failed_for_administrators(
    overdue, flaky, mailoutbox, monkeypatch, administrator, client
):
    with time_machine.travel(at(DEADLINE + datetime.timedelta(days=1)), tick=False):
        reminders_sweep()
        flaky.failures = 6
        result = celery_send(overdue.owner_id, monkeypatch)
    assert result.failed()
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.FAILED, 6)
    assert reminder.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mailoutbox == []
    # Later sweeps leave a failed reminder alone: it is neither resent nor duplicated.
    with time_machine.travel(at(DEADLINE + datetime.timedelta(days=2)), tick=False):
        reminders_sweep()
        digest.digest_send(recipient_id=overdue.owner_id)
    assert Reminder.objects.filter(status=Reminder.Status.FAILED).count() == 1
    assert mailoutbox == []
    client.force_login(administrator)
    page = client.get(reverse("admin:actions_reminder_changelist"), {"status__exact": "failed"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    row = client.get(reverse("admin:actions_reminder_change", args=[reminder.pk]))
    assert "Connection unexpectedly closed" in row.content.decode()


def daily_sweeps(days, django_capture_on_commit_callbacks):
    for n in range(1, days + 1):
        day = DEADLINE + datetime.timedelta(days=n)
        with (
            time_machine.travel(at(day), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminders_sweep()


def test_without_redis_three_failed_sweeps_then_the_fourth_delivers(
    overdue, flaky, mailoutbox, django_capture_on_commit_callbacks
):
    flaky.failures = 3
    daily_sweeps(4, django_capture_on_commit_callbacks)
    first = Reminder.objects.order_by("pk").first()
    assert (first.status, first.attempts) == (Reminder.Status.SENT, 4)
    assert len(mailoutbox) == 1  # one digest, holding every reminder due by then


def test_without_redis_six_failed_sweeps_mark_it_failed(
    overdue, flaky, mailoutbox, django_capture_on_commit_callbacks
):
    flaky.failures = 6
    daily_sweeps(6, django_capture_on_commit_callbacks)
    first = Reminder.objects.order_by("pk").first()
    assert (first.status, first.attempts) == (Reminder.Status.FAILED, 6)
    assert mailoutbox == []


def test_an_administrator_sends_failed_reminders_again_once_the_relay_is_fixed(
    overdue, flaky, mailoutbox, administrator, client, django_capture_on_commit_callbacks
):
    flaky.failures = 6
    daily_sweeps(6, django_capture_on_commit_callbacks)
    failed = list(Reminder.objects.filter(status=Reminder.Status.FAILED))
    assert failed and mailoutbox == []
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:actions_reminder_changelist"),
            {"action": "send_again", "_selected_action": [r.pk for r in failed]},
            follow=True,
        )
    assert f"{len(failed)} failed reminder" in response.content.decode()
    assert len(mailoutbox) == 1  # one digest holding them all
    for reminder in failed:
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 1)


def test_send_again_leaves_sent_and_pending_reminders_alone(overdue, mailoutbox, sweep_once):
    sent = Reminder.objects.get()
    assert sent.status == Reminder.Status.SENT
    assert outbox.reminders_send_again(reminder_ids=[sent.pk]) == 0
    sent.refresh_from_db()
    assert sent.status == Reminder.Status.SENT and len(mailoutbox) == 1


@pytest.fixture
def sweep_once(overdue, django_capture_on_commit_callbacks):
    daily_sweeps(1, django_capture_on_commit_callbacks)
