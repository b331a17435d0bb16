"""Reminders: the sweep that records what is due, change notifications, and the digest send.

Exactly once (shared/DESIGN.md section 4). Every reminder is a `Reminder` row under a unique key:
recipient, action or meeting, kind, and a period saying which occurrence it is (the deadline and
the threshold passed, the overdue week, the meeting date...). The sweep works out what is due *by*
today, not *on* today, and inserts it; the database drops rows it already holds. So a rerun, a
retried task or a second beat process records nothing new, and a missed day is caught up by the
next run. Sending is a second step: one digest per recipient holding all their pending rows, which
are locked while it is sent (select_for_update(skip_locked=True): a second worker finds nothing to
do) and marked sent in the same transaction. A failed send stays pending with its attempts and
error recorded; Celery retries it with backoff, and every sweep re-sends whatever is still
pending, so it is neither lost nor doubled. The one window left is SMTP accepting a message and
the process dying before the commit: that message goes again (at least once, never silently lost).

Dates are Europe/London calendar days (timezone.localdate), so a clock change cannot move a
reminder by a day.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import NamedTuple

import holidays
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from actions import emails
from actions.models import OPEN_STATUSES, Action, Reminder, ReminderKind, ReminderStatus, Status
from reports.models import Meeting
from tracker import roles
from tracker.heartbeat import heartbeat_record
from tracker.models import User

logger = logging.getLogger(__name__)

Kind = ReminderKind

# Kinds that are about work still owed: dropped unsent if the action closes before the digest goes.
OPEN_ACTION_KINDS = {Kind.ESCALATION, Kind.OVERDUE, Kind.DEADLINE, Kind.STALE, Kind.MEETING_UPDATE}
# Sections of the digest, most urgent first.
DIGEST_ORDER = [
    Kind.ESCALATION,
    Kind.OVERDUE,
    Kind.DEADLINE,
    Kind.STALE,
    Kind.MEETING_UPDATE,
    Kind.PACK_READY,
    Kind.CLOSURE_PROPOSED,
    Kind.UPDATE_POSTED,
    Kind.EVIDENCE_ASSURED,
    Kind.DEADLINE_MOVED,
    Kind.ACTION_CLOSED,
    Kind.ACTION_REOPENED,
]
HEADINGS = {
    Kind.ESCALATION: "Escalated to you: overdue actions you lead",
    Kind.OVERDUE: "Overdue",
    Kind.DEADLINE: "Deadlines coming up",
    Kind.STALE: "No update for a while",
    Kind.MEETING_UPDATE: "Updates wanted before a meeting",
    Kind.PACK_READY: "Briefing packs to prepare",
    Kind.CLOSURE_PROPOSED: "Proposed for closure",
    Kind.UPDATE_POSTED: "Updates posted",
    Kind.EVIDENCE_ASSURED: "Evidence assured",
    Kind.DEADLINE_MOVED: "Deadlines moved",
    Kind.ACTION_CLOSED: "Closed",
    Kind.ACTION_REOPENED: "Reopened",
}
WEEKLY_LIST_LIMIT = 25
INSERT_BATCH = 1000


# Working days


@lru_cache(maxsize=32)
def _bank_holidays(subdivision, year):
    return holidays.country_holidays("GB", subdiv=subdivision, years=year)


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(
        settings.REMINDER_HOLIDAYS_SUBDIVISION, day.year
    )


def working_days_before(day, count):
    """The date `count` working days before `day`, skipping weekends and bank holidays."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def start_of_day(day):
    """Midnight at the start of a Europe/London calendar day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# What is due


class Due(NamedTuple):
    """A reminder found due, not yet recorded: its key. Tens of thousands are found each day,
    nearly all recorded already, so they are not built as model instances."""

    recipient_id: int
    kind: str
    period: str
    action_id: int | None = None
    meeting_id: int | None = None


def _reachable_users():
    """Users a reminder can go to: active, with an email address."""
    return set(User.objects.filter(is_active=True).exclude(email="").values_list("pk", flat=True))


def _open_actions():
    return Action.objects.filter(status__in=OPEN_STATUSES).order_by()


def _deadline_reminders(today, reachable):
    """Nudges to the owner before the deadline: the latest threshold passed, once per deadline."""
    thresholds = settings.REMINDER_DEADLINE_DAYS  # largest first
    rows = _open_actions().filter(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=thresholds[0])
    )
    for pk, owner_id, deadline in rows.values_list("pk", "owner_id", "deadline"):
        if owner_id in reachable:
            days_left = (deadline - today).days
            threshold = min(days for days in thresholds if days >= days_left)
            yield Due(
                recipient_id=owner_id,
                action_id=pk,
                kind=Kind.DEADLINE,
                period=f"{deadline}-{threshold}d",
            )


def _overdue_reminders(today, reachable):
    """Overdue notices to the owner (day after, then every N days); one escalation to the lead."""
    repeat = settings.REMINDER_OVERDUE_REPEAT_DAYS
    escalate_after = settings.REMINDER_ESCALATE_AFTER_DAYS
    rows = _open_actions().filter(deadline__lt=today)
    for pk, owner_id, lead_id, deadline in rows.values_list(
        "pk", "owner_id", "opcc_lead_id", "deadline"
    ):
        days_over = (today - deadline).days
        if owner_id in reachable:
            notice_day = 1 + (days_over - 1) // repeat * repeat
            yield Due(
                recipient_id=owner_id,
                action_id=pk,
                kind=Kind.OVERDUE,
                period=f"{deadline}+{notice_day}d",
            )
        if days_over >= escalate_after and lead_id in reachable:
            yield Due(
                recipient_id=lead_id,
                action_id=pk,
                kind=Kind.ESCALATION,
                period=f"{deadline}+{escalate_after}d",
            )


def _stale_reminders(today, reachable):
    """Stale notices to the owner after N days without an update, and every N days after that."""
    stale_days = settings.REMINDER_STALE_DAYS
    # Counted in calendar days: last touched on day D is stale from day D + N, whatever the hour.
    cutoff = start_of_day(today - datetime.timedelta(days=stale_days - 1))
    rows = _open_actions().filter(
        Q(last_update_at__lt=cutoff) | Q(last_update_at__isnull=True, created_at__lt=cutoff)
    )
    for pk, owner_id, last_update_at, created_at in rows.values_list(
        "pk", "owner_id", "last_update_at", "created_at"
    ):
        if owner_id in reachable:
            since = timezone.localdate(last_update_at or created_at)
            days = (today - since).days // stale_days * stale_days
            yield Due(
                recipient_id=owner_id, action_id=pk, kind=Kind.STALE, period=f"{since}+{days}d"
            )


def _meeting_reminders(today, reachable):
    """Update requests to owners of actions on an agenda, and "pack ready" to OPCC staff."""
    request_days = settings.REMINDER_MEETING_WORKING_DAYS
    pack_days = settings.REMINDER_PACK_READY_WORKING_DAYS
    # Enough calendar days to hold the working days plus weekends and a run of bank holidays.
    horizon = today + datetime.timedelta(days=max(request_days, pack_days) * 2 + 14)
    meetings = Meeting.objects.filter(
        starts_at__gte=start_of_day(today + datetime.timedelta(days=1)),
        starts_at__lt=start_of_day(horizon),
    ).values_list("pk", "starts_at")
    request_due, pack_due = {}, {}
    for pk, starts_at in meetings:
        day = timezone.localdate(starts_at)
        if today >= working_days_before(day, request_days):
            request_due[pk] = day
        if today >= working_days_before(day, pack_days):
            pack_due[pk] = day
    if request_due:
        rows = _open_actions().filter(finding__inspection__meetings__in=request_due)
        for pk, owner_id, meeting_id in rows.values_list(
            "pk", "owner_id", "finding__inspection__meetings"
        ):
            if owner_id in reachable:
                yield Due(
                    recipient_id=owner_id,
                    action_id=pk,
                    meeting_id=meeting_id,
                    kind=Kind.MEETING_UPDATE,
                    period=f"meeting {meeting_id} on {request_due[meeting_id]}",
                )
    if pack_due:
        staff = User.objects.filter(groups__name=roles.OPCC_STAFF).values_list("pk", flat=True)
        for staff_id in set(staff) & reachable:
            for meeting_id, day in pack_due.items():
                yield Due(
                    recipient_id=staff_id,
                    meeting_id=meeting_id,
                    kind=Kind.PACK_READY,
                    period=f"{day}-{pack_days}wd",
                )


def reminders_due(today):
    """Every daily reminder due by `today`, as keys; the sweep records those not recorded yet."""
    reachable = _reachable_users()
    return [
        *_deadline_reminders(today, reachable),
        *_overdue_reminders(today, reachable),
        *_stale_reminders(today, reachable),
        *_meeting_reminders(today, reachable),
    ]


# The columns the sweep fills; the others keep their defaults (pending, no attempts yet).
RECORD_COLUMNS = ["recipient_id", "action_id", "meeting_id", "kind", "period"]
RECORD_TYPES = ["bigint", "bigint", "bigint", "text", "text"]


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


def weekly_digests_due(today):
    """One weekly summary per person with open actions who has not opted out, for today's week."""
    year, week, _ = today.isocalendar()
    mine = _open_actions().values("pk")
    people = User.objects.filter(is_active=True, weekly_digest=True).exclude(email="")
    people = people.filter(
        Exists(mine.filter(owner=OuterRef("pk")))
        | Exists(mine.filter(opcc_lead=OuterRef("pk")))
        | Exists(mine.filter(delegate=OuterRef("pk")))
    )
    return [
        Due(recipient_id=pk, kind=Kind.WEEKLY_DIGEST, period=f"{year}-W{week:02d}")
        for pk in people.values_list("pk", flat=True)
    ]


# The sweep


def _record(reminders):
    """Insert the reminders; the database drops any whose key is already recorded.

    On PostgreSQL this is one INSERT ... SELECT FROM unnest() of five arrays, however many
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
            rows = pending.select_related("recipient", "action", "meeting")
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


def enqueue_digest(recipient_id):
    """Send the recipient's digest, queued through Celery or, with no broker, right now.

    Never raises: the reminders are already in the outbox, so if the broker is unreachable or the
    inline send fails they wait there and the next sweep sends them.
    """
    from actions import tasks  # tasks imports this module

    try:
        if tasks.send_digest.app.conf.task_always_eager:
            # Inline (no Redis): one attempt, without Celery's retry loop, which would hold up
            # the web request or the sweep for the whole backoff.
            digest_send(recipient_id=recipient_id)
        else:
            tasks.send_digest.delay(recipient_id)
    except Exception:
        logger.exception("Digest for user %s not sent; the next sweep sends it", recipient_id)


# Change notifications


def notify_change(*, kind, action, recipient, by, key, detail=""):
    """Record a change `recipient` should hear about, inside the transaction making the change.

    It goes in their next daily digest, or at once if they chose that. Nobody hears of their own
    changes.
    """
    if recipient is None or recipient.pk == by.pk or not recipient.is_active or not recipient.email:
        return None
    reminder = Reminder.objects.create(
        recipient=recipient, action=action, kind=kind, period=key[:80], detail=detail[:500]
    )
    if recipient.notify_changes_at_once:
        transaction.on_commit(partial(enqueue_digest, recipient.pk))
    return reminder


# Sending


def _still_applies(reminder, recipient):
    if not (recipient.is_active and recipient.email):
        return False
    if reminder.kind == Kind.WEEKLY_DIGEST:
        return recipient.weekly_digest
    if reminder.kind in OPEN_ACTION_KINDS:
        return reminder.action.status in OPEN_STATUSES
    if reminder.kind == Kind.CLOSURE_PROPOSED:
        # A proposal OPCC staff have already closed, sustained or sent back is not news.
        return reminder.action.status == Status.PROPOSED
    return True


def digest_send(*, recipient_id):
    """Send one email with everything pending for the recipient, and mark it sent: exactly once.

    Returns how many reminders it sent. A failed send is recorded on the rows, which stay pending
    (or, after REMINDER_MAX_ATTEMPTS, failed), and then raised so Celery retries with backoff.
    """
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(recipient_id=recipient_id, status=ReminderStatus.PENDING)
            .select_related("recipient", "action__finding__inspection", "action__owner", "meeting")
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        recipient = rows[0].recipient
        live = [row for row in rows if _still_applies(row, recipient)]
        if len(live) < len(rows):
            dropped = {row.pk for row in rows} - {row.pk for row in live}
            Reminder.objects.filter(pk__in=dropped).update(status=ReminderStatus.SKIPPED)
        if not live:
            return 0
        sending = Reminder.objects.filter(pk__in=[row.pk for row in live])
        # Ids only: never the address or the body (docs/deploy.md, "Logs").
        ids = {
            "recipient_id": recipient_id,
            "action_ids": sorted({row.action_id for row in live if row.action_id}),
            "reminders": len(live),
        }
        try:
            emails.send("digest", to=recipient.email, context=digest_context(recipient, live))
        except Exception as exc:
            failure = exc
            logger.warning("Digest not sent", extra={**ids, "error_type": type(exc).__name__})
            sending.update(
                attempts=F("attempts") + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                status=Case(
                    When(
                        attempts__gte=settings.REMINDER_MAX_ATTEMPTS - 1,
                        then=Value(ReminderStatus.FAILED),
                    ),
                    default=Value(ReminderStatus.PENDING),
                ),
            )
        else:
            sending.update(
                status=ReminderStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            logger.info("Digest sent", extra=ids)
            return len(live)
    # Raised after the commit, so the attempt and the error stay recorded.
    raise failure


# The digest's content


def _url(names, pk, fallback):
    # The workspace's page under the first URL name it has; otherwise its documented path.
    for name in names:
        try:
            return settings.SITE_URL + reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return settings.SITE_URL + fallback


def action_url(pk):
    return _url(["actions:action_detail", "actions:detail"], pk, f"/actions/{pk}/")


def meeting_url(pk):
    return _url(["reports:meeting_detail", "reports:meeting"], pk, f"/meetings/{pk}/")


def _day(day):
    return f"{day.day} {day:%B %Y}"


def _in_days(days):
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _line(reminder, today):
    action, meeting = reminder.action, reminder.meeting
    if reminder.kind == Kind.DEADLINE:
        days = (action.deadline - today).days
        return f"Due {_day(action.deadline)}, {_in_days(days)}."
    if reminder.kind == Kind.OVERDUE:
        days = (today - action.deadline).days
        return f"Was due {_day(action.deadline)}: {days} days overdue. Please update it."
    if reminder.kind == Kind.ESCALATION:
        days = (today - action.deadline).days
        owner = action.owner or "no owner"
        return f"Was due {_day(action.deadline)}: {days} days overdue. Owner: {owner}."
    if reminder.kind == Kind.STALE:
        since = timezone.localdate(action.last_update_at or action.created_at)
        return f"No update since {_day(since)}. Please post one."
    if reminder.kind == Kind.MEETING_UPDATE:
        day = timezone.localdate(meeting.starts_at)
        return f"On the agenda of {meeting.title} on {_day(day)}. Please post an update."
    if reminder.kind == Kind.PACK_READY:
        day = timezone.localdate(meeting.starts_at)
        return f"Meets {_day(day)}. Owners have been asked for updates: the pack can be prepared."
    return reminder.detail


def _item(reminder, today):
    if reminder.action is not None:
        action = reminder.action
        return {
            "title": action.title,
            "reference": f"{action.finding.reference}, {action.finding.inspection.title}",
            "line": _line(reminder, today),
            "url": action_url(action.pk),
        }
    return {
        "title": reminder.meeting.title,
        "reference": reminder.meeting.get_kind_display(),
        "line": _line(reminder, today),
        "url": meeting_url(reminder.meeting.pk),
    }


def weekly_summary(recipient, today):
    """The weekly summary: counts of the recipient's open actions and those due in two weeks."""
    fortnight = today + datetime.timedelta(days=14)
    mine = _open_actions().filter(
        Q(owner=recipient) | Q(opcc_lead=recipient) | Q(delegate=recipient)
    )
    counts = mine.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        due_soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=fortnight)),
    )
    listed = mine.filter(deadline__lte=fortnight).select_related("finding__inspection")
    listed = list(listed.order_by("deadline", "pk")[:WEEKLY_LIST_LIMIT])
    items = [
        {
            "title": action.title,
            "reference": f"{action.finding.reference}, {action.finding.inspection.title}",
            "line": (
                f"Was due {_day(action.deadline)}: {(today - action.deadline).days} days overdue."
                if action.deadline < today
                else f"Due {_day(action.deadline)}, {_in_days((action.deadline - today).days)}."
            ),
            "url": action_url(action.pk),
        }
        for action in listed
    ]
    more = counts["overdue"] + counts["due_soon"] - len(items)
    return {**counts, "items": items, "more": more, "url": settings.SITE_URL + "/"}


def digest_context(recipient, reminders):
    today = timezone.localdate()
    by_kind = defaultdict(list)
    for reminder in reminders:
        by_kind[reminder.kind].append(reminder)
    sections = [
        {
            "kind": kind,
            "heading": HEADINGS[kind],
            "items": [_item(reminder, today) for reminder in by_kind[kind]],
        }
        for kind in DIGEST_ORDER
        if by_kind[kind]
    ]
    weekly = weekly_summary(recipient, today) if by_kind[Kind.WEEKLY_DIGEST] else None
    return {
        "recipient": recipient,
        "today": today,
        "sections": sections,
        "count": sum(len(section["items"]) for section in sections),
        "weekly": weekly,
        "site_url": settings.SITE_URL,
    }
