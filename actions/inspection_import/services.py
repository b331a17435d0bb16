"""Writes for the HMICFRS report import: a reviewed draft becomes an inspection; repeat links."""

from django.db import transaction

from actions.finding_services import check_finding_links, predecessor_for
from actions.models import Finding, GradedArea, Inspection
from tracker.audit import (
    WorkflowError,
    apply_changes,
    audited_save,
    require_opcc_staff,
    require_sees_force,
)


def _import_problems(*, graded_areas, findings):
    """Everything wrong with a reviewed draft, as messages naming the finding or area."""
    problems, names, references = [], set(), set()
    for area in graded_areas:
        name = (area.get("name") or "").strip()
        if not name:
            problems.append("Every graded area needs a name.")
        elif name.lower() in names:
            problems.append(f'The graded area "{name}" is listed twice.')
        if area.get("grade") not in GradedArea.Grade.values:
            problems.append(f'Choose a grade for "{name}".')
        names.add(name.lower())
    causes = {
        (item.get("reference") or "").strip()
        for item in findings
        if item.get("kind") == Finding.Kind.CAUSE_OF_CONCERN
    }
    for number, item in enumerate(findings, start=1):
        reference = (item.get("reference") or "").strip()
        label = reference or f"Finding {number}"
        if not reference:
            problems.append(f"{label} needs a reference.")
        elif reference in references:
            problems.append(f'The reference "{reference}" is used twice.')
        references.add(reference)
        if item.get("kind") not in Finding.Kind.values:
            problems.append(f"Choose the type of {label}.")
        if not (item.get("text") or "").strip():
            problems.append(f"{label} has no text: add its text or drop it.")
        parent = item.get("parent")
        if parent and item.get("kind") != Finding.Kind.RECOMMENDATION:
            problems.append(f"{label}: only a recommendation can belong to a cause of concern.")
        elif parent and parent not in causes:
            problems.append(f'{label}: "{parent}" is not a cause of concern in this report.')
    return problems


def _check_repeat(finding, earlier):
    if earlier.pk == finding.pk or earlier.inspection_id == finding.inspection_id:
        raise WorkflowError("A finding can only repeat a finding of an earlier inspection.")
    if earlier.inspection.force_id != finding.inspection.force_id:
        raise WorkflowError("A finding can only repeat an earlier finding of the same force.")


def _link_repeats(*, by, finding, earlier, reason):
    for other in earlier:
        _check_repeat(finding, other)
    finding._history_user = by
    finding._change_reason = reason
    # The m2m_changed signal writes one history row holding the links after the change.
    finding.repeats.add(*earlier)


@transaction.atomic
def report_import(
    *,
    by,
    force,
    title,
    kind,
    published_on,
    graded_areas,
    findings,
    source_name,
    sha256="",
    source_type=Inspection.SourceType.HMICFRS,
    update=False,
):
    """Create (or, with update, bring up to date) an inspection with its areas and findings.

    `by` is the officer (the command line names one with --user). Each finding dict has
    kind, reference, area (a graded area's name or None), parent (a cause of concern's reference
    or None), text, and repeats (ids of earlier findings the officer confirmed). Nothing is
    written unless all of it is valid; `source_type` says where the report came from (an
    Inspection.SourceType). A report already imported (the same text, or the same
    force and title) is refused unless `update` is true.
    """
    require_opcc_staff(by)
    require_sees_force(by, force.pk)
    title = (title or "").strip()
    if not title:
        raise WorkflowError("The inspection needs a title.")
    problems = _import_problems(graded_areas=graded_areas, findings=findings)
    if not findings:
        problems.append("There are no findings to import.")
    if problems:
        raise WorkflowError(problems)
    # Only this office's register: another office may import the same report (a national
    # thematic inspection is about every force), and its copy is never updated from here.
    existing = (
        Inspection.objects.select_for_update(of=("self",))
        .visible_to(by)
        .same_report(force=force, title=title, sha256=sha256)
        .order_by("pk")
        .first()
    )
    if existing is not None and not update:
        raise WorkflowError(
            f'This report has already been imported as "{existing.title}" ({existing.force}). '
            "Open that inspection to change it, or import with update to bring it up to date."
        )
    reason = f"{'Updated' if existing else 'Imported'} from {source_name}"
    inspection = _import_inspection(
        existing,
        by=by,
        reason=reason,
        force=force,
        title=title,
        kind=kind,
        source_type=source_type,
        published_on=published_on,
        sha256=sha256,
    )
    areas = _import_areas(inspection, graded_areas, findings, by=by, reason=reason)
    _import_findings(inspection, findings, areas, by=by, reason=reason)
    return inspection


def _import_inspection(
    existing, *, by, reason, force, title, kind, source_type, published_on, sha256
):
    fields = {
        "title": title,
        "kind": kind,
        "source_type": source_type,
        "published_on": published_on,
    }
    if sha256:
        fields["source_sha256"] = sha256
    if existing is None:
        return audited_save(Inspection(force=force, **fields), by=by, reason=reason)
    changed = apply_changes(existing, fields)
    if changed:
        audited_save(existing, by=by, reason=reason, update_fields=changed)
    return existing


def _import_areas(inspection, graded_areas, findings, *, by, reason):
    """The inspection's areas by lower-case name; areas findings name but the draft does not
    grade are added ungraded, as in the report."""
    areas = {area.name.lower(): area for area in inspection.graded_areas.all()}
    wanted = [(area["name"].strip(), area["grade"]) for area in graded_areas]
    graded = {name.lower() for name, _ in wanted}
    wanted += [
        (item["area"].strip(), GradedArea.Grade.UNGRADED)
        for item in findings
        if item.get("area") and item["area"].strip().lower() not in graded
    ]
    previous = inspection.previous_inspection()
    previous_areas = list(previous.graded_areas.all()) if previous else []
    for name, grade in wanted:
        area = areas.get(name.lower())
        if area is None:
            area = GradedArea(
                inspection=inspection, name=name, grade=grade, position=len(areas) + 1
            )
            area.predecessor = predecessor_for(area, previous_areas)
            areas[name.lower()] = audited_save(area, by=by, reason=reason)
        elif area.grade != grade and name.lower() in graded:
            area.grade = grade
            audited_save(area, by=by, reason=reason, update_fields=["grade"])
    return areas


def _import_findings(inspection, findings, areas, *, by, reason):
    existing = {finding.reference: finding for finding in inspection.findings.all()}
    earlier_ids = {pk for item in findings for pk in item.get("repeats") or []}
    earlier = Finding.objects.select_related("inspection").in_bulk(earlier_ids)
    if len(earlier) != len(earlier_ids):
        raise WorkflowError("A confirmed earlier finding no longer exists; review the links again.")
    # Causes of concern first, so each recommendation's parent exists when it is saved.
    order = sorted(
        enumerate(findings, start=1), key=lambda pair: pair[1]["kind"] != "cause_of_concern"
    )
    saved = {}
    for position, item in order:
        fields = {
            "kind": item["kind"],
            "text": " ".join(item["text"].split()),
            "area": areas.get((item.get("area") or "").strip().lower()),
            "parent": saved.get(item.get("parent")) if item.get("parent") else None,
            "position": position,
        }
        reference = item["reference"].strip()
        finding = existing.get(reference)
        if finding is None:
            finding = Finding(inspection=inspection, reference=reference, **fields)
            check_finding_links(finding)
            audited_save(finding, by=by, reason=reason)
        else:
            changed = apply_changes(finding, fields)
            if changed:
                check_finding_links(finding)
                audited_save(finding, by=by, reason=reason, update_fields=changed)
        saved[reference] = finding
        links = [earlier[pk] for pk in item.get("repeats") or [] if pk in earlier]
        if links:
            _link_repeats(by=by, finding=finding, earlier=links, reason=f"{reason}: repeat linked")
    return saved


@transaction.atomic
def finding_link_repeat(*, by, finding, earlier):
    """Record that `finding` raises again what `earlier` (an earlier inspection's) raised."""
    require_opcc_staff(by)
    if finding.repeats.filter(pk=earlier.pk).exists():
        raise WorkflowError("These findings are already linked.")
    _link_repeats(
        by=by,
        finding=finding,
        earlier=[earlier],
        reason=f"Linked as a repeat of {earlier.reference} ({earlier.inspection})",
    )
    return finding


@transaction.atomic
def finding_unlink_repeat(*, by, finding, earlier):
    require_opcc_staff(by)
    finding._history_user = by
    finding._change_reason = f"Unlinked from {earlier.reference} ({earlier.inspection})"
    finding.repeats.remove(earlier)
    return finding
