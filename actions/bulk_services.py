"""Writes to many actions at once from the action list: ask owners for an update, move deadlines.

Bulk assignment is actions.services.action_bulk_assign (all or nothing); these two do what they
can and say why they left an action alone.
"""

from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from actions.models import ReminderKind
from actions.reminders import outbox
from actions.services import action_change_deadline
from tracker.audit import WorkflowError, require_opcc_staff, require_text


class BulkResult(NamedTuple):
    done: list  # the owners told, or the actions changed
    refused: list  # (action, why) for each action left alone


@transaction.atomic
def action_bulk_request_update(*, by, actions, message=""):
    """Ask the owner of each selected open action for an update: one notice per owner listing
    their actions, through the outbox. Returns the owners told."""
    require_opcc_staff(by)
    key = f"update requested {timezone.now().isoformat()}"
    wanted = "OPCC staff asked for an update" + (f": {message.strip()}" if message.strip() else ".")
    told, refused = [], []
    for action in actions:
        if not action.is_open:
            refused.append((action, "it is closed"))
        elif action.owner is None:
            refused.append((action, "it has no owner"))
        elif not action.owner.is_reachable or action.owner.pk == by.pk:
            refused.append((action, f"{action.owner} cannot be emailed"))
        else:
            outbox.notify_change(
                kind=ReminderKind.UPDATE_REQUESTED,
                action=action,
                recipient=action.owner,
                by=by,
                key=key,
                detail=f"{wanted} ({by})",
            )
            if action.owner not in told:
                told.append(action.owner)
    return BulkResult(told, refused)


@transaction.atomic
def action_bulk_change_deadline(*, by, actions, deadline, reason):
    """Move each selected action's deadline to `deadline` through action_change_deadline, each
    audited with `reason`. One refused (same date, before the report) leaves the others moved.
    Returns the actions changed."""
    require_opcc_staff(by)
    reason = require_text(reason, "A reason for moving the deadlines")
    changed, refused = [], []
    for action in actions:
        try:
            # Its own savepoint: a refusal undoes only this action's change.
            changed.append(
                action_change_deadline(by=by, action=action, deadline=deadline, reason=reason)
            )
        except WorkflowError as error:
            refused.append((action, " ".join(error.messages)))
    return BulkResult(changed, refused)
