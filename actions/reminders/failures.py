"""Failed and stuck reminders, made visible: /health/, the administrators' banner and an email to
administrators once per incident.

An incident runs from the first failed send after the last digest the relay accepted until the
next one it accepts (digest_send records each acceptance in the REMINDER_DELIVERY heartbeat).
The heartbeat's alerted_at records the incident already emailed, as for the stale sweep.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from actions.models import Reminder
from tracker import emails
from tracker.heartbeat import alert_recipients
from tracker.models import Heartbeat

logger = logging.getLogger(__name__)

DELIVERY = Heartbeat.REMINDER_DELIVERY
BANNER_CACHE_KEY = "tracker:reminder-failures"
BANNER_CACHE_SECONDS = 60


def _last_success_at():
    return Heartbeat.objects.filter(name=DELIVERY).values_list("last_success_at", flat=True).first()


def failures_current(*, last_success_at=None):
    """{"count", "since"}: reminders whose last attempt failed after the last accepted digest,
    and when the first of them failed (None if none)."""
    failing = Reminder.objects.failing()
    if last_success_at is not None:
        failing = failing.filter(sending_at__gt=last_success_at)
    found = failing.aggregate(count=Count("pk"), since=Min("sending_at"))
    return {"count": found["count"], "since": found["since"]}


def failures_summary(*, now=None):
    """What /health/ reports: failures in the current incident, and digests stuck sending."""
    now = now or timezone.now()
    failed = failures_current(last_success_at=_last_success_at())["count"]
    return {"failed": failed, "stuck": Reminder.objects.stuck(now=now).count()}


def failures_banner_cached():
    """The current incident for the administrators' banner ({"count", "since"}, or None),
    remembered for a minute in this process so a page costs no query most of the time."""
    found = cache.get(BANNER_CACHE_KEY)
    if found is None:
        found = failures_current(last_success_at=_last_success_at())
        cache.set(BANNER_CACHE_KEY, found, BANNER_CACHE_SECONDS)
    return found if found["count"] else None


def failures_alert(*, now=None):
    """Email administrators about a failure incident, once per incident; returns emails sent.

    Run by the stranded task every 5 minutes (never by a view). The alert is claimed with a
    conditional update, so two runs cannot both send; a later accepted digest ends the incident,
    and the next failure starts a new one. If every send fails the claim is released.
    """
    now = now or timezone.now()
    beat, _ = Heartbeat.objects.get_or_create(name=DELIVERY)
    incident = failures_current(last_success_at=beat.last_success_at)
    if not incident["count"]:
        return 0
    if beat.alerted_at is not None and beat.alerted_at >= incident["since"]:
        return 0  # this incident's alert has gone
    claim = Heartbeat.objects.filter(
        pk=beat.pk, alerted_at=beat.alerted_at, last_success_at=beat.last_success_at
    )
    if claim.update(alerted_at=now) != 1:
        return 0
    context = {
        **incident,
        "stuck": Reminder.objects.stuck(now=now).count(),
        "admin_url": settings.SITE_URL + reverse("admin:actions_reminder_changelist"),
        "site_url": settings.SITE_URL,
    }
    sent, failure = 0, None
    recipients = alert_recipients()
    for address in recipients:
        try:
            emails.send("reminders-failing", to=address, context=context)
            sent += 1
        except Exception as exc:
            failure = exc
            logger.error("Reminder failure alert not sent: %s", type(exc).__name__)
    logger.warning(
        "Reminders failing: %s since %s; alert sent to %s of %s",
        incident["count"],
        incident["since"],
        sent,
        len(recipients),
    )
    if recipients and not sent:
        Heartbeat.objects.filter(pk=beat.pk, alerted_at=now).update(alerted_at=beat.alerted_at)
        raise failure
    return sent
