"""App config for meetings, briefing packs, Panel summaries and public pages."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Meetings and reports"
