"""The reminder outbox: record a change someone should hear of, and queue a recipient's digest.

Services call down into this module inside their transaction; it never calls up into the sweep.
"""

import datetime
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from actions.models import Reminder, ReminderStatus
from actions.reminders.digest import digest_send
from tracker.celery import app

logger = logging.getLogger(__name__)

# Queued by name: the task module (actions/tasks.py) calls into the reminders, not the other way.
SEND_DIGEST_TASK = "actions.tasks.send_digest"
# An "at once" notice still pending after this long missed its on-commit enqueue (broker down,
# worker killed); younger ones are probably on their way and are left to their own task.
STRANDED_AFTER = datetime.timedelta(minutes=1)


def enqueue_digest(recipient_id):
    """Send the recipient's digest, queued through Celery or, with no broker, right now.

    Never raises: the reminders are already in the outbox, so if the broker is unreachable or the
    inline send fails they wait there and the next sweep sends them.
    """
    try:
        if app.conf.task_always_eager:
            # Inline (no Redis): one attempt, without Celery's retry loop, which would hold up
            # the web request or the sweep for the whole backoff.
            digest_send(recipient_id=recipient_id)
        else:
            app.send_task(SEND_DIGEST_TASK, args=[recipient_id])
    except Exception:
        logger.exception("Digest for user %s not sent; the next sweep sends it", recipient_id)


def reminders_send_again(*, reminder_ids):
    """Put failed reminders back in the outbox with their attempts reset, once the cause (the
    mail relay, an address) is fixed; each recipient's digest is sent or queued at once.
    Returns how many went back. The last error stays on the row until a send succeeds."""
    with transaction.atomic():
        failed = Reminder.objects.filter(pk__in=reminder_ids, status=ReminderStatus.FAILED)
        recipients = sorted(set(failed.values_list("recipient_id", flat=True)))
        count = failed.update(status=ReminderStatus.PENDING, attempts=0)
        for recipient_id in recipients:
            transaction.on_commit(partial(enqueue_digest, recipient_id))
    return count


def notify_change(*, kind, action, recipient, by, key, detail=""):
    """Record a change `recipient` should hear about, inside the transaction making the change.

    It goes in their next daily digest, or at once if they chose that. Nobody hears of their own
    changes.
    """
    if recipient is None or recipient.pk == by.pk or not recipient.is_reachable:
        return None
    reminder = Reminder.objects.create(
        recipient=recipient, action=action, kind=kind, period=key[:80], detail=detail[:500]
    )
    if recipient.notify_changes_at_once:
        transaction.on_commit(partial(enqueue_digest, recipient.pk))
    return reminder


def stranded_notices_send(*, now=None):
    """Send the digests of recipients who asked for changes at once and still have a notice
    pending after STRANDED_AFTER, through the same path as the daily digest. Returns how many
    reminders went out; a failed send stays recorded on its rows for the next run or sweep."""
    cutoff = (now or timezone.now()) - STRANDED_AFTER
    recipients = sorted(
        set(
            Reminder.objects.filter(
                status=ReminderStatus.PENDING,
                created_at__lt=cutoff,
                recipient__notify_changes_at_once=True,
            ).values_list("recipient_id", flat=True)
        )
    )
    sent = 0
    for recipient_id in recipients:
        try:
            sent += digest_send(recipient_id=recipient_id)
        except Exception:
            # One recipient's bad address must not strand everyone after them.
            logger.exception("Digest for user %s not sent; the next run retries", recipient_id)
    return sent
