"""Sharing an action or a finding with a partner force (a collaboration), and ending the
sharing: audited. Sharing a finding shares each of its actions (and those added later)."""

from django.db import transaction
from django.db.models import Q

from actions.models import Action, ActionPartner, Finding, FindingPartner
from tracker import roles
from tracker.audit import (
    WorkflowError,
    audited_save,
    require_change,
    require_finding_change,
    require_text,
)


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
    if FindingPartner.objects.filter(finding_id=action.finding_id, force=force).exists():
        raise WorkflowError(
            f"Its finding is shared with {force}, and so are all its actions: stop sharing the "
            "finding instead."
        )
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
    return _end(partner, by=by, change=f"Sharing with {force} ended: {reason}", reason=reason)


def _end(partner, *, by, change, reason):
    """Delete a partnership row; its history's deletion row records who, `change` (the short
    reason) and, in its `reason`, why in full."""
    partner._history_user = by
    partner._change_reason = change[:100]
    partner.reason = reason
    partner.delete()
    return partner


# A finding shared with a partner force: its FindingPartner row, and an ActionPartner row for
# each of its actions (those rows still decide who sees an action).
WITH_FINDING = "with its finding"


def _share_action(*, by, action, force, reason):
    partner = ActionPartner(action=action, force=force, shared_by=by, reason=reason)
    return audited_save(
        partner, by=by, reason=f"Shared with {force} {WITH_FINDING}: {reason}"[:100]
    )


@transaction.atomic
def finding_share(*, by, finding, force, reason):
    """Share the finding with `force`, and each of its actions not already shared with it."""
    require_finding_change(by, finding)
    reason = require_text(reason, "A reason for sharing the finding")
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection__force")
        .get(pk=finding.pk)
    )
    if force.pk == finding.inspection.force_id:
        raise WorkflowError(f"{force} is the finding's own force: choose a partner force.")
    if finding.partners.filter(force=force).exists():
        raise WorkflowError(f"The finding is already shared with {force}.")
    partner = FindingPartner(finding=finding, force=force, shared_by=by, reason=reason)
    audited_save(partner, by=by, reason=f"Shared with {force}: {reason}"[:100])
    # Locked against a concurrent assignment, as action_share locks its action.
    actions = Action.objects.select_for_update(of=("self",)).filter(finding=finding)
    shared = set(
        ActionPartner.objects.filter(action__finding=finding, force=force).values_list(
            "action_id", flat=True
        )
    )
    for action in actions.order_by("pk"):
        if action.pk not in shared:
            _share_action(by=by, action=action, force=force, reason=reason)
    return partner


@transaction.atomic
def finding_unshare(*, by, finding, force, reason):
    """Stop sharing the finding and its actions with `force`. Refused, naming the actions,
    while someone in that force owns one of them or is its delegate."""
    require_finding_change(by, finding)
    reason = require_text(reason, "A reason for ending the sharing")
    finding = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    partner = finding.partners.select_for_update().filter(force=force).first()
    if partner is None:
        raise WorkflowError(f"The finding is not shared with {force}.")
    # Every action of the finding locked first, against a concurrent assignment to the force.
    actions = Action.objects.filter(finding=finding)
    list(actions.select_for_update(of=("self",)).values_list("pk", flat=True))
    assigned = list(
        actions.filter(Q(owner__force_id=force.pk) | Q(delegate__force_id=force.pk))
        .order_by("pk")
        .values_list("title", flat=True)
    )
    if assigned:
        titles = "; ".join(f"“{title}”" for title in assigned)
        raise WorkflowError(
            f"Someone in {force} owns or is the delegate of {titles}: assign someone else "
            "before ending the sharing."
        )
    ended = f"Sharing with {force} ended {WITH_FINDING}: {reason}"
    for action_partner in ActionPartner.objects.filter(action__finding=finding, force=force):
        _end(action_partner, by=by, change=ended, reason=reason)
    return _end(partner, by=by, change=f"Sharing with {force} ended: {reason}", reason=reason)


def share_with_finding_partners(*, by, action):
    """A new action of a shared finding is shared with the finding's partners (called by
    services.action_create in its transaction). The finding is locked, as finding_share locks
    it, so an action added while the finding is being shared is shared too."""
    Finding.objects.select_for_update().filter(pk=action.finding_id).exists()
    for partner in FindingPartner.objects.filter(finding_id=action.finding_id).select_related(
        "force"
    ):
        _share_action(by=by, action=action, force=partner.force, reason=partner.reason)
