"""The beat heartbeat: one alert per silence, and a banner for administrators and OPCC staff."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.actions.reminder_mail_backends import FlakyBackend
from tests.factories import UserFactory
from tracker import tasks
from tracker.heartbeat import heartbeat_record
from tracker.models import Heartbeat

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
LAST_SWEEP = datetime.datetime(2025, 3, 19, 7, 0, tzinfo=LONDON)
BANNER = "Reminders may have stopped"


def hours_after_sweep(hours):
    return time_machine.travel(LAST_SWEEP + datetime.timedelta(hours=hours), tick=False)


def check():
    """The hourly beat task, run as the worker would (tasks are inline in tests)."""
    return tasks.check_sweep_heartbeat.delay().get()


@pytest.fixture
def admins(administrator, opcc_officer, settings):
    settings.ADMINS = [("IT team", "it-team@example.org")]
    heartbeat_record(at=LAST_SWEEP)
    return administrator


def test_no_alert_while_the_sweep_is_within_the_window(admins):
    with hours_after_sweep(26):
        assert check() == 0
    assert mail.outbox == []


def test_a_stale_sweep_emails_each_administrator_once_per_silence(admins, administrator):
    with hours_after_sweep(27):
        assert check() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [administrator.email, "it-team@example.org"]
    )
    message = mail.outbox[0]
    assert message.subject == "Action tracker: reminders may have stopped (no sweep for 26 hours)"
    assert "The last successful sweep finished at 07:00 on 19 March 2025" in message.body
    html = message.alternatives[0][0]
    assert "The last successful sweep finished at 07:00 on 19 March 2025" in html
    for hours in (28, 40, 100):  # the hourly check goes on running: nothing more is sent
        with hours_after_sweep(hours):
            assert check() == 0
    assert len(mail.outbox) == 2


def test_after_recovery_a_new_silence_alerts_again(admins):
    with hours_after_sweep(27):
        check()
    heartbeat_record(at=LAST_SWEEP + datetime.timedelta(hours=30))  # the sweep ran again
    with hours_after_sweep(31):
        assert check() == 0
    with hours_after_sweep(30 + 27):
        assert check() == 2
    assert len(mail.outbox) == 4


def test_a_sweep_that_never_ran_alerts_once(administrator):
    assert check() == 1
    assert "No sweep has finished since the tracker was installed" in mail.outbox[0].body
    assert check() == 0
    assert len(mail.outbox) == 1


def test_opcc_staff_and_owners_are_not_emailed(admins, owner, opcc_officer):
    with hours_after_sweep(27):
        check()
    recipients = {message.to[0] for message in mail.outbox}
    assert opcc_officer.email not in recipients and owner.email not in recipients


def test_inactive_administrators_are_not_emailed(admins, administrator, settings):
    settings.ADMINS = []
    administrator.is_active = False
    administrator.save()
    with hours_after_sweep(27):
        assert check() == 0
    assert mail.outbox == []


def test_a_failed_send_is_tried_again_at_the_next_check(admins, settings):
    settings.ADMINS = []
    settings.EMAIL_BACKEND = "tests.actions.reminder_mail_backends.FlakyBackend"
    FlakyBackend.failures = 1
    with hours_after_sweep(27), pytest.raises(Exception, match="Connection unexpectedly closed"):
        check()
    assert mail.outbox == []
    with hours_after_sweep(28):
        assert check() == 1
    assert len(mail.outbox) == 1


def test_the_command_reports_ok_or_stale_and_alerts_once(admins, capsys):
    with hours_after_sweep(2):
        call_command("check_sweep_heartbeat")
    assert "ok: the reminder sweep last finished 2025-03-19 07:00 GMT." in capsys.readouterr().out
    with hours_after_sweep(27), pytest.raises(CommandError, match="2 administrator alert"):
        call_command("check_sweep_heartbeat")
    with hours_after_sweep(28), pytest.raises(CommandError, match="0 administrator alert"):
        call_command("check_sweep_heartbeat")
    assert len(mail.outbox) == 2  # the command and the beat task share the once-per-silence claim
    with hours_after_sweep(29):
        assert check() == 0


def test_beat_schedules_the_hourly_check():
    from tracker.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["check-sweep-heartbeat"]
    assert entry["task"] == "tracker.tasks.check_sweep_heartbeat"
    assert entry["schedule"].minute == {17} and len(entry["schedule"].hour) == 24


# The banner


@pytest.mark.parametrize(
    ("persona", "url", "shown"),
    [
        ("anonymous", "home", False),
        ("administrator", "home", True),
        ("opcc_officer", "actions:dashboard", True),
        ("owner", "actions:dashboard", False),
        ("other_force_owner", "actions:dashboard", False),
        ("panel_member", "home", False),
    ],
)
def test_only_administrators_and_opcc_staff_see_the_stale_banner(
    persona, url, shown, request, client
):
    heartbeat_record(at=LAST_SWEEP)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    with hours_after_sweep(27):
        response = client.get(reverse(url))
    assert response.status_code == 200
    assert (BANNER in response.content.decode()) is shown


@pytest.mark.parametrize(
    ("persona", "url"), [("administrator", "home"), ("opcc_officer", "actions:dashboard")]
)
def test_no_banner_while_the_sweep_is_on_time(persona, url, request, client):
    heartbeat_record(at=LAST_SWEEP)
    client.force_login(request.getfixturevalue(persona))
    with hours_after_sweep(25):
        response = client.get(reverse(url))
    assert response.status_code == 200
    assert BANNER not in response.content.decode()


def test_administrators_see_the_warning_in_django_admin(client):
    heartbeat_record(at=LAST_SWEEP)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    with hours_after_sweep(27):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert BANNER in response.content.decode()


def test_the_banner_costs_owners_no_query(owner, client):
    # Owners never see it, so the heartbeat is never read for them.
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("actions:dashboard"))
    assert not any("tracker_heartbeat" in query["sql"] for query in queries.captured_queries)
    assert Heartbeat.objects.count() == 0


def test_a_sweep_finishing_while_the_check_runs_cancels_the_alert(admins, monkeypatch):
    real_get_or_create = Heartbeat.objects.get_or_create

    def read_then_sweep_finishes(**kwargs):
        row = real_get_or_create(**kwargs)
        heartbeat_record(at=LAST_SWEEP + datetime.timedelta(hours=27))  # another process
        return row

    monkeypatch.setattr(Heartbeat.objects, "get_or_create", read_then_sweep_finishes)
    with hours_after_sweep(27):
        assert check() == 0
    assert mail.outbox == []
    assert Heartbeat.objects.get().alerted_at is None
