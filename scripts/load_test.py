"""Load test: gunicorn on 127.0.0.1 against PostgreSQL, driven by simulated users.

    python scripts/load_test.py [--users 50] [--seconds 60] [--postgres postgres://...]

It creates its own database (tracker_load_<pid>) on the PostgreSQL server, migrates it, adds 40
action owners, 10 OPCC staff, 600 actions and a published briefing pack, starts gunicorn on a
free loopback port, signs every user in (CSRF token from the sign-in page, as a browser does),
and for --seconds each user repeats a mix of requests: the action list, a filtered list, an
action page, posting a progress update (owners), uploading evidence (owners), and downloading
the pack as CSV (OPCC staff). It prints requests, errors and p50/p95 latency, overall and per
kind of request, then stops gunicorn and drops the database. Any error (a status other than the
expected one, or no answer) makes it exit 1. Not part of `make test`: it takes a minute or two
and needs PostgreSQL.
"""

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password-2026"
OWNERS, STAFF, ACTIONS = 40, 10, 600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server on this machine; the test makes and drops its own database",
    )
    return parser.parse_args()


def loopback_only(url):
    host = re.sub(r"^\w+://([^@/]*@)?", "", url).split("/")[0].split(":")[0]
    if host not in {"127.0.0.1", "localhost", "::1", ""}:
        sys.exit(f"Refusing {host}: the load test only talks to this machine (127.0.0.1).")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_database(server_url, name):
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return re.sub(r"/[^/]*$", f"/{name}", server_url)


def drop_database(server_url, name):
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(env):
    """Migrate and add the people, actions and a published pack (run in a child process)."""
    code = f"""
import datetime
from django.core.management import call_command
from django.contrib.auth.models import Group
from django.utils import timezone
from actions.models import Action, Finding, Force, GradedArea, Inspection
from reports import services as report_services
from reports.models import Meeting
from tracker import roles
from tracker.models import Office, User

call_command("migrate", verbosity=0)
force = Force.objects.create(name="Hertfordshire Constabulary", office_id=Office.objects.sole_id())
owners_group = Group.objects.get(name=roles.ACTION_OWNER)
staff_group = Group.objects.get(name=roles.OPCC_STAFF)

def user(name, group, **fields):
    u = User(username=name, email=f"{{name}}@example.org", **fields)
    u.set_password({PASSWORD!r})
    u.save()
    u.groups.add(group)
    return u

owners = [user(f"owner{{n}}", owners_group, force=force) for n in range({OWNERS})]
staff = [user(f"opcc{{n}}", staff_group) for n in range({STAFF})]
inspection = Inspection.objects.create(
    force=force, title="PEEL 2023-25", published_on=datetime.date(2024, 10, 16)
)
areas = [GradedArea.objects.create(inspection=inspection, name=f"Area {{n}}") for n in range(6)]
findings = [
    Finding.objects.create(
        inspection=inspection, area=areas[n % 6], kind="afi", reference=f"AFI {{n}}",
        text="The force should improve how it supervises investigations.",
    )
    for n in range(60)
]
deadline = timezone.localdate() + datetime.timedelta(days=90)
for n in range({ACTIONS}):
    Action.objects.create(
        finding=findings[n % 60], title=f"Action {{n}}", owner=owners[n % {OWNERS}],
        opcc_lead=staff[n % {STAFF}], deadline=deadline, original_deadline=deadline,
        status="in_progress",
    )
meeting = Meeting.objects.create(
    office_id=force.office_id,
    kind="apm", title="APM", starts_at=timezone.now() + datetime.timedelta(days=14)
)
meeting.inspections.add(inspection)
pack = report_services.pack_generate(by=staff[0], meeting=meeting, pdf=False)
pack = report_services.pack_publish(by=staff[0], pack=pack, public=False)
print(pack.pk)
"""
    result = subprocess.run(  # noqa: S603 (our own seeding code, no outside input)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        sys.exit(f"Seeding failed:\n{result.stderr[-3000:]}")
    return int(result.stdout.strip().splitlines()[-1])


def start_gunicorn(env, port, args, log):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tracker.wsgi",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "/dev/null",
    ]
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).ok:
                return process
        except requests.RequestException:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("gunicorn did not answer within 60 seconds")


def csrf(session, url):
    page = session.get(url, timeout=30)
    page.raise_for_status()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


class User:
    """One simulated person: a signed-in session and the actions they work on."""

    def __init__(self, base, username, actions, pack_id):
        self.base, self.username, self.actions, self.pack_id = base, username, actions, pack_id
        self.is_owner = username.startswith("owner")
        self.session = requests.Session()
        self.random = random.Random(username)  # noqa: S311 (a request mix, not a secret)

    def sign_in(self):
        url = f"{self.base}/accounts/login/"
        token = csrf(self.session, url)
        response = self.session.post(
            url,
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in ({response.status_code})")

    def step(self):
        """One request of the mix: returns (kind, expected status, response)."""
        action = self.random.choice(self.actions)
        kinds = ["list", "filter", "action"] + (
            ["update", "evidence"] if self.is_owner else ["pack"]
        )
        kind = self.random.choice(kinds)
        get = self.session.get
        if kind == "list":
            return kind, 200, get(f"{self.base}/actions/", timeout=60)
        if kind == "filter":
            query = {"status": "in_progress", "rag": self.random.choice(["green", "amber"])}
            query["q"] = str(self.random.randint(1, 99))
            return kind, 200, get(f"{self.base}/actions/", params=query, timeout=60)
        if kind == "action":
            return kind, 200, get(f"{self.base}/actions/{action}/", timeout=60)
        if kind == "pack":
            return kind, 200, get(f"{self.base}/packs/{self.pack_id}/actions.csv", timeout=60)
        url = f"{self.base}/actions/{action}/{'update' if kind == 'update' else 'evidence/add'}/"
        token = csrf(self.session, url)
        if kind == "update":
            data = {
                "narrative": f"Progress at {time.time():.0f}.",
                "status": "in_progress",
                "rag": self.random.choice(["green", "amber"]),
                "percent_complete": self.random.randint(0, 90),
                "csrfmiddlewaretoken": token,
            }
            files = None
        else:
            data = {"kind": "document", "title": "Dip sample", "csrfmiddlewaretoken": token}
            files = {"file": ("sample.txt", b"200 records checked; 94% compliant.\n")}
        response = self.session.post(
            url, data, files=files, headers={"Referer": url}, allow_redirects=False, timeout=60
        )
        return kind, 302, response


def drive(user, until, results, lock):
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            kind, expected, response = user.step()
            ok = response.status_code == expected
            detail = f"{kind} {response.status_code} (expected {expected})"
        except Exception as error:  # a refused connection or a timeout is an error too
            kind, ok, detail = "failed", False, f"{type(error).__name__}: {error}"
        elapsed = time.monotonic() - started
        with lock:
            results[kind].append(elapsed)
            if not ok:
                results["errors"].append(detail)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main():
    args = parse_args()
    loopback_only(args.postgres)
    name = f"tracker_load_{os.getpid()}"
    database_url = create_database(args.postgres, name)
    media = tempfile.mkdtemp(prefix="tracker-load-media-")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}},
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": media,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = None
    log = open(Path(media) / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    try:
        print(f"Seeding {name} ...", flush=True)
        pack_id = seed(env)
        port = free_port()
        gunicorn = start_gunicorn(env, port, args, log)
        base = f"http://127.0.0.1:{port}"
        with psycopg.connect(database_url) as conn:
            owned = defaultdict(list)
            for pk, owner in conn.execute(
                "SELECT a.id, u.username FROM actions_action a JOIN tracker_user u "
                "ON u.id = a.owner_id"
            ):
                owned[owner].append(pk)
            every = [pk for pks in owned.values() for pk in pks]
        names = [f"owner{n}" for n in range(OWNERS)] + [f"opcc{n}" for n in range(STAFF)]
        names = (names * (args.users // len(names) + 1))[: args.users]
        users = [User(base, n, owned.get(n) or every, pack_id) for n in names]
        print(f"Signing in {len(users)} users on {base} ...", flush=True)
        started = time.monotonic()
        sign_ins = [threading.Thread(target=u.sign_in) for u in users]
        for thread in sign_ins:
            thread.start()
        for thread in sign_ins:
            thread.join()
        print(f"Signed in in {time.monotonic() - started:.1f} s; running {args.seconds} s ...")
        results, lock = defaultdict(list), threading.Lock()
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=drive, args=(u, until, results, lock)) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report(results, args)
        return 1 if results["errors"] else 0
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        log.close()
        drop_database(args.postgres, name)


def report(results, args):
    errors = results.pop("errors", [])
    every = [t for times in results.values() for t in times]
    print(f"\n{args.users} users, {args.seconds} s, gunicorn {args.workers}x{args.threads}")
    print("(update and evidence: the form page and the post, timed together as one)")
    print(f"{'request':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in sorted(results):
        times = results[kind]
        print(
            f"{kind:<10} {len(times):>7} {percentile(times, 0.5) * 1000:>8.0f} "
            f"{percentile(times, 0.95) * 1000:>8.0f}"
        )
    print(
        f"{'all':<10} {len(every):>7} {statistics.median(every) * 1000 if every else 0:>8.0f} "
        f"{percentile(every, 0.95) * 1000:>8.0f}"
    )
    print(f"requests: {len(every)}, errors: {len(errors)}, {len(every) / args.seconds:.1f}/s")
    for detail in errors[:20]:
        print(f"  error: {detail}")


if __name__ == "__main__":
    sys.exit(main())
