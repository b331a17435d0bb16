"""`manage.py benchmark reminders [--actions N]`: time one reminder sweep over N actions.

Builds a national-sized data set (43 forces by default) inside a transaction, runs the sweep and
sends every digest (to an in-memory mail backend), prints the time, actions per second and queries
used, then rolls everything back, so the database is left as it was.
"""

import datetime
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actions.models import Action, Finding, Force, Inspection
from actions.reminders import digest
from actions.reminders.sweep import reminders_sweep
from reports.models import Meeting
from tracker import benchmarks, roles
from tracker.models import User


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping anything."""


class Command(BaseCommand):
    help = "Time one reminder sweep over N actions; nothing is kept in the database."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=100_000)
        parser.add_argument("--owners", type=int, default=1_000)
        parser.add_argument("--leads", type=int, default=100)
        parser.add_argument("--forces", type=int, default=43)

    def handle(self, *args, actions, owners, leads, forces, **options):
        if settings.PRODUCTION:
            raise CommandError("The benchmark writes (then discards) data: not in production.")
        if min(actions, owners, leads, forces) < 1:
            raise CommandError("--actions, --owners, --leads and --forces must be at least 1.")
        try:
            with (
                transaction.atomic(),
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            ):
                self.run(actions=actions, owners=owners, leads=leads, forces=forces)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def run(self, *, actions, owners, leads, forces):
        started = time.perf_counter()
        today = timezone.localdate()
        self.build(today, actions=actions, owners=owners, leads=leads, forces=forces)
        built = time.perf_counter()
        self.stdout.write(f"Built {actions:,} actions in {built - started:.1f}s.")

        with CaptureQueriesContext(connection) as recording:
            sweep = reminders_sweep(today=today)
        recorded = time.perf_counter()
        with CaptureQueriesContext(connection) as sending:
            sent = sum(digest.digest_send(recipient_id=pk) for pk in sweep.pending)
        done = time.perf_counter()

        total = done - built
        self.stdout.write(
            f"Sweep over {actions:,} actions: {sweep.due:,} reminders due; "
            f"{sent:,} sent in {len(sweep.pending):,} digests.\n"
            f"  record: {recorded - built:.2f}s, {len(recording):,} queries\n"
            f"  send:   {done - recorded:.2f}s, {len(sending):,} queries "
            f"({len(sending) / max(len(sweep.pending), 1):.1f} per recipient)\n"
            f"  total:  {total:.2f}s, {actions / total:,.0f} actions/s, "
            f"{len(recording) + len(sending):,} queries on {connection.vendor}"
        )

    def build(self, today, *, actions, owners, leads, forces):
        """Forces, inspections, findings, people and actions, with their history rows."""
        office_id = benchmarks.office_id()
        force_rows = bulk_create_with_history(
            [Force(name=f"Benchmark force {n}", office_id=office_id) for n in range(forces)],
            Force,
        )
        inspections = bulk_create_with_history(
            [
                Inspection(force=force, title=f"Benchmark PEEL {year}", published_on=today)
                for force in force_rows
                for year in (2021, 2023, 2025)
            ],
            Inspection,
        )
        findings = bulk_create_with_history(
            [
                Finding(inspection=inspection, reference=f"AFI {n}", text="The force should ...")
                for inspection in inspections
                for n in range(25)
            ],
            Finding,
        )
        people = bulk_create_with_history(
            [
                User(
                    username=f"bench-owner-{n}",
                    email=f"bench-owner-{n}@example.org",
                    force=force_rows[n % forces],
                    office_id=office_id,
                )
                for n in range(owners)
            ]
            + [
                User(
                    username=f"bench-lead-{n}",
                    email=f"bench-lead-{n}@example.org",
                    office_id=office_id,
                )
                for n in range(leads)
            ],
            User,
        )
        owner_rows, lead_rows = people[:owners], people[owners:]
        Group.objects.get(name=roles.OPCC_STAFF).user_set.add(*lead_rows)
        now = timezone.now()
        bulk_create_with_history(
            [
                Action(
                    finding=findings[n % len(findings)],
                    title=f"Benchmark action {n}",
                    owner=owner_rows[n % owners],
                    opcc_lead=lead_rows[n % leads],
                    deadline=today + datetime.timedelta(days=n % 240 - 120),
                    original_deadline=today + datetime.timedelta(days=n % 240 - 120),
                    # Half have had no update for over 30 days.
                    last_update_at=now - datetime.timedelta(days=n % 60),
                )
                for n in range(actions)
            ],
            Action,
            batch_size=2000,
        )
        # Each force's latest inspection is on the agenda of a meeting a week away.
        meetings = bulk_create_with_history(
            [
                Meeting(
                    office_id=office_id,
                    title=f"Benchmark APM {n}",
                    starts_at=now + datetime.timedelta(days=7),
                )
                for n in range(forces)
            ],
            Meeting,
        )
        for n, meeting in enumerate(meetings):
            meeting.inspections.add(inspections[n * 3 + 2])
