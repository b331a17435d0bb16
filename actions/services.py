"""Writes to audited data: each runs in a transaction, validates, saves and records who and why."""

from django.db import transaction
from django.utils import timezone

from actions import collaboration_services
from actions.models import (
    Action,
    Rag,
    ReminderKind,
    Status,
    Update,
)
from actions.reminders import outbox
from tracker import roles
from tracker.audit import (
    WorkflowError,
    audited_save,
    require_change,
    require_opcc_staff,
    require_sees_force,
    require_text,
)

# The status workflow (docs/design.md, "Workflow"). Closing, sustaining, reopening and moving
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
    if new_status in OPCC_ONLY:
        require_change(by, action)


def require_worker(action, by):
    if not roles.can_work_on_action(by, action):
        raise WorkflowError("Only the action's owner, their delegate or OPCC staff can do this.")


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
    entering_history=False,
    reason="Created",
):
    """A new action, normally not started. An import may create it in the status it already had
    in the office's previous tracker (not a workflow move: there was no earlier state here), and
    the reason then says so; a sustaining period needs a date, so it is set on the action page.
    A deadline already passed is accepted only when `entering_history` (an import, or an officer
    recording an earlier plan).
    """
    require_opcc_staff(by)
    require_sees_force(by, finding.inspection.force_id)
    if status == Status.SUSTAINING:
        raise WorkflowError("A new action cannot start in a sustaining period.")
    if status == Status.CLOSED:
        closure_summary = require_text(closure_summary, "A closure summary")
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
    refusal = action.deadline_refusal(deadline, entering_history=entering_history)
    if refusal:
        raise WorkflowError(refusal)
    _check_assignees(action, owner=owner, delegate=delegate, opcc_lead=opcc_lead)
    audited_save(action, by=by, reason=reason)
    collaboration_services.share_with_finding_partners(by=by, action=action)
    return action


def _check_assignees(action, *, owner, delegate, opcc_lead):
    for person, what in ((owner, "owner"), (delegate, "delegate")):
        if person is not None and not roles.can_assign_to(person, action):
            raise WorkflowError(
                f"{person} cannot be this action's {what}: they are not an action owner in "
                f"{action.finding.inspection.force}."
            )
    if opcc_lead is not None and not roles.is_opcc_staff(opcc_lead):
        raise WorkflowError(f"{opcc_lead} cannot be the OPCC lead: they are not OPCC staff.")
    if opcc_lead is not None and not roles.can_lead_action(opcc_lead, action):
        raise WorkflowError(
            f"{opcc_lead} cannot be the OPCC lead: they are not staff of the office overseeing "
            f"{action.finding.inspection.force}."
        )


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
    require_change(by, action)
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
    """Give each action a new owner and/or OPCC lead; one audited change per action that
    changes. Returns the actions changed (an action already so is left alone).

    Either both succeed for every action or nothing changes: one refusal rolls back them all.
    """
    require_opcc_staff(by)
    if owner is None and opcc_lead is None:
        raise WorkflowError("Choose an owner, an OPCC lead, or both.")
    changed = []
    for action in actions:
        require_change(by, action)
        action = _locked(action)
        new_owner = owner if owner is not None and owner != action.owner else None
        new_lead = opcc_lead if opcc_lead is not None and opcc_lead != action.opcc_lead else None
        if new_owner is None and new_lead is None:
            # Already so: no history row saying nothing changed, and not counted as changed.
            continue
        changed.append(
            _assign(
                by=by,
                action=action,
                owner=new_owner or action.owner,
                opcc_lead=new_lead or action.opcc_lead,
                delegate=action.delegate,
                # The public role title follows a new owner; an unchanged owner keeps theirs.
                owner_role_title=new_owner.role_title if new_owner else None,
                reason="Bulk-assigned",
            )
        )
    return changed


@transaction.atomic
def action_edit(*, by, action, title, description, reason="Edited"):
    """Change an action's wording; who owns it and when it is due have services of their own."""
    require_change(by, action)
    action = _locked(action)
    action.title = require_text(title, "A title")
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
    require_worker(action, by)
    narrative = require_text(narrative, "A progress narrative")
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
    outbox.notify_change(
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
def action_change_deadline(
    *, by, action, deadline, reason, entering_history=False, extension=False
):
    """Move the deadline, keeping the original so the slip shows. `entering_history` records a
    deadline already passed (a move made before the tracker held it). A first deadline changed
    within a day of being set is corrected instead: no slip (Action.deadline_is_a_correction).
    An approved extension request (`extension`) is always a slip, never a correction, and its
    service tells the owner of the decision itself."""
    require_change(by, action)
    reason = require_text(reason, "A reason for moving the deadline")
    action = _locked(action)
    if deadline == action.deadline:
        raise WorkflowError("The new deadline is the same as the current one.")
    refusal = action.deadline_refusal(deadline, entering_history=entering_history)
    if refusal:
        raise WorkflowError(refusal)
    old = action.deadline
    fields = ["deadline"]
    if not entering_history and not extension and action.deadline_is_a_correction():
        action.original_deadline = deadline
        fields.append("original_deadline")
        change = f"Deadline corrected from {old:%d %b %Y} to {deadline:%d %b %Y}: {reason}"
    else:
        change = f"Deadline moved from {old:%d %b %Y} to {deadline:%d %b %Y}: {reason}"
    action.deadline = deadline
    audited_save(action, by=by, reason=change, update_fields=fields)
    if extension:
        return action
    outbox.notify_change(
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
    refusal = action.acceptance_refusal(by)
    if refusal:
        raise WorkflowError(refusal)


@transaction.atomic
def action_close(*, by, action, closure_summary):
    action = Action.objects.select_for_update().get(pk=action.pk)
    summary = require_text(closure_summary, "A closure summary")
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
    outbox.notify_change(
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
    reason = require_text(reason, "A reason")
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
def action_reopen(*, by, action, reason, rag, percent_complete):
    """Reopen a closed or sustaining action. It starts clean: the person reopening sets its RAG
    and percent complete, and the closure summary stays only in the history."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    reason = require_text(reason, "A reason for reopening")
    _check_transition(action, Status.REOPENED, by=by)
    action.status = Status.REOPENED
    action.rag = rag
    action.percent_complete = percent_complete
    action.closure_summary = ""
    action.proposed_by = None
    action.closed_by = None
    action.closed_at = None
    action.sustain_until = None
    audited_save(
        action,
        by=by,
        reason=f"Reopened: {reason}",
        update_fields=[
            "status",
            "rag",
            "percent_complete",
            "closure_summary",
            "proposed_by",
            "closed_by",
            "closed_at",
            "sustain_until",
        ],
    )
    outbox.notify_change(
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
        narrative=require_text(reason, "A reason the action is blocked"),
        status=Status.BLOCKED,
        rag=Rag.RED,
        percent_complete=action.percent_complete,
    )
