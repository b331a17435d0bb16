"""`manage.py restore PATH`: load a `manage.py backup` file into a new, empty database."""

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this database, which must be new and "
        "empty (a pg_dump backup needs PostgreSQL with no tables: do not migrate first), and its "
        "files into MEDIA_ROOT. The database is migrated, and every table's row count (and, for "
        "pg_dump backups, every timestamp) is checked against the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.tar or .tar.gz) to restore.")

    def handle(self, *args, path, **options):
        try:
            manifest = backup_restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored {rows} rows and {manifest['files']} files from the backup of "
            f"{manifest['created_at']}."
        )
