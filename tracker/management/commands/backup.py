"""`manage.py backup PATH`: the database (with its history) and the private media in one file."""

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import PG_DUMP, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup to PATH (a .tar, or .tar.gz to compress it): the whole database, history "
        "included, and every file under MEDIA_ROOT. On PostgreSQL the database is copied with "
        "pg_dump (whose version must match the server's); on SQLite, or with --portable, as "
        "Django JSON. Restore it with `manage.py restore PATH` into a new, empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the backup, e.g. tracker-2026-11-23.tar")
        parser.add_argument(
            "--portable",
            action="store_true",
            help="Django JSON even on PostgreSQL, to move the site to SQLite (slow at scale, "
            "timestamps cut to milliseconds).",
        )

    def handle(self, *args, path, portable, **options):
        try:
            manifest = backup_create(path, portable=portable)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        how = "pg_dump" if manifest["format"] == PG_DUMP else "Django JSON"
        self.stdout.write(f"Backed up {rows} rows ({how}) and {manifest['files']} files to {path}.")
