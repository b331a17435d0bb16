"""`manage.py backup PATH`: the database (with its history) and the private media in one file."""

from django.core.management.base import BaseCommand

from tracker.backup import backup_create


class Command(BaseCommand):
    help = (
        "Write a backup to PATH (a .tar.gz): every table, history included, as Django JSON, and "
        "every file under MEDIA_ROOT. Restore it with `manage.py restore PATH` into a new, "
        "empty database. Works on SQLite and PostgreSQL alike."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="Where to write the backup, e.g. tracker-2026-11-23.tar.gz"
        )

    def handle(self, *args, path, **options):
        manifest = backup_create(path)
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Backed up {rows} rows and {manifest['files']} files to {path}.")
