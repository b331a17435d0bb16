"""`manage.py import_actions FILE [--dry-run] [--user USERNAME]`: the web import from a shell.

It reads the file, matches columns (the user's remembered choices, then the usual headings),
prints the preview, and unless --dry-run applies the valid rows in one transaction as that user.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from actions.models import Inspection
from actions.plan_import import columns, files, preview
from tracker import roles
from tracker.models import User


class Command(BaseCommand):
    help = "Import actions and updates from an XLSX or CSV action plan (preview with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="An .xlsx or .csv file.")
        parser.add_argument("--dry-run", action="store_true", help="Preview only; save nothing.")
        parser.add_argument("--user", help="The OPCC officer the history records (to apply).")
        parser.add_argument(
            "--inspection",
            help="Title (or its start) of the inspection for rows that do not name one.",
        )
        parser.add_argument("--skipped-report", help="Write the skipped rows to this CSV file.")

    def handle(self, *args, file, dry_run, user, inspection, skipped_report, **options):
        by = self.officer(user, dry_run=dry_run)
        default_inspection = self.inspection(inspection, by)
        sheet = self.read(Path(file), by)
        mapping = files.guess_mapping(sheet, user=by)
        problems = columns.mapping_problems(mapping, default_inspection=default_inspection)
        if problems:
            unmatched = [h for i, h in enumerate(sheet.headings) if h and i not in mapping]
            raise CommandError(
                " ".join(problems)
                + f" Unmatched headings: {', '.join(unmatched) or 'none'}. Rename them as in the"
                " template, or match them once in the web import (remembered for your user)."
            )
        plan = preview.plan_import(sheet, mapping, default_inspection=default_inspection, user=by)
        if not dry_run:
            preview.apply_plan(plan, by=by)
        self.report(plan, applied=not dry_run, verbosity=options["verbosity"])
        if skipped_report:
            with open(skipped_report, "w", newline="", encoding="utf-8") as stream:
                files.skipped_report(plan, stream)

    def officer(self, username, *, dry_run):
        if not username:
            if dry_run:
                return None
            raise CommandError("Give --user: the OPCC officer the history will record.")
        by = User.objects.filter(username=username, is_active=True).first()
        if by is None or not roles.is_opcc_staff(by):
            raise CommandError(f"{username} is not an active member of OPCC staff.")
        return by

    def inspection(self, title, by):
        if not title:
            return None
        inspections = Inspection.objects.all() if by is None else Inspection.objects.visible_to(by)
        found = columns.inspection_matches(title, inspections.select_related("force"))
        if not found:
            raise CommandError(f'No inspection is called "{title}".')
        if len(found) > 1:
            raise CommandError(columns.ambiguous_inspection(title, found))
        return found[0]

    def read(self, path, by):
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as handle:
            try:
                name = files.validate_upload(File(handle, name=path.name))
                return files.load_sheet(handle, name, user=by)
            except (ValidationError, files.ImportFileError) as error:
                message = " ".join(getattr(error, "messages", [str(error)]))
                raise CommandError(message) from None

    def report(self, plan, *, applied, verbosity):
        counts = plan.counts()
        verb = "Imported" if applied else "Dry run, nothing saved"
        self.stdout.write(
            f"{verb}: {plan.file_name}: {counts['create']} to create, {counts['update']} to "
            f"update, {counts['unchanged']} unchanged, {counts['error']} with errors (skipped)."
        )
        for row in plan.rows:
            if row.outcome == preview.ERROR:
                for column, message in row.errors:
                    where = f"Row {row.number}, {column}" if column else f"Row {row.number}"
                    self.stdout.write(f"  {where}: {message}")
            elif verbosity >= 2 and row.outcome != preview.UNCHANGED:
                self.stdout.write(f"  Row {row.number}: {'; '.join(row.changes)}")
