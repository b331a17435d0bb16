"""A database connection PostgreSQL has dropped is replaced before the next request uses it."""

import io
import json
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.urls import reverse

from tracker.heartbeat import heartbeat_record


def test_kept_connections_are_health_checked(settings):
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0 or database["ENGINE"].endswith("sqlite3")


def _serve(path, cookie=""):
    """One request through Django's WSGI handler, as a gunicorn worker serves it: unlike the test
    client, this sends the request signals that check kept connections."""
    environ = {"PATH_INFO": path, "wsgi.input": io.BytesIO(b"")}
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    setup_testing_defaults(environ)
    statuses = []
    body = b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0]), body


def _terminate_other_backends():
    """What a PostgreSQL restart or failover does to the app: every connection to its database
    but this one is cut."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as killer:
        rows = killer.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_after_the_database_drops_connections_answer_200(client, opcc_officer, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: terminates the app's own server connections")
    settings.REDIS_URL = ""
    heartbeat_record()
    client.force_login(opcc_officer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    assert _serve(reverse("actions:list"), cookie)[0] == 200
    pid_before = connection.connection.info.backend_pid

    assert _terminate_other_backends() >= 1
    status, _ = _serve(reverse("actions:list"), cookie)
    assert status == 200
    assert connection.connection.info.backend_pid != pid_before

    assert _terminate_other_backends() >= 1
    status, body = _serve(reverse("health"))
    assert (status, json.loads(body)["checks"]["database"]) == (200, "ok")
