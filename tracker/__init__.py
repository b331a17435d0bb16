"""The Django project package: settings, URLs, roles, sign-in and the Celery app."""

from tracker.celery import app as celery_app

__all__ = ["celery_app"]
