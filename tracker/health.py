"""/health/: is the tracker able to do its job? Database, Redis, private storage, beat heartbeat,
and whether reminders are failing to send (degraded, not down).

A plain view rather than django-health-check: four short checks, one of them (the heartbeat)
ours anyway, and the answer says only "ok" or "failing" per check, never why: the reason goes to
the log, which only the operators read. Each check is time-bound, so a probe never hangs.
"""

import logging
import tempfile

import redis
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from actions.reminders import failures
from tracker import heartbeat
from tracker.models import Heartbeat

logger = logging.getLogger(__name__)

REDIS_TIMEOUT = 2  # seconds, to connect and to answer


def check_database():
    Heartbeat.objects.exists()  # a real query on the app's own table, not just a connection


def check_redis():
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()


def check_storage():
    # Evidence uploads need to write here; write and remove a scratch file.
    with tempfile.NamedTemporaryFile(dir=settings.MEDIA_ROOT, prefix=".health-"):
        pass


def check_reminder_sweep():
    if heartbeat.sweep_is_stale():
        raise RuntimeError(
            f"no reminder sweep has finished in {settings.SWEEP_HEARTBEAT_HOURS} hours"
        )


def _checks():
    checks = {"database": check_database, "storage": check_storage}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    checks["reminder_sweep"] = check_reminder_sweep
    return checks


def run_checks():
    """{check name: "ok" or "failing"}; each failure is logged with its reason."""
    results = {}
    for name, check in _checks().items():
        try:
            check()
        except Exception as exc:
            logger.error("Health check %s failing: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failing"
        else:
            results[name] = "ok"
    return results


@never_cache
@require_safe
def health(request):
    """200 with every check "ok"; "degraded", still 200, when reminders are failing or stuck
    sending (the rest of the tracker works); else 503. Open to anyone: counts, never data."""
    results = run_checks()
    delivery = None
    try:
        delivery = failures.failures_summary()
    except Exception as exc:
        logger.error("Health check reminder_delivery failing: %s: %s", type(exc).__name__, exc)
        results["reminder_delivery"] = "failing"
    else:
        degraded = delivery["failed"] or delivery["stuck"]
        results["reminder_delivery"] = "degraded" if degraded else "ok"
    status = "ok"
    if "degraded" in results.values():
        status = "degraded"
    if "failing" in results.values():
        status = "failing"
    body = {"status": status, "checks": results}
    if delivery is not None:
        body["reminders"] = delivery
    return JsonResponse(body, status=503 if status == "failing" else 200)
