"""The digest: one email per recipient with everything pending for them, sent exactly once."""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from actions.models import OPEN_STATUSES, Reminder, ReminderKind, ReminderStatus, Status
from actions.reminders.due import open_actions
from tracker import emails

logger = logging.getLogger(__name__)

Kind = ReminderKind

# Kinds that are about work still owed: dropped unsent if the action closes before the digest goes.
OPEN_ACTION_KINDS = {Kind.ESCALATION, Kind.OVERDUE, Kind.DEADLINE, Kind.STALE, Kind.MEETING_UPDATE}
# Kinds about a source's response: dropped unsent once a response is recorded.
RESPONSE_KINDS = {Kind.RESPONSE_DUE, Kind.RESPONSE_PASSED}
# Sections of the digest, most urgent first.
DIGEST_ORDER = [
    Kind.ESCALATION,
    Kind.OVERDUE,
    Kind.DEADLINE,
    Kind.STALE,
    Kind.MEETING_UPDATE,
    Kind.RESPONSE_PASSED,
    Kind.RESPONSE_DUE,
    Kind.REVISIT,
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
    Kind.RESPONSE_PASSED: "No response recorded by the due date",
    Kind.RESPONSE_DUE: "Responses due",
    Kind.REVISIT: "Revisits coming up",
    Kind.PACK_READY: "Briefing packs to prepare",
    Kind.CLOSURE_PROPOSED: "Proposed for closure",
    Kind.UPDATE_POSTED: "Updates posted",
    Kind.EVIDENCE_ASSURED: "Evidence assured",
    Kind.DEADLINE_MOVED: "Deadlines moved",
    Kind.ACTION_CLOSED: "Closed",
    Kind.ACTION_REOPENED: "Reopened",
}
WEEKLY_LIST_LIMIT = 25


# Sending


def _still_applies(reminder, recipient):
    if not (recipient.is_active and recipient.email):
        return False
    if reminder.kind == Kind.WEEKLY_DIGEST:
        return recipient.weekly_digest
    if reminder.kind in OPEN_ACTION_KINDS:
        return reminder.action.status in OPEN_STATUSES
    if reminder.kind in RESPONSE_KINDS:
        return reminder.inspection.response_published_on is None
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
        # One send per recipient at a time: a second send (another task, a second sweep) waits
        # here for the first to commit, then finds nothing left, instead of skipping the rows the
        # first has locked and mailing the rest as a second, partial digest.
        list(get_user_model().objects.select_for_update().filter(pk=recipient_id).values("pk"))
        rows = list(
            Reminder.objects.select_for_update(of=("self",))
            .filter(recipient_id=recipient_id, status=ReminderStatus.PENDING)
            .select_related(
                "recipient",
                "action__finding__inspection",
                "action__owner",
                "meeting",
                "inspection__force",
            )
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
            # The error is cleared: it described an attempt this one has superseded, and the
            # admin's "has an error" filter must not list rows that went out.
            sending.update(
                status=ReminderStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
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


def inspection_url(pk):
    return _url(["actions:inspection"], pk, f"/inspections/{pk}/")


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
    if reminder.kind == Kind.RESPONSE_DUE:
        due = reminder.inspection.response_due
        return f"Response due {_day(due)}, {_in_days((due - today).days)}."
    if reminder.kind == Kind.RESPONSE_PASSED:
        due = reminder.inspection.response_due
        return f"No response recorded; the due date has passed ({_day(due)})."
    if reminder.kind == Kind.REVISIT:
        revisit_on = reminder.inspection.revisit_on
        return f"HMICFRS revisit {_day(revisit_on)}, {_in_days((revisit_on - today).days)}."
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
    if reminder.inspection is not None:
        inspection = reminder.inspection
        return {
            "title": inspection.title,
            "reference": f"{inspection.get_source_type_display()}, {inspection.force}",
            "line": _line(reminder, today),
            "url": inspection_url(inspection.pk),
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
    mine = open_actions().filter(
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
