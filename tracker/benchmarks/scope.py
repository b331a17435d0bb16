"""The `pages` benchmark's comparison of one office against all forces, and the national view.

Issue 23: an OPCC officer of one office must not wait longer for their list, search and
dashboard than today's all-forces figures, and the national view's page must take under 500 ms.
A comparison of two halves run minutes apart measures the machine's load as much as the scope,
so ScopeComparison interleaves them: each round times every scoped page (and each list filter's
raw SQL floor) once for the officer's own office and once with every force moved into that office
(a one-office deployment on the same rows), the order of the two sides alternating from round to
round, each side inside a savepoint rolled back at the end of its turn. Both sides so see the
same load, and the same wear of the caches.

A mixin of the section's command (tracker.benchmarks.pages.Command), which supplies `repeat`,
`rows`, `opcc`, `page()`, `measure()`, `note()`, `seen()`, `floor()`, `load()` and
`analyze_forces()` (the raw SQL stays there, in the one benchmark module allowed it).
"""

import math
import statistics
import time

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Force, Inspection
from reports import services as report_services
from tracker import roles
from tracker.models import User

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
# Text search and a deep page of the list, each as (query string, label).
SEARCHES = [
    ("q=supervision", "search: q=supervision"),
    ("q=custody+victim", "search: q=custody victim"),
    ("q=zebra", "search: q=zebra (no match)"),
    ("page=500", "deep page: page=500"),
]
OFFICE, ALL_FORCES = "one office", "all forces"
NATIONAL_TARGET_MS = 500
FLOOR = "  raw SQL floor"


def summary(times):
    """Median and p95 of `times` (seconds), in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def query_range(counts):
    """Usually one figure; a range when a once-a-minute query (the heartbeat banner, the
    session's idle-time stamp) fell inside some of the runs."""
    low, high = min(counts), max(counts)
    return f"{low}" if low == high else f"{low}-{high}"


def geometric_mean(ratios):
    return math.exp(sum(math.log(ratio) for ratio in ratios) / len(ratios)) if ratios else None


class ScopeComparison:
    # The comparison

    def scoped_cases(self, client):
        """(label, call) for each page the office scope narrows, each list filter followed by
        its raw SQL floor: the officer's list, search, deep page and dashboard."""
        url = reverse("actions:list")
        cases = []
        for name, ours, _, where, params in LIST_FILTERS:
            direction = "DESC" if "-deadline" in ours else "ASC"
            cases.append((f"list: {name}", self.getter(client, f"{url}?{ours}")))
            cases.append((FLOOR, lambda w=where, p=params, d=direction: self.floor(w, p, d)))
        for query, label in SEARCHES:
            cases.append((label, self.getter(client, f"{url}?{query}")))
        cases.append(("dashboard: OPCC staff", self.getter(client, reverse("actions:dashboard"))))
        return cases

    def getter(self, client, url):
        def get():
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}, not 200.")

        return get

    def compare_scopes(self, client, office):
        """The scoped pages for the officer's office and for all forces in it, interleaved over
        `repeat` rounds after one warm-up round of each side (checked, not counted)."""
        cases = self.scoped_cases(client)
        times = [{OFFICE: [], ALL_FORCES: []} for _ in cases]
        counts = [{OFFICE: [], ALL_FORCES: []} for _ in cases]
        seen, load_before = {}, self.load()
        for round_number in range(self.repeat + 1):
            # Office first in the warm-up and odd rounds, all forces first in even rounds.
            office_first = round_number % 2 or not round_number
            for side in (OFFICE, ALL_FORCES) if office_first else (ALL_FORCES, OFFICE):
                with transaction.atomic():
                    if side == ALL_FORCES:
                        self.move_every_force(office)
                    roles.forget_office_forces(self.opcc)  # its forces as this side has them
                    self.analyze_forces()  # each side planned on its own statistics
                    if not round_number:
                        seen[side] = self.seen(self.opcc)
                    for index, (_, call) in enumerate(cases):
                        with CaptureQueriesContext(connection) as captured:
                            started = time.perf_counter()
                            call()
                            elapsed = time.perf_counter() - started
                        if round_number:
                            times[index][side].append(elapsed)
                            counts[index][side].append(len(captured))
                    transaction.set_rollback(True)
        self.note(
            f"All forces in one office ({seen[ALL_FORCES]:,} actions), as in a one-office "
            f"deployment: {self.repeat} round(s), each timing every page once per side, the "
            "order of the sides alternating"
        )
        self.note(
            f"  one office: {seen[OFFICE]:,} actions; load average {load_before} before, "
            f"{self.load()} after"
        )
        for (label, _), timed, counted in zip(cases, times, counts, strict=True):
            figures = {}
            for side in (OFFICE, ALL_FORCES):
                figures[side] = summary(timed[side])
                self.rows.append((f"{side}: {label}", *figures[side], query_range(counted[side])))
            self.compared.append((label, figures[OFFICE], figures[ALL_FORCES]))

    def move_every_force(self, office):
        """Every force into the officer's office, as in a one-office deployment (an audited
        save each; the caller's savepoint rolls it back)."""
        for force in Force.objects.exclude(office=office):
            force.office = office
            force._change_reason = "Benchmark: every force in one office (rolled back)"
            force.save(update_fields=["office"])

    def print_comparison(self):
        if not self.compared:
            return
        self.stdout.write("")
        self.stdout.write(
            f"{'OPCC officer: one office vs all forces':<44} {'office ms':>10} {'p95':>7} "
            f"{'all ms':>8} {'p95':>7} {'ratio':>6}"
        )
        pages, floors = [], []
        for label, mine, every in self.compared:
            ratio = mine[0] / every[0] if every[0] else math.inf
            (floors if label == FLOOR else pages).append((ratio, label))
            self.stdout.write(
                f"{label:<44} {mine[0]:>10.1f} {mine[1]:>7.1f} {every[0]:>8.1f} "
                f"{every[1]:>7.1f} {ratio:>6.2f}"
            )
        finite = [ratio for ratio, _ in pages if math.isfinite(ratio)]
        worst, worst_label = max(pages)
        self.stdout.write(
            "ratio one office / all forces (median ms; under 1 is faster): pages "
            f"{geometric_mean(finite):.2f} (geometric mean of {len(finite)}), worst "
            f"{worst:.2f} ({worst_label}); raw SQL floors "
            f"{geometric_mean([r for r, _ in floors if math.isfinite(r)]):.2f}"
        )

    # The national view

    def national_view(self):
        """/national/ as a national reader, every inspection's public progress page switched on
        (bookkeeping inside the benchmark's rolled-back transaction): the most it can read.
        First the Celery task that computes the recurring findings and directions of travel
        (it runs in the background, every NATIONAL_VIEW_REFRESH_MINUTES), then the page reading
        them as stored: cold (the cache cleared before each request) and warm."""
        roles.sync_role_groups()
        reader = User.objects.create_user("benchmark-national", "", None)
        reader.groups.add(Group.objects.get(name=roles.NATIONAL_READER))
        client = Client()
        client.force_login(reader)
        for inspection in Inspection.objects.filter(public_progress=False):
            inspection.public_progress = True
            inspection._change_reason = "Benchmark: every progress page on (rolled back)"
            inspection.save(update_fields=["public_progress"])
        published = Inspection.objects.filter(public_progress=True).count()
        self.measure(
            f"national view: the task's figures ({published:,} inspections published)",
            report_services.national_figures_refresh,
            repeat=min(self.repeat, 5),
        )
        get = self.getter(client, reverse("reports:national"))

        def cold():
            cache.clear()
            get()

        cold_ms, _ = self.measure(
            "national view, figures stored (cold: cache cleared)", cold, repeat=min(self.repeat, 5)
        )
        warm_ms, _ = self.measure("national view, figures stored (warm)", get)
        verdicts = [
            f"{name} {ms:.1f} ms {'under' if ms < NATIONAL_TARGET_MS else 'OVER'}"
            for name, ms in (("cold", cold_ms), ("warm", warm_ms))
        ]
        self.note(
            f"  national view page, {published:,} inspections published; median against "
            f"{NATIONAL_TARGET_MS} ms: {', '.join(verdicts)}"
        )
