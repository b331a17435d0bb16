"""Writes to evidence: owners submit it, OPCC staff assure it or send the action back for more;
audited as in actions/services.py."""

from django.db import transaction
from django.utils import timezone

from actions.models import OPEN_STATUSES, Action, Evidence, ReminderKind, Status
from actions.reminders import outbox
from actions.services import require_worker
from tracker.audit import WorkflowError, audited_save, require_change, require_text

# How the action's history names a return; reports/snapshot.py finds returns by it.
RETURNED = "Returned for more evidence"


@transaction.atomic
def evidence_add(
    *, by, action, kind, title, file=None, url="", note="", original_filename="", content_type=""
):
    require_worker(action, by)
    if action.status not in OPEN_STATUSES and action.status != Status.SUSTAINING:
        raise WorkflowError("Evidence cannot be added to a closed action; reopen it first.")
    evidence = Evidence(
        action=action,
        kind=kind,
        title=require_text(title, "A title"),
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


def _locked_evidence(evidence):
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("action", "submitted_by")
        .get(pk=evidence.pk)
    )


@transaction.atomic
def evidence_assure(*, by, evidence, note):
    """Assure evidence: OPCC staff, never whoever added it (Evidence.assurance_refusal)."""
    require_change(by, evidence.action)
    evidence = _locked_evidence(evidence)
    refusal = evidence.assurance_refusal(by)
    if refusal:
        raise WorkflowError(refusal)
    evidence.assured_by = by
    evidence.assured_at = timezone.now()
    evidence.assurance_note = require_text(note, "An assurance note")
    audited_save(
        evidence,
        by=by,
        reason=f"Assured: {evidence.assurance_note}",
        update_fields=["assured_by", "assured_at", "assurance_note"],
    )
    outbox.notify_change(
        kind=ReminderKind.EVIDENCE_ASSURED,
        action=evidence.action,
        recipient=evidence.action.owner,
        by=by,
        key=f"evidence {evidence.pk}",
        detail=f'{by} assured "{evidence.title}": {evidence.assurance_note}',
    )
    return evidence


@transaction.atomic
def evidence_return(*, by, evidence, reason):
    """Send one piece of evidence back as not enough: it can no longer be assured, and its
    action goes back to the owner for more (action_return)."""
    require_change(by, evidence.action)
    reason = require_text(reason, "A reason")
    evidence = _locked_evidence(evidence)
    if evidence.is_assured:
        raise WorkflowError("Assured evidence cannot be returned.")
    if evidence.is_returned:
        raise WorkflowError("This evidence has already been returned.")
    if evidence.action.status == Status.CLOSED:
        raise WorkflowError("Evidence of a closed action cannot be returned; reopen it first.")
    evidence.returned_by = by
    evidence.returned_at = timezone.now()
    evidence.return_reason = reason
    audited_save(
        evidence,
        by=by,
        reason=f"{RETURNED}: {reason}",
        update_fields=["returned_by", "returned_at", "return_reason"],
    )
    _send_back(
        by=by, action=_locked_action(evidence.action), reason=f'"{evidence.title}": {reason}'
    )
    return evidence


@transaction.atomic
def action_return(*, by, action, reason):
    """Send a closure proposal back to the owner for more evidence."""
    require_change(by, action)
    reason = require_text(reason, "A reason")
    action = _locked_action(action)
    if action.status != Status.PROPOSED:
        raise WorkflowError("Only an action proposed for closure can be returned.")
    return _send_back(by=by, action=action, reason=reason)


def _locked_action(action):
    return Action.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action.pk)


def _send_back(*, by, action, reason):
    """The action back with its owner: a closure proposal goes back to In progress (an action
    already with the owner keeps its status); the history keeps the reason, and the owner is
    told why. The owner's stale clock starts again from the return (Action.last_update_at):
    they cannot be chased for silence about work that was with OPCC staff."""
    if action.status == Status.PROPOSED:
        action.status = Status.IN_PROGRESS
        action.proposed_by = None
    now = timezone.now()
    action.last_update_at = max(now, action.last_update_at) if action.last_update_at else now
    audited_save(
        action,
        by=by,
        reason=f"{RETURNED}: {reason}",
        update_fields=["status", "proposed_by", "last_update_at"],
    )
    outbox.notify_change(
        kind=ReminderKind.ACTION_RETURNED,
        action=action,
        recipient=action.owner,
        by=by,
        key=f"returned at {now.isoformat()}",
        detail=f"{RETURNED} by {by}: {reason}",
    )
    return action
