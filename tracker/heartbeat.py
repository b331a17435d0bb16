"""The reminder sweep's heartbeat: recorded by each successful sweep, read by /health/, the
administrators' banner and the hourly alert that emails administrators once per silence."""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from tracker import emails, roles
from tracker.models import Heartbeat, User

logger = logging.getLogger(__name__)

SWEEP = Heartbeat.REMINDER_SWEEP


STALE_CACHE_KEY = "tracker:sweep-stale"
STALE_CACHE_SECONDS = 60


def heartbeat_record(*, name=SWEEP, at=None):
    """Record that job `name` has just finished successfully."""
    if name == SWEEP:
        cache.delete(STALE_CACHE_KEY)
    # One upsert (INSERT ... ON CONFLICT DO UPDATE): safe when two sweeps finish at once.
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, last_success_at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["last_success_at"],
    )


def _window():
    return datetime.timedelta(hours=settings.SWEEP_HEARTBEAT_HOURS)


def _is_stale(last_success_at, now):
    # Never having run counts as stale: the first install runs one sweep by hand (docs/deploy.md).
    return last_success_at is None or last_success_at < now - _window()


def heartbeat_last_success(*, name=SWEEP):
    return Heartbeat.objects.filter(name=name).values_list("last_success_at", flat=True).first()


def sweep_last_success():
    return heartbeat_last_success(name=SWEEP)


def sweep_is_stale(*, now=None):
    """True when no reminder sweep has finished within SWEEP_HEARTBEAT_HOURS."""
    return _is_stale(sweep_last_success(), now or timezone.now())


def alert_recipients():
    """Active administrators with an email address, and the ADMIN_EMAILS addresses."""
    admins = User.objects.reachable()
    admins = admins.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATOR))
    addresses = set(admins.values_list("email", flat=True))
    addresses |= {address for _, address in settings.ADMINS}
    return sorted(addresses)


def heartbeat_alert_if_stale(*, now=None):
    """Email administrators if the sweep has gone quiet, once per silence; returns emails sent.

    Run hourly by beat. The alert is claimed with a conditional update (sent only if this call
    changed the row), so two checkers cannot both send, and a later successful sweep starts a new
    episode. If every send fails the claim is released, so the next hour tries again.
    """
    now = now or timezone.now()
    beat, _ = Heartbeat.objects.get_or_create(name=SWEEP)
    if not _is_stale(beat.last_success_at, now):
        return 0
    alerted_this_episode = beat.alerted_at is not None and (
        beat.last_success_at is None or beat.alerted_at >= beat.last_success_at
    )
    if alerted_this_episode:
        return 0
    # Claimed only if nobody alerted and no sweep finished since the row was read.
    claim = Heartbeat.objects.filter(
        pk=beat.pk, alerted_at=beat.alerted_at, last_success_at=beat.last_success_at
    )
    if claim.update(alerted_at=now) != 1:
        return 0
    context = {
        "last_success_at": beat.last_success_at,
        "hours": settings.SWEEP_HEARTBEAT_HOURS,
        "site_url": settings.SITE_URL,
    }
    sent, failure = 0, None
    recipients = alert_recipients()
    for address in recipients:
        try:
            emails.send("heartbeat-stale", to=address, context=context)
            sent += 1
        except Exception as exc:
            failure = exc
            logger.error("Stale-sweep alert to an administrator not sent: %s", type(exc).__name__)
    if not recipients:
        logger.error("Reminder sweep is stale and there is no administrator email to alert")
    logger.warning(
        "Reminder sweep stale: no successful sweep within %s hours; alert sent to %s of %s",
        settings.SWEEP_HEARTBEAT_HOURS,
        sent,
        len(recipients),
        extra={"heartbeat": SWEEP, "alerts_sent": sent},
    )
    if recipients and not sent:
        Heartbeat.objects.filter(pk=beat.pk, alerted_at=now).update(alerted_at=beat.alerted_at)
        raise failure
    return sent


def sweep_is_stale_cached():
    """sweep_is_stale(), remembered for a minute in this process: the banner on every page of
    OPCC staff and administrators then costs no query (a new sweep clears it at once here)."""
    stale = cache.get(STALE_CACHE_KEY)
    if stale is None:
        stale = sweep_is_stale()
        cache.set(STALE_CACHE_KEY, stale, STALE_CACHE_SECONDS)
    return stale
