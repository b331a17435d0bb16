"""/health/: open to all, one "ok" or "failing" per check, 200 or 503, and never hangs."""

import datetime
import json
import socket
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.celery_processes import redis_or_skip
from tracker import health
from tracker.heartbeat import heartbeat_record
from tracker.models import Heartbeat

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2025, 3, 20, 12, 0, tzinfo=LONDON)
REAL_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def swept_recently():
    heartbeat_record(at=NOW - datetime.timedelta(hours=5))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def get_health(client):
    response = client.get(reverse("health"))
    return response, json.loads(response.content)


def test_all_checks_ok_gives_200_and_only_ok_per_check(client, frozen, swept_recently, settings):
    settings.REDIS_URL = ""
    response, body = get_health(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert body == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "storage": "ok",
            "reminder_sweep": "ok",
            "reminder_delivery": "ok",
        },
        "reminders": {"failed": 0, "stuck": 0},
    }


@pytest.mark.parametrize(
    "persona",
    ["anonymous", "opcc_officer", "owner", "other_force_owner", "panel_member", "administrator"],
)
def test_every_role_and_anonymous_get_the_same_answer_without_sign_in(
    persona, request, client, frozen, swept_recently, settings
):
    settings.REDIS_URL = ""
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["status"] == "ok"


def test_post_is_refused(client):
    assert client.post(reverse("health")).status_code == 405


def test_no_sweep_within_the_window_fails_with_503(client, settings):
    settings.REDIS_URL = ""
    heartbeat_record(at=NOW - datetime.timedelta(hours=26, minutes=1))
    with time_machine.travel(NOW, tick=False):
        response, body = get_health(client)
    assert response.status_code == 503
    assert body == {
        "status": "failing",
        "checks": {
            "database": "ok",
            "storage": "ok",
            "reminder_sweep": "failing",
            "reminder_delivery": "ok",
        },
        "reminders": {"failed": 0, "stuck": 0},
    }


def test_the_window_is_a_setting(client, settings):
    settings.REDIS_URL = ""
    settings.SWEEP_HEARTBEAT_HOURS = 48
    heartbeat_record(at=NOW - datetime.timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        response, _ = get_health(client)
    assert response.status_code == 200


def test_a_sweep_that_never_ran_is_failing(client, settings):
    settings.REDIS_URL = ""
    assert not Heartbeat.objects.exists()
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["checks"]["reminder_sweep"] == "failing"


def test_the_send_reminders_sweep_records_the_heartbeat_and_health_recovers(client, settings):
    settings.REDIS_URL = ""
    heartbeat_record(at=NOW - datetime.timedelta(days=3))
    with time_machine.travel(NOW, tick=False):
        assert get_health(client)[0].status_code == 503
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        response, _ = get_health(client)
    assert response.status_code == 200
    assert Heartbeat.objects.get().last_success_at == NOW


def test_a_dry_run_or_the_weekly_summary_does_not_count_as_the_daily_sweep(client, settings):
    settings.REDIS_URL = ""
    with time_machine.travel(NOW, tick=False):
        call_command("send_reminders", "--dry-run", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_reminders", "--weekly", stdout=open("/dev/null", "w"))  # noqa: SIM115
        response, _ = get_health(client)
    assert response.status_code == 503
    swept = Heartbeat.objects.filter(name=Heartbeat.REMINDER_SWEEP, last_success_at__isnull=False)
    assert not swept.exists()


def test_unwritable_private_storage_is_failing(client, frozen, swept_recently, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "not-mounted"
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["checks"]["storage"] == "failing"
    assert list(tmp_path.iterdir()) == []  # the check created nothing


def test_a_database_error_is_failing_and_its_reason_is_logged_not_shown(
    client, frozen, swept_recently, settings, monkeypatch, caplog
):
    settings.REDIS_URL = ""

    def broken():
        raise RuntimeError("password authentication failed for user tracker")

    monkeypatch.setattr(health, "check_database", broken)
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["checks"]["database"] == "failing"
    assert b"password" not in response.content
    assert "password authentication failed" in caplog.text


def test_unreachable_redis_is_failing_within_the_timeout(client, frozen, swept_recently, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response, body = get_health(client)
    assert time.monotonic() - started < 2 * health.REDIS_TIMEOUT + 1
    assert response.status_code == 503
    assert body["checks"]["redis"] == "failing"


@pytest.fixture
def silent_server():
    """A TCP port on 127.0.0.1 that takes connections and never says a word: a hung Redis."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def test_a_redis_that_never_answers_does_not_hang_the_probe(
    client, frozen, swept_recently, settings, silent_server
):
    # The connection is accepted (by the kernel) but nothing ever replies: only the check's own
    # timeout ends the wait.
    settings.REDIS_URL = f"redis://127.0.0.1:{silent_server}/0"
    started = time.monotonic()
    response, body = get_health(client)
    assert time.monotonic() - started < 2 * health.REDIS_TIMEOUT + 1
    assert (response.status_code, body["checks"]["redis"]) == (503, "failing")


@pytest.mark.redis
def test_a_reachable_redis_is_ok(client, frozen, swept_recently, settings):
    settings.REDIS_URL = redis_or_skip(REAL_REDIS, "reachable-Redis health check")
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["checks"]["redis"] == "ok"


def test_health_makes_five_queries(
    client, frozen, swept_recently, settings, django_assert_num_queries
):
    settings.REDIS_URL = ""
    # Database check, sweep heartbeat; delivery heartbeat, failed reminders, stuck reminders.
    with django_assert_num_queries(5):
        assert get_health(client)[0].status_code == 200


def test_health_is_exempt_from_the_https_redirect_for_load_balancer_probes(
    client, frozen, swept_recently, settings
):
    settings.REDIS_URL = ""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("home")).status_code == 301
