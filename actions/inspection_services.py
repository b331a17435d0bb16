"""Writes to inspections and the other sources of findings: adding one by hand, editing it and
recording the response. Each runs in a transaction and is audited with who and why."""

from django.db import transaction

from actions.models import Inspection
from tracker.audit import apply_changes, audited_save, require_opcc_staff, require_text

# Free text kept without surrounding blanks, so an unchanged form changes nothing.
TEXT_FIELDS = ["title", "link", "inspector_summary", "response_link", "response_extension_reason"]


def _tidy(fields):
    return {name: value.strip() if name in TEXT_FIELDS else value for name, value in fields.items()}


@transaction.atomic
def inspection_create(*, by, force, **fields):
    """A source added by hand: an HMICFRS inspection the importer could not read, an IOPC
    recommendation, a coroner's report, an internal audit, a super-complaint or another."""
    require_opcc_staff(by)
    inspection = Inspection(force=force, **_tidy(fields))
    return audited_save(inspection, by=by, reason="Source added by hand")


@transaction.atomic
def inspection_edit(*, by, inspection, reason, **fields):
    """Change a source's details and its response clock's dates, with a reason kept in history."""
    require_opcc_staff(by)
    reason = require_text(reason, "A reason for the change")
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    changed = apply_changes(inspection, _tidy(fields))
    if not changed:
        return inspection
    return audited_save(inspection, by=by, reason=reason, update_fields=changed)


@transaction.atomic
def inspection_record_response(*, by, inspection, published_on, link=""):
    """Record the day the office's response was published (or sent) and where it can be read."""
    require_opcc_staff(by)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    changed = apply_changes(
        inspection, {"response_published_on": published_on, "response_link": link.strip()}
    )
    if not changed:
        return inspection
    reason = f"Response recorded as published on {published_on.day} {published_on:%B %Y}"
    return audited_save(inspection, by=by, reason=reason, update_fields=changed)
