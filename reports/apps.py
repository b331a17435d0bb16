"""App config for meetings, briefing packs, Panel summaries and public pages."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Meetings and reports"

    def ready(self):
        # Register the PDF and national figures tasks, which the services queue by name
        # (reports/services.py).
        from reports import tasks  # noqa: F401
