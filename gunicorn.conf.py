"""Gunicorn settings for the web process (Procfile, docs/deploy/tracker-web.service).

Read by `gunicorn tracker.wsgi` from the working directory. Process settings only: the app's own
settings come from the environment through tracker/settings.py.
"""

import os

# Behind a reverse proxy on the same machine by default; PORT (a platform's) listens on all.
bind = os.environ.get("GUNICORN_BIND") or (
    f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
)
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
graceful_timeout = 30
# No gunicornc control socket: systemd manages the process, and the socket would be written under
# $HOME, which the unit makes read-only.
control_socket_disable = True
# Access log to stderr with the request id the app puts on every response and log line.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# Calendar feed secrets (in the URL path) are masked in every access log line.
logger_class = "tracker.access_log.AccessLogger"
# gunicorn's own lines (start-up, errors, the access log) in the app's format: JSON lines in
# production, decided from DJANGO_ENV and LOG_FORMAT as tracker/settings.py decides.
_default_format = "json" if os.environ.get("DJANGO_ENV") == "production" else "text"
if (os.environ.get("LOG_FORMAT") or _default_format) == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "tracker.logs.JsonFormatter"}},
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            name: {"handlers": ["json"], "level": "INFO", "propagate": False}
            for name in ("gunicorn.error", "gunicorn.access")
        },
    }
