"""`manage.py benchmark [SECTION] [options]`: time the pages and jobs that grow with the data.

SECTION is `pages` (the default: the pages, the pack and the sweep on the current database),
`pack` (a meeting of N actions), `reminders` (a sweep over N actions) or `plan-import` (an N-row
action plan). `manage.py benchmark SECTION --help` lists a section's options.
"""

from django.core.management.base import BaseCommand

from tracker.benchmarks import pack, pages, plan_import, reminders

SECTIONS = {
    "pages": pages.Command,
    "pack": pack.Command,
    "reminders": reminders.Command,
    "plan-import": plan_import.Command,
}


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        # The default section's options stay on the command itself, so `benchmark --repeat 5`
        # works as it always has.
        pages.Command().add_arguments(parser)
        sections = parser.add_subparsers(dest="section", title="sections")
        for name, section in SECTIONS.items():
            if name != "pages":
                section().add_arguments(sections.add_parser(name, help=section.help))

    def handle(self, *args, section=None, **options):
        command = SECTIONS[section or "pages"](stdout=self.stdout, stderr=self.stderr)
        return command.handle(*args, **options)
