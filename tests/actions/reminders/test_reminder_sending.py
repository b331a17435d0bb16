"""The send itself: rows claimed as "sending" before the relay is called, a stable Message-ID,
and a digest left "sending" by a dead worker resent once, with the same Message-ID."""

import datetime
import smtplib

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from actions import tasks
from actions.models import Reminder
from actions.reminders import digest, outbox
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminder_mail_backends import FlakyBackend
from tests.actions.reminders.test_reminders import at

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 20)  # the action below is 17 days overdue: overdue + escalation


class WorkerKilled(BaseException):
    """What the send sees when its worker is killed: not an Exception, nothing records it."""


class ObservingBackend(LocmemBackend):
    """locmem, noting the rows' state and the open savepoints at the moment of the SMTP call;
    with `kill` set it dies instead, as a worker killed mid-send would."""

    seen = []
    kill = False

    def send_messages(self, messages):
        states = list(Reminder.objects.values_list("status", "sending_at"))
        ObservingBackend.seen.append(
            (states, len(connection.savepoint_ids), messages[0].extra_headers["Message-ID"])
        )
        if ObservingBackend.kill:
            raise WorkerKilled
        return super().send_messages(messages)


@pytest.fixture
def observing(settings):
    settings.EMAIL_BACKEND = "tests.actions.reminders.test_reminder_sending.ObservingBackend"
    ObservingBackend.seen, ObservingBackend.kill = [], False
    yield ObservingBackend
    ObservingBackend.seen, ObservingBackend.kill = [], False


@pytest.fixture
def recorded(action):
    """The owner's overdue notice, recorded and pending."""
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(at(DAY), tick=False):
        reminders_sweep()
    return Reminder.objects.get(recipient=action.owner)


def test_rows_are_claimed_as_sending_outside_the_transaction_before_the_relay_is_called(
    recorded, observing, mailoutbox
):
    savepoints = len(connection.savepoint_ids)
    with time_machine.travel(at(DAY, 7, 1), tick=False):
        assert digest.digest_send(recipient_id=recorded.recipient_id) == 1
    [(states, open_savepoints, _)] = observing.seen
    assert (Reminder.Status.SENDING, at(DAY, 7, 1)) in states
    # The claim was committed before the call: no transaction of the send's own is open.
    assert open_savepoints == savepoints
    recorded.refresh_from_db()
    assert (recorded.status, recorded.sent_at, recorded.attempts) == ("sent", at(DAY, 7, 1), 1)


def test_the_message_id_is_derived_from_the_recipient_and_the_reminders(
    recorded, observing, mailoutbox, settings
):
    settings.SITE_URL = "https://tracker.example.gov.uk"
    digest.digest_send(recipient_id=recorded.recipient_id)
    message_id = mailoutbox[0].message()["Message-ID"]
    assert message_id == digest.digest_message_id(recorded.recipient_id, [recorded.pk])
    assert message_id.startswith("<digest-") and message_id.endswith("@tracker.example.gov.uk>")
    # Another recipient, or other reminders, give another id.
    assert message_id != digest.digest_message_id(recorded.recipient_id + 1, [recorded.pk])
    assert message_id != digest.digest_message_id(recorded.recipient_id, [recorded.pk, 999])


def test_a_digest_left_sending_by_a_killed_worker_is_resent_once_with_the_same_message_id(
    recorded, observing, mailoutbox, settings
):
    observing.kill = True
    with time_machine.travel(at(DAY, 7, 1), tick=False), pytest.raises(WorkerKilled):
        digest.digest_send(recipient_id=recorded.recipient_id)
    observing.kill = False
    recorded.refresh_from_db()
    assert (recorded.status, recorded.sending_at) == ("sending", at(DAY, 7, 1))
    # The redelivered task (acks_late) does not know whether the relay took it: it sends nothing.
    with time_machine.travel(at(DAY, 7, 2), tick=False):
        assert tasks.send_digest.apply(args=[recorded.recipient_id]).get() == 0
    # Not yet stuck: a send may still be talking to the relay.
    limit = settings.REMINDER_SENDING_STUCK_MINUTES
    with time_machine.travel(at(DAY, 7, limit), tick=False):
        assert outbox.stuck_digests_resend() == 0
    assert mailoutbox == []
    with time_machine.travel(at(DAY, 7, limit + 2), tick=False):
        assert tasks.send_stranded_notices.apply().get() == 1
        assert outbox.stuck_digests_resend() == 0
    assert len(mailoutbox) == 1
    killed_id, resent_id = (message_id for _, _, message_id in observing.seen)
    assert resent_id == killed_id == mailoutbox[0].message()["Message-ID"]
    recorded.refresh_from_db()
    assert (recorded.status, recorded.attempts) == ("sent", 1)


def test_a_failed_send_goes_back_to_pending_with_its_attempt_time(recorded, settings):
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    FlakyBackend.failures = 1
    try:
        with (
            time_machine.travel(at(DAY, 7, 1), tick=False),
            pytest.raises(smtplib.SMTPServerDisconnected),
        ):
            digest.digest_send(recipient_id=recorded.recipient_id)
    finally:
        FlakyBackend.failures = 0
    recorded.refresh_from_db()
    assert (recorded.status, recorded.attempts) == ("pending", 1)
    assert recorded.sending_at == at(DAY, 7, 1)
    assert "SMTPServerDisconnected" in recorded.last_error
