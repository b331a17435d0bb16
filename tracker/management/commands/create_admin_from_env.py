"""`manage.py create_admin_from_env`: the first administrator, from the environment."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.services import administrator_create

VARIABLES = ("TRACKER_ADMIN_USERNAME", "TRACKER_ADMIN_EMAIL", "TRACKER_ADMIN_PASSWORD")


class Command(BaseCommand):
    help = (
        "Create the first administrator from TRACKER_ADMIN_USERNAME, TRACKER_ADMIN_EMAIL and "
        "TRACKER_ADMIN_PASSWORD, without prompting. Safe to rerun: an existing user of that name "
        "is left unchanged. Remove the password from the environment afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Make it a superuser too: only a superuser gives the OPCC staff and "
            "Administrator roles, so the first account of a new installation needs this.",
        )

    def handle(self, *args, superuser=False, **options):
        # Read here, not in settings: these exist only for this one-off bootstrap step.
        values = {name: os.environ.get(name, "").strip() for name in VARIABLES}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise CommandError(f"Set {', '.join(missing)} to create the first administrator.")
        try:
            user, created = administrator_create(
                username=values["TRACKER_ADMIN_USERNAME"],
                email=values["TRACKER_ADMIN_EMAIL"],
                password=values["TRACKER_ADMIN_PASSWORD"],
                superuser=superuser,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if created:
            kind = "Superuser and administrator" if superuser else "Administrator"
            self.stdout.write(f"{kind} {user.username} created.")
        else:
            self.stdout.write(f"User {user.username} already exists; nothing changed.")
