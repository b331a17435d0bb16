"""Audited writes shared by the apps: the save that records who and why, and the refusals."""

from django.core.exceptions import ValidationError

from tracker import roles


class WorkflowError(ValidationError):
    """A change the workflow or the user's role does not allow; the message says why."""


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


def apply_changes(obj, fields):
    """Set the fields whose value differs; return their names (for update_fields)."""
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


def require_text(text, what):
    if not (text or "").strip():
        raise WorkflowError(f"{what} is required.")
    return text.strip()


def require_opcc_staff(by):
    if not roles.is_opcc_staff(by):
        raise WorkflowError("Only OPCC staff can do this.")


def require_sees_force(by, force_id):
    """The defence below the views: a write about a force outside the user's scope (another
    office's force, for OPCC staff) is refused, whatever form or script asked for it."""
    if not roles.sees_force(by, force_id):
        raise WorkflowError("That force is not one your office oversees.")


def require_change(by, action):
    """OPCC staff of the office managing the action (a partner office only reads it)."""
    _require_managing_office(by, roles.can_change_action(by, action), "action")


def require_finding_change(by, finding):
    """The same for a finding shared with partner forces."""
    _require_managing_office(by, roles.can_change_finding(by, finding), "finding")


def _require_managing_office(by, allowed, what):
    require_opcc_staff(by)
    if not allowed:
        raise WorkflowError(
            f"This {what} is a collaboration managed by another office: only that office's "
            "OPCC staff can change it."
        )
