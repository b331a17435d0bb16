"""iCalendar feeds: a user's action deadlines and meetings, and the OPCC-wide calendar of
meetings, every source's response due date and HMICFRS revisits.

Each event's UID names the object (action-12@host), so when a deadline or a meeting moves, a
calendar that subscribes to the feed replaces the event instead of adding a second one. Dates are
all-day events; meeting times carry TZID=Europe/London with a VTIMEZONE.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from actions.models import Action, Inspection
from reports.models import Meeting

# Meetings record a start time only; two hours covers an APM or a Panel meeting.
MEETING_LENGTH = datetime.timedelta(hours=2)
# Past meetings and dates stay in the feed this long, so an event does not vanish as it starts.
RECENT_DAYS = 30


def _host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _link(path):
    return settings.SITE_URL + path


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", "-//OPCC action tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _event(uid, summary, start, *, stamp, description="", url="", location=""):
    event = Event()
    event.add("uid", f"{uid}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    if isinstance(start, datetime.datetime):
        event.add("dtend", start + MEETING_LENGTH)
    else:
        # An all-day event: the end date is exclusive.
        event.add("dtend", start + datetime.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if location:
        event.add("location", location)
    return event


def _action_events(actions, stamp):
    for action in actions:
        finding = action.finding
        yield _event(
            f"action-{action.pk}",
            f"Action due: {action.title}",
            action.deadline,
            stamp=stamp,
            description=(
                f"{finding.reference}, {finding.inspection.title}\n"
                f"Status: {action.get_status_display()}. RAG: {action.get_effective_rag_display()}."
            ),
            url=_link(reverse("actions:detail", args=[action.pk])),
        )


def _meeting_events(meetings, stamp):
    for meeting in meetings:
        details = [meeting.get_kind_display()]
        if meeting.webcast_url:
            details.append(f"Webcast: {meeting.webcast_url}")
        yield _event(
            f"meeting-{meeting.pk}",
            meeting.title,
            timezone.localtime(meeting.starts_at),
            stamp=stamp,
            description="\n".join(details),
            location=meeting.location,
        )


def _finish(calendar, now):
    # VTIMEZONE for Europe/London, with its transitions from a year back (icalendar builds it).
    year_ago = timezone.localdate(now) - datetime.timedelta(days=366)
    calendar.add_missing_timezones(first_date=year_ago)
    return calendar.to_ical()


def _recent(now):
    return now - datetime.timedelta(days=RECENT_DAYS)


def personal_feed(user, *, now=None):
    """Open actions the user owns, is delegated or leads for OPCC, and meetings they may see."""
    now = now or timezone.now()
    calendar = _calendar("OPCC action tracker: my deadlines and meetings")
    actions = (
        Action.objects.visible_to(user)
        .open()
        .followed_by(user)
        .select_related("finding__inspection")
        .order_by("deadline", "pk")
    )
    meetings = Meeting.objects.visible_to(user).filter(starts_at__gte=_recent(now))
    for event in _action_events(actions, now):
        calendar.add_component(event)
    for event in _meeting_events(meetings.order_by("starts_at", "pk"), now):
        calendar.add_component(event)
    return _finish(calendar, now)


def opcc_feed(user, *, now=None):
    """The office's meetings, response due dates (each source's own clock) and HMICFRS revisits
    (OPCC staff only): those of the forces and meetings `user` may see."""
    now = now or timezone.now()
    since = timezone.localdate(_recent(now))
    calendar = _calendar("OPCC action tracker: meetings, responses due and revisits")
    for event in _meeting_events(
        Meeting.objects.visible_to(user)
        .filter(starts_at__gte=_recent(now))
        .order_by("starts_at", "pk"),
        now,
    ):
        calendar.add_component(event)
    inspections = (
        Inspection.objects.visible_to(user).select_related("force").order_by("published_on", "pk")
    )
    # Every source's response clock (Inspection.response_due, in SQL), due on or after `since`.
    due = inspections.with_response_due().filter(response_due_db__gte=since)
    for inspection in due.order_by("response_due_db", "pk"):
        recorded = inspection.response_published_on
        what = (
            "s.55 response"
            if inspection.source_type == Inspection.SourceType.HMICFRS
            else "Response"
        )
        calendar.add_component(
            _event(
                f"response-{inspection.pk}",
                f"{what} due: {inspection.title} ({inspection.force})",
                inspection.response_due_db,
                stamp=now,
                description=(
                    f"{inspection.get_source_type_display()}. {inspection.response_rule}. "
                    + (
                        f"Response recorded {recorded.day} {recorded:%B %Y}."
                        if recorded
                        else "No response recorded yet."
                    )
                ),
                url=_link(reverse("actions:inspection", args=[inspection.pk])),
            )
        )
    for inspection in inspections.filter(revisit_on__gte=since):
        calendar.add_component(
            _event(
                f"revisit-{inspection.pk}",
                f"HMICFRS revisit: {inspection.title} ({inspection.force})",
                inspection.revisit_on,
                stamp=now,
                url=_link(reverse("actions:inspection", args=[inspection.pk])),
            )
        )
    return _finish(calendar, now)
