"""Settings for the scale-out test's workers and beat: the real-worker settings, plus a sweep
every second (as if each second were 07:00) and a mail backend slow enough to share the work."""

from tests.actions.celery_worker_settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "scale-out-sweep": {
        "task": "actions.tasks.send_due_reminders",
        "schedule": 1.0,
        "kwargs": {"date": "2025-03-20"},
    }
}
EMAIL_BACKEND = "tests.scale_out_mail.SlowFileBackend"
