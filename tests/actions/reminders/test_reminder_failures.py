"""Failed and stuck reminders made visible: /health/ degraded (200), a banner for
administrators and superusers, and one email to administrators per incident."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from actions import tasks
from actions.models import Reminder
from actions.reminders import digest, failures
from tests.actions.reminders.test_reminders import at
from tests.factories import UserFactory
from tracker.heartbeat import heartbeat_record
from tracker.models import Heartbeat

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 20)
BANNER = "failed since 07:00 on 20 March 2025"


def failed_row(action, *, at_time, status="failed", error="SMTPRecipientsRefused: 550"):
    return Reminder.objects.create(
        recipient=action.owner,
        action=action,
        kind="overdue",
        period=f"p-{Reminder.objects.count()}",
        status=status,
        attempts=6 if status == "failed" else 1,
        last_error=error,
        sending_at=at_time,
    )


@pytest.fixture
def incident(action):
    """A digest accepted at 06:00, then two reminders failing from 07:00 (one gave up, one
    waiting for its retry), and the health check's other inputs healthy."""
    heartbeat_record(at=at(DAY, 6, 30))
    heartbeat_record(name=Heartbeat.REMINDER_DELIVERY, at=at(DAY, 6))
    failed_row(action, at_time=at(DAY, 5))  # before the last success: a past incident
    failed_row(action, at_time=at(DAY, 7))
    failed_row(action, at_time=at(DAY, 7, 5), status="pending")
    return action


def health(client):
    response = client.get(reverse("health"))
    return response.status_code, json.loads(response.content)


def test_health_is_degraded_not_down_while_reminders_fail(incident, client, settings):
    settings.REDIS_URL = ""
    with time_machine.travel(at(DAY, 8), tick=False):
        status, body = health(client)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["reminder_delivery"] == "degraded"
    assert body["reminders"] == {"failed": 2, "stuck": 0}


def test_health_counts_digests_stuck_sending(action, client, settings):
    settings.REDIS_URL = ""
    heartbeat_record(at=at(DAY, 7))
    failed_row(action, at_time=at(DAY, 7), status="sending", error="")
    limit = settings.REMINDER_SENDING_STUCK_MINUTES
    with time_machine.travel(at(DAY, 7, limit - 1), tick=False):
        assert health(client)[1]["status"] == "ok"
    with time_machine.travel(at(DAY, 7, limit + 1), tick=False):
        status, body = health(client)
    assert (status, body["status"], body["reminders"]) == (
        200,
        "degraded",
        {"failed": 0, "stuck": 1},
    )


def test_an_accepted_digest_ends_the_incident(incident, client, settings, mailoutbox):
    settings.REDIS_URL = ""
    Reminder.objects.exclude(status="failed").delete()
    with time_machine.travel(at(DAY, 9), tick=False):
        Reminder.objects.create(recipient=incident.owner, action=incident, kind="stale", period="x")
        digest.digest_send(recipient_id=incident.owner_id)
        status, body = health(client)
    assert (status, body["status"], body["reminders"]["failed"]) == (200, "ok", 0)


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("administrator", True), ("superuser", True), ("opcc_officer", False), ("owner", False)],
)
def test_administrators_and_superusers_see_the_failures_banner(
    persona, shown, incident, request, client
):
    user = (
        UserFactory(is_staff=True, is_superuser=True)
        if persona == "superuser"
        else request.getfixturevalue(persona)
    )
    client.force_login(user)
    with time_machine.travel(at(DAY, 8), tick=False):
        response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert ("2 reminders have failed since 07:00 on 20 March 2025" in page) is shown
    if shown:
        assert reverse("admin:actions_reminder_changelist") in page


def test_the_banner_shows_in_django_admin(incident, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with time_machine.travel(at(DAY, 8), tick=False):
        response = client.get(reverse("admin:index"))
    assert "2 reminders have failed since 07:00 on 20 March 2025" in response.content.decode()


def test_no_banner_without_an_incident(action, administrator, client):
    heartbeat_record(name=Heartbeat.REMINDER_DELIVERY, at=at(DAY, 6))
    failed_row(action, at_time=at(DAY, 5))  # failed before the last accepted digest
    client.force_login(administrator)
    with time_machine.travel(at(DAY, 8), tick=False):
        assert "reminders have failed" not in client.get(reverse("home")).content.decode()


def test_administrators_are_emailed_once_per_incident_by_the_stranded_task(
    incident, administrator, settings
):
    settings.ADMINS = [("IT team", "it-team@example.org")]
    for minutes in (0, 5, 10):
        with time_machine.travel(at(DAY, 8, minutes), tick=False):
            tasks.send_stranded_notices.apply().get()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [administrator.email, "it-team@example.org"]
    )
    message = mail.outbox[0]
    assert message.subject == "Action tracker: 2 reminders failed to send since 07:00"
    assert "2 reminders have failed to send since 07:00 on 20 March 2025" in message.body
    assert (
        "2 reminders have failed to send since 07:00 on 20 March 2025"
        in (message.alternatives[0][0])
    )
    # A digest goes out: the incident is over. A new failure later is a new incident.
    heartbeat_record(name=Heartbeat.REMINDER_DELIVERY, at=at(DAY, 9))
    with time_machine.travel(at(DAY, 9, 30), tick=False):
        assert failures.failures_alert() == 0
    failed_row(incident, at_time=at(DAY, 10))
    with time_machine.travel(at(DAY, 10, 5), tick=False):
        assert failures.failures_alert() == 2
        assert failures.failures_alert() == 0
    assert len(mail.outbox) == 4
