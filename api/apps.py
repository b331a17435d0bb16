"""App config for the read-only JSON API and the calendar feeds."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API and calendar feeds"

    def ready(self):
        # Registers the OpenAPI description of the token authentication.
        from api import schema  # noqa: F401
