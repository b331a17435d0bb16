"""Context for every page: whether to show administrators the "reminders stopped" and
"reminders failed" banners."""

from django.conf import settings

from actions.reminders import failures
from tracker import heartbeat, roles


def operations(request):
    def reminders_stopped():
        # Called only where a template asks (base.html), so admin pages and others pay nothing.
        user = getattr(request, "user", None)
        if user is None or not (roles.is_administrator(user) or roles.is_opcc_staff(user)):
            return False
        return heartbeat.sweep_is_stale_cached()

    def reminders_failed():
        # {"count", "since"} of the current failure incident, for administrators and superusers.
        user = getattr(request, "user", None)
        if user is None or not roles.is_administrator(user):
            return None
        return failures.failures_banner_cached()

    return {
        "reminders_stopped": reminders_stopped,
        "reminders_failed": reminders_failed,
        "sweep_heartbeat_hours": settings.SWEEP_HEARTBEAT_HOURS,
    }
