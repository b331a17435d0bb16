"""A broker that cannot take the digest never fails the request that queued it."""

import datetime
import socket

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import tasks
from actions.models import Reminder, ReminderStatus
from tracker.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_broker():
    """Point the Celery app at a port on 127.0.0.1 nobody listens on, publishing for real."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    saved = {
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
    }
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.task_always_eager = False
    # The producer pool holds connections built from the old URL; drop it both ways.
    app._pool = None
    yield port
    app.conf.update(saved)
    app._pool = None


def test_a_deadline_change_redirects_when_the_broker_is_down_and_the_notice_waits(
    closed_broker, action, owner, opcc_officer, signed_in, django_capture_on_commit_callbacks
):
    owner.notify_changes_at_once = True
    owner.save()
    new = action.deadline + datetime.timedelta(days=20)
    client = signed_in(opcc_officer)
    # The test's transaction never commits; run the on-commit enqueue as the commit would.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("actions:deadline", args=[action.pk]),
            {"deadline": new.isoformat(), "reason": "Contractor delay"},
        )
    assert callbacks, "the change queued no digest, so the broker was never tried"
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.deadline == new
    reminder = Reminder.objects.get(recipient=owner)
    assert reminder.status == ReminderStatus.PENDING


def test_the_five_minute_beat_task_sends_at_once_notices_whose_enqueue_was_lost(
    closed_broker, action, owner, opcc_officer, signed_in, django_capture_on_commit_callbacks
):
    owner.notify_changes_at_once = True
    owner.save()
    new = action.deadline + datetime.timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(opcc_officer).post(
            reverse("actions:deadline", args=[action.pk]),
            {"deadline": new.isoformat(), "reason": "Contractor delay"},
        )
    entry = app.conf.beat_schedule["send-stranded-notices"]
    assert entry["task"] == "actions.tasks.send_stranded_notices"
    assert entry["schedule"].minute == set(range(0, 60, 5))

    mail.outbox = []
    # Under a minute old: left alone, its own task may still be on the way.
    assert tasks.send_stranded_notices.apply().get() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert tasks.send_stranded_notices.apply().get() == 1
    assert Reminder.objects.get(recipient=owner).status == ReminderStatus.SENT
    assert [m.to for m in mail.outbox] == [[owner.email]]
