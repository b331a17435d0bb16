"""The `pages` benchmark section: time the pages and jobs that grow with the data.

Runs on the current database (build one with `generate_dataset`), through the Django test client
signed in as an OPCC officer of the office with the most actions and as an action owner, and
prints median and p95 milliseconds and the query count of each: the action list with three
filters beside a hand-written SQL query for the same page (the floor) and Django admin's
changelist with the same filter; text search; a deep page; an action page and history tab with a
long history; both dashboards; a briefing pack of about 200 actions (HTML and PDF); the national
view with every inspection published (the task computing its recurring findings, then the page
reading them as stored); and
one reminder sweep over every action. With several offices it then times the officer's list,
search and dashboard again with every force moved into their office (a one-office deployment on
the same rows: today's all-forces figures) and prints the two side by side. Everything it writes
(sessions, packs, reminders, published flags, the move) is rolled back at the end.
"""

import logging
import os
import statistics
import time

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
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
from actions.models import Action, Force, Inspection
from actions.reminders import digest
from actions.reminders.sweep import reminders_sweep
from reports import documents
from reports import selectors as report_selectors
from reports import services as report_services
from reports.models import Meeting
from tracker import roles
from tracker.models import Office, User

# Three representative list filters: our query string, the admin changelist's, and the SQL WHERE.
LIST_FILTERS = [
    (
        "work in progress",
        "status=in_progress",
        "status__exact=in_progress",
        "a.status = %s",
        ["in_progress"],
    ),
    (
        "causes of concern",
        "kind=cause_of_concern",
        "finding__kind__exact=cause_of_concern",
        "f.kind = %s",
        ["cause_of_concern"],
    ),
    (
        "not started, latest deadline first",
        "status=not_started&sort=-deadline",
        "status__exact=not_started&o=-5",
        "a.status = %s",
        ["not_started"],
    ),
]
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


def summary(times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


class Command(BaseCommand):
    help = "Time the list, search, deep pages, action pages, dashboards, packs and the sweep."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--no-pdf", action="store_true", help="Skip the PDF rendering.")

    def handle(self, *args, repeat, no_pdf, **options):
        if settings.PRODUCTION:
            raise CommandError("The benchmark signs in as real users: not in production.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        self.repeat, self.rows = repeat, []
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
                self.run(pdf=not no_pdf)
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
        # Usually one figure; a range when a once-a-minute query (the heartbeat banner, the
        # session's idle-time stamp) fell inside the run.
        queries = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
        self.rows.append((label, median, p95, queries))
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

    def run(self, *, pdf):
        total = Action.objects.count()
        if not total:
            raise CommandError("The database has no actions: run generate_dataset first.")
        opcc = self.officer()
        busiest = (
            Action.objects.exclude(owner=None)
            .values("owner")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        if opcc is None or busiest is None:
            raise CommandError("No OPCC officer or action owner to sign in as.")
        owner = User.objects.get(pk=busiest["owner"])
        self.opcc = opcc
        admin = User.objects.create_superuser("benchmark-admin", "", None)
        clients = {}
        for name, user in (("opcc", opcc), ("owner", owner), ("admin", admin)):
            clients[name] = Client()
            clients[name].force_login(user)
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
        self.list_pages(clients)
        self.action_pages(clients)
        self.packs(opcc, pdf=pdf)
        self.national_view()
        self.sweep()
        if Office.objects.count() > 1:
            self.all_forces(clients, office)
        self.print_table()
        if Office.objects.count() > 1:
            self.print_comparison()

    def officer(self):
        """An OPCC officer of the office whose forces have the most actions."""
        busiest = (
            Action.objects.values(office=F("finding__inspection__force__office"))
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
        return Action.objects.filter(
            roles.force_scope(opcc, "finding__inspection__force_id")
        ).count()

    # OPCC staff's list, search and dashboard: the pages whose rows the office scope narrows.
    SCOPED = [
        "list: work in progress",
        "list: causes of concern",
        "list: not started, latest deadline first",
        "search: q=supervision",
        "search: q=custody victim",
        "search: q=zebra (no match)",
        "deep page: page=500",
        "dashboard: OPCC staff",
    ]

    def all_forces(self, clients, office):
        """The scoped pages again with every force in the officer's office, as in a one-office
        deployment (today's all-forces figures, on the same rows); rolled back after."""
        with transaction.atomic():
            for force in Force.objects.exclude(office=office):
                force.office = office
                force._change_reason = "Benchmark: every force in one office (rolled back)"
                force.save(update_fields=["office"])
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE actions_force")
            self.note(
                f"All forces in one office ({self.seen(self.opcc):,} actions), as in a "
                "one-office deployment:"
            )
            url = reverse("actions:list")
            for name, ours, _, where, params in LIST_FILTERS:
                self.page(clients["opcc"], f"{url}?{ours}", f"all forces: list: {name}")
                direction = "DESC" if "-deadline" in ours else "ASC"
                self.measure(
                    "  raw SQL floor, all forces",
                    lambda w=where, p=params, d=direction: self.floor(w, p, d),
                )
            for query, label in [
                ("q=supervision", "search: q=supervision"),
                ("q=custody+victim", "search: q=custody victim"),
                ("q=zebra", "search: q=zebra (no match)"),
                ("page=500", "deep page: page=500"),
            ]:
                self.page(clients["opcc"], f"{url}?{query}", f"all forces: {label}")
            self.page(
                clients["opcc"], reverse("actions:dashboard"), "all forces: dashboard: OPCC staff"
            )
            transaction.set_rollback(True)

    def print_comparison(self):
        timed = {label: (median, p95, queries) for label, median, p95, queries in self.rows}
        self.stdout.write("")
        self.stdout.write(
            f"{'OPCC officer: one office vs all forces':<44} {'office ms':>10} {'p95':>7} "
            f"{'all ms':>8} {'p95':>7} {'ratio':>6}"
        )
        for label in self.SCOPED:
            mine, every = timed.get(label), timed.get(f"all forces: {label}")
            if mine and every:
                self.stdout.write(
                    f"{label:<44} {mine[0]:>10.1f} {mine[1]:>7.1f} {every[0]:>8.1f} "
                    f"{every[1]:>7.1f} {mine[0] / every[0]:>6.2f}"
                )

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
        scope = roles.force_scope(self.opcc, "finding__inspection__force_id")
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

    def national_view(self):
        """/national/ as a national reader, every inspection's public progress page switched on
        (bookkeeping inside the benchmark's rolled-back transaction): the most it can read. The
        Celery task's computation of the recurring findings and directions, then the page reading
        them as stored."""
        roles.sync_role_groups()
        reader = User.objects.create_user("benchmark-national", "", None)
        reader.groups.add(Group.objects.get(name=roles.NATIONAL_READER))
        client = Client()
        client.force_login(reader)
        published = 0
        for inspection in Inspection.objects.filter(public_progress=False):
            inspection.public_progress = True
            inspection._change_reason = "Benchmark: every progress page on (rolled back)"
            inspection.save(update_fields=["public_progress"])
            published += 1
        url = reverse("reports:national")
        self.measure(
            f"national view: the task's figures ({published:,} inspections published)",
            report_services.national_figures_refresh,
            repeat=min(self.repeat, 5),
        )
        self.page(client, url, f"national view ({published:,} inspections published)")

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
