"""The reminder sweep: record everything due by a day, then queue each recipient's digest.

Exactly once (docs/design.md, "Reminder policy"). Every reminder is a `Reminder` row under a
unique key: recipient, action or meeting, kind, and a period saying which occurrence it is (the
deadline and the threshold passed, the overdue week, the meeting date...). The sweep works out
what is due *by* today, not *on* today (actions/reminders/due.py), and inserts it; the database
drops rows it already holds. So a rerun, a retried task or a second beat process records nothing
new, and a missed day is caught up by the next run. Sending is a second step
(actions/reminders/digest.py): one digest per recipient holding all their pending rows, which
are locked while it is sent (select_for_update(skip_locked=True): a second worker finds nothing
to do) and marked sent in the same transaction. A failed send stays pending with its attempts and
error recorded; Celery retries it with backoff, and every sweep re-sends whatever is still
pending, so it is neither lost nor doubled. The one window left is SMTP accepting a message and
the process dying before the commit: that message goes again (at least once, never silently lost).

Dates are Europe/London calendar days (timezone.localdate), so a clock change cannot move a
reminder by a day.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from actions.models import Reminder, ReminderStatus
from actions.reminders.due import (
    RESPONSE_PASSED_WINDOW_DAYS,
    reminders_due,
    start_of_day,
    weekly_digests_due,
)
from actions.reminders.outbox import enqueue_digest
from tracker.heartbeat import heartbeat_record

logger = logging.getLogger(__name__)

INSERT_BATCH = 1000

RECORD_COLUMNS = ["recipient_id", "action_id", "meeting_id", "inspection_id", "kind", "period"]
RECORD_TYPES = ["bigint", "bigint", "bigint", "bigint", "text", "text"]


def _not_recorded_lately(due, today):
    """`due` without the reminders recorded in the last few weeks.

    The unique keys would drop those anyway, but a national sweep finds about 70,000 reminders
    due every day, nearly all recorded on an earlier day, and sending them all to the database
    only for it to drop them was most of the sweep's time. The window covers every repeating
    period (overdue, stale, deadline thresholds); an older key still due (an escalation is sent
    once) goes to the database and the constraint drops it, as before.
    """
    window = max(
        settings.REMINDER_OVERDUE_REPEAT_DAYS,
        settings.REMINDER_STALE_DAYS,
        *settings.REMINDER_DEADLINE_DAYS,
        *settings.REMINDER_RESPONSE_DAYS,
        settings.REMINDER_REVISIT_DAYS,
        RESPONSE_PASSED_WINDOW_DAYS,
    )
    since = start_of_day(today - datetime.timedelta(days=window + 1))
    recorded = set(
        Reminder.objects.filter(created_at__gte=since).order_by().values_list(*RECORD_COLUMNS)
    )
    return [
        reminder
        for reminder in due
        if tuple(getattr(reminder, column) for column in RECORD_COLUMNS) not in recorded
    ]


# The sweep


def _record(reminders):
    """Insert the reminders; the database drops any whose key is already recorded.

    On PostgreSQL this is one INSERT ... SELECT FROM unnest() of six arrays, however many
    reminders there are: a national sweep records tens of thousands, and building a model
    instance and a parameter list for each of them was most of its time. Elsewhere (SQLite,
    for trying the app) it is Django's bulk_create, in batches.
    """
    if not reminders:
        return
    if connection.vendor != "postgresql":
        Reminder.objects.bulk_create(
            [Reminder(**due._asdict()) for due in reminders],
            batch_size=INSERT_BATCH,
            ignore_conflicts=True,
        )
        return
    quote = connection.ops.quote_name
    defaults = {
        field.column: field.get_default()
        for field in Reminder._meta.concrete_fields
        if not field.primary_key and field.attname not in RECORD_COLUMNS
    }
    table = quote(Reminder._meta.db_table)
    columns = ", ".join(quote(column) for column in [*RECORD_COLUMNS, *defaults])
    arrays = ", ".join(f"%s::{kind}[]" for kind in RECORD_TYPES)
    constants = ", ".join(["%s"] * len(defaults))
    # Names come from the model and are quoted; every value is a parameter.
    insert = f"INSERT INTO {table} ({columns}) SELECT *, {constants} FROM unnest({arrays})"  # noqa: S608
    sql = f"{insert} ON CONFLICT DO NOTHING"
    values = [[getattr(r, column) for r in reminders] for column in RECORD_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*defaults.values(), *values])


@dataclass
class Sweep:
    today: datetime.date
    due: int  # reminders due by today, recorded before or now
    pending: list  # Reminder rows waiting to send (in a dry run: what would be sent)


def reminders_sweep(*, today=None, weekly=False, dry_run=False):
    """Record what is due by `today` (daily reminders, or the weekly summaries) and send digests.

    Each recipient with anything pending, new or left over from a failed send, gets one digest,
    sent or queued once this transaction commits. A dry run records and sends nothing.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        due = weekly_digests_due(today) if weekly else reminders_due(today)
        _record(_not_recorded_lately(due, today))
        pending = Reminder.objects.filter(status=ReminderStatus.PENDING).order_by()
        if dry_run:
            rows = pending.select_related("recipient", "action", "meeting", "inspection")
            rows = list(rows.order_by("recipient__email", "kind", "pk"))
            transaction.set_rollback(True)
            return Sweep(today=today, due=len(due), pending=rows)
        recipients = sorted(set(pending.values_list("recipient_id", flat=True)))
        for recipient_id in recipients:
            transaction.on_commit(partial(enqueue_digest, recipient_id))
        if not weekly:
            # The beat heartbeat (/health/), committed with the sweep: only a finished one counts.
            heartbeat_record()
    logger.info(
        "Reminder sweep finished",
        extra={"weekly": weekly, "due": len(due), "recipients": len(recipients)},
    )
    return Sweep(today=today, due=len(due), pending=recipients)
