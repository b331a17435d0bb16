"""Load the Hertfordshire demo data and demo users (safe to run repeatedly)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actions.sample_data.demo import load_demo
from reports.services import national_figures_refresh


class Command(BaseCommand):
    help = "Load demo inspections, actions, meetings and one demo user per role (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo users have a published password: not loaded in production.")
        usernames = load_demo()
        # The national view's figures, so its first visit shows them (make run has no worker).
        national_figures_refresh()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/ as any of:")
        for username in usernames:
            self.stdout.write(f"  {username}")
        self.stdout.write(f"Password for every demo user: {settings.DEMO_PASSWORD}")
