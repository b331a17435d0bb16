"""`manage.py send_reminders [--dry-run] [--date YYYY-MM-DD] [--weekly]`: the beat job, by hand."""

import datetime
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from actions.reminders.sweep import reminders_sweep


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Record the reminders due by today (or --date) and send each recipient one digest: the "
        "same service the daily Celery task runs, so it is safe to run from cron, by hand or "
        "twice. --dry-run prints who would get what (exactly what the run would send, after the "
        "digest drops what no longer applies; with a later --date, what that day's own sweep "
        "would add) and records and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print, record nothing.")
        parser.add_argument("--date", type=_date, help="Sweep as if today were YYYY-MM-DD.")
        parser.add_argument(
            "--weekly", action="store_true", help="Send the weekly summaries instead."
        )

    def handle(self, *args, dry_run, date, weekly, **options):
        sweep = reminders_sweep(today=date, weekly=weekly, dry_run=dry_run)
        day = f"{sweep.today:%A} {sweep.today.day} {sweep.today:%B %Y}"
        if not dry_run:
            self.stdout.write(
                f"{day}: {sweep.due} reminders due; digests sent or queued for "
                f"{len(sweep.pending)} people with reminders waiting."
            )
            return
        by_person = defaultdict(list)
        for reminder in sweep.pending:
            by_person[reminder.recipient.email].append(reminder)
        self.stdout.write(
            f"Dry run for {day}: {len(sweep.pending)} reminders would go to {len(by_person)} "
            "people. Nothing was recorded or sent."
        )
        for email, waiting in by_person.items():
            self.stdout.write(f"{email}:")
            for reminder in waiting:
                subject = (
                    reminder.action or reminder.meeting or reminder.inspection or "weekly summary"
                )
                self.stdout.write(f"  {reminder.get_kind_display()}: {subject} ({reminder.period})")
