"""Real Celery processes for the tests that need them (tests/actions/test_celery_worker.py,
tests/test_scale_out.py): started against the real Redis, their output in a log file, every
wait time-bound, killed at the end. PostgreSQL layer only: another process cannot see SQLite's
in-memory test database.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def wait_for(what, check, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


def redis_or_skip(url, purpose):
    """`url` if a Redis server answers there within 2 seconds; otherwise skip, saying why."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {url} ({exc}): no {purpose}")
    return url


def process_env(redis_url, tmp_path, *, settings_module, name):
    """The environment of a worker or beat that shares this test's database, a queue and Redis
    keys of its own, and a folder its file mail backend writes to."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: other processes cannot see SQLite's in-memory test database")
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    run = f"{name}-{uuid.uuid4().hex[:12]}"
    (tmp_path / "mail").mkdir()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REMINDER_TEST_BROKER_URL": redis_url,
        "REMINDER_TEST_QUEUE": run,
        "REMINDER_TEST_KEY_PREFIX": f"{run}:",
        "REMINDER_TEST_MAIL_DIR": str(tmp_path / "mail"),
        "REMINDER_TEST_HOLD": str(tmp_path / "hold"),
        "REMINDER_TEST_SENDING": str(tmp_path / "sending"),
    }


def broker_idle(env):
    """True when this test's queue is empty and no message is held unacknowledged by a worker:
    then nothing more can be delivered (acks_late acknowledges a task only once it has run)."""
    keys = redis.Redis.from_url(env["REMINDER_TEST_BROKER_URL"])
    prefix = env["REMINDER_TEST_KEY_PREFIX"]
    return keys.llen(f"{prefix}{env['REMINDER_TEST_QUEUE']}") == 0 and not keys.hlen(
        f"{prefix}unacked"
    )


def forget_redis_keys(env):
    """Leave nothing of this test's behind in the shared Redis."""
    keys = redis.Redis.from_url(env["REMINDER_TEST_BROKER_URL"])
    for key in keys.scan_iter(match=f"{env['REMINDER_TEST_KEY_PREFIX']}*"):
        keys.delete(key)


class CeleryProcess:
    """`celery -A tracker COMMAND...` in its own session, its output in `log`."""

    def __init__(self, command, env, log):
        self.command, self.env, self.log, self.process = command, env, log, None

    def start(self, ready, timeout=45):
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
            timeout=timeout,
        )
        assert self.process.poll() is None, f"It exited:\n{self.log.read_text()}"

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def count(self, text):
        return self.log.read_text().count(text)


def mail_sent(env):
    """(to, subject) of every message the processes' file mail backend wrote."""
    messages = []
    for file in sorted(Path(env["REMINDER_TEST_MAIL_DIR"]).glob("*.log")):
        headers = [line for line in file.read_text().splitlines() if ":" in line]
        to = [line[4:] for line in headers if line.startswith("To: ")]
        subjects = [line[9:] for line in headers if line.startswith("Subject: ")]
        messages += list(zip(to, subjects, strict=True))
    return sorted(messages)
