"""`manage.py benchmark plan-import [--rows N] [--apply]`: time the import preview of an N-row
action plan.

Builds an inspection, its people and half the file's actions inside a transaction, writes an
XLSX like an OPCC's (title rows, a blank line, mixed date formats: half the rows match existing
actions, a tenth of those with changes; the other half new; one in fifty with an unknown
owner), then times reading and planning it (the preview), and with --apply applying it, and
rolls everything back, so the database is left as it was.
"""

import datetime
import io
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook
from simple_history.utils import bulk_create_with_history

from actions.models import Action, Finding, Force, Inspection
from actions.plan_import import columns, files, preview
from tracker import benchmarks, roles
from tracker.models import User


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping anything."""


class Command(BaseCommand):
    help = "Time the preview of an N-row action-plan import; nothing is kept in the database."

    def add_arguments(self, parser):
        # The default is the largest plan the importer takes: the title, blank and heading rows
        # and the actions make up PLAN_IMPORT_MAX_ROWS.
        parser.add_argument("--rows", type=int, default=settings.PLAN_IMPORT_MAX_ROWS - 3)
        parser.add_argument("--apply", action="store_true", help="Time applying it too.")

    def handle(self, *args, rows, apply, **options):
        if settings.PRODUCTION:
            raise CommandError("The benchmark writes (then discards) data: not in production.")
        if not 2 <= rows <= settings.PLAN_IMPORT_MAX_ROWS - 3:
            raise CommandError(f"--rows must be from 2 to {settings.PLAN_IMPORT_MAX_ROWS - 3:,}.")
        try:
            with transaction.atomic():
                self.run(rows=rows, apply=apply)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def run(self, *, rows, apply):
        started = time.perf_counter()
        officer, content = self.build(rows)
        built = time.perf_counter()
        self.stdout.write(
            f"Built a {rows:,}-row file ({len(content) / 1024:,.0f} KB) in {built - started:.1f}s."
        )

        with CaptureQueriesContext(connection) as reading:
            sheet = files.load_sheet(io.BytesIO(content), "bench.xlsx", user=officer)
        read = time.perf_counter()
        mapping = columns.auto_mapping(sheet.headings, {})
        with CaptureQueriesContext(connection) as planning:
            plan = preview.plan_import(sheet, mapping)
        planned = time.perf_counter()
        counts = plan.counts()
        self.stdout.write(
            f"Preview of {rows:,} rows: {counts['create']:,} to create, {counts['update']:,} to "
            f"update, {counts['unchanged']:,} unchanged, {counts['error']:,} with errors.\n"
            f"  read:    {read - built:.2f}s, {len(reading)} queries\n"
            f"  plan:    {planned - read:.2f}s, {len(planning)} queries\n"
            f"  preview: {planned - built:.2f}s in all on {connection.vendor} "
            f"(target: under 10s)"
        )
        if apply:
            with CaptureQueriesContext(connection) as applying:
                preview.apply_plan(plan, by=officer)
            done = time.perf_counter()
            self.stdout.write(
                f"  apply:   {done - planned:.2f}s, {len(applying):,} queries, "
                f"{(counts['create'] + counts['update']) / (done - planned):,.0f} rows/s"
            )

    def build(self, rows):
        today = timezone.localdate()
        force = Force.objects.create(
            name="Benchmark import force", office_id=benchmarks.office_id()
        )
        inspection = Inspection.objects.create(force=force, title="Benchmark import PEEL")
        owners = bulk_create_with_history(
            [
                User(
                    username=f"bench-import-owner-{n}",
                    email=f"owner{n}@bench.example",
                    force=force,
                    office_id=force.office_id,
                )
                for n in range(50)
            ],
            User,
        )
        officer = User.objects.create(username="bench-import-officer", office=force.office)
        Group.objects.get(name=roles.ACTION_OWNER).user_set.add(*owners)
        Group.objects.get(name=roles.OPCC_STAFF).user_set.add(officer)
        existing = rows // 2
        findings = bulk_create_with_history(
            [
                Finding(inspection=inspection, reference=f"AFI {n}", text="The force should ...")
                for n in range(max(1, existing // 2))
            ],
            Finding,
        )
        actions = bulk_create_with_history(
            [
                Action(
                    finding=findings[n % len(findings)],
                    title=f"Benchmark action {n}",
                    owner=owners[n % 50],
                    owner_role_title="ACC Crime",
                    deadline=today + datetime.timedelta(days=n % 300),
                    original_deadline=today + datetime.timedelta(days=n % 300),
                )
                for n in range(existing)
            ],
            Action,
            batch_size=2000,
        )
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Actions")
        sheet.append(["Benchmark import force: PEEL action plan"])
        sheet.append([])
        sheet.append(files.template_headings())
        for n, action in enumerate(actions):
            moved = n % 10 == 0
            deadline = action.deadline + datetime.timedelta(days=30 if moved else 0)
            sheet.append(
                [
                    None,
                    inspection.title,
                    action.finding.reference,
                    None,
                    action.title,
                    owners[n % 50].email,
                    None,
                    None,
                    deadline if n % 2 else deadline.strftime("%d/%m/%Y"),
                    "In progress" if moved else "Not started",
                    "Green",
                    10 if moved else 0,
                    "Progress this month." if moved else None,
                ]
            )
        for n in range(rows - existing):
            owner = "nobody@bench.example" if n % 50 == 0 else owners[n % 50].username
            sheet.append(
                [
                    None,
                    inspection.title,
                    f"AFI new {n // 2}",
                    "The force should do something new.",
                    f"New action {n}",
                    owner,
                    "ACC Crime",
                    None,
                    (today + datetime.timedelta(days=n % 365)).strftime("%-d %b %Y"),
                    "In progress",
                    "Amber",
                    "25%",
                    "Started.",
                ]
            )
        stream = io.BytesIO()
        workbook.save(stream)
        return officer, stream.getvalue()
