"""`manage.py check_sweep_heartbeat`: the stale-sweep alert, for cron or a systemd timer."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import heartbeat


class Command(BaseCommand):
    help = (
        "Say when the reminder sweep last finished; if longer ago than SWEEP_HEARTBEAT_HOURS, "
        "email administrators (once per silence, shared with the hourly Celery check) and exit "
        "with status 1. Run it from cron or a systemd timer too, so the alert does not depend on "
        "the Celery processes it watches."
    )

    def handle(self, *args, **options):
        last = heartbeat.sweep_last_success()
        when = f"{timezone.localtime(last):%Y-%m-%d %H:%M %Z}" if last else "never"
        if not heartbeat.sweep_is_stale():
            self.stdout.write(f"ok: the reminder sweep last finished {when}.")
            return
        sent = heartbeat.heartbeat_alert_if_stale()
        raise CommandError(
            f"stale: the reminder sweep last finished {when}; "
            f"{sent} administrator alert(s) sent now (0 if already alerted)."
        )
