"""Template filters for briefing packs, whose snapshot stores dates as ISO strings."""

import base64
import datetime
from functools import lru_cache

from django import template
from django.template import defaultfilters
from django.utils import timezone, translation

from tracker import roles

register = template.Library()


@register.filter
def iso(value):
    """An ISO date or datetime string as a date, or a local datetime, for the |date filter."""
    if not value:
        return None
    if len(value) == 10:
        return datetime.date.fromisoformat(value)
    return timezone.localtime(datetime.datetime.fromisoformat(value))


@register.filter
def iso_date(value, fmt):
    """`value|iso|date:fmt` in one filter. A pack shows the same few days (deadlines) hundreds of
    times, so a day is formatted once per format and language; a datetime is formatted each
    time (it depends on the current time zone)."""
    if not value:
        return ""
    if len(value) == 10:
        return _formatted_day(value, fmt, translation.get_language())
    return defaultfilters.date(iso(value), fmt)


@lru_cache(maxsize=2048)
def _formatted_day(value, fmt, language):
    with translation.override(language):
        return defaultfilters.date(datetime.date.fromisoformat(value), fmt)


@register.filter
def svg_data_uri(svg):
    """An SVG as a data: URI for <img>, which the CSP allows and which can never run script."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@register.filter
def trend_label(trend):
    return {
        "improved": "Improved",
        "declined": "Declined",
        "same": "No change",
    }.get(trend, "Not comparable")


@register.filter
def manages_meetings(user):
    """For the menu: tracker.roles decides, from the roles already read for this request."""
    return roles.can_manage_meetings(user)


@register.filter
def uses_workspace(user):
    return roles.can_use_workspace(user)
