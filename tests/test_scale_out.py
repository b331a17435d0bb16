"""Scale-out: two Celery workers and one beat on the real Redis share the sweep's work, and
every digest is sent exactly once however many sweeps and duplicate send tasks they run.

This is how the tracker scales (docs/deploy.md, "Scaling"): more workers pointing at the same
PostgreSQL and Redis, no coordination of our own. PostgreSQL layer only (the processes must share
the test database); skipped, saying why, when Redis is unreachable. Every wait is time-bound and
every process is killed when the test ends.
"""

import datetime
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.db import connection

from actions.models import Reminder
from tests.actions.test_celery_worker import mail_sent, wait_for
from tests.factories import ActionFactory, persona
from tracker import roles
from tracker.models import Heartbeat

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/13")
OWNERS = 12
WAIT = 60  # seconds; no wait in this module is longer


@pytest.fixture(scope="module")
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}): no scale-out test")
    return REDIS_URL


class Process:
    """A celery worker or beat in its own session, its output in a log file, killed at the end."""

    def __init__(self, command, env, log):
        self.command, self.env, self.log, self.process = command, env, log, None

    def start(self, ready):
        self.log.write_text("")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tracker", *self.command],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            f"{self.command[0]} to start",
            lambda: ready in self.log.read_text() or self.process.poll() is not None,
            timeout=WAIT,
        )
        assert self.process.poll() is None, f"It exited:\n{self.log.read_text()}"

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def count(self, text):
        return self.log.read_text().count(text)


@pytest.fixture
def cluster_env(redis_url, transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: other processes cannot see SQLite's in-memory test database")
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    run = uuid.uuid4().hex[:12]
    (tmp_path / "mail").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.scale_out_settings",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REMINDER_TEST_BROKER_URL": redis_url,
        "REMINDER_TEST_QUEUE": f"scale-out-{run}",
        "REMINDER_TEST_KEY_PREFIX": f"scale-out-{run}:",
        "REMINDER_TEST_MAIL_DIR": str(tmp_path / "mail"),
        "REMINDER_TEST_HOLD": str(tmp_path / "hold"),  # never created: no send is held
        "REMINDER_TEST_SENDING": str(tmp_path / "sending"),
    }
    started = []
    yield env, started
    for process in started:
        process.kill()
    keys = redis.Redis.from_url(redis_url)
    for key in keys.scan_iter(match=f"{env['REMINDER_TEST_KEY_PREFIX']}*"):
        keys.delete(key)


@pytest.fixture
def overdue_actions(force):
    # On 20 March 2025 each is 17 days overdue: one overdue notice to each owner (no lead set).
    owners = [persona(roles.ACTION_OWNER, force=force) for _ in range(OWNERS)]
    for owner in owners:
        ActionFactory(
            owner=owner, finding__inspection__force=force, deadline=datetime.date(2025, 3, 3)
        )
    return owners


def test_two_workers_and_one_beat_share_the_sweep_and_send_each_digest_once(
    overdue_actions, cluster_env, tmp_path
):
    env, started = cluster_env
    workers = []
    for number in range(2):
        command = ["worker", "-P", "solo", "-Q", env["REMINDER_TEST_QUEUE"], "-l", "INFO"]
        command += ["-n", f"scale-out-{number}-{uuid.uuid4().hex[:6]}@%h"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        worker = Process(command, env, tmp_path / f"worker-{number}.log")
        started.append(worker)
        worker.start(ready=" ready.")
        workers.append(worker)
    beat = Process(
        ["beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule"), "--pidfile="],
        env,
        tmp_path / "beat.log",
    )
    started.append(beat)
    beat.start(ready="beat: Starting")

    wait_for("every owner's digest", lambda: len(mail_sent(env)) >= OWNERS, timeout=WAIT)
    sweeps = lambda: sum(w.count("send_due_reminders[") for w in workers) // 2  # noqa: E731
    # Each sweep logs "received" and "succeeded". Let several more run after the sends:
    # each re-queues a digest for anyone still pending, and none may send twice.
    done = sweeps()
    wait_for("five more sweeps", lambda: sweeps() >= done + 5, timeout=WAIT)
    wait_for(
        "the queue to drain",
        lambda: not Reminder.objects.filter(status="pending").exists(),
        timeout=WAIT,
    )

    sent = Counter(to for to, _ in mail_sent(env))
    assert sent == Counter({owner.email: 1 for owner in overdue_actions})
    assert set(Reminder.objects.values_list("status", "attempts")) == {("sent", 1)}
    # The work was shared: both workers sent digests and both ran sweeps.
    digests = [w.count("Digest sent") for w in workers]
    assert sum(digests) == OWNERS and min(digests) >= 1, digests
    assert all(w.count("actions.tasks.send_due_reminders[") > 0 for w in workers)
    # The sweeps beat triggered recorded the heartbeat that /health/ reads.
    assert Heartbeat.objects.get(name=Heartbeat.REMINDER_SWEEP).last_success_at is not None
