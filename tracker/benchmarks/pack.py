"""`manage.py benchmark pack [--actions N]`: time a pack's generation, page and PDF for N actions.

On a generated data set (`generate_dataset`: 43 forces' APMs, each with an agenda of about 200
actions among 100,000) it times the APM whose agenda is nearest N actions, so the pack's queries
run against national-scale tables; on an empty database it builds such an agenda itself. Runs in
a transaction that is rolled back, so it leaves the database as it found it.
"""

import datetime
import time

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.db.models import Count
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
        meeting, on_agenda = self._generated_agenda(count)
        if meeting is None:
            meeting, on_agenda = self._agenda(opcc, count), count
        total = Action.objects.count()
        self._time(opcc, meeting, f"Briefing pack with {on_agenda} actions ({total:,} in all)")

    def _generated_agenda(self, count):
        """The generated data set's APM whose agenda holds nearest `count` actions, if any."""
        meetings = Meeting.objects.annotate(
            on_agenda=Count("inspections__findings__actions")
        ).filter(on_agenda__gt=0)
        nearest = min(meetings, key=lambda m: abs(m.on_agenda - count), default=None)
        return (nearest, nearest.on_agenda) if nearest else (None, 0)

    def _agenda(self, opcc, count):
        """An APM on one inspection whose findings hold `count` actions."""
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
        return meeting

    def _time(self, opcc, meeting, heading):
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
        self.stdout.write(heading)
        self.stdout.write(
            f"  snapshot (generation):  {generated:7.3f} s  {len(queries)} queries, "
            f"{len(str(pack.snapshot)) // 1024} KiB"
        )
        self.stdout.write(f"  HTML page render:       {rendered:7.3f} s  {len(html) // 1024} KiB")
        self.stdout.write(f"  HTML total:             {generated + rendered:7.3f} s")
        self.stdout.write(f"  PDF (WeasyPrint):       {pdf_time:7.3f} s  {len(pdf) // 1024} KiB")
