"""Import an inspection report (PDF, HTML or text file) as an inspection with its findings."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions import finding_selectors, finding_services
from actions.inspection_import import services as import_services
from actions.inspection_import.source import NO_FINDINGS, guess_kind, parsed_from_file, report_hash
from actions.models import Inspection
from tracker import roles
from tracker.models import User


class Command(BaseCommand):
    help = (
        "Read an HMICFRS report and create its inspection, graded areas and findings. With "
        "--dry-run --json, print what was found as JSON and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The report: a .pdf, .html/.htm or .txt file")
        parser.add_argument("--force", dest="force_name", help="The force the report is about")
        parser.add_argument("--dry-run", action="store_true", help="Parse only; save nothing")
        parser.add_argument("--json", action="store_true", help="Print the parsed report as JSON")
        parser.add_argument(
            "--update", action="store_true", help="Bring an already imported report up to date"
        )
        parser.add_argument(
            "--user", help="The OPCC staff user the history records (needed unless --dry-run)"
        )

    def handle(self, *args, **options):
        path, force_name, as_json = options["path"], options["force_name"], options["json"]
        try:
            # A dry run reports what it found, even nothing; an import needs findings.
            parsed, text = parsed_from_file(
                path, force_name=force_name, require_findings=not options["dry_run"]
            )
        except FileNotFoundError:
            raise CommandError(f"There is no file at {path}.") from None
        except (IsADirectoryError, PermissionError) as error:
            raise CommandError(f"{path} cannot be read: {error.strerror}.") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if as_json:
            self.stdout.write(_json_dumps(parsed.as_dict()))
        if options["dry_run"]:
            if not parsed.findings:
                self.stderr.write(NO_FINDINGS)
            if not as_json:
                self._summary(parsed)
            return
        by = self._user(options["user"])
        name = force_name or parsed.inspection.force
        if not name:
            raise CommandError("The report does not name its force: give it with --force NAME.")
        title = parsed.inspection.title
        if not title:
            raise CommandError("No title was found in the report; import it on the review screen.")
        source = Path(path).name
        sha256 = report_hash(text)
        draft = parsed.as_dict()
        try:
            with transaction.atomic():
                force = finding_selectors.force_named(name, user=by)
                if force is None and finding_selectors.force_name_taken(name):
                    # Another office's force: its register is not this officer's to add to.
                    raise CommandError(f"{name} is not a force your office oversees.")
                force = force or finding_services.force_create(
                    by=by, name=name, reason=f"Imported from {source}"
                )
                existed = (
                    Inspection.objects.visible_to(by)
                    .same_report(force=force, title=title, sha256=sha256)
                    .exists()
                )
                inspection = import_services.report_import(
                    by=by,
                    force=force,
                    title=title,
                    kind=guess_kind(title),
                    source_type=parsed.source_type,
                    published_on=parsed.inspection.published,
                    graded_areas=draft["graded_areas"],
                    findings=draft["findings"],
                    source_name=source,
                    sha256=sha256,
                    update=options["update"],
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not as_json:
            verb = "Updated" if existed else "Imported"
            self.stdout.write(
                self.style.SUCCESS(
                    f'{verb} "{inspection.title}" ({force}): {len(parsed.graded_areas)} graded '
                    f"areas, {len(parsed.findings)} findings."
                )
            )

    def _user(self, username):
        if not username:
            raise CommandError("Give --user: the OPCC officer the history will record.")
        by = User.objects.filter(username=username).first()
        if by is None or not roles.is_opcc_staff(by):
            raise CommandError(f"{username} is not an OPCC staff user.")
        return by

    def _summary(self, parsed):
        info = parsed.inspection
        self.stdout.write(f"Title: {info.title or 'not found'}")
        self.stdout.write(f"Force: {info.force or 'not found'}")
        self.stdout.write(f"Published: {info.published or 'not found'}")
        for area in parsed.graded_areas:
            self.stdout.write(f"Area: {area.name} ({area.grade})")
        for finding in parsed.findings:
            self.stdout.write(f"{finding.reference} [{finding.kind}]: {finding.text}")
        self.stdout.write("Dry run: nothing was saved.")


def _json_dumps(value):
    return json.dumps(value, ensure_ascii=False, indent=2)
