"""Scale-out: two Celery workers and one beat on the real Redis share the sweep's work, and
every digest is sent exactly once however many sweeps and duplicate send tasks they run.

This is how the tracker scales (docs/deploy.md, "Scaling"): more workers pointing at the same
PostgreSQL and Redis, no coordination of our own. PostgreSQL layer only (the processes must share
the test database); skipped, saying why, when Redis is unreachable. Every wait is time-bound and
every process is killed when the test ends.
"""

import datetime
import os
import uuid
from collections import Counter

import pytest

from actions.models import Reminder
from tests.celery_processes import (
    CeleryProcess,
    forget_redis_keys,
    mail_sent,
    process_env,
    redis_or_skip,
    wait_for,
)
from tests.factories import ActionFactory, persona
from tracker import roles
from tracker.models import Heartbeat

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/13")
OWNERS = 12
WAIT = 60  # seconds; no wait in this module is longer


@pytest.fixture(scope="module")
def redis_url():
    return redis_or_skip(REDIS_URL, "scale-out test")


@pytest.fixture
def cluster_env(redis_url, transactional_db, tmp_path):
    env = process_env(
        redis_url, tmp_path, settings_module="tests.scale_out_settings", name="scale-out"
    )
    started = []
    yield env, started
    for process in started:
        process.kill()
    forget_redis_keys(env)


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
        worker = CeleryProcess(command, env, tmp_path / f"worker-{number}.log")
        started.append(worker)
        worker.start(ready=" ready.", timeout=WAIT)
        workers.append(worker)
    beat = CeleryProcess(
        ["beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule"), "--pidfile="],
        env,
        tmp_path / "beat.log",
    )
    started.append(beat)
    beat.start(ready="beat: Starting", timeout=WAIT)

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
    # Which worker takes each second's sweep is the broker's choice: under load one worker can
    # take every sweep of the first few seconds. Both must have run one within WAIT.
    wait_for(
        "both workers to run a sweep",
        lambda: all(w.count("actions.tasks.send_due_reminders[") > 0 for w in workers),
        timeout=WAIT,
    )
    assert Counter(to for to, _ in mail_sent(env)) == sent  # and still no digest sent twice
    # The sweeps beat triggered recorded the heartbeat that /health/ reads.
    assert Heartbeat.objects.get(name=Heartbeat.REMINDER_SWEEP).last_success_at is not None
