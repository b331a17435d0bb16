"""`manage.py benchmark pack [--actions N] [--repeat R] [--no-pdf]`: time a pack's generation, page
and PDF for N actions (generation and page R times, for a median and p95; the PDF once).

On a generated data set (`generate_dataset`: 43 forces' APMs, each with an agenda of about 200
actions among 100,000) it times the APM whose agenda is nearest N actions, so the pack's queries
run against national-scale tables; on an empty database it builds such an agenda itself. Runs in
a transaction that is rolled back, so it leaves the database as it found it.
"""

import datetime
import os
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
from tracker import benchmarks, roles
from tracker.benchmarks.pages import summary
from tracker.models import User

STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.IN_PROGRESS]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time briefing pack generation (HTML) and PDF rendering for N actions."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=1, help="Times to generate and render.")
        parser.add_argument("--no-pdf", action="store_true", help="Skip the PDF rendering.")

    def handle(self, *args, actions, repeat=1, no_pdf=False, **options):
        self.repeat, self.pdf = max(1, repeat), not no_pdf
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
        opcc.office_id = meeting.office_id  # an officer of the meeting's office
        opcc.save(update_fields=["office"])
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
        force = Force.objects.create(
            name="Benchmark Constabulary", office_id=benchmarks.office_id()
        )
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
            office_id=force.office_id,
            title="Benchmark APM",
            starts_at=timezone.now() + datetime.timedelta(days=7),
        )
        meeting.inspections.add(inspection)
        return meeting

    def _time(self, opcc, meeting, heading):
        reset_queries()  # with DEBUG on, building the data filled the query log
        generated, rendered, totals = [], [], []
        for _ in range(self.repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                pack = services.pack_generate(by=opcc, meeting=meeting, pdf=False)
            generated.append(time.perf_counter() - started)
            started = time.perf_counter()
            html = render_to_string(
                "reports/pack_detail.html", selectors.pack_view(pack, audience=selectors.STAFF)
            )
            rendered.append(time.perf_counter() - started)
            totals.append(generated[-1] + rendered[-1])
        load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
        self.stdout.write(f"{heading}; {self.repeat} run(s), load average {load}")
        for label, times, note in [
            ("snapshot (generation):", generated, f", {len(queries)} queries"),
            ("HTML page render:", rendered, ""),
            ("HTML total:", totals, ""),
        ]:
            median, p95 = summary(times)
            self.stdout.write(f"  {label:<23} median {median:7.1f} ms, p95 {p95:7.1f} ms{note}")
        self.stdout.write(
            f"  snapshot {len(str(pack.snapshot)) // 1024} KiB, page {len(html) // 1024} KiB"
        )
        if self.pdf:
            started = time.perf_counter()
            pdf = documents.pdf_bytes(pack)
            pdf_time = time.perf_counter() - started
            size = len(pdf) // 1024
            self.stdout.write(f"  PDF (WeasyPrint):       {pdf_time:.3f} s (once), {size} KiB")
