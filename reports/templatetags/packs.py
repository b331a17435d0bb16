"""Template filters for briefing packs, whose snapshot stores dates as ISO strings."""

import base64
import datetime

from django import template
from django.utils import timezone

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
