"""Sharing an action with a partner force (a collaboration), and ending the sharing: audited."""

from django.db import transaction

from actions.models import Action, ActionPartner
from tracker import roles
from tracker.audit import WorkflowError, audited_save, require_change, require_text


def _locked(action):
    # Sharing changes who may be assigned the action: lock it against a concurrent assignment.
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("finding__inspection__force")
        .get(pk=action.pk)
    )


@transaction.atomic
def action_share(*, by, action, force, reason):
    """Share the action with `force`: its office's staff read it, its owners may be assigned it.
    Only the managing office's staff share, and never with the action's own force."""
    require_change(by, action)
    reason = require_text(reason, "A reason for sharing the action")
    action = _locked(action)
    if force.pk == roles.owning_force_id(action):
        raise WorkflowError(f"{force} is the action's own force: choose a partner force.")
    if action.partners.filter(force=force).exists():
        raise WorkflowError(f"The action is already shared with {force}.")
    partner = ActionPartner(action=action, force=force, shared_by=by, reason=reason)
    return audited_save(partner, by=by, reason=f"Shared with {force}: {reason}"[:100])


@transaction.atomic
def action_unshare(*, by, action, force, reason):
    """Stop sharing the action with `force`. Its history row keeps who, when and why. Refused
    while someone in that force owns it or is its delegate: assign someone else first."""
    require_change(by, action)
    reason = require_text(reason, "A reason for ending the sharing")
    action = _locked(action)
    partner = action.partners.select_for_update().filter(force=force).first()
    if partner is None:
        raise WorkflowError(f"The action is not shared with {force}.")
    assigned = [
        person
        for person in (action.owner, action.delegate)
        if person is not None and person.force_id == force.pk
    ]
    if assigned:
        raise WorkflowError(
            f"{assigned[0]} in {force} is assigned this action: assign someone else before "
            "ending the sharing."
        )
    partner._history_user = by
    partner._change_reason = f"Sharing with {force} ended: {reason}"[:100]
    partner.delete()
    return partner
