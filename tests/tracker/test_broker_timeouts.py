"""A broker that stops answering cannot hold a request: enqueueing fails within seconds, and the
visibility timeout fits the longest task, so a killed worker's task comes back within the hour."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from actions import tasks
from tests.tracker.test_settings import ROOT
from tracker.celery import app

SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "connection_timeout": settings.CELERY_BROKER_CONNECTION_TIMEOUT,
    "transport": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "publish_retries": settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"],
}))
"""

ENQUEUE = """
import time
import django
django.setup()
from actions.tasks import send_digest
started = time.monotonic()
try:
    send_digest.delay(1)
    outcome = "returned"
except Exception as error:
    outcome = type(error).__name__
print(outcome, time.monotonic() - started)
"""


def _python(code, timeout=60, **env):
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": "",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _settings(**env):
    result = _python(f"import django\ndjango.setup()\n{SETTINGS}", **env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_broker_timeouts_have_short_defaults_and_come_from_the_environment():
    default = _settings()
    assert default["connection_timeout"] == 3
    assert default["transport"]["socket_connect_timeout"] == 3
    assert default["transport"]["socket_timeout"] == 3
    assert default["transport"]["visibility_timeout"] == 35 * 60
    assert default["publish_retries"] == 1

    chosen = _settings(BROKER_TIMEOUT="7", BROKER_VISIBILITY_TIMEOUT="3600")
    assert chosen["connection_timeout"] == 7
    assert chosen["transport"]["socket_connect_timeout"] == 7
    assert chosen["transport"]["socket_timeout"] == 7
    assert chosen["transport"]["visibility_timeout"] == 3600


def test_a_malformed_broker_timeout_is_refused_with_its_name():
    result = _python("import django\ndjango.setup()", BROKER_TIMEOUT="soon")
    assert result.returncode != 0
    assert "BROKER_TIMEOUT must be a whole number, not 'soon'" in result.stderr


def test_the_visibility_timeout_fits_the_longest_task_and_retry_wait():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    # A task still running is never handed to a second worker...
    assert visibility > app.conf.task_time_limit > app.conf.task_soft_time_limit
    # ...nor a digest waiting for its last retry (exponential backoff, capped)...
    digest = tasks.send_digest
    longest_wait = min(
        digest.retry_backoff_max, digest.retry_backoff * 2 ** (digest.max_retries - 1)
    )
    assert visibility > longest_wait
    # ...and a task a killed worker held comes back within the hour, not two.
    assert visibility <= 60 * 60


@pytest.fixture
def silent_port():
    """A port on 127.0.0.1 that accepts connections into its backlog and never answers: a hung
    Redis, as seen from a client."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield listener.getsockname()[1]
    listener.close()


def test_enqueueing_to_a_silent_broker_gives_up_within_seconds(silent_port):
    started = time.monotonic()
    result = _python(ENQUEUE, timeout=45, REDIS_URL=f"redis://127.0.0.1:{silent_port}/0")
    assert result.returncode == 0, result.stderr[-2000:]
    outcome, seconds = result.stdout.split()
    # Raised (the enqueue code decides what to do with it), after the timeouts, not a hang.
    assert outcome != "returned"
    assert float(seconds) < 10, (outcome, seconds)
    assert time.monotonic() - started < 30
