"""What reminders are due by a day: deadlines, overdue, stale, closures, sustaining periods'
ends, meetings, sources' response dates and revisits, and weekly summaries.

Each rule yields `Due` keys (recipient, action, meeting or inspection, kind, period); the sweep
records them (actions/reminders/sweep.py). Dates are Europe/London calendar days
(timezone.localdate). Reminders chase whoever holds the ball: the owner and the delegate while
the work is theirs, the OPCC lead (then all OPCC staff) while a closure proposal waits for
assurance or an extension request for a decision. "All OPCC staff" is always the staff of the
office overseeing the action's force, or holding the meeting: never another office's.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from actions.models import (
    ASSIGNEE_FIELDS,
    FOLLOWER_FIELDS,
    OPEN_STATUSES,
    Action,
    ExtensionRequest,
    Inspection,
    ReminderKind,
    Status,
)
from actions.working_days import (
    working_day_on_or_before,
    working_days_before,
    working_days_since,
)
from reports.models import Meeting, Question
from tracker.models import Office, User

Kind = ReminderKind


# Working days


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
    question_id: int | None = None
    inspection_id: int | None = None
    extension_request_id: int | None = None


def _reachable_users():
    return set(User.objects.reachable().values_list("pk", flat=True))


def open_actions():
    return Action.objects.open().order_by()


def with_assignees():
    """Open actions whose ball is with the owner and the delegate: not those proposed for
    closure, which wait on OPCC staff (_closure_reminders) until closed or sent back."""
    return open_actions().exclude(status=Status.PROPOSED)


# The owner and the delegate (ASSIGNEE_FIELDS, ActionQuerySet.assigned_to) are both nudged.
ASSIGNEE_COLUMNS = [f"{field}_id" for field in ASSIGNEE_FIELDS]
# The office overseeing an action's force: the one whose staff hear about it when everyone is.
ACTION_OFFICE = "owning_force__office_id"


def _assignees(row, reachable):
    """The reachable owner and delegate of a values_list row ending in ASSIGNEE_COLUMNS."""
    return {pk for pk in row[-len(ASSIGNEE_COLUMNS) :] if pk in reachable}


def deadline_nudge_day(deadline, days_before):
    """The day a nudge `days_before` the deadline goes: on a weekend or a bank holiday, the
    working day before."""
    return working_day_on_or_before(deadline - datetime.timedelta(days=days_before))


def _deadline_reminders(today, reachable):
    """Nudges to the owner and the delegate before the deadline: the latest threshold whose
    nudge day has come, once per deadline."""
    thresholds = settings.REMINDER_DEADLINE_DAYS  # largest first
    # A nudge day moves back over a weekend and a run of bank holidays (Christmas): look further.
    rows = with_assignees().due_within(thresholds[0] + 7, today)
    for row in rows.values_list("pk", "deadline", *ASSIGNEE_COLUMNS):
        pk, deadline = row[0], row[1]
        passed = [days for days in thresholds if deadline_nudge_day(deadline, days) <= today]
        if not passed:
            continue
        for recipient_id in _assignees(row, reachable):
            yield Due(
                recipient_id=recipient_id,
                action_id=pk,
                kind=Kind.DEADLINE,
                period=f"{deadline}-{min(passed)}d",
            )


def escalation_due(deadline, today):
    """Whether an overdue action has been overdue REMINDER_ESCALATE_AFTER_DAYS working days
    (the days after the deadline, today included)."""
    after = settings.REMINDER_ESCALATE_AFTER_DAYS
    return (
        working_days_since(
            deadline + datetime.timedelta(days=1), today + datetime.timedelta(days=1)
        )
        >= after
    )


def _overdue_reminders(today, reachable):
    """Overdue notices to the owner and the delegate (day after, then every N days), unless the
    action waits on OPCC staff; one escalation to the lead after N working days overdue."""
    repeat = settings.REMINDER_OVERDUE_REPEAT_DAYS
    escalate_after = settings.REMINDER_ESCALATE_AFTER_DAYS
    rows = open_actions().overdue(today)
    for row in rows.values_list("pk", "status", "opcc_lead_id", "deadline", *ASSIGNEE_COLUMNS):
        pk, status, lead_id, deadline = row[:4]
        if status != Status.PROPOSED:
            notice_day = 1 + ((today - deadline).days - 1) // repeat * repeat
            for recipient_id in _assignees(row, reachable):
                yield Due(
                    recipient_id=recipient_id,
                    action_id=pk,
                    kind=Kind.OVERDUE,
                    period=f"{deadline}+{notice_day}d",
                )
        if lead_id in reachable and escalation_due(deadline, today):
            yield Due(
                recipient_id=lead_id,
                action_id=pk,
                kind=Kind.ESCALATION,
                period=f"{deadline}+{escalate_after}d",
            )


def _stale_reminders(today, reachable):
    """Stale notices to the owner and the delegate after N working days without an update, and
    every N working days after that. (The period keeps its "d": keys recorded before the
    count became working days still match.)"""
    stale_days = settings.STALE_DAYS
    rows = with_assignees().stale(today)
    for row in rows.values_list("pk", "last_update_at", "created_at", *ASSIGNEE_COLUMNS):
        since = timezone.localdate(row[1] or row[2])
        days = working_days_since(since, today) // stale_days * stale_days
        if days:
            for recipient_id in _assignees(row, reachable):
                yield Due(
                    recipient_id=recipient_id,
                    action_id=row[0],
                    kind=Kind.STALE,
                    period=f"{since}+{days}d",
                )


def _waiting_cutoff(today):
    """Whatever waits on OPCC staff (a closure proposal, an extension request) from before this
    moment has waited REMINDER_CLOSURE_WAITING_WORKING_DAYS working days by `today`."""
    waiting = settings.REMINDER_CLOSURE_WAITING_WORKING_DAYS
    return start_of_day(working_days_before(today, waiting) + datetime.timedelta(days=1))


def _closure_reminders(today, reachable, staff):
    """A closure proposal waiting for assurance: the OPCC lead is told after N working days,
    and all OPCC staff (the lead too) after M, each once per proposal. The proposal is the
    action's last update (actions.services.action_propose_closure)."""
    cutoff = _waiting_cutoff(today)
    rows = open_actions().filter(status=Status.PROPOSED)
    rows = rows.filter(
        Q(last_update_at__lt=cutoff) | Q(last_update_at__isnull=True, created_at__lt=cutoff)
    )
    for pk, lead_id, last_update_at, created_at, office_id in rows.values_list(
        "pk", "opcc_lead_id", "last_update_at", "created_at", ACTION_OFFICE
    ):
        since = timezone.localdate(last_update_at or created_at)
        yield from _waiting_on_staff(
            since,
            today,
            lead_id=lead_id,
            reachable=reachable,
            staff=staff.get(office_id, ()),
            kinds=(Kind.CLOSURE_WAITING, Kind.CLOSURE_ESCALATION),
            label=f"proposed {since}",
            action_id=pk,
        )


def _waiting_on_staff(since, today, *, lead_id, reachable, staff, kinds, label, **keys):
    """Something waiting on OPCC staff since `since`: its OPCC lead is told after
    REMINDER_CLOSURE_WAITING_WORKING_DAYS working days, and all OPCC staff (the lead too) after
    REMINDER_CLOSURE_ESCALATE_WORKING_DAYS; each once, under "<label>+<N>wd"."""
    waiting_kind, escalation_kind = kinds
    waiting = settings.REMINDER_CLOSURE_WAITING_WORKING_DAYS
    escalate = settings.REMINDER_CLOSURE_ESCALATE_WORKING_DAYS
    days = working_days_since(since, today)
    if days >= waiting and lead_id in reachable:
        yield Due(recipient_id=lead_id, kind=waiting_kind, period=f"{label}+{waiting}wd", **keys)
    if days >= escalate:
        for staff_id in staff:
            yield Due(
                recipient_id=staff_id,
                kind=escalation_kind,
                period=f"{label}+{escalate}wd",
                **keys,
            )


# A sustaining period that ended longer ago than this gets no notice: a missed sweep is caught
# up, but an action loaded still sustaining months after its end date is not news.
SUSTAIN_ENDED_WINDOW_DAYS = 28


def _sustain_reminders(today, reachable, staff):
    """A sustaining period about to end: its OPCC lead (all OPCC staff if it has none they can
    reach) is told REMINDER_SUSTAIN_DAYS before and on the day, to decide whether to close it;
    each once per end date."""
    ahead = settings.REMINDER_SUSTAIN_DAYS
    rows = Action.objects.filter(
        status=Status.SUSTAINING,
        sustain_until__gte=today - datetime.timedelta(days=SUSTAIN_ENDED_WINDOW_DAYS),
        sustain_until__lte=today + datetime.timedelta(days=ahead),
    )
    rows = rows.order_by().values_list("pk", "opcc_lead_id", "sustain_until", ACTION_OFFICE)
    for pk, lead_id, until, office_id in rows:
        days = 0 if today >= until else ahead
        for recipient_id in [lead_id] if lead_id in reachable else staff.get(office_id, ()):
            yield Due(
                recipient_id=recipient_id,
                action_id=pk,
                kind=Kind.SUSTAIN_ENDING,
                period=f"sustain {until}-{days}d",
            )


def _extension_reminders(today, reachable, staff):
    """An extension request waiting for a decision, on the closure proposals' clock, counted
    from the request. The owner's deadline nudges go on meanwhile: until it is decided, the
    current deadline stands."""
    rows = ExtensionRequest.objects.pending().filter(
        requested_at__lt=_waiting_cutoff(today), action__status__in=OPEN_STATUSES
    )
    for pk, action_id, lead_id, requested_at, office_id in rows.order_by().values_list(
        "pk", "action_id", "action__opcc_lead_id", "requested_at", f"action__{ACTION_OFFICE}"
    ):
        since = timezone.localdate(requested_at)
        yield from _waiting_on_staff(
            since,
            today,
            lead_id=lead_id,
            reachable=reachable,
            staff=staff.get(office_id, ()),
            kinds=(Kind.EXTENSION_WAITING, Kind.EXTENSION_ESCALATION),
            label=f"extension {pk} requested {since}",
            action_id=action_id,
            extension_request_id=pk,
        )


def _meeting_reminders(today, reachable, staff):
    """Update requests to owners of actions on an agenda, and "pack ready" to OPCC staff."""
    request_days = settings.REMINDER_MEETING_WORKING_DAYS
    pack_days = settings.REMINDER_PACK_READY_WORKING_DAYS
    # Enough calendar days to hold the working days plus weekends and a run of bank holidays.
    horizon = today + datetime.timedelta(days=max(request_days, pack_days) * 2 + 14)
    meetings = Meeting.objects.filter(
        starts_at__gte=start_of_day(today + datetime.timedelta(days=1)),
        starts_at__lt=start_of_day(horizon),
    ).values_list("pk", "starts_at", "office_id")
    request_due, pack_due = {}, {}
    for pk, starts_at, office_id in meetings:
        day = timezone.localdate(starts_at)
        if today >= working_days_before(day, request_days):
            request_due[pk] = day
        if today >= working_days_before(day, pack_days):
            pack_due[pk] = (day, office_id)
    if request_due:
        rows = open_actions().filter(finding__inspection__meetings__in=request_due)
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
    # "Pack ready" goes to the meeting's office's staff only.
    for meeting_id, (day, office_id) in pack_due.items():
        for staff_id in staff.get(office_id, ()):
            yield Due(
                recipient_id=staff_id,
                meeting_id=meeting_id,
                kind=Kind.PACK_READY,
                period=f"{day}-{pack_days}wd",
            )


def _opcc_staff(reachable):
    """Each office's reachable OPCC staff, by office id: a line about one office's action,
    meeting or source goes to its own staff, never another's. Staff with no office set are the
    sole office's in a deployment with one (roles.office_id_of), and nobody's otherwise."""
    rows = [
        (pk, office_id)
        for pk, office_id in User.objects.opcc_staff().values_list("pk", "office_id")
        if pk in reachable
    ]
    # One more query, and only when someone has no office set.
    sole_id = Office.objects.sole_id(create=False) if any(o is None for _, o in rows) else None
    by_office = {}
    for pk, office_id in rows:
        by_office.setdefault(office_id or sole_id, set()).add(pk)
    by_office.pop(None, None)
    return {office_id: sorted(ids) for office_id, ids in by_office.items()}


# A response whose due date passed longer ago than this gets no notice: a missed sweep is
# caught up, but sources added with years-old dates and no response recorded are not news.
RESPONSE_PASSED_WINDOW_DAYS = 28


def _response_reminders(today, staff):
    """To OPCC staff (a source has no lead): a source's response due in 14, 7 and 1 days, and
    once the day after its due date if none is recorded; each source's own clock."""
    thresholds = sorted(settings.REMINDER_RESPONSE_DAYS, reverse=True)
    unrecorded = Inspection.objects.response_unrecorded_due_by(
        today + datetime.timedelta(days=thresholds[0])
    ).filter(response_due_db__gte=today - datetime.timedelta(days=RESPONSE_PASSED_WINDOW_DAYS))
    rows = unrecorded.order_by().values_list("pk", "response_due_db", "force__office_id")
    for pk, due, office_id in rows:
        if due >= today:
            threshold = min(days for days in thresholds if days >= (due - today).days)
            kind, period = Kind.RESPONSE_DUE, f"{due}-{threshold}d"
        else:
            kind, period = Kind.RESPONSE_PASSED, f"{due}+1d"
        for staff_id in staff.get(office_id, ()):
            yield Due(recipient_id=staff_id, inspection_id=pk, kind=kind, period=period)


def _revisit_reminders(today, staff):
    """To OPCC staff, REMINDER_REVISIT_DAYS before an HMICFRS revisit."""
    days = settings.REMINDER_REVISIT_DAYS
    rows = Inspection.objects.filter(
        revisit_on__gte=today, revisit_on__lte=today + datetime.timedelta(days=days)
    )
    for pk, revisit_on, office_id in rows.order_by().values_list(
        "pk", "revisit_on", "force__office_id"
    ):
        for staff_id in staff.get(office_id, ()):
            yield Due(
                recipient_id=staff_id,
                inspection_id=pk,
                kind=Kind.REVISIT,
                period=f"{revisit_on}-{days}d",
            )


def _question_reminders(today, reachable):
    """Unanswered meeting questions and commitments with a due date, to the person responsible
    (or the meeting's OPCC lead): the latest of "due in N days", "due today" and "overdue"
    reached, each once per due date."""
    thresholds = settings.REMINDER_QUESTION_DAYS  # largest first
    rows = Question.objects.unanswered().filter(
        due_on__lte=today + datetime.timedelta(days=thresholds[0])
    )
    for pk, meeting_id, owner_id, lead_id, due_on in rows.order_by().values_list(
        "pk", "meeting_id", "owner_id", "meeting__opcc_lead_id", "due_on"
    ):
        recipient_id = owner_id or lead_id
        if recipient_id not in reachable:
            continue
        days_left = (due_on - today).days
        if days_left < 0:
            period = "overdue"
        elif days_left == 0:
            period = "today"
        else:
            period = f"{min(days for days in thresholds if days >= days_left)}d"
        yield Due(
            recipient_id=recipient_id,
            meeting_id=meeting_id,
            question_id=pk,
            kind=Kind.QUESTION_DUE,
            period=f"question {pk} due {due_on}-{period}",
        )


def reminders_due(today):
    """Every daily reminder due by `today`, as keys; the sweep records those not recorded yet."""
    reachable = _reachable_users()
    staff = _opcc_staff(reachable)
    return [
        *_deadline_reminders(today, reachable),
        *_overdue_reminders(today, reachable),
        *_stale_reminders(today, reachable),
        *_closure_reminders(today, reachable, staff),
        *_sustain_reminders(today, reachable, staff),
        *_extension_reminders(today, reachable, staff),
        *_meeting_reminders(today, reachable, staff),
        *_question_reminders(today, reachable),
        *_response_reminders(today, staff),
        *_revisit_reminders(today, staff),
    ]


# The columns the sweep fills; the others keep their defaults (pending, no attempts yet).
def weekly_digests_due(today):
    """One weekly summary per person with open actions who has not opted out, for today's week."""
    year, week, _ = today.isocalendar()
    mine = open_actions().values("pk")
    people = User.objects.reachable().filter(weekly_digest=True)
    # Those who follow an open action (Action.is_followed_by): one EXISTS per column, so each
    # uses its index.
    follows = Q()
    for field in FOLLOWER_FIELDS:
        follows |= Exists(mine.filter(**{field: OuterRef("pk")}))
    people = people.filter(follows)
    return [
        Due(recipient_id=pk, kind=Kind.WEEKLY_DIGEST, period=f"{year}-W{week:02d}")
        for pk in people.values_list("pk", flat=True)
    ]
