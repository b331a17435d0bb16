"""Writes to meetings, audited like the actions app's services."""

from django.db import transaction

from actions.services import audited_save, require_opcc_staff
from reports.models import Meeting


@transaction.atomic
def meeting_create(*, by, kind, title, starts_at, inspections=(), location="", webcast_url=""):
    require_opcc_staff(by)
    meeting = audited_save(
        Meeting(
            kind=kind, title=title, starts_at=starts_at, location=location, webcast_url=webcast_url
        ),
        by=by,
        reason="Created",
    )
    meeting.inspections.set(inspections)
    return meeting
