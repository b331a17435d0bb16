"""Writes to deadline extension requests: an owner asks, OPCC staff approve or decline, audited."""

from django.db import transaction
from django.utils import timezone

from actions.models import Action, ExtensionRequest, ExtensionStatus, ReminderKind
from actions.reminders import outbox
from actions.services import action_change_deadline
from tracker import roles
from tracker.audit import WorkflowError, audited_save, require_change, require_text

# The start of the reason an approved extension moves the deadline with, so the pack's "what
# changed" (reports/snapshot_history.py) can say the move was an approved request.
EXTENSION_APPROVED = "Extension approved"


@transaction.atomic
def extension_request(*, by, action, requested_deadline, reason):
    """The owner or delegate asks for a later deadline; the OPCC lead hears of it."""
    # The action's row lock keeps two requests from both finding none pending.
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("opcc_lead").get(pk=action.pk)
    )
    if not roles.can_request_extension(by, action):
        raise WorkflowError("Only the open action's owner or delegate can ask for an extension.")
    reason = require_text(reason, "A reason for the extension")
    if action.extension_requests.pending().exists():
        raise WorkflowError("This action already has an extension request waiting for a decision.")
    if requested_deadline <= action.deadline:
        raise WorkflowError("Ask for a deadline later than the current one.")
    refusal = action.deadline_refusal(requested_deadline)
    if refusal:
        raise WorkflowError(refusal)
    request = ExtensionRequest(
        action=action, requested_by=by, requested_deadline=requested_deadline, reason=reason
    )
    audited_save(request, by=by, reason=f"Extension to {requested_deadline:%d %b %Y} requested")
    outbox.notify_change(
        kind=ReminderKind.EXTENSION_REQUESTED,
        action=action,
        recipient=action.opcc_lead,
        by=by,
        key=f"extension {request.pk} requested",
        detail=f"{by} asked to move the deadline from {action.deadline:%d %b %Y} to "
        f"{requested_deadline:%d %b %Y}: {reason}",
    )
    return request


def _locked_pending(request, by):
    require_change(by, request.action)
    request = (
        ExtensionRequest.objects.select_for_update(of=("self",))
        .select_related("action", "requested_by")
        .get(pk=request.pk)
    )
    refusal = request.decision_refusal(by)
    if refusal:
        raise WorkflowError(refusal)
    return request


def _decide(request, *, by, status, decision_reason, line):
    request.status = status
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = decision_reason
    audited_save(
        request,
        by=by,
        reason=line,
        update_fields=["status", "decided_by", "decided_at", "decision_reason"],
    )
    action = request.action
    # The requester and the owner hear of it (once, if they are the same person).
    for recipient in {request.requested_by, action.owner} - {None}:
        outbox.notify_change(
            kind=ReminderKind.EXTENSION_DECIDED,
            action=action,
            recipient=recipient,
            by=by,
            key=f"extension {request.pk} {status}",
            detail=f"{line} ({by})",
        )
    return request


@transaction.atomic
def extension_approve(*, by, request, decision_reason=""):
    """Move the deadline to the date asked for, through action_change_deadline: the original
    stays, the slip is recorded, and the reason is the request's."""
    request = _locked_pending(request, by)
    action_change_deadline(
        by=by,
        action=request.action,
        deadline=request.requested_deadline,
        reason=f"{EXTENSION_APPROVED}: {request.reason}",
        extension=True,
    )
    line = f"Extension to {request.requested_deadline:%d %b %Y} approved"
    if decision_reason.strip():
        line += f": {decision_reason.strip()}"
    return _decide(
        request,
        by=by,
        status=ExtensionStatus.APPROVED,
        decision_reason=decision_reason.strip(),
        line=line,
    )


@transaction.atomic
def extension_decline(*, by, request, decision_reason):
    request = _locked_pending(request, by)
    decision_reason = require_text(decision_reason, "A reason for declining")
    return _decide(
        request,
        by=by,
        status=ExtensionStatus.DECLINED,
        decision_reason=decision_reason,
        line=f"Extension to {request.requested_deadline:%d %b %Y} declined: {decision_reason}",
    )
