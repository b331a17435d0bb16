"""`manage.py benchmark pack [--actions N]`: time a pack's generation, page and PDF for N actions.

Runs in a transaction that is rolled back, so it leaves the database as it found it.
"""

import datetime
import time

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action, Finding, Force, GradedArea, Inspection, Status
from reports import documents, selectors, services
from reports.models import Meeting
from tracker import roles
from tracker.models import User

STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.IN_PROGRESS]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time briefing pack generation (HTML) and PDF rendering for N actions."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=200)

    def handle(self, *args, actions, **options):
        try:
            with transaction.atomic():
                self._run(actions)
                raise Rollback
        except Rollback:
            pass

    def _run(self, count):
        roles.sync_role_groups()
        opcc = User.objects.create_user(username="bench-opcc", password=None)
        opcc.groups.add(Group.objects.get(name=roles.OPCC_STAFF))
        force = Force.objects.create(name="Benchmark Constabulary")
        inspection = Inspection.objects.create(
            force=force, title="Benchmark PEEL", published_on=datetime.date(2024, 10, 16)
        )
        areas = [
            GradedArea.objects.create(inspection=inspection, name=f"Area {n}", grade="adequate")
            for n in range(9)
        ]
        findings = [
            Finding.objects.create(
                inspection=inspection, area=areas[n % 9], reference=f"AFI {n}", text="Improve."
            )
            for n in range(max(1, count // 2))
        ]
        today = timezone.localdate()
        for n in range(count):
            action = Action(
                finding=findings[n % len(findings)],
                title=f"Benchmark action {n}",
                deadline=today + datetime.timedelta(days=n % 90 - 30),
                status=STATUSES[n % len(STATUSES)],
                percent_complete=n % 100,
            )
            services.audited_save(action, by=opcc, reason="Created")
            if n % 5 == 0:
                action.deadline += datetime.timedelta(days=30)
                services.audited_save(action, by=opcc, reason="Deadline moved")
        meeting = Meeting.objects.create(
            title="Benchmark APM", starts_at=timezone.now() + datetime.timedelta(days=7)
        )
        meeting.inspections.add(inspection)

        reset_queries()  # with DEBUG on, building the data filled the query log
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            pack = services.pack_generate(by=opcc, meeting=meeting, pdf=False)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        html = render_to_string(
            "reports/pack_detail.html", selectors.pack_view(pack, audience=selectors.STAFF)
        )
        rendered = time.perf_counter() - started
        started = time.perf_counter()
        pdf = documents.pdf_bytes(pack)
        pdf_time = time.perf_counter() - started
        self.stdout.write(f"Briefing pack with {count} actions")
        self.stdout.write(
            f"  snapshot (generation):  {generated:7.3f} s  {len(queries)} queries, "
            f"{len(str(pack.snapshot)) // 1024} KiB"
        )
        self.stdout.write(f"  HTML page render:       {rendered:7.3f} s  {len(html) // 1024} KiB")
        self.stdout.write(f"  HTML total:             {generated + rendered:7.3f} s")
        self.stdout.write(f"  PDF (WeasyPrint):       {pdf_time:7.3f} s  {len(pdf) // 1024} KiB")
