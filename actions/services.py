"""Writes to audited data: each runs in a transaction, validates, saves and records who and why."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actions import reminders
from actions.models import (
    OPEN_STATUSES,
    Action,
    Evidence,
    Finding,
    Force,
    GradedArea,
    Inspection,
    Rag,
    ReminderKind,
    Status,
    Update,
)
from tracker import roles


class WorkflowError(ValidationError):
    """A change the workflow or the user's role does not allow; the message says why."""


# The status workflow (shared/DESIGN.md section 3). Closing, sustaining, reopening and moving
# deadlines have services of their own because they need a reason or assured evidence.
TRANSITIONS = {
    Status.NOT_STARTED: {Status.IN_PROGRESS, Status.PROPOSED, Status.BLOCKED},
    Status.IN_PROGRESS: {Status.PROPOSED, Status.BLOCKED},
    Status.PROPOSED: {Status.IN_PROGRESS, Status.SUSTAINING, Status.CLOSED, Status.BLOCKED},
    Status.SUSTAINING: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: {Status.REOPENED},
    Status.BLOCKED: {Status.IN_PROGRESS, Status.PROPOSED},
    Status.REOPENED: {Status.IN_PROGRESS, Status.PROPOSED, Status.BLOCKED},
}
# Moves only OPCC staff may make, whatever screen they come from.
OPCC_ONLY = {Status.SUSTAINING, Status.CLOSED, Status.REOPENED}


def audited_save(obj, *, by, reason="", update_fields=None):
    """Validate and save one audited object, with the history user and change reason set."""
    obj.full_clean()
    obj._history_user = by
    obj._change_reason = reason or None
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=update_fields)
    return obj


def _apply_changes(obj, fields):
    """Set the fields whose value differs; return their names (for update_fields)."""
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


def _check_transition(action, new_status, *, by):
    if new_status == action.status:
        return
    if new_status not in TRANSITIONS[action.status]:
        raise WorkflowError(
            f"An action that is {action.get_status_display().lower()} cannot become "
            f"{Status(new_status).label.lower()}."
        )
    if new_status in OPCC_ONLY and not roles.is_opcc_staff(by):
        raise WorkflowError(
            f"Only OPCC staff can make an action {Status(new_status).label.lower()}."
        )


def _require(text, what):
    if not (text or "").strip():
        raise WorkflowError(f"{what} is required.")
    return text.strip()


def _require_worker(action, by):
    if not roles.can_work_on_action(by, action):
        raise WorkflowError("Only the action's owner, their delegate or OPCC staff can do this.")


def require_opcc_staff(by):
    if not roles.is_opcc_staff(by):
        raise WorkflowError("Only OPCC staff can do this.")


# Forces, inspections, areas and findings


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
    _check_finding_links(finding)
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


def _check_finding_links(finding):
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
    changed = _apply_changes(finding, fields)
    if not changed:
        return finding
    _check_finding_links(finding)
    return audited_save(finding, by=by, reason=reason, update_fields=changed)


@transaction.atomic
def finding_set_external_status(*, by, finding, status, on, note):
    require_opcc_staff(by)
    finding.external_status = status
    finding.external_status_on = on
    finding.external_status_note = _require(note, "A note")
    return audited_save(
        finding,
        by=by,
        reason=f"External status: {finding.get_external_status_display()}. {note}",
        update_fields=["external_status", "external_status_on", "external_status_note"],
    )


@transaction.atomic
def finding_record_no_action_reason(*, by, finding, reason):
    require_opcc_staff(by)
    finding.no_action_reason = _require(reason, "A reason for taking no action")
    return audited_save(
        finding, by=by, reason=f"No action: {reason}", update_fields=["no_action_reason"]
    )


# Actions


@transaction.atomic
def action_create(
    *,
    by,
    finding,
    title,
    deadline,
    description="",
    owner=None,
    owner_role_title="",
    opcc_lead=None,
    delegate=None,
    status=Status.NOT_STARTED,
    rag=Rag.GREEN,
    percent_complete=0,
    closure_summary="",
    reason="Created",
):
    """A new action, normally not started. An import may create it in the status it already had
    in the office's previous tracker (not a workflow move: there was no earlier state here), and
    the reason then says so; a sustaining period needs a date, so it is set on the action page.
    """
    require_opcc_staff(by)
    if status == Status.SUSTAINING:
        raise WorkflowError("A new action cannot start in a sustaining period.")
    if status == Status.CLOSED:
        closure_summary = _require(closure_summary, "A closure summary")
    action = Action(
        finding=finding,
        title=title,
        description=description,
        owner=owner,
        owner_role_title=owner_role_title or (owner.role_title if owner else ""),
        opcc_lead=opcc_lead,
        delegate=delegate,
        deadline=deadline,
        original_deadline=deadline,
        status=status,
        rag=rag,
        percent_complete=percent_complete,
        closure_summary=closure_summary,
    )
    if status == Status.CLOSED:
        action.closed_by = by
        action.closed_at = timezone.now()
    _check_assignees(action, owner=owner, delegate=delegate, opcc_lead=opcc_lead)
    return audited_save(action, by=by, reason=reason)


def _check_assignees(action, *, owner, delegate, opcc_lead):
    for person, what in ((owner, "owner"), (delegate, "delegate")):
        if person is not None and not roles.can_assign_to(person, action):
            raise WorkflowError(
                f"{person} cannot be this action's {what}: they are not an action owner in "
                f"{action.finding.inspection.force}."
            )
    if opcc_lead is not None and not roles.is_opcc_staff(opcc_lead):
        raise WorkflowError(f"{opcc_lead} cannot be the OPCC lead: they are not OPCC staff.")


def _locked(action):
    """The action reloaded as stored now, its row locked until the transaction ends. The caller
    may hold an older copy: saving that would leave a history row with fields another user has
    since changed (the row records every field, not only the ones saved)."""
    fresh = Action.objects.select_for_update(of=("self",)).select_related(
        "finding__inspection__force", "owner", "opcc_lead", "delegate"
    )
    action.refresh_from_db(from_queryset=fresh)
    return action


@transaction.atomic
def action_assign(
    *, by, action, owner, opcc_lead, delegate=None, owner_role_title=None, reason="Assigned"
):
    require_opcc_staff(by)
    return _assign(
        by=by,
        action=_locked(action),
        owner=owner,
        opcc_lead=opcc_lead,
        delegate=delegate,
        owner_role_title=owner_role_title,
        reason=reason,
    )


def _assign(*, by, action, owner, opcc_lead, delegate, owner_role_title, reason):
    """action_assign's change, on an action already locked and reloaded."""
    _check_assignees(action, owner=owner, delegate=delegate, opcc_lead=opcc_lead)
    action.owner = owner
    action.opcc_lead = opcc_lead
    action.delegate = delegate
    if owner_role_title is not None:
        action.owner_role_title = owner_role_title
    return audited_save(
        action,
        by=by,
        reason=reason,
        update_fields=["owner", "opcc_lead", "delegate", "owner_role_title"],
    )


@transaction.atomic
def action_bulk_assign(*, by, actions, owner=None, opcc_lead=None):
    """Give each action a new owner and/or OPCC lead; one audited change per action.

    Either both succeed for every action or nothing changes: one refusal rolls back them all.
    """
    require_opcc_staff(by)
    if owner is None and opcc_lead is None:
        raise WorkflowError("Choose an owner, an OPCC lead, or both.")
    changed = []
    for action in actions:
        action = _locked(action)
        changed.append(
            _assign(
                by=by,
                action=action,
                owner=owner or action.owner,
                opcc_lead=opcc_lead or action.opcc_lead,
                delegate=action.delegate,
                owner_role_title=owner.role_title if owner else None,
                reason="Bulk-assigned",
            )
        )
    return changed


@transaction.atomic
def action_edit(*, by, action, title, description, reason="Edited"):
    """Change an action's wording; who owns it and when it is due have services of their own."""
    require_opcc_staff(by)
    action = _locked(action)
    action.title = _require(title, "A title")
    action.description = description
    return audited_save(action, by=by, reason=reason, update_fields=["title", "description"])


@transaction.atomic
def action_post_update(
    *,
    by,
    action,
    narrative,
    status,
    rag,
    percent_complete,
    public_narrative="",
    at=None,
    reason=None,
):
    """An owner's (or OPCC's) progress update: records the narrative and sets status and RAG.

    `at` is when the update was made, for updates brought in from an earlier tracker; the
    history row still records when it was entered here. `reason`, when given (an import),
    is recorded on both the update's and the action's history rows.
    """
    action = Action.objects.select_for_update().get(pk=action.pk)
    _require_worker(action, by)
    narrative = _require(narrative, "A progress narrative")
    if status in OPCC_ONLY and status != action.status:
        raise WorkflowError(
            "Use close, sustain or reopen for that change; an update cannot make it."
        )
    _check_transition(action, status, by=by)
    proposing = status == Status.PROPOSED and action.status != Status.PROPOSED
    if proposing:
        action.proposed_by = by
    now = at or timezone.now()
    update = Update(
        action=action,
        author=by,
        narrative=narrative,
        public_narrative=public_narrative,
        status=status,
        rag=rag,
        percent_complete=percent_complete,
        created_at=now,
    )
    audited_save(update, by=by, reason=reason or "")
    action.status = status
    action.rag = rag
    action.percent_complete = percent_complete
    action.last_update_at = max(now, action.last_update_at) if action.last_update_at else now
    audited_save(
        action,
        by=by,
        reason=reason or "Progress update",
        update_fields=["status", "rag", "percent_complete", "last_update_at", "proposed_by"],
    )
    reminders.notify_change(
        kind=ReminderKind.CLOSURE_PROPOSED if proposing else ReminderKind.UPDATE_POSTED,
        action=action,
        recipient=action.opcc_lead,
        by=by,
        key=f"update {update.pk}",
        detail=f"{by} posted an update ({update.get_status_display()}, "
        f"{update.get_rag_display()}, {percent_complete}% complete): {narrative}",
    )
    return update


def action_propose_closure(*, by, action, narrative):
    return action_post_update(
        by=by,
        action=action,
        narrative=narrative,
        status=Status.PROPOSED,
        rag=Rag.GREEN,
        percent_complete=100,
    )


@transaction.atomic
def action_change_deadline(*, by, action, deadline, reason):
    require_opcc_staff(by)
    reason = _require(reason, "A reason for moving the deadline")
    action = _locked(action)
    if deadline == action.deadline:
        raise WorkflowError("The new deadline is the same as the current one.")
    old = action.deadline
    action.deadline = deadline
    change = f"Deadline moved from {old:%d %b %Y} to {deadline:%d %b %Y}: {reason}"
    audited_save(action, by=by, reason=change, update_fields=["deadline"])
    reminders.notify_change(
        kind=ReminderKind.DEADLINE_MOVED,
        action=action,
        recipient=action.owner,
        by=by,
        key=f"{old} to {deadline} at {timezone.now().isoformat()}",
        detail=f"{change} ({by})",
    )
    return action


def _check_can_accept(action, by, status):
    """Rules shared by closing and sustaining: OPCC, assured evidence, separation of duties."""
    _check_transition(action, status, by=by)
    if action.proposed_by_id == by.pk:
        raise WorkflowError("You proposed this action for closure, so someone else must accept it.")
    if not action.evidence.filter(assured_at__isnull=False).exists():
        raise WorkflowError("At least one evidence item must be assured first.")


@transaction.atomic
def action_close(*, by, action, closure_summary):
    action = Action.objects.select_for_update().get(pk=action.pk)
    summary = _require(closure_summary, "A closure summary")
    _check_can_accept(action, by, Status.CLOSED)
    action.status = Status.CLOSED
    action.closure_summary = summary
    action.closed_by = by
    action.closed_at = timezone.now()
    action.percent_complete = 100
    audited_save(
        action,
        by=by,
        reason=f"Closed: {summary}",
        update_fields=["status", "closure_summary", "closed_by", "closed_at", "percent_complete"],
    )
    reminders.notify_change(
        kind=ReminderKind.ACTION_CLOSED,
        action=action,
        recipient=action.owner,
        by=by,
        key=f"closed at {action.closed_at.isoformat()}",
        detail=f"Closed by {by}: {summary}",
    )
    return action


@transaction.atomic
def action_sustain(*, by, action, until, reason):
    """Hold an assured action open until `until` to see that the fix lasts."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    reason = _require(reason, "A reason")
    if until <= timezone.localdate():
        raise WorkflowError("The sustaining period must end in the future.")
    _check_can_accept(action, by, Status.SUSTAINING)
    action.status = Status.SUSTAINING
    action.sustain_until = until
    return audited_save(
        action,
        by=by,
        reason=f"Sustaining until {until:%d %b %Y}: {reason}",
        update_fields=["status", "sustain_until"],
    )


@transaction.atomic
def action_reopen(*, by, action, reason):
    action = Action.objects.select_for_update().get(pk=action.pk)
    reason = _require(reason, "A reason for reopening")
    _check_transition(action, Status.REOPENED, by=by)
    action.status = Status.REOPENED
    action.proposed_by = None
    action.closed_by = None
    action.closed_at = None
    action.sustain_until = None
    audited_save(
        action,
        by=by,
        reason=f"Reopened: {reason}",
        update_fields=["status", "proposed_by", "closed_by", "closed_at", "sustain_until"],
    )
    reminders.notify_change(
        kind=ReminderKind.ACTION_REOPENED,
        action=action,
        recipient=action.owner,
        by=by,
        key=f"reopened at {timezone.now().isoformat()}",
        detail=f"Reopened by {by}: {reason}",
    )
    return action


@transaction.atomic
def action_block(*, by, action, reason):
    return action_post_update(
        by=by,
        action=action,
        narrative=_require(reason, "A reason the action is blocked"),
        status=Status.BLOCKED,
        rag=Rag.RED,
        percent_complete=action.percent_complete,
    )


# Evidence


@transaction.atomic
def evidence_add(
    *, by, action, kind, title, file=None, url="", note="", original_filename="", content_type=""
):
    _require_worker(action, by)
    if action.status not in OPEN_STATUSES and action.status != Status.SUSTAINING:
        raise WorkflowError("Evidence cannot be added to a closed action; reopen it first.")
    evidence = Evidence(
        action=action,
        kind=kind,
        title=_require(title, "A title"),
        url=url,
        note=note,
        submitted_by=by,
        submitted_at=timezone.now(),
    )
    if file is not None:
        evidence.original_filename = original_filename or getattr(file, "name", "")
        evidence.content_type = content_type
        evidence.size = file.size
        evidence.file.save(evidence.original_filename, file, save=False)
    return audited_save(evidence, by=by, reason="Evidence submitted")


@transaction.atomic
def evidence_assure(*, by, evidence, note):
    require_opcc_staff(by)
    if evidence.is_assured:
        raise WorkflowError("This evidence has already been assured.")
    evidence.assured_by = by
    evidence.assured_at = timezone.now()
    evidence.assurance_note = _require(note, "An assurance note")
    audited_save(
        evidence,
        by=by,
        reason=f"Assured: {evidence.assurance_note}",
        update_fields=["assured_by", "assured_at", "assurance_note"],
    )
    reminders.notify_change(
        kind=ReminderKind.EVIDENCE_ASSURED,
        action=evidence.action,
        recipient=evidence.action.owner,
        by=by,
        key=f"evidence {evidence.pk}",
        detail=f'{by} assured "{evidence.title}": {evidence.assurance_note}',
    )
    return evidence


# Importing a report and linking recurring findings


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
    update=False,
):
    """Create (or, with update, bring up to date) an inspection with its areas and findings.

    `by` is the officer (the command line names one with --user). Each finding dict has
    kind, reference, area (a graded area's name or None), parent (a cause of concern's reference
    or None), text, and repeats (ids of earlier findings the officer confirmed). Nothing is
    written unless all of it is valid; a report already imported (the same text, or the same
    force and title) is refused unless `update` is true.
    """
    require_opcc_staff(by)
    title = (title or "").strip()
    if not title:
        raise WorkflowError("The inspection needs a title.")
    problems = _import_problems(graded_areas=graded_areas, findings=findings)
    if not findings:
        problems.append("There are no findings to import.")
    if problems:
        raise WorkflowError(problems)
    existing = (
        Inspection.objects.select_for_update()
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
        published_on=published_on,
        sha256=sha256,
    )
    areas = _import_areas(inspection, graded_areas, findings, by=by, reason=reason)
    _import_findings(inspection, findings, areas, by=by, reason=reason)
    return inspection


def _import_inspection(existing, *, by, reason, force, title, kind, published_on, sha256):
    fields = {"title": title, "kind": kind, "published_on": published_on}
    if sha256:
        fields["source_sha256"] = sha256
    if existing is None:
        return audited_save(Inspection(force=force, **fields), by=by, reason=reason)
    changed = _apply_changes(existing, fields)
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
    for name, grade in wanted:
        area = areas.get(name.lower())
        if area is None:
            areas[name.lower()] = audited_save(
                GradedArea(inspection=inspection, name=name, grade=grade, position=len(areas) + 1),
                by=by,
                reason=reason,
            )
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
            _check_finding_links(finding)
            audited_save(finding, by=by, reason=reason)
        else:
            changed = _apply_changes(finding, fields)
            if changed:
                _check_finding_links(finding)
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
