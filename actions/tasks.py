"""Celery entry points for reminders: each takes plain arguments and calls actions.reminders."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from actions.reminders import digest, failures, outbox
from actions.reminders.sweep import reminders_sweep

logger = logging.getLogger(__name__)

# A database blip (restart, failover, a dropped connection): worth retrying within the day.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def sweep_retry_countdown(retries, *, day, now=None):
    """Seconds until retry number `retries + 1` of the sweep for London day `day`, or None when
    the retries are used up or the retry would fall on another day: then the next day's sweep
    catches up instead (a retry after midnight would sweep a day already past)."""
    if retries >= settings.REMINDER_SWEEP_RETRIES:
        return None
    countdown = settings.REMINDER_SWEEP_RETRY_BACKOFF * 2**retries
    at = (now or timezone.now()) + datetime.timedelta(seconds=countdown)
    return countdown if timezone.localdate(at) == day else None


def _sweep_with_retries(task, date, *, weekly):
    day = datetime.date.fromisoformat(date) if date else timezone.localdate()
    try:
        return len(reminders_sweep(today=day if date else None, weekly=weekly).pending)
    except DATABASE_ERRORS as exc:
        countdown = sweep_retry_countdown(task.request.retries, day=day)
        if countdown is None:
            raise
        logger.warning("Reminder sweep failed (%s); retrying in %ss", type(exc).__name__, countdown)
        # The retry sweeps the same day, even if it runs after a clock change.
        raise task.retry(exc=exc, countdown=countdown, kwargs={"date": day.isoformat()}) from exc


@shared_task(bind=True, max_retries=None)
def send_due_reminders(self, date=None):
    """The daily sweep (beat, 07:00 Europe/London by default); `date` is "YYYY-MM-DD"."""
    return _sweep_with_retries(self, date, weekly=False)


@shared_task(bind=True, max_retries=None)
def send_weekly_digest(self, date=None):
    """The weekly summaries (beat, Monday 07:30 Europe/London by default). A week's run that
    never succeeds is caught up by a daily sweep later that week (reminders_sweep)."""
    return _sweep_with_retries(self, date, weekly=True)


@shared_task
def send_stranded_notices():
    """Every 5 minutes (beat): "at once" notices whose enqueue was lost, sent a minute late;
    digests stuck "sending" resent; administrators emailed once about a failure incident."""
    sent = outbox.stranded_notices_send() + outbox.stuck_digests_resend()
    failures.failures_alert()
    return sent


# Any failure is retried with exponential backoff and jitter; the outbox row records each attempt
# and error. acks_late (settings) means a worker that dies mid-send leaves the message to be
# redelivered; the row lock and the "pending" claim make the redelivery send nothing the dead
# worker had handed to the relay (the stranded task resends those, docs/deploy.md).
@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF,
    retry_backoff_max=6 * 60 * 60,
    retry_jitter=True,
    max_retries=settings.REMINDER_SEND_RETRIES,
)
def send_digest(recipient_id, date=None):
    """Send one recipient's digest of everything pending for them (written for `date`, if given)."""
    today = datetime.date.fromisoformat(date) if date else None
    return digest.digest_send(recipient_id=recipient_id, today=today)
