"""Settings for the Celery worker that test_celery_worker.py starts: the test database (from
DATABASE_URL), the real Redis on a queue and key prefix of its own, and mail written to files."""

import os

from tracker.test_settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["REMINDER_TEST_BROKER_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["REMINDER_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Production's connect and socket timeouts, so the real worker runs with them.
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": os.environ["REMINDER_TEST_KEY_PREFIX"],
    # Short, so a message left unacknowledged by a killed worker comes back within the test.
    # Production keeps the long timeout in tracker/settings.py.
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
EMAIL_BACKEND = "tests.actions.reminder_mail_backends.HoldingFileBackend"
EMAIL_FILE_PATH = os.environ["REMINDER_TEST_MAIL_DIR"]
REMINDER_RETRY_BACKOFF = 1
# A digest left "sending" by a killed worker is stuck at once, so the stranded task's resend is
# seen within the test. Production waits 15 minutes (tracker/settings.py).
REMINDER_SENDING_STUCK_MINUTES = 0
