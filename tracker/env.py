"""Reading settings from the environment: one parser per kind of value, each with a clear error."""

import os

from django.core.exceptions import ImproperlyConfigured


def env(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default):
    value = env(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = env(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name, default=()):
    value = env(name)
    if not value:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def env_days(name, default):
    """Whole days separated by commas, e.g. "14,7,1"; returned largest first."""
    values = env_list(name, [str(days) for days in default])
    if not values or not all(value.isdigit() and int(value) > 0 for value in values):
        raise ImproperlyConfigured(f"{name} must be whole days separated by commas, e.g. 14,7,1")
    return sorted({int(value) for value in values}, reverse=True)


def env_time(name, default):
    """A 24-hour time "HH:MM", returned as (hour, minute)."""
    value = env(name, default)
    hour, _, minute = value.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ImproperlyConfigured(f"{name} must be a 24-hour time like 07:00, not {value!r}")
    return int(hour), int(minute)
