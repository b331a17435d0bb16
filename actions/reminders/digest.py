"""The digest: one email per recipient with everything pending for them, sent exactly once."""

import hashlib
import logging
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, F, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from actions.models import (
    OPEN_STATUSES,
    Action,
    Inspection,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Status,
    due_within_condition,
    overdue_condition,
)
from reports.models import Meeting
from reports.selectors import readable_packs
from tracker import emails, roles
from tracker.heartbeat import heartbeat_record
from tracker.models import Heartbeat

logger = logging.getLogger(__name__)

Kind = ReminderKind

# Kinds that are about work still owed: dropped unsent if the action closes before the digest goes.
OPEN_ACTION_KINDS = {
    Kind.ESCALATION,
    Kind.OVERDUE,
    Kind.DEADLINE,
    Kind.STALE,
    Kind.MEETING_UPDATE,
    Kind.UPDATE_REQUESTED,
}
# Kinds about a source's response: dropped unsent once a response is recorded.
RESPONSE_KINDS = {Kind.RESPONSE_DUE, Kind.RESPONSE_PASSED}
# Nudges to the owner and the delegate: dropped unsent if the action is proposed for closure
# before the digest goes, as it then waits on OPCC staff (due.with_assignees).
ASSIGNEE_KINDS = {Kind.OVERDUE, Kind.DEADLINE, Kind.STALE}
# Waiting on OPCC staff: dropped unsent once the proposal is closed, sustained or sent back.
WAITING_KINDS = {Kind.CLOSURE_PROPOSED, Kind.CLOSURE_WAITING, Kind.CLOSURE_ESCALATION}
# A sustaining period's end: dropped unsent once the action is closed or reopened.
SUSTAIN_KINDS = {Kind.SUSTAIN_ENDING}
# An extension request waiting for a decision: dropped unsent once it is decided.
EXTENSION_KINDS = {Kind.EXTENSION_WAITING, Kind.EXTENSION_ESCALATION}
# Sections of the digest, most urgent first.
DIGEST_ORDER = [
    Kind.ESCALATION,
    Kind.CLOSURE_ESCALATION,
    Kind.EXTENSION_ESCALATION,
    Kind.OVERDUE,
    Kind.DEADLINE,
    Kind.STALE,
    Kind.MEETING_UPDATE,
    Kind.UPDATE_REQUESTED,
    Kind.QUESTION_DUE,
    Kind.RESPONSE_PASSED,
    Kind.RESPONSE_DUE,
    Kind.REVISIT,
    Kind.PACK_READY,
    Kind.PAPER_PUBLISHED,
    Kind.ACTION_RETURNED,
    Kind.CLOSURE_WAITING,
    Kind.SUSTAIN_ENDING,
    Kind.EXTENSION_WAITING,
    Kind.CLOSURE_PROPOSED,
    Kind.UPDATE_POSTED,
    Kind.EVIDENCE_ASSURED,
    Kind.EXTENSION_REQUESTED,
    Kind.EXTENSION_DECIDED,
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
    Kind.QUESTION_DUE: "Meeting questions and commitments to answer",
    Kind.RESPONSE_PASSED: "No response recorded by the due date",
    Kind.RESPONSE_DUE: "Responses due",
    Kind.REVISIT: "Revisits coming up",
    Kind.PACK_READY: "Briefing packs to prepare",
    Kind.PAPER_PUBLISHED: "Panel papers published",
    Kind.ACTION_RETURNED: "Returned to you for more evidence",
    Kind.CLOSURE_ESCALATION: "Closures still waiting for assurance",
    Kind.CLOSURE_WAITING: "Closures waiting for your assurance",
    Kind.EXTENSION_ESCALATION: "Extension requests still waiting for a decision",
    Kind.EXTENSION_WAITING: "Extension requests waiting for your decision",
    Kind.CLOSURE_PROPOSED: "Proposed for closure",
    Kind.SUSTAIN_ENDING: "Sustaining periods ending: decide whether to close",
    Kind.UPDATE_POSTED: "Updates posted",
    Kind.EVIDENCE_ASSURED: "Evidence assured",
    Kind.UPDATE_REQUESTED: "Updates requested by OPCC staff",
    Kind.EXTENSION_REQUESTED: "Deadline extensions requested",
    Kind.EXTENSION_DECIDED: "Deadline extension requests decided",
    Kind.DEADLINE_MOVED: "Deadlines moved",
    Kind.ACTION_CLOSED: "Closed",
    Kind.ACTION_REOPENED: "Reopened",
}
WEEKLY_LIST_LIMIT = 25


# Sending


def still_applies(reminder, recipient):
    """Whether a recorded reminder is still worth sending (also the dry run's test)."""
    if not recipient.is_reachable:
        return False
    if reminder.kind == Kind.WEEKLY_DIGEST:
        return recipient.weekly_digest
    if reminder.kind in ASSIGNEE_KINDS and reminder.action.status == Status.PROPOSED:
        return False
    if reminder.kind in OPEN_ACTION_KINDS:
        return reminder.action.status in OPEN_STATUSES
    if reminder.kind in RESPONSE_KINDS:
        return reminder.inspection.response_published_on is None
    if reminder.kind in WAITING_KINDS:
        # A proposal OPCC staff have already closed, sustained or sent back is not news.
        return reminder.action.status == Status.PROPOSED
    if reminder.kind == Kind.QUESTION_DUE:
        return not reminder.question.is_answered
    if reminder.kind in SUSTAIN_KINDS:
        return reminder.action.status == Status.SUSTAINING
    if reminder.kind in EXTENSION_KINDS:
        return reminder.extension_request.is_pending and reminder.action.status in OPEN_STATUSES
    return True


def _visible(rows, recipient):
    """The rows whose action, meeting, source and paper the recipient may see now, read from each
    model's visible_to (tracker/roles.py) when the digest is sent: someone moved to another force
    or out of a role since the sweep must not be mailed what the pages no longer show them."""

    def seen(queryset, ids):
        return set(queryset.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()

    actions = seen(Action.objects.visible_to(recipient), {r.action_id for r in rows} - {None})
    meetings = seen(Meeting.objects.visible_to(recipient), {r.meeting_id for r in rows} - {None})
    packs = seen(readable_packs(recipient), {r.pack_id for r in rows} - {None})
    inspections = seen(
        Inspection.objects.visible_to(recipient), {r.inspection_id for r in rows} - {None}
    )
    return [
        row
        for row in rows
        if (row.action_id is None or row.action_id in actions)
        and (row.meeting_id is None or row.meeting_id in meetings)
        and (row.pack_id is None or row.pack_id in packs)
        and (row.inspection_id is None or row.inspection_id in inspections)
    ]


def digest_message_id(recipient_id, reminder_ids):
    """The digest's Message-ID, the same every time the same reminders go to the same person, so
    a digest sent twice (the at-least-once window, docs/deploy.md) is recognisably one message."""
    key = f"{recipient_id}:{','.join(str(pk) for pk in sorted(reminder_ids))}"
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<digest-{hashlib.sha256(key.encode()).hexdigest()}@{domain}>"


def _claim(recipient_id, *, resend_sending_at):
    """Lock the rows this send takes: the recipient's pending rows, or (a resend) the rows one
    earlier send left "sending" at `resend_sending_at`."""
    # One send per recipient at a time: a second send (another task, a second sweep) waits
    # here for the first to commit its claim, then finds nothing left, instead of skipping the
    # rows the first has locked and mailing the rest as a second, partial digest.
    list(get_user_model().objects.select_for_update().filter(pk=recipient_id).values("pk"))
    rows = Reminder.objects.select_for_update(of=("self",)).filter(recipient_id=recipient_id)
    if resend_sending_at is None:
        rows = rows.filter(status=ReminderStatus.PENDING)
    else:
        rows = rows.filter(status=ReminderStatus.SENDING, sending_at=resend_sending_at)
    rows = rows.select_related(
        "recipient__office",
        "recipient__force__office",
        "action__finding__inspection",
        "action__owner",
        "action__opcc_lead",
    )
    rows = rows.select_related(
        "meeting", "question", "pack", "inspection__force", "extension_request"
    )
    return list(rows.order_by("created_at", "pk"))


def digest_send(*, recipient_id, today=None, resend_sending_at=None):
    """Send one email with everything pending for the recipient, and record it: at least once,
    and at most once unless the process dies between the relay accepting and the record.

    The rows are claimed ("sending", committed) before the relay is called and marked sent the
    moment it accepts, so a crash in between leaves them visibly in doubt; the stranded task
    resends those (`resend_sending_at`) with the same Message-ID. Returns how many reminders it
    sent. A failed send is recorded on the rows, which go back to pending (or, after
    REMINDER_MAX_ATTEMPTS, failed), and then raised so Celery retries with backoff. `today` is
    the day the digest is written for (a sweep run with --date); by default, today.
    """
    with transaction.atomic():
        rows = _claim(recipient_id, resend_sending_at=resend_sending_at)
        if not rows:
            return 0
        recipient = rows[0].recipient
        live = _visible([row for row in rows if still_applies(row, recipient)], recipient)
        if len(live) < len(rows):
            dropped = {row.pk for row in rows} - {row.pk for row in live}
            Reminder.objects.filter(pk__in=dropped).update(status=ReminderStatus.SKIPPED)
        if not live:
            return 0
        claimed_at = timezone.now()
        live_ids = [row.pk for row in live]
        Reminder.objects.filter(pk__in=live_ids).update(
            status=ReminderStatus.SENDING, sending_at=claimed_at
        )
    claimed = Reminder.objects.filter(
        pk__in=live_ids, status=ReminderStatus.SENDING, sending_at=claimed_at
    )
    # Ids only: never the address or the body (docs/deploy.md, "Logs").
    ids = {
        "recipient_id": recipient_id,
        "action_ids": sorted({row.action_id for row in live if row.action_id}),
        "reminders": len(live),
    }
    try:
        emails.send(
            "digest",
            to=recipient.email,
            context=digest_context(recipient, live, today=today),
            message_id=digest_message_id(recipient_id, live_ids),
        )
    except Exception as exc:
        logger.warning("Digest not sent", extra={**ids, "error_type": type(exc).__name__})
        claimed.update(
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
        raise
    # The relay has accepted: record it at once. The error is cleared: it described an attempt
    # this one has superseded, and the admin's "has an error" filter must not list rows that
    # went out.
    claimed.update(
        status=ReminderStatus.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
    )
    heartbeat_record(name=Heartbeat.REMINDER_DELIVERY)  # ends a failure incident (failures.py)
    logger.info("Digest sent", extra=ids)
    return len(live)


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


def paper_url(pk):
    return _url(["reports:pack"], pk, f"/packs/{pk}/")


def extension_url(pk):
    return settings.SITE_URL + reverse("actions:extension_decide", args=[pk])


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
    if reminder.kind in (Kind.CLOSURE_WAITING, Kind.CLOSURE_ESCALATION):
        since = timezone.localdate(action.last_update_at or action.created_at)
        lead = action.opcc_lead or "no OPCC lead"
        return f"Proposed for closure on {_day(since)}; waiting for assurance. OPCC lead: {lead}."
    if reminder.kind == Kind.SUSTAIN_ENDING:
        until = action.sustain_until
        days = (until - today).days
        if days < 0:
            return f"Sustaining period ended {_day(until)}: decide whether to close."
        return f"Sustaining period ends {_day(until)}, {_in_days(days)}: decide whether to close."
    if reminder.kind in EXTENSION_KINDS:
        request = reminder.extension_request
        lead = action.opcc_lead or "no OPCC lead"
        return (
            f"Asked on {_day(timezone.localdate(request.requested_at))} to move the deadline "
            f"from {_day(action.deadline)} to {_day(request.requested_deadline)}; waiting for a "
            f"decision. OPCC lead: {lead}."
        )
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
    if reminder.kind == Kind.QUESTION_DUE:
        due_on = reminder.question.due_on
        days = (due_on - today).days
        if days < 0:
            return f"Was due {_day(due_on)}: {-days} days overdue. Please answer it."
        return f"Due {_day(due_on)}, {_in_days(days)}."
    if reminder.kind == Kind.PAPER_PUBLISHED:
        published = timezone.localdate(reminder.pack.published_at)
        return f"Published {_day(published)} (version {reminder.pack.version}). Read it online."
    return reminder.detail


def _item(reminder, today):
    if reminder.question is not None:
        question = reminder.question
        return {
            "title": question.text[:120],
            "reference": f"{question.get_kind_display()}, {reminder.meeting.title}",
            "line": _line(reminder, today),
            # The meeting's page is OPCC staff's; anyone else answers through them.
            "url": (
                meeting_url(reminder.meeting.pk)
                if roles.can_manage_meetings(reminder.recipient)
                else settings.SITE_URL + reverse("reports:meetings")
            ),
        }
    if reminder.pack is not None:
        return {
            "title": f"{reminder.meeting.title}: Panel paper",
            "reference": reminder.meeting.get_kind_display(),
            "line": _line(reminder, today),
            "url": paper_url(reminder.pack.pk),
        }
    if reminder.action is not None:
        action = reminder.action
        return {
            "title": action.title,
            "reference": f"{action.finding.reference}, {action.finding.inspection.title}",
            "line": _line(reminder, today),
            # A request waiting for a decision links to where it is decided.
            "url": (
                extension_url(reminder.extension_request_id)
                if reminder.kind in EXTENSION_KINDS
                else action_url(action.pk)
            ),
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
    """The weekly summary: counts of the open actions the recipient follows (owns, is delegated
    or leads), those overdue and those due soon, and a list of the overdue and due soon."""
    days = settings.DUE_SOON_DAYS
    mine = Action.objects.open().visible_to(recipient).followed_by(recipient).order_by()
    overdue, due_soon = overdue_condition(today), due_within_condition(days, today)
    counts = mine.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue),
        due_soon=Count("pk", filter=due_soon),
    )
    listed = mine.filter(overdue | due_soon).select_related("finding__inspection")
    listed = list(listed.order_by("deadline", "pk")[:WEEKLY_LIST_LIMIT])
    items = [
        {
            "title": action.title,
            "reference": f"{action.finding.reference}, {action.finding.inspection.title}",
            "line": (
                f"Was due {_day(action.deadline)}: {(today - action.deadline).days} days overdue."
                if action.is_overdue_on(today)
                else f"Due {_day(action.deadline)}, {_in_days((action.deadline - today).days)}."
            ),
            "url": action_url(action.pk),
        }
        for action in listed
    ]
    more = counts["overdue"] + counts["due_soon"] - len(items)
    return {
        **counts,
        "due_soon_days": days,
        "items": items,
        "more": more,
        "url": settings.SITE_URL + "/",
    }


def office_of(recipient):
    """The office the recipient works or reads for, or (an action owner) their force's; None in
    a deployment whose people have none set (the footer then names no office)."""
    if recipient.office is not None:
        return recipient.office
    return recipient.force.office if recipient.force is not None else None


def digest_context(recipient, reminders, *, today=None):
    today = today or timezone.localdate()
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
        "office": office_of(recipient),
        "today": today,
        "sections": sections,
        "count": sum(len(section["items"]) for section in sections),
        "weekly": weekly,
        "site_url": settings.SITE_URL,
    }
