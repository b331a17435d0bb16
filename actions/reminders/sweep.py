"""The reminder sweep: record everything due by a day, then queue each recipient's digest.

Exactly once (docs/design.md, "Reminder policy"). Every reminder is a `Reminder` row under a
unique key: recipient, action, meeting or inspection, kind, and a period saying which occurrence
it is (the deadline and the threshold passed, the overdue week, the meeting date...). The sweep
works out what is due *by* today, not *on* today (actions/reminders/due.py), and inserts it; the
database drops rows it already holds. So a rerun, a retried task or a second beat process
records nothing new, and a missed day is caught up by the next run. Sending is a second step
(actions/reminders/digest.py): one digest per recipient holding all their pending rows, which
are locked while it is sent (select_for_update(skip_locked=True): a second worker finds nothing
to do), claimed as "sending" and marked sent the moment the relay accepts. A failed send goes
back to pending with its attempts and error recorded; Celery retries it with backoff, and every
sweep re-sends whatever is still pending, so it is not lost. The one window left is the relay
accepting a message and the process dying before recording it: the rows stay "sending", and the
stranded task resends them with the same Message-ID (at least once; docs/deploy.md, "Delivery").

Dates are Europe/London calendar days (timezone.localdate), so a clock change cannot move a
reminder by a day.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from actions.models import Reminder, ReminderKind, ReminderStatus
from actions.reminders.digest import still_applies
from actions.reminders.due import (
    RESPONSE_PASSED_WINDOW_DAYS,
    SUSTAIN_ENDED_WINDOW_DAYS,
    reminders_due,
    start_of_day,
    weekly_digests_due,
)
from actions.reminders.outbox import enqueue_digest
from actions.working_days import is_working_day
from tracker.heartbeat import heartbeat_last_success, heartbeat_record
from tracker.models import Heartbeat

logger = logging.getLogger(__name__)

INSERT_BATCH = 1000

RECORD_COLUMNS = [
    "recipient_id",
    "action_id",
    "meeting_id",
    "question_id",
    "inspection_id",
    "extension_request_id",
    "kind",
    "period",
]
RECORD_TYPES = ["bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "text", "text"]


def _not_recorded_lately(due, today):
    """`due` without the reminders recorded in the last few weeks.

    The unique keys would drop those anyway, but a national sweep finds about 70,000 reminders
    due every day, nearly all recorded on an earlier day, and sending them all to the database
    only for it to drop them was most of the sweep's time. The window covers every repeating
    period (overdue, stale, deadline thresholds); an older key still due (an escalation is sent
    once) goes to the database and the constraint drops it, as before. The stale period counts
    working days: its calendar span, with a week for a run of bank holidays.
    """
    window = max(
        settings.REMINDER_OVERDUE_REPEAT_DAYS,
        settings.STALE_DAYS * 7 // 5 + 7,
        *settings.REMINDER_DEADLINE_DAYS,
        *settings.REMINDER_RESPONSE_DAYS,
        settings.REMINDER_REVISIT_DAYS,
        RESPONSE_PASSED_WINDOW_DAYS,
        settings.REMINDER_SUSTAIN_DAYS,
        SUSTAIN_ENDED_WINDOW_DAYS,
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

    On PostgreSQL this is one INSERT ... SELECT FROM unnest() of one array a column, however many
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
    pending: list  # recipients whose digest was queued (in a dry run: the rows it would send)


WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def weekly_run_missed(today):
    """True when today falls after this ISO week's weekly-summary day and the weekly run, which
    has finished before (not a new install), has not finished this week: the daily sweep then
    sends the week's summaries, each once, as they are keyed by ISO week."""
    if today.weekday() <= WEEKDAYS.index(settings.REMINDER_WEEKLY_DIGEST_DAY):
        return False
    last = heartbeat_last_success(name=Heartbeat.WEEKLY_DIGEST)
    return last is not None and timezone.localdate(last).isocalendar()[:2] < today.isocalendar()[:2]


def _due(today, *, weekly, catch_up=False):
    if weekly:
        return weekly_digests_due(today)
    due = reminders_due(today)
    return due + weekly_digests_due(today) if catch_up else due


# What sends a digest on a weekend or a bank holiday: an overdue line. Everything else found
# that day is recorded and waits in the outbox for the next working day's sweep.
URGENT_KINDS = {ReminderKind.OVERDUE, ReminderKind.ESCALATION}


def digest_recipients(today, *, weekly):
    """Who is sent their digest by this sweep: everyone with anything pending, but on a day
    that is not a working day only those with an overdue line pending."""
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING).order_by()
    if not weekly and not is_working_day(today):
        pending = pending.filter(kind__in=URGENT_KINDS)
    return sorted(set(pending.values_list("recipient_id", flat=True)))


def _key(row):
    """What makes a reminder the same one, read alike from a recorded row and from a Due."""
    return (
        row.recipient_id,
        row.kind,
        row.period,
        row.action_id,
        row.meeting_id,
        row.question_id,
        row.inspection_id,
        row.extension_request_id,
    )


def _dry_run(today, *, weekly, recorded_after):
    """The rows the run would send: pending rows the digest would not drop (still_applies).
    For a later day than today (`recorded_after`: the last row id before this dry run recorded),
    only what that day's sweep adds, as the sweeps before it send everything due earlier."""
    rows = Reminder.objects.filter(status=ReminderStatus.PENDING)
    if recorded_after is not None:
        rows = rows.filter(pk__gt=recorded_after)
    rows = rows.select_related("recipient", "action", "meeting", "inspection", "extension_request")
    rows = list(rows.order_by("recipient__email", "kind", "pk"))
    if recorded_after is not None:
        earlier = {_key(due) for due in _due(today - datetime.timedelta(days=1), weekly=weekly)}
        rows = [row for row in rows if _key(row) not in earlier]
    sending = set(digest_recipients(today, weekly=weekly))
    return [
        row for row in rows if row.recipient_id in sending and still_applies(row, row.recipient)
    ]


def reminders_sweep(*, today=None, weekly=False, dry_run=False):
    """Record what is due by `today` (daily reminders, or the weekly summaries) and send digests.

    Each recipient with anything pending, new or left over from a failed send, gets one digest,
    sent or queued once this transaction commits, written for `today`. A dry run records and
    sends nothing and returns the rows the run would send. A daily sweep after the weekly
    summaries' day also sends the week's summaries if that run did not finish
    (weekly_run_missed).
    """
    explicit_date = today is not None and today != timezone.localdate()
    today = today or timezone.localdate()
    with transaction.atomic():
        catch_up = not weekly and weekly_run_missed(today)
        due = _due(today, weekly=weekly, catch_up=catch_up)
        last_id = None
        if dry_run and today > timezone.localdate():
            last_id = Reminder.objects.aggregate(last=Max("pk"))["last"] or 0
        _record(_not_recorded_lately(due, today))
        if dry_run:
            rows = _dry_run(today, weekly=weekly, recorded_after=last_id)
            transaction.set_rollback(True)
            return Sweep(today=today, due=len(due), pending=rows)
        recipients = digest_recipients(today, weekly=weekly)
        for recipient_id in recipients:
            # Written for the day swept: a run for another day must not say "-30 days overdue".
            day = today if explicit_date else None
            transaction.on_commit(partial(enqueue_digest, recipient_id, day))
        if weekly or catch_up:
            heartbeat_record(name=Heartbeat.WEEKLY_DIGEST)
        if not weekly:
            # The beat heartbeat (/health/), committed with the sweep: only a finished one counts.
            heartbeat_record()
    logger.info(
        "Reminder sweep finished",
        extra={"weekly": weekly, "due": len(due), "recipients": len(recipients)},
    )
    return Sweep(today=today, due=len(due), pending=recipients)
