"""Writes to forces, inspections (and the other sources of findings: added by hand, edited, their
response recorded), graded areas and findings; audited as in actions/services.py."""

from django.db import transaction

from actions.grades import predecessor_name
from actions.models import Finding, Force, GradedArea, Inspection
from tracker import roles
from tracker.audit import (
    WorkflowError,
    apply_changes,
    audited_save,
    require_opcc_staff,
    require_sees_force,
    require_text,
)
from tracker.models import Office


def force_create(*, by, name, monitoring_phase=Force.MonitoringPhase.SCAN, office=None, reason=""):
    """A force, overseen by `office`: by default the office of whoever adds it, or the
    deployment's one office (made on first use)."""
    office_id = office.pk if office is not None else roles.office_id_of(by)
    office_id = office_id or Office.objects.sole_id()
    if office_id is None:
        raise WorkflowError("Say which office oversees the force.")
    force = Force(name=name, monitoring_phase=monitoring_phase, office_id=office_id)
    force = audited_save(force, by=by, reason=reason)
    roles.forget_office_forces(by)  # its office's forces, as read for this request, grew
    return force


# An inspection's free text kept without surrounding blanks, so an unchanged form changes nothing.
INSPECTION_TEXT_FIELDS = [
    "title",
    "link",
    "inspector_summary",
    "response_link",
    "response_extension_reason",
]


def _tidy(fields):
    return {
        name: value.strip() if name in INSPECTION_TEXT_FIELDS else value
        for name, value in fields.items()
    }


@transaction.atomic
def inspection_create(*, by, force, title, reason="", **fields):
    """An inspection or another source of findings: from the demo or an import, or added by hand
    (an HMICFRS inspection the importer could not read, an IOPC recommendation, a coroner's
    report, an internal audit, a super-complaint or another). `previous`, if given, is the
    inspection it follows; the model refuses another force's or a later one."""
    require_opcc_staff(by)
    require_sees_force(by, force.pk)
    inspection = Inspection(force=force, **_tidy({"title": title, **fields}))
    return audited_save(inspection, by=by, reason=reason)


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


@transaction.atomic
def graded_area_create(*, by, inspection, name, grade, position=0):
    """A graded area, following the previous inspection's area of its (PEEL 2021/22) name."""
    require_opcc_staff(by)
    require_sees_force(by, inspection.force_id)
    previous = inspection.previous_inspection()
    area = GradedArea(inspection=inspection, name=name, grade=grade, position=position)
    area.predecessor = predecessor_for(area, previous.graded_areas.all()) if previous else None
    return audited_save(area, by=by)


def predecessor_for(area, previous_areas):
    """The shipped mapping: the previous area named as PEEL named this one then."""
    wanted = predecessor_name(area.name).lower()
    return next((other for other in previous_areas if other.name.lower() == wanted), None)


@transaction.atomic
def graded_areas_map_predecessors(*, by, inspection, reason="Mapped to the previous inspection"):
    """Point each area at the previous inspection's area it follows by the shipped mapping,
    where it follows none of that inspection's areas yet; return the areas changed."""
    require_opcc_staff(by)
    previous = inspection.previous_inspection()
    previous_areas = list(previous.graded_areas.all()) if previous else []
    mapped = {area.pk for area in previous_areas}
    changed = []
    for area in inspection.graded_areas.all():
        if area.predecessor_id in mapped:
            continue
        predecessor = predecessor_for(area, previous_areas)
        if predecessor is not None:
            area.predecessor = predecessor
            changed.append(audited_save(area, by=by, reason=reason, update_fields=["predecessor"]))
    return changed


@transaction.atomic
def inspection_set_previous(*, by, inspection, previous, reason):
    """Record the inspection this one follows, and map its areas to that one's."""
    require_opcc_staff(by)
    problem = inspection.previous_problem(previous) if previous is not None else ""
    if problem:
        raise WorkflowError(problem)
    if inspection.previous_id != (previous.pk if previous else None):
        inspection.previous = previous
        audited_save(
            inspection, by=by, reason=require_text(reason, "A reason"), update_fields=["previous"]
        )
    graded_areas_map_predecessors(by=by, inspection=inspection, reason=reason)
    return inspection


@transaction.atomic
def graded_area_set_predecessor(*, by, area, predecessor, reason):
    """OPCC staff say which of the previous inspection's areas this one follows (or none)."""
    require_opcc_staff(by)
    reason = require_text(reason, "A reason")
    previous = area.inspection.previous_inspection()
    if predecessor is not None and (previous is None or predecessor.inspection_id != previous.pk):
        raise WorkflowError("Choose one of the previous inspection's areas.")
    area.predecessor = predecessor
    return audited_save(area, by=by, reason=reason, update_fields=["predecessor"])


@transaction.atomic
def finding_create(
    *, by, inspection, kind, reference, text, area=None, parent=None, reason="", **fields
):
    require_opcc_staff(by)
    require_sees_force(by, inspection.force_id)
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
