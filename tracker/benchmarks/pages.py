"""The `pages` benchmark section: time the pages and jobs that grow with the data.

Runs on the current database (build one with `generate_dataset`), through the Django test client
signed in as an OPCC officer of the office with the most actions and as an action owner, and
prints median and p95 milliseconds and the query count of each: the action list with three
filters beside a hand-written SQL query for the same page (the floor) and Django admin's
changelist with the same filter; text search; a deep page; an action page and history tab with a
long history; both dashboards; a briefing pack of about 200 actions (HTML and PDF); the national
view with every inspection published (the Celery task computing its recurring findings, then
the page reading them as stored, cold and warm); and one reminder sweep over every action. With
several offices it then compares the officer's list, search and dashboard for their office
against every force moved into their office (a one-office deployment on the same rows: today's
all-forces figures), the two sides interleaved round by round (tracker.benchmarks.scope), and
prints them side by side with their ratio. `--scope-only` runs only that comparison and the
national view. Everything it writes
(sessions, packs, reminders, published flags, the move) is rolled back at the end.
"""

import logging
import os
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, F
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from actions import selectors
from actions.models import Action, Force
from actions.reminders import digest
from actions.reminders.sweep import reminders_sweep
from reports import documents
from reports import selectors as report_selectors
from reports import services as report_services
from reports.models import Meeting
from tracker import roles
from tracker.benchmarks.scope import LIST_FILTERS, ScopeComparison, query_range, summary
from tracker.models import Office, User

FLOOR_SQL = """
SELECT a.id, a.title, a.deadline, a.original_deadline, a.status, a.percent_complete, a.rag,
       f.reference, i.title, ga.name, o.first_name, o.last_name, o.username,
       l.first_name, l.last_name, l.username
FROM actions_action a
JOIN actions_finding f ON f.id = a.finding_id
JOIN actions_inspection i ON i.id = f.inspection_id
JOIN actions_force fo ON fo.id = i.force_id
LEFT JOIN actions_gradedarea ga ON ga.id = f.area_id
LEFT JOIN tracker_user o ON o.id = a.owner_id
LEFT JOIN tracker_user l ON l.id = a.opcc_lead_id
WHERE fo.office_id = %s AND {where}
ORDER BY a.deadline {direction}, a.id {direction}
LIMIT 50
"""


class Rollback(Exception):
    """Leaves the benchmark's transaction without keeping anything."""


class Command(ScopeComparison, BaseCommand):
    help = "Time the list, search, deep pages, action pages, dashboards, packs and the sweep."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--no-pdf", action="store_true", help="Skip the PDF rendering.")
        parser.add_argument(
            "--scope-only",
            action="store_true",
            help="Only the officer's pages for one office against all forces (interleaved) "
            "and the national view: no packs, sweep or owner pages.",
        )
        parser.add_argument(
            "--office",
            default="",
            help="Sign in as an OPCC officer of the office whose name contains this (one in a "
            "collaboration, say); by default the office whose forces have the most actions.",
        )

    def handle(self, *args, repeat, no_pdf, scope_only=False, office="", **options):
        if settings.PRODUCTION:
            raise CommandError("The benchmark signs in as real users: not in production.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        self.repeat, self.rows, self.compared = repeat, [], []
        self.office_name = office
        logging.disable(logging.INFO)  # a line per request or digest would bury the table
        try:
            with (
                transaction.atomic(),
                override_settings(
                    DEBUG=False,
                    ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                    TWO_FACTOR_REQUIRED=False,
                ),
            ):
                self.run(pdf=not no_pdf, scope_only=scope_only)
                raise Rollback
        except Rollback:
            pass
        finally:
            logging.disable(logging.NOTSET)

    # Measuring

    def measure(self, label, call, *, repeat=None, check=None):
        """Median and p95 ms of `call` over repeated runs (after one warm-up), and its queries."""
        result = call()
        if check:
            check(result)
        times, counts = [], []
        for _ in range(repeat or self.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            counts.append(len(captured))
        median, p95 = summary(times)
        self.rows.append((label, median, p95, query_range(counts)))
        return median, p95

    def page(self, client, url, label, **kwargs):
        def get():
            return client.get(url)

        def ok(response):
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}, not 200.")

        return self.measure(label, get, check=ok, **kwargs)

    def note(self, text):
        self.rows.append((text, None, None, None))

    # The run

    def run(self, *, pdf, scope_only=False):
        total = Action.objects.count()
        if not total:
            raise CommandError("The database has no actions: run generate_dataset first.")
        opcc = self.officer()
        if opcc is None:
            raise CommandError("No OPCC officer to sign in as.")
        self.opcc = opcc
        clients = {"opcc": self.client_of(opcc)}
        if not scope_only:
            busiest = (
                Action.objects.exclude(owner=None)
                .values("owner")
                .annotate(n=Count("pk"))
                .order_by("-n")
                .first()
            )
            if busiest is None:
                raise CommandError("No action owner to sign in as.")
            clients["owner"] = self.client_of(User.objects.get(pk=busiest["owner"]))
            admin = User.objects.create_superuser("benchmark-admin", "", None)
            clients["admin"] = self.client_of(admin)
        history = Action.history.model.objects.count()
        self.stdout.write(
            f"Dataset: {total:,} actions, {history:,} action history rows, "
            f"{self.history_rows():,} history rows in all, on {connection.vendor}; "
            f"repeat {self.repeat}; load average {self.load()}"
        )
        office = Office.objects.get(pk=roles.office_id_of(opcc))
        self.stdout.write(
            f"OPCC officer of {office} ({office.forces.count()} of {Force.objects.count()} "
            f"forces, {self.seen(opcc):,} actions of {total:,}; "
            f"{Office.objects.count()} offices in all)"
        )
        if not scope_only:
            self.list_pages(clients)
            self.action_pages(clients)
            self.packs(opcc, pdf=pdf)
        if Office.objects.count() > 1:
            self.compare_scopes(clients["opcc"], office)
        else:
            self.note("One office: its pages are the all-forces pages; nothing to compare.")
        self.national_view()
        if not scope_only:
            self.sweep()
        self.print_table()
        self.print_comparison()

    def client_of(self, user):
        client = Client()
        client.force_login(user)
        return client

    def officer(self):
        """An OPCC officer of the office named by --office, or else of the office whose forces
        have the most actions."""
        if self.office_name:
            named = Office.objects.filter(name__icontains=self.office_name)
            if named.count() != 1:
                raise CommandError(
                    f"--office {self.office_name!r} names {named.count()} offices, not one."
                )
            busiest = {"office": named.get().pk}
        else:
            busiest = (
                Action.objects.values(office=F("owning_force__office"))
                .annotate(n=Count("pk"))
                .order_by("-n")
                .first()
            )
        staff = User.objects.opcc_staff()
        opcc = staff.filter(office_id=busiest["office"]).first() if busiest else None
        opcc = opcc or staff.filter(office=None).first()
        if opcc is not None and roles.office_id_of(opcc) is None:
            raise CommandError(f"OPCC officer {opcc} has no office: set theirs in the admin.")
        return opcc

    def seen(self, opcc):
        return Action.objects.visible_to(opcc).count()

    def list_pages(self, clients):
        url = reverse("actions:list")
        for name, ours, admin_query, where, params in LIST_FILTERS:
            mine, _ = self.page(clients["opcc"], f"{url}?{ours}", f"list: {name}")
            direction = "DESC" if "-deadline" in ours else "ASC"
            floor, _ = self.measure(
                "  raw SQL floor (one query, rows only)",
                lambda w=where, p=params, d=direction: self.floor(w, p, d),
            )
            rows, _ = self.measure(
                "  our page of rows (one query, as the page reads it)",
                lambda q=ours: self.orm_rows(q),
            )
            orm, _ = self.measure(
                "  our list queries (count + page of rows)",
                lambda q=ours: self.orm_page(q),
            )
            admin, _ = self.page(
                clients["admin"], f"/admin/actions/action/?{admin_query}", "  admin changelist"
            )
            self.note(
                f"  ratios: page of rows/floor {rows / floor:.1f}x, count + rows/floor "
                f"{orm / floor:.1f}x, whole page/floor {mine / floor:.1f}x, "
                f"page/admin {mine / admin:.2f}x"
            )
        self.page(clients["opcc"], f"{url}?q=supervision", "search: q=supervision")
        self.page(clients["opcc"], f"{url}?q=custody+victim", "search: q=custody victim")
        self.page(clients["opcc"], f"{url}?q=zebra", "search: q=zebra (no match)")
        self.page(clients["opcc"], f"{url}?page=500", "deep page: page=500")
        self.page(clients["owner"], f"{url}?mine=on&overdue=yes", "list: owner, mine and overdue")

    def action_pages(self, clients):
        scope = roles.force_scope(self.opcc, "owning_force_id")
        longest = (
            Action.history.model.objects.filter(id__in=Action.objects.filter(scope).values("pk"))
            .values("id")
            .annotate(n=Count("history_id"))
            .order_by("-n")
            .first()
        )
        entries = longest["n"]
        self.page(
            clients["opcc"],
            reverse("actions:detail", args=[longest["id"]]),
            f"action page ({entries} history rows)",
        )
        self.page(
            clients["opcc"],
            reverse("actions:history", args=[longest["id"]]),
            f"history tab ({entries} history rows)",
        )
        self.page(clients["opcc"], reverse("actions:dashboard"), "dashboard: OPCC staff")
        self.page(clients["owner"], reverse("actions:dashboard"), "dashboard: action owner")

    def packs(self, opcc, *, pdf):
        meetings = Meeting.objects.annotate(n=Count("inspections__findings__actions"))
        meeting = min(meetings, key=lambda m: abs(m.n - 200), default=None)
        if meeting is None or not meeting.n:
            self.note("briefing pack: no meeting with actions on its agenda")
            return

        def generate():
            return report_services.pack_generate(by=opcc, meeting=meeting, pdf=False)

        def html():
            pack = generate()
            context = report_selectors.pack_view(pack, audience=report_selectors.STAFF)
            return render_to_string("reports/pack_detail.html", context)

        repeat = min(self.repeat, 5)
        self.measure(f"pack: generate ({meeting.n} actions)", generate, repeat=repeat)
        self.measure(f"pack: generate + HTML ({meeting.n} actions)", html, repeat=repeat)
        if pdf:
            pack = generate()
            self.measure(
                f"pack: PDF in the task ({meeting.n} actions)",
                lambda: documents.pdf_bytes(pack),
                repeat=1,
            )

    def sweep(self):
        def once():
            with transaction.atomic():
                result = reminders_sweep()
                transaction.set_rollback(True)
            return result

        open_count = Action.objects.open().count()
        self.measure(
            f"reminder sweep, nothing recorded yet ({open_count:,} open actions)", once, repeat=3
        )
        with transaction.atomic():
            reminders_sweep()
            self.measure(
                "reminder sweep again the same day (all recorded)",
                reminders_sweep,
                repeat=3,
            )
            transaction.set_rollback(True)
        with transaction.atomic():
            sweep = reminders_sweep()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                sent = sum(digest.digest_send(recipient_id=pk) for pk in sweep.pending)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        people = max(len(sweep.pending), 1)
        self.rows.append(
            (
                f"digests: {sent:,} reminders to {len(sweep.pending):,} people (locmem)",
                elapsed * 1000,
                elapsed * 1000,
                len(captured),
            )
        )
        self.note(f"  {len(captured) / people:.1f} queries per recipient")

    # Helpers

    def floor(self, where, params, direction):
        """The rows by hand-written SQL, each with its effective RAG by the model's own rule
        (Action.effective_rag_on), not a second copy of the rule in SQL."""
        sql = FLOOR_SQL.format(where=where, direction=direction)
        today = timezone.localdate()
        with connection.cursor() as cursor:
            cursor.execute(sql, [roles.office_id_of(self.opcc), *params])
            rows = cursor.fetchall()
        return [
            (*row, Action(deadline=row[2], status=row[4], rag=row[6]).effective_rag_on(today))
            for row in rows
        ]

    def paginator(self, query):
        filterset = selectors.action_filterset(user=self.opcc, data=QueryDict(query))
        return selectors.action_pages(filterset=filterset, per_page=50)

    def orm_rows(self, query):
        return list(self.paginator(query).rows(1))

    def orm_page(self, query):
        paginator = self.paginator(query)
        return paginator.count, list(paginator.page(1).object_list)

    def analyze_forces(self):
        """Fresh planner statistics for the force table after a move (PostgreSQL), inside the
        caller's savepoint."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE actions_force")

    def history_rows(self):
        return sum(
            model.history.model.objects.count()
            for model in apps.get_models()
            if hasattr(model, "history") and hasattr(model.history, "model")
        )

    def load(self):
        try:
            return " ".join(f"{value:.2f}" for value in os.getloadavg())
        except OSError:
            return "unknown"

    def print_table(self):
        self.stdout.write(f"{'case':<58} {'median ms':>10} {'p95 ms':>9} {'queries':>8}")
        for label, median, p95, queries in self.rows:
            if median is None:
                self.stdout.write(label)
            else:
                self.stdout.write(f"{label:<58} {median:>10.1f} {p95:>9.1f} {queries:>8}")
