"""Celery entry points for operations: the hourly check of the reminder sweep's heartbeat."""

from celery import shared_task

from tracker import heartbeat


@shared_task
def check_sweep_heartbeat():
    """Email administrators, once per silence, when no reminder sweep has finished recently."""
    return heartbeat.heartbeat_alert_if_stale()
