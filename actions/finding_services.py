"""Writes to forces, inspections, graded areas and findings; audited as in actions/services.py."""

from django.db import transaction

from actions.models import Finding, Force, GradedArea, Inspection
from tracker.audit import (
    WorkflowError,
    apply_changes,
    audited_save,
    require_opcc_staff,
    require_text,
)


def force_create(*, by, name, monitoring_phase=Force.MonitoringPhase.SCAN, reason=""):
    return audited_save(Force(name=name, monitoring_phase=monitoring_phase), by=by, reason=reason)


@transaction.atomic
def inspection_create(*, by, force, title, **fields):
    require_opcc_staff(by)
    return audited_save(Inspection(force=force, title=title, **fields), by=by)


@transaction.atomic
def graded_area_create(*, by, inspection, name, grade, position=0):
    require_opcc_staff(by)
    return audited_save(
        GradedArea(inspection=inspection, name=name, grade=grade, position=position), by=by
    )


@transaction.atomic
def finding_create(
    *, by, inspection, kind, reference, text, area=None, parent=None, reason="", **fields
):
    require_opcc_staff(by)
    finding = Finding(
        inspection=inspection,
        kind=kind,
        reference=reference,
        text=text,
        area=area,
        parent=parent,
        **fields,
    )
    check_finding_links(finding)
    return audited_save(finding, by=by, reason=reason)


FINDING_EDITABLE_FIELDS = {
    "kind",
    "reference",
    "text",
    "public_text",
    "area",
    "parent",
    "due_on",
    "no_action_reason",
}


def check_finding_links(finding):
    if finding.area is not None and finding.area.inspection_id != finding.inspection_id:
        raise WorkflowError("The graded area must belong to the finding's inspection.")
    if finding.parent is not None:
        if finding.parent.kind != Finding.Kind.CAUSE_OF_CONCERN:
            raise WorkflowError("A recommendation's parent must be a cause of concern.")
        if finding.parent.inspection_id != finding.inspection_id or finding.parent == finding:
            raise WorkflowError("The cause of concern must be another finding of this inspection.")


@transaction.atomic
def finding_edit(*, by, finding, reason="Edited", **fields):
    """Change a finding's wording, area, parent or dates; its external status has a service."""
    require_opcc_staff(by)
    unknown = set(fields) - FINDING_EDITABLE_FIELDS
    if unknown:
        raise WorkflowError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    changed = apply_changes(finding, fields)
    if not changed:
        return finding
    check_finding_links(finding)
    return audited_save(finding, by=by, reason=reason, update_fields=changed)


@transaction.atomic
def finding_set_external_status(*, by, finding, status, on, note):
    require_opcc_staff(by)
    finding.external_status = status
    finding.external_status_on = on
    finding.external_status_note = require_text(note, "A note")
    return audited_save(
        finding,
        by=by,
        reason=f"External status: {finding.get_external_status_display()}. {note}",
        update_fields=["external_status", "external_status_on", "external_status_note"],
    )


@transaction.atomic
def finding_record_no_action_reason(*, by, finding, reason):
    require_opcc_staff(by)
    finding.no_action_reason = require_text(reason, "A reason for taking no action")
    return audited_save(
        finding, by=by, reason=f"No action: {reason}", update_fields=["no_action_reason"]
    )
