"""`manage.py restore PATH`: load a `manage.py backup` file into a new, empty database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this database, which must be empty "
        "(it is migrated first), and its files into MEDIA_ROOT. Every table's row count is "
        "checked against the backup; on any difference nothing is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.tar.gz) to restore.")

    def handle(self, *args, path, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            manifest = backup_restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored {rows} rows and {manifest['files']} files from the backup of "
            f"{manifest['created_at']}."
        )
