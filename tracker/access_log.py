"""gunicorn's access log with calendar feed secrets masked (gunicorn.conf.py's logger_class)."""

from gunicorn.glogging import Logger

from tracker.logs import redact_secrets


class AccessLogger(Logger):
    """Every value an access log line can print (request line, path, headers, environ) passes
    through tracker.logs.redact_secrets, so a feed's secret never reaches the log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_secrets(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
