"""Writes to evidence: owners submit it, OPCC staff assure it; audited as in actions/services.py."""

from django.db import transaction
from django.utils import timezone

from actions.models import OPEN_STATUSES, Evidence, ReminderKind, Status
from actions.reminders import outbox
from actions.services import require_worker
from tracker.audit import WorkflowError, audited_save, require_opcc_staff, require_text


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


@transaction.atomic
def evidence_assure(*, by, evidence, note):
    require_opcc_staff(by)
    if evidence.is_assured:
        raise WorkflowError("This evidence has already been assured.")
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
