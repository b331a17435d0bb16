"""The Celery app, configured from Django settings under the CELERY_ namespace, and beat's schedule.

The reminder schedule is built from settings (REMINDER_SWEEP_TIME, REMINDER_WEEKLY_DIGEST_DAY and
REMINDER_WEEKLY_DIGEST_TIME, read from the environment) when beat starts, and the sweep reads its
thresholds each time it runs. We chose that over django-celery-beat's database schedule: there is
one job and one weekly summary, not a library of schedules to edit; it adds no dependency, tables
or second source of truth; and the times live with the rest of the deployment's configuration.
An administrator changes a time by setting the variable and restarting beat. Nothing is lost or
doubled by a change, because every reminder is recorded under a unique key and a sweep catches up
whatever is due by its day (actions/reminders/sweep.py).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task start/finish/failure logging (ids only) for every task.
import tracker.logs  # noqa: E402,F401


@app.on_after_configure.connect
def schedule_reminders(sender, **kwargs):
    # Runs once the Django settings are loaded; crontab times are in CELERY_TIMEZONE
    # (Europe/London), so 07:00 is 07:00 in both GMT and BST.
    from django.conf import settings

    hour, minute = settings.REMINDER_SWEEP_TIME
    sender.add_periodic_task(
        crontab(hour=hour, minute=minute),
        sender.signature("actions.tasks.send_due_reminders"),
        name="send-due-reminders",
    )
    hour, minute = settings.REMINDER_WEEKLY_DIGEST_TIME
    sender.add_periodic_task(
        crontab(day_of_week=settings.REMINDER_WEEKLY_DIGEST_DAY, hour=hour, minute=minute),
        sender.signature("actions.tasks.send_weekly_digest"),
        name="send-weekly-digest",
    )
    # "At once" notices whose on-commit enqueue was lost (broker down, worker killed).
    sender.add_periodic_task(
        crontab(minute="*/5"),
        sender.signature("actions.tasks.send_stranded_notices"),
        name="send-stranded-notices",
    )
    # The beat heartbeat's alert (tracker/heartbeat.py): hourly, emails once per silence.
    sender.add_periodic_task(
        crontab(minute=17),
        sender.signature("tracker.tasks.check_sweep_heartbeat"),
        name="check-sweep-heartbeat",
    )
    # The national view's recurring findings and directions (reports/national.py), recomputed
    # from published data every NATIONAL_VIEW_REFRESH_MINUTES (an interval, in seconds).
    sender.add_periodic_task(
        settings.NATIONAL_VIEW_REFRESH_MINUTES * 60,
        sender.signature("reports.tasks.refresh_national_figures"),
        name="refresh-national-figures",
    )
