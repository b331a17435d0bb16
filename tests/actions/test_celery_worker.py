"""Reminders through a real Celery worker process consuming from the real Redis on this machine.

PostgreSQL layer only (marked `postgres`): the worker is another process and must see the test
database, which on SQLite is in memory. Skipped, saying why, when Redis is unreachable. Every
wait is time-bound, and workers are killed when a test ends.
"""

import datetime
import os
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.http import HttpResponse
from django.urls import path

from actions import services
from actions.models import Action, Reminder
from tests.celery_processes import (
    CeleryProcess,
    broker_idle,
    forget_redis_keys,
    mail_sent,
    process_env,
    redis_or_skip,
    wait_for,
)
from tests.factories import ActionFactory
from tracker.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: an unreachable broker


@pytest.fixture(scope="module")
def redis_url():
    return redis_or_skip(REDIS_URL, "real-worker tests")


class Worker(CeleryProcess):
    """A `celery worker` process on the test's own queue."""

    def __init__(self, env, log):
        command = ["worker", "-P", "solo", "-Q", env["REMINDER_TEST_QUEUE"]]
        command += ["-n", f"{uuid.uuid4().hex}@%h", "-l", "INFO"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        super().__init__(command, env, log)

    def start(self):
        super().start(ready=" ready.")


@pytest.fixture
def worker_env(redis_url, transactional_db, tmp_path):
    return process_env(
        redis_url,
        tmp_path,
        settings_module="tests.actions.celery_worker_settings",
        name="reminders-test",
    )


@pytest.fixture
def workers(worker_env, tmp_path):
    started = []

    def start():
        worker = Worker(worker_env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.kill()
    forget_redis_keys(worker_env)


@pytest.fixture
def enqueue(worker_env):
    """Send a task to the test's queue, as beat would."""
    # Not the current app: the project's shared tasks must keep resolving to tracker's app.
    client = Celery(
        "reminders-test", broker=worker_env["REMINDER_TEST_BROKER_URL"], set_as_current=False
    )
    client.conf.broker_transport_options = {
        "global_keyprefix": worker_env["REMINDER_TEST_KEY_PREFIX"]
    }

    def send(task, **kwargs):
        client.send_task(
            f"actions.tasks.{task}", kwargs=kwargs, queue=worker_env["REMINDER_TEST_QUEUE"]
        )

    yield send
    client.close()


@pytest.fixture
def overdue_action(owner, opcc_officer, force):
    # 17 working days overdue on 20 March 2025: an overdue notice to the owner, and (past the 14
    # working days) an escalation to the lead.
    return ActionFactory(
        owner=owner,
        opcc_lead=opcc_officer,
        finding__inspection__force=force,
        deadline=datetime.date(2025, 2, 24),
    )


def sent_rows():
    return list(
        Reminder.objects.filter(status="sent").values_list("recipient__email", "kind", "attempts")
    )


def test_the_worker_sends_each_digest_once_and_a_second_run_sends_nothing(
    overdue_action, owner, opcc_officer, workers, enqueue, worker_env
):
    worker = workers()
    enqueue("send_due_reminders", date="2025-03-20")
    wait_for("two digests", lambda: len(mail_sent(worker_env)) == 2)
    wait_for("the outbox to record both", lambda: len(sent_rows()) == 2)
    assert sorted(sent_rows()) == sorted(
        [(owner.email, "overdue", 1), (opcc_officer.email, "escalation", 1)]
    )
    assert [to for to, _ in mail_sent(worker_env)] == sorted([owner.email, opcc_officer.email])

    enqueue("send_due_reminders", date="2025-03-20")
    wait_for(
        "the second sweep to finish",
        lambda: worker.log.read_text().count("send_due_reminders[") >= 4,  # received, succeeded
    )
    # Every message delivered and acknowledged: any digest the second sweep queued has run.
    wait_for("the queue to drain", lambda: broker_idle(worker_env))
    assert len(mail_sent(worker_env)) == 2
    assert Reminder.objects.count() == 2


def test_a_worker_killed_mid_send_leaves_the_digest_in_doubt_and_the_stranded_task_sends_it_once(
    overdue_action, owner, opcc_officer, workers, enqueue, worker_env
):
    hold = Path(worker_env["REMINDER_TEST_HOLD"])
    hold.touch()
    first = workers()
    enqueue("send_due_reminders", date="2025-03-20")
    wait_for("a send to start", Path(worker_env["REMINDER_TEST_SENDING"]).exists)
    first.kill()
    held = first.log.read_text().split("send_digest[")[-1].split("]")[0]  # the killed task's id
    assert mail_sent(worker_env) == []
    # The killed send had claimed its rows before calling the relay: they stay "sending", in
    # doubt (the relay may have taken the message), not pending to be sent again at once.
    assert sorted(Reminder.objects.values_list("status", flat=True)) == ["pending", "sending"]

    hold.unlink()
    second = workers()
    # The killed task itself came back, unacknowledged (acks_late), and sent nothing.
    wait_for(
        "the killed task to run again",
        lambda: f"send_digest[{held}] succeeded" in second.log.read_text(),
    )
    wait_for("the other digest", lambda: len(mail_sent(worker_env)) == 1)
    wait_for("the queue to drain", lambda: broker_idle(worker_env))
    assert len(mail_sent(worker_env)) == 1

    # The stranded task (beat, every 5 minutes) resends it: REMINDER_SENDING_STUCK_MINUTES is 0
    # in the worker's settings, so it is stuck at once.
    enqueue("send_stranded_notices")
    wait_for("the resent digest", lambda: len(mail_sent(worker_env)) == 2)
    wait_for("the queue to drain", lambda: broker_idle(worker_env))
    assert [to for to, _ in mail_sent(worker_env)] == sorted([owner.email, opcc_officer.email])
    assert sorted(sent_rows()) == sorted(
        [(owner.email, "overdue", 1), (opcc_officer.email, "escalation", 1)]
    )


def post_update(request, pk):
    """A minimal web view: the owner posts an update, which notifies the lead at once."""
    action = Action.objects.get(pk=pk)
    services.action_post_update(
        by=request.user,
        action=action,
        narrative=request.POST["narrative"],
        status="in_progress",
        rag="green",
        percent_complete=20,
    )
    return HttpResponse("Update saved.")


urlpatterns = [path("actions/<int:pk>/update/", post_update)]


@pytest.fixture
def unreachable_broker():
    """Point this process's Celery app at a closed port, as if Redis had stopped."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = CLOSED_PORT_URL
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.urls("tests.actions.test_celery_worker")
def test_with_redis_down_a_web_request_still_succeeds_and_the_next_sweep_sends_the_news(
    overdue_action,
    owner,
    opcc_officer,
    client,
    unreachable_broker,
    workers,
    enqueue,
    worker_env,
    caplog,
):
    opcc_officer.notify_changes_at_once = True
    opcc_officer.save()
    client.force_login(owner)
    started = time.monotonic()
    response = client.post(
        f"/actions/{overdue_action.pk}/update/", {"narrative": "Audit booked for April."}
    )
    assert response.status_code == 200 and response.content == b"Update saved."
    assert time.monotonic() - started < 15
    assert "the next sweep sends it" in caplog.text  # the enqueue really failed
    news = Reminder.objects.get()
    assert (news.recipient, news.kind, news.status) == (opcc_officer, "update_posted", "pending")

    workers()
    enqueue("send_due_reminders", date="2025-03-05")  # overdue, not yet escalated
    wait_for("the catch-up digests", lambda: len(mail_sent(worker_env)) == 2)
    wait_for("the outbox to record them", lambda: len(sent_rows()) == 2)
    assert sorted(sent_rows()) == sorted(
        [(owner.email, "overdue", 1), (opcc_officer.email, "update_posted", 1)]
    )
