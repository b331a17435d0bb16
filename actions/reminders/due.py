"""What reminders are due by a day: deadlines, overdue, stale, meetings, sources' response dates
and revisits, and weekly summaries.

Each rule yields `Due` keys (recipient, action, meeting or inspection, kind, period); the sweep
records them (actions/reminders/sweep.py). Dates are Europe/London calendar days
(timezone.localdate).
"""

import datetime
from functools import lru_cache
from typing import NamedTuple

import holidays
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from actions.models import FOLLOWER_FIELDS, Action, Inspection, ReminderKind
from reports.models import Meeting, Question
from tracker.models import User

Kind = ReminderKind


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
    question_id: int | None = None
    inspection_id: int | None = None


def _reachable_users():
    return set(User.objects.reachable().values_list("pk", flat=True))


def open_actions():
    return Action.objects.open().order_by()


def _deadline_reminders(today, reachable):
    """Nudges to the owner before the deadline: the latest threshold passed, once per deadline."""
    thresholds = settings.REMINDER_DEADLINE_DAYS  # largest first
    rows = open_actions().due_within(thresholds[0], today)
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
    rows = open_actions().overdue(today)
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
    stale_days = settings.STALE_DAYS
    rows = open_actions().stale(today)
    for pk, owner_id, last_update_at, created_at in rows.values_list(
        "pk", "owner_id", "last_update_at", "created_at"
    ):
        if owner_id in reachable:
            since = timezone.localdate(last_update_at or created_at)
            days = (today - since).days // stale_days * stale_days
            yield Due(
                recipient_id=owner_id, action_id=pk, kind=Kind.STALE, period=f"{since}+{days}d"
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
    ).values_list("pk", "starts_at")
    request_due, pack_due = {}, {}
    for pk, starts_at in meetings:
        day = timezone.localdate(starts_at)
        if today >= working_days_before(day, request_days):
            request_due[pk] = day
        if today >= working_days_before(day, pack_days):
            pack_due[pk] = day
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
    if pack_due:
        for staff_id in staff:
            for meeting_id, day in pack_due.items():
                yield Due(
                    recipient_id=staff_id,
                    meeting_id=meeting_id,
                    kind=Kind.PACK_READY,
                    period=f"{day}-{pack_days}wd",
                )


def _opcc_staff(reachable):
    staff = User.objects.opcc_staff().values_list("pk", flat=True)
    return sorted(set(staff) & reachable)


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
    for pk, due in unrecorded.order_by().values_list("pk", "response_due_db"):
        if due >= today:
            threshold = min(days for days in thresholds if days >= (due - today).days)
            kind, period = Kind.RESPONSE_DUE, f"{due}-{threshold}d"
        else:
            kind, period = Kind.RESPONSE_PASSED, f"{due}+1d"
        for staff_id in staff:
            yield Due(recipient_id=staff_id, inspection_id=pk, kind=kind, period=period)


def _revisit_reminders(today, staff):
    """To OPCC staff, REMINDER_REVISIT_DAYS before an HMICFRS revisit."""
    days = settings.REMINDER_REVISIT_DAYS
    rows = Inspection.objects.filter(
        revisit_on__gte=today, revisit_on__lte=today + datetime.timedelta(days=days)
    )
    for pk, revisit_on in rows.order_by().values_list("pk", "revisit_on"):
        for staff_id in staff:
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
