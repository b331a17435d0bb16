"""App config for the core: inspections, findings, actions, updates, evidence, reminders."""

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Inspections and actions"
