"""`manage.py generate_dataset --actions N`: a realistic national data set for the benchmark.

43 forces, each overseen by an office of its own (a PCC's, or a mayor's) whose OPCC staff lead its
actions, with one tri-force collaboration among them; inspections with graded areas, findings,
actions in every status with their updates, evidence and history (about ten history rows an
action), an upcoming APM per force, and the people who own and lead the actions. Bulk inserts, a
few per force; progress on stderr.
"""

import datetime
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from actions.models import Action
from actions.sample_data import dataset

LONG_HISTORY = 60  # updates on each force's first action: pages with a long history to measure


class Command(BaseCommand):
    help = "Build a national-scale data set (forces, inspections, findings, actions, history)."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=100_000)
        parser.add_argument("--forces", type=int, default=43)
        parser.add_argument("--owners-per-force", type=int, default=25)
        parser.add_argument(
            "--staff", type=int, default=120, help="OPCC staff in all (at least one an office)."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--append", action="store_true", help="Add to a database that already has actions."
        )

    def handle(self, *args, actions, forces, owners_per_force, staff, seed, append, **options):
        if settings.PRODUCTION:
            raise CommandError("generate_dataset writes made-up data: never in production.")
        if min(actions, forces, owners_per_force, staff) < 1:
            raise CommandError("--actions, --forces, --owners-per-force and --staff must be >= 1.")
        if Action.objects.exists() and not append:
            raise CommandError(
                "The database already has actions. Use an empty database, or --append to add "
                "another data set to it."
            )
        rng = random.Random(seed)  # noqa: S311 (made-up data, repeatable by seed)
        today = timezone.localdate()
        tag = f" [{time.strftime('%Y%m%d%H%M%S')}]" if append else ""
        prefix = f"gen{time.strftime('%H%M%S')}-" if append else "gen-"
        started = time.perf_counter()
        with transaction.atomic():
            force_rows = dataset.forces_named(dataset.force_names(forces))
            people = dataset.people(
                forces=force_rows, owners_per_force=owners_per_force, staff=staff, prefix=prefix
            )
        history = len(force_rows)
        trio = dataset.collaboration_of(force_rows)
        share, extra = divmod(actions, forces)
        self.progress(0, forces, 0, history, started)
        for n, force in enumerate(force_rows):
            builder = dataset.ForceBuilder(
                force=force,
                owners=people.owners[force.pk],
                staff=people.staff[force.office_id],
                rng=rng,
                today=today,
                tag=tag,
            )
            count = share + (1 if n < extra else 0)
            if count:
                with transaction.atomic():
                    inspections, rows = builder.build(count, long_history=LONG_HISTORY)
                    if trio and force == trio[0]:
                        history += dataset.share_collaboration(
                            lead=force, partners=trio[1:], actions=rows
                        )
                    dataset.agenda_meeting(
                        force=force,
                        inspections=inspections,
                        actions=rows,
                        starts_at=timezone.now() + datetime.timedelta(days=10),
                    )
                history += builder.history + 1
            done = share * (n + 1) + min(n + 1, extra)
            self.progress(n + 1, forces, done, history, started)
        self.stderr.write("")
        self.refresh_statistics()
        statuses = dict(
            Action.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        )
        self.stdout.write(
            f"Generated {done:,} actions in {forces} forces "
            f"({len({force.office_id for force in force_rows})} offices) with {history:,} "
            f"history rows in {time.perf_counter() - started:.0f}s."
        )
        self.stdout.write(
            "Actions by status: " + ", ".join(f"{k} {v:,}" for k, v in statuses.items())
        )

    def refresh_statistics(self):
        """Bulk-loaded tables have no planner statistics until autovacuum gets to them, and
        the planner then guesses (a status filter estimated at 155 rows of 14,200). VACUUM
        also marks the pages all-visible, so counts can be answered from an index alone."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")

    def progress(self, done, total, actions, history, started):
        width = 30
        filled = width * done // total
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} forces, "
            f"{actions:,} actions, {history:,} history rows, "
            f"{time.perf_counter() - started:.0f}s",
            ending="",
        )
        self.stderr.flush()
