"""Celery entry points for reminders: each takes plain arguments and calls actions.reminders."""

import datetime

from celery import shared_task
from django.conf import settings

from actions.reminders import digest, outbox
from actions.reminders.sweep import reminders_sweep


@shared_task
def send_due_reminders(date=None):
    """The daily sweep (beat, 07:00 Europe/London by default); `date` is "YYYY-MM-DD"."""
    today = datetime.date.fromisoformat(date) if date else None
    return len(reminders_sweep(today=today).pending)


@shared_task
def send_weekly_digest(date=None):
    """The weekly summaries (beat, Monday 07:30 Europe/London by default)."""
    today = datetime.date.fromisoformat(date) if date else None
    return len(reminders_sweep(today=today, weekly=True).pending)


@shared_task
def send_stranded_notices():
    """Every 5 minutes (beat): "at once" notices whose enqueue was lost, sent a minute late."""
    return outbox.stranded_notices_send()


# Any failure is retried with exponential backoff and jitter; the outbox row records each attempt
# and error. acks_late (settings) means a worker that dies mid-send leaves the message to be
# redelivered, and the row lock plus the "pending" check make the redelivery send at most once.
@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF,
    retry_backoff_max=6 * 60 * 60,
    retry_jitter=True,
    max_retries=settings.REMINDER_SEND_RETRIES,
)
def send_digest(recipient_id):
    """Send one recipient's digest of everything pending for them."""
    return digest.digest_send(recipient_id=recipient_id)
