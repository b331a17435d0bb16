"""The reminder outbox: record a change someone should hear of, and queue a recipient's digest.

Services call down into this module inside their transaction; it never calls up into the sweep.
"""

import datetime
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from actions.models import Reminder, ReminderKind, ReminderStatus
from actions.reminders.digest import digest_send
from tracker.celery import app

logger = logging.getLogger(__name__)

# Queued by name: the task module (actions/tasks.py) calls into the reminders, not the other way.
SEND_DIGEST_TASK = "actions.tasks.send_digest"
# An "at once" notice still pending after this long missed its on-commit enqueue (broker down,
# worker killed); younger ones are probably on their way and are left to their own task.
STRANDED_AFTER = datetime.timedelta(minutes=1)


def enqueue_digest(recipient_id, today=None):
    """Send the recipient's digest, queued through Celery or, with no broker, right now.

    `today`: the day the digest is written for, when it is not the day it goes (send_reminders
    --date); the reminders in it are the ones recorded, whatever the day.

    Never raises: the reminders are already in the outbox, so if the broker is unreachable or the
    inline send fails they wait there and the next sweep sends them.
    """
    try:
        if app.conf.task_always_eager:
            # Inline (no Redis): one attempt, without Celery's retry loop, which would hold up
            # the web request or the sweep for the whole backoff.
            digest_send(recipient_id=recipient_id, today=today)
        else:
            kwargs = {"date": today.isoformat()} if today else {}
            app.send_task(SEND_DIGEST_TASK, args=[recipient_id], kwargs=kwargs)
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


def notify_published(*, pack, recipients):
    """Tell each recipient once that `pack` was published, inside the transaction publishing it.

    One row each under the meeting key (recipient, meeting, kind, pack), so a retried publish
    records nothing new. Someone with other reminders waiting reads it as a line in that digest,
    sent by the next sweep; anyone else gets it now, as its own notice.
    """
    recipients = [user for user in recipients if user.is_active and user.email]
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient=user,
                meeting_id=pack.meeting_id,
                pack=pack,
                kind=ReminderKind.PAPER_PUBLISHED,
                period=f"pack {pack.pk}",
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    waiting = set(
        Reminder.objects.filter(recipient__in=recipients, status=ReminderStatus.PENDING)
        .exclude(kind=ReminderKind.PAPER_PUBLISHED)
        .values_list("recipient_id", flat=True)
    )
    for user in recipients:
        if user.pk not in waiting:
            transaction.on_commit(partial(enqueue_digest, user.pk))


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


def stuck_digests_resend(*, now=None):
    """Resend the digests left "sending" longer than REMINDER_SENDING_STUCK_MINUTES: the worker
    or the database went away between claiming them and recording the relay's answer. Each goes
    again as the same batch, so it carries the same Message-ID; the relay may have delivered it
    already (at least once, docs/deploy.md). Returns how many reminders went out."""
    stuck = Reminder.objects.stuck(now=now or timezone.now())
    batches = sorted(set(stuck.values_list("recipient_id", "sending_at")))
    sent = 0
    for recipient_id, sending_at in batches:
        logger.warning("Digest for user %s stuck sending; resending it", recipient_id)
        try:
            sent += digest_send(recipient_id=recipient_id, resend_sending_at=sending_at)
        except Exception:
            logger.exception("Digest for user %s not sent; the next run retries", recipient_id)
    return sent
