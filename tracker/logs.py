"""Structured logging: JSON lines, a request id on every record, and Celery task start/finish.

The request id comes from a sane X-Request-ID header (a proxy's or load balancer's) or is made
here; it is returned on the response and added to every log record through a contextvar, so the
lines of one request can be found together. In a Celery task the task id plays the same part.

Calendar feed addresses carry their secret in the path (/calendar/<secret>/mine.ics), so no log
line the app writes shows that part of a path: Django's (the console handler's filter and the
JSON formatter), gunicorn's access log (tracker/access_log.py) and error reports to Sentry pass it
through redact_secrets.
"""

import contextlib
import contextvars
import datetime
import inspect
import json
import logging
import re
import uuid

from celery import signals

request_id = contextvars.ContextVar("request_id", default="-")

HEADER = "X-Request-ID"
# Letters, digits and . _ : - only, 8 to 128 of them: anything else could forge log lines.
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


# The path segment after /calendar/ is a feed's secret, whether right, wrong or revoked.
CALENDAR_SECRET = re.compile(r"(/calendar/)[^/\s\"'?&]+")


def redact_secrets(text):
    return CALENDAR_SECRET.sub(r"\1[secret]", text)


def scrub_sentry_event(event, hint=None):
    """Sentry's before_send: calendar secrets out of every string of an error report (its
    request URL, breadcrumbs, messages), before it leaves the server."""
    if isinstance(event, str):
        return redact_secrets(event)
    if isinstance(event, dict):
        return {key: scrub_sentry_event(value) for key, value in event.items()}
    if isinstance(event, list | tuple):
        return [scrub_sentry_event(value) for value in event]
    return event


class RedactSecretsFilter(logging.Filter):
    """Take calendar secrets out of a record's message (e.g. Django's "Not Found: <path>")."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RequestIdFilter(logging.Filter):
    """Put the current request (or task) id on every record as `request_id`."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, extras."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Extras too (Django's request logs carry the request, whose text is its path).
        return redact_secrets(json.dumps(entry, default=str))


class RequestIdMiddleware:
    """Give each request an id (X-Request-ID if sane, else a new one) and return it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        value = given if SANE_ID.match(given) else uuid.uuid4().hex
        request.request_id = value
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response


# Celery tasks: start, finish, retry and failure, with the ids the task was given. Only arguments
# named *_id or *_ids (and the sweep's date) are logged: no address or email body reaches the logs.
task_logger = logging.getLogger("tracker.tasks")
_task_tokens = {}


def _task_ids(task, args, kwargs):
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))
    except (TypeError, ValueError):
        return {}
    return {
        key: value
        for key, value in bound.arguments.items()
        if key.endswith(("_id", "_ids")) or key == "date"
    }


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, args=None, kwargs=None, **_):
    _task_tokens[task_id] = request_id.set(task_id or "-")
    ids = _task_ids(task, args, kwargs)
    task_logger.info("Task started", extra={"task": task.name, "task_id": task_id, **ids})


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, args=None, kwargs=None, state=None, **_):
    task_logger.info(
        "Task finished",
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            **_task_ids(task, args, kwargs),
        },
    )
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        # A token set in another context (a thread pool) cannot be reset: nothing to restore.
        with contextlib.suppress(ValueError):
            request_id.reset(token)


@signals.task_retry.connect
def _task_retrying(request=None, reason=None, **_):
    task_logger.warning(
        "Task will be retried",
        extra={"task": request.task, "task_id": request.id, "error_type": type(reason).__name__},
    )


@signals.task_failure.connect
def _task_failed(task_id=None, exception=None, sender=None, args=None, kwargs=None, **_):
    # The error's type only: an SMTP error's text can hold addresses.
    task_logger.error(
        "Task failed",
        extra={
            "task": sender.name,
            "task_id": task_id,
            "error_type": type(exception).__name__,
            **_task_ids(sender, args, kwargs),
        },
    )
