"""Fault injection: the reminder pipeline against real PostgreSQL, Redis, a Celery worker and SMTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/12 \\
        python scripts/fault_injection.py

It creates its own database (tracker_faults_<pid>) on that PostgreSQL server, migrates it, starts
a local SMTP sink (which can accept, stall or refuse) and a Celery worker on the given Redis
database, and runs four scenarios (docs/deploy.md, "Delivery"):

1. three sends of one person's digest at once (two threads and the worker) -> one digest;
2. a broker port that accepts connections and never answers -> saving an update still answers
   within seconds, and the notice waits in the outbox;
3. PostgreSQL refusing connections when the daily sweep runs -> the sweep is retried the same
   London day and the digest goes;
4. a worker killed after the relay accepted a digest, before it was recorded -> the stranded
   task resends it with the same Message-ID.

It prints one figure per scenario and exits 1 if any fails. Then it stops the worker, drops the
database and deletes the Redis database's keys. Loopback only; never point it at production.
Not part of `make test`: it takes about a minute.
"""

import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from email import message_from_bytes
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
DB_NAME = f"tracker_faults_{os.getpid()}"


def loopback_only(url):
    host = re.sub(r"^\w+://([^@/]*@)?", "", url).split("/")[0].split(":")[0]
    if host not in {"127.0.0.1", "localhost", "::1", ""}:
        sys.exit(f"Refusing {host}: the harness only talks to this machine.")


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# The SMTP sink


class Sink:
    """Messages received, and how to answer the next DATA: "accept", "stall" (hold the reply
    until released) or "refuse" (451)."""

    def __init__(self):
        self.messages, self.mode, self.release = [], "accept", threading.Event()
        self.stalled = threading.Event()

    def received(self, to):
        return [message for message in self.messages if message["To"] == to]


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 sink")
            elif verb in {"MAIL", "RCPT", "RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                body = b""
                while (chunk := self.rfile.readline()) not in {b".\r\n", b""}:
                    body += chunk[1:] if chunk.startswith(b"..") else chunk
                if sink.mode == "refuse":
                    self.reply("451 try later")
                    continue
                # The relay has the message: for the sender it is accepted only at the reply.
                sink.messages.append(message_from_bytes(body))
                if sink.mode == "stall":
                    sink.stalled.set()
                    sink.release.wait(60)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 no")


def start_sink():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.daemon_threads = True
    server.sink = Sink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# The system under test


def create_database():
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return re.sub(r"/[^/]*$", f"/{DB_NAME}", SERVER_URL)


def database_allows_connections(allow):
    """ALLOW_CONNECTIONS false refuses every new connection (superusers too); the existing ones
    of this database are cut, as a restart or failover would."""
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{DB_NAME}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB_NAME],
            )


def drop_database():
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


class Worker:
    def __init__(self, env, log):
        self.env, self.log, self.process = env, log, None

    def start(self, **extra_env):
        self.log.write_text("")
        with self.log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-P", "solo"]
                + ["-l", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for("the worker to start", lambda: " ready." in self.log.read_text())

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# Scenarios: each returns (passed, figure)


def overdue_action(name):
    """An action 17 days overdue, its owner and lead reachable: an overdue notice and an
    escalation are due today."""
    import datetime

    from django.utils import timezone

    from tests.factories import ActionFactory, persona
    from tracker import roles

    owner = persona(roles.ACTION_OWNER, username=f"{name}-owner", email=f"{name}-owner@example.org")
    lead = persona(roles.OPCC_STAFF, username=f"{name}-lead", email=f"{name}-lead@example.org")
    deadline = timezone.localdate() - datetime.timedelta(days=17)
    return ActionFactory(
        owner=owner, opcc_lead=lead, finding__inspection__force=owner.force, deadline=deadline
    )


def concurrent_sends(sink, worker):
    from django.db import connection

    from actions.models import Reminder
    from actions.reminders.digest import digest_send
    from tracker.celery import app

    action = overdue_action("concurrent")
    Reminder.objects.create(recipient=action.owner, action=action, kind="overdue", period="fi-1")
    sink.mode, sink.release = "stall", threading.Event()  # every send overlaps the others
    sent = []

    def send():
        sent.append(digest_send(recipient_id=action.owner_id))
        connection.close()

    task = app.send_task("actions.tasks.send_digest", args=[action.owner_id])
    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()

    def finished():
        return len(sent) + worker.log.read_text().count(f"send_digest[{task.id}] succeeded")

    wait_for("a send to reach the relay", sink.stalled.is_set)
    # While that one is held at the relay, the other two run to the end.
    wait_for("the other two sends to finish", lambda: finished() == 2)
    sink.release.set()
    wait_for("all three sends to finish", lambda: finished() == 3)
    sink.mode = "accept"
    received = len(sink.received(action.owner.email))
    return received == 1, f"3 concurrent sends for one person -> {received} digest(s) received"


def silent_broker(sink):
    from actions import services
    from actions.models import Reminder
    from tracker.celery import app

    action = overdue_action("broker")
    action.opcc_lead.notify_changes_at_once = True
    action.opcc_lead.save()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts; nothing ever answers
    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    app._pool, app.amqp._producer_pool = None, None
    try:
        started = time.monotonic()
        services.action_post_update(
            by=action.owner,
            action=action,
            narrative="Audit booked.",
            status="in_progress",
            rag="green",
            percent_complete=20,
        )
        took = time.monotonic() - started
    finally:
        app.conf.broker_url = saved
        app._pool, app.amqp._producer_pool = None, None
        silent.close()
    waiting = Reminder.objects.filter(recipient=action.opcc_lead, status="pending").count()
    return took < 10 and waiting == 1, (
        f"save with a silent broker answered in {took:.1f}s; {waiting} notice waiting in the outbox"
    )


def database_blip(sink, worker):
    from django.db import connection
    from django.utils import timezone

    from tracker.celery import app

    action = overdue_action("blip")
    owner_email, day = action.owner.email, timezone.localdate()
    connection.close()
    database_allows_connections(False)
    started = time.monotonic()
    try:
        app.send_task("actions.tasks.send_due_reminders")
        # PostgreSQL stays away across two attempts.
        wait_for("two failed sweeps", lambda: worker.log.read_text().count("retrying in") >= 2)
    finally:
        database_allows_connections(True)
    wait_for("the digest after the retry", lambda: sink.received(owner_email), timeout=120)
    took = time.monotonic() - started
    retries = worker.log.read_text().count("retrying in")
    same_day = timezone.localdate() == day
    return retries >= 1 and same_day, (
        f"sweep hit a refused database, retried {retries} time(s), digest received after "
        f"{took:.1f}s, same London day: {same_day}"
    )


def repeat_message_id(sink, worker):
    from actions.models import Reminder
    from tracker.celery import app

    action = overdue_action("repeat")
    Reminder.objects.create(recipient=action.owner, action=action, kind="overdue", period="fi-4")
    sink.mode, sink.release, sink.stalled = "stall", threading.Event(), threading.Event()
    app.send_task("actions.tasks.send_digest", args=[action.owner_id])
    wait_for("the relay to hold the message", sink.stalled.is_set)
    worker.kill()  # the relay has it; the worker never records the answer
    sink.mode = "accept"
    sink.release.set()
    state = Reminder.objects.get(period="fi-4").status
    worker.start(REMINDER_SENDING_STUCK_MINUTES="0")
    app.send_task("actions.tasks.send_stranded_notices")
    wait_for("the resend", lambda: len(sink.received(action.owner.email)) == 2)
    first, second = (
        " ".join(str(message["Message-ID"]).split())
        for message in sink.received(action.owner.email)
    )
    return state == "sending" and first == second, (
        f"killed after the relay accepted: rows {state!r}; resent copy's Message-ID "
        f"{'equals' if first == second else 'differs from'} the first ({first})"
    )


def main():
    loopback_only(SERVER_URL)
    loopback_only(REDIS_URL)
    keys = redis.Redis.from_url(REDIS_URL)
    if keys.dbsize():
        sys.exit(f"Redis database {REDIS_URL} is not empty: give the harness a spare one.")
    sink_server = start_sink()
    database_url = create_database()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}},
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_server.server_address[1]),
        "EMAIL_TIMEOUT": "90",
        "REMINDER_SWEEP_RETRY_BACKOFF": "1",
        "REMINDER_RETRY_BACKOFF": "1",
    }
    os.environ.update(env)
    log = Path(tempfile.gettempdir()) / f"fault-injection-worker-{os.getpid()}.log"
    worker = Worker(env, log)
    results = []
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        worker.start()
        sink = sink_server.sink
        for name, run in [
            ("1 concurrent sends", lambda: concurrent_sends(sink, worker)),
            ("2 silent broker", lambda: silent_broker(sink)),
            ("3 database blip", lambda: database_blip(sink, worker)),
            ("6 repeat Message-ID", lambda: repeat_message_id(sink, worker)),
        ]:
            try:
                passed, figure = run()
            except Exception as exc:
                passed, figure = False, f"{type(exc).__name__}: {exc}"
            results.append(passed)
            print(f"{'PASS' if passed else 'FAIL'}  {name}: {figure}", flush=True)
    finally:
        worker.kill()
        from django.db import connections

        connections.close_all()
        drop_database()
        keys.flushdb()
        sink_server.shutdown()
    print(f"Worker log: {log}")
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
