"""Logs: request ids on every record, JSON in production, task logs with ids only, Sentry opt-in."""

import datetime
import io
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
import time_machine
from django.urls import reverse

from actions import tasks
from actions.reminders.sweep import reminders_sweep
from tracker.celery import app
from tracker.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "tracker.example.org",
    "DATABASE_URL": "postgres://tracker@127.0.0.1:5432/tracker",
}


@pytest.fixture
def log_lines():
    """The configured console handler's output, as JSON lines, while the test runs."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    stream, formatter = io.StringIO(), handler.formatter
    old_stream = handler.setStream(stream)
    handler.setFormatter(JsonFormatter())
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(old_stream)
    handler.setFormatter(formatter)


def test_a_request_gets_a_new_id_on_its_response(client):
    response = client.get(reverse("home"))
    assert len(response["X-Request-ID"]) == 32
    assert client.get(reverse("home"))["X-Request-ID"] != response["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get(reverse("home"), headers={"X-Request-ID": "lb-7f3a9c21.0001"})
    assert response["X-Request-ID"] == "lb-7f3a9c21.0001"


@pytest.mark.parametrize(
    "given", ["short", "has space in it", "x" * 129, 'quote"injection"1234', "line\\nbreak12"]
)
def test_an_insane_incoming_request_id_is_replaced(client, given):
    response = client.get(reverse("home"), headers={"X-Request-ID": given})
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_every_log_record_of_a_request_carries_its_id(client, log_lines, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("health"), headers={"X-Request-ID": "probe-0000001"})
    assert response.status_code == 503  # no sweep yet: the check logs why
    lines = [line for line in log_lines() if line["logger"] == "tracker.health"]
    assert lines and {line["request_id"] for line in lines} == {"probe-0000001"}
    assert lines[0]["level"] == "ERROR"
    assert lines[0]["message"].startswith("Health check reminder_sweep failing")
    assert lines[0]["time"].endswith("+00:00")
    # Outside a request the id is "-".
    logging.getLogger("tracker.test").warning("after")
    assert log_lines()[-1]["request_id"] == "-"


def test_the_json_formatter_keeps_extras_and_exceptions():
    record = logging.LogRecord("tracker.x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    record.action_id = 42
    try:
        raise ValueError("bad")
    except ValueError:
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom now" and entry["action_id"] == 42
    assert entry["exception"].endswith("ValueError: bad")


def test_tasks_log_start_and_finish_with_ids_but_no_address_or_body(
    action, owner, log_lines, mailoutbox
):
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(datetime.datetime(2025, 3, 4, 7, tzinfo=datetime.UTC), tick=False):
        reminders_sweep()
        tasks.send_digest.delay(owner.pk)
    assert len(mailoutbox) == 1
    lines = log_lines()
    started = [line for line in lines if line["message"] == "Task started"]
    finished = [line for line in lines if line["message"] == "Task finished"]
    assert [(line["task"], line["recipient_id"]) for line in started] == [
        ("actions.tasks.send_digest", owner.pk)
    ]
    assert finished[0]["state"] == "SUCCESS" and finished[0]["recipient_id"] == owner.pk
    sent = next(line for line in lines if line["message"] == "Digest sent")
    assert (sent["recipient_id"], sent["action_ids"], sent["reminders"]) == (
        owner.pk,
        [action.pk],
        1,
    )
    # Lines logged inside the task carry the task id as their request id.
    assert sent["request_id"] == started[0]["task_id"]
    everything = json.dumps(lines)
    assert owner.email not in everything
    assert action.title not in everything and mailoutbox[0].subject not in everything


def test_a_failed_task_logs_the_error_type_only(action, owner, log_lines, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    from tests.actions.reminder_mail_backends import FlakyBackend

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(tasks.send_digest, "max_retries", 0)
    action.deadline = datetime.date(2025, 3, 3)
    action.save()
    with time_machine.travel(datetime.datetime(2025, 3, 4, 7, tzinfo=datetime.UTC), tick=False):
        reminders_sweep()
        FlakyBackend.failures = 5
        tasks.send_digest.apply(args=[owner.pk])
    FlakyBackend.failures = 0
    failed = [line for line in log_lines() if line["message"] == "Task failed"]
    assert [(line["error_type"], line["recipient_id"]) for line in failed] == [
        ("SMTPServerDisconnected", owner.pk)
    ]
    assert owner.email not in json.dumps(log_lines())


def _run(code, **env):
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "SENTRY_DSN"}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_logs_json_lines():
    code = "import logging; logging.getLogger('tracker.x').warning('hello', extra={'action_id': 5})"
    result = _run(code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert (entry["message"], entry["action_id"], entry["request_id"]) == ("hello", 5, "-")


def test_development_logs_readable_text():
    result = _run("import logging; logging.getLogger('tracker.x').warning('hello')")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("WARNING tracker.x [-] hello")


def test_a_malformed_log_format_is_refused():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text, not 'xml'" in result.stderr


def test_sentry_is_not_started_without_a_dsn():
    assert not sentry_sdk.get_client().is_active()
    result = _run("import sentry_sdk; print(sentry_sdk.get_client().is_active())", **PRODUCTION_ENV)
    assert result.stdout.strip() == "False", result.stderr


def test_sentry_starts_with_a_dsn_and_sends_no_personal_data_or_local_variables():
    code = (
        "import sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['send_default_pii'], "
        "c.options['include_local_variables'], c.options['environment'], "
        "c.options['before_send'].__name__)"
    )
    result = _run(code, **PRODUCTION_ENV, SENTRY_DSN="https://key@sentry.example.invalid/1")
    assert result.stdout.strip() == "True False False production scrub_sentry_event", result.stderr


def test_an_error_report_to_sentry_carries_no_calendar_secret():
    from tracker.logs import scrub_sentry_event

    secret = "cal_" + secrets.token_urlsafe(32)
    event = {
        "request": {"url": f"https://tracker.example.org/calendar/{secret}/mine.ics"},
        "breadcrumbs": {"values": [{"message": f"GET /calendar/{secret}/opcc.ics", "level": 20}]},
        "level": "error",
    }
    scrubbed = scrub_sentry_event(event, {})
    assert secret not in json.dumps(scrubbed)
    assert scrubbed["request"]["url"] == "https://tracker.example.org/calendar/[secret]/mine.ics"
    assert scrubbed["breadcrumbs"]["values"][0]["level"] == 20


def test_a_calendar_secret_never_reaches_the_apps_log(client, log_lines, owner):
    from tracker import services
    from tracker.models import AccessToken

    secret = services.access_token_issue(user=owner, kind=AccessToken.Kind.CALENDAR)
    assert client.get(reverse("api:calendar_mine", args=[secret])).status_code == 200
    AccessToken.objects.all().delete()  # revoked: now a 404, which Django logs with its path
    assert client.get(reverse("api:calendar_mine", args=[secret])).status_code == 404
    lines = log_lines()
    assert any("/calendar/[secret]/mine.ics" in json.dumps(line) for line in lines)
    assert not any(secret in json.dumps(line) for line in lines)


def test_gunicorns_access_log_masks_calendar_secrets():
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config

    from tracker.access_log import AccessLogger

    secret = "cal_" + secrets.token_urlsafe(32)
    path = f"/calendar/{secret}/mine.ics"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = AccessLogger(Config()).atoms(response, [], environ, dt.timedelta(seconds=1))
    assert atoms["r"] == "GET /calendar/[secret]/mine.ics HTTP/1.1"
    assert secret not in json.dumps(atoms, default=str)
