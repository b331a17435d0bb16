"""Reads of an action's history: field-level diffs from django-simple-history, newest first."""

import datetime

from django.utils import dateformat, timezone

from actions.models import Action, Evidence, ExtensionRequest, Finding
from tracker.models import User

ACTION_HISTORY_FIELDS = [
    "title",
    "description",
    "finding",
    "owner",
    "owner_role_title",
    "delegate",
    "opcc_lead",
    "deadline",
    "status",
    "rag",
    "percent_complete",
    "closure_summary",
    "proposed_by",
    "closed_by",
    "sustain_until",
]
EVIDENCE_HISTORY_FIELDS = ["title", "kind", "url", "note", "assured_by", "assurance_note"]
EXTENSION_HISTORY_FIELDS = [
    "requested_deadline",
    "reason",
    "status",
    "decided_by",
    "decision_reason",
]
USER_FIELDS = {
    "owner",
    "delegate",
    "opcc_lead",
    "proposed_by",
    "closed_by",
    "assured_by",
    "decided_by",
}
FIELD_LABELS = {"opcc_lead": "OPCC lead", "rag": "RAG"}


def _display(model, name, value, users, findings):
    if value in (None, ""):
        return ""
    field = model._meta.get_field(name)
    if name in USER_FIELDS:
        return str(users.get(value, f"User {value}"))
    if name == "finding":
        return findings.get(value, f"Finding {value}")
    if field.choices:
        return dict(field.choices).get(value, value)
    if isinstance(value, datetime.datetime):
        return dateformat.format(timezone.localtime(value), "j F Y, g:i a")
    if isinstance(value, datetime.date):
        return dateformat.format(value, "j F Y")
    return str(value)


def _entries(records, model, fields, label):
    """(entry, raw changes) for each history record, compared with the record before it."""
    entries, previous = [], None
    for record in records:
        changes = []
        for name in fields:
            attname = model._meta.get_field(name).attname
            old = getattr(previous, attname) if previous is not None else None
            new = getattr(record, attname)
            if previous is None and new in (None, ""):
                continue
            if previous is None or old != new:
                changes.append((name, old, new))
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "why": record.history_change_reason or "",
                "kind": record.get_history_type_display(),
                "subject": label(record),
                "model": model,
                "raw": changes,
            }
        )
        previous = record
    return entries


def action_history(*, action, with_evidence=True):
    """Every change to the action, its evidence (unless with_evidence is false: a reader who may
    not see it, roles.can_see_evidence) and its extension requests: who, when, why, and each
    field old -> new."""
    action_records = action.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    evidence_records = (
        Evidence.history.filter(action_id=action.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
        if with_evidence
        else []
    )
    entries = _entries(action_records, Action, ACTION_HISTORY_FIELDS, lambda r: "Action")
    by_evidence = {}
    for record in evidence_records:
        by_evidence.setdefault(record.id, []).append(record)
    for records in by_evidence.values():
        entries += _entries(
            records, Evidence, EVIDENCE_HISTORY_FIELDS, lambda r: f"Evidence: {r.title}"
        )
    extension_records = (
        ExtensionRequest.history.filter(action_id=action.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    by_extension = {}
    for record in extension_records:
        by_extension.setdefault(record.id, []).append(record)
    for records in by_extension.values():
        entries += _entries(
            records, ExtensionRequest, EXTENSION_HISTORY_FIELDS, lambda r: "Extension request"
        )
    user_ids, finding_ids = set(), set()
    for entry in entries:
        for name, old, new in entry["raw"]:
            ids = user_ids if name in USER_FIELDS else finding_ids if name == "finding" else None
            if ids is not None:
                ids.update(v for v in (old, new) if v)
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
    findings = dict(Finding.objects.filter(pk__in=finding_ids).values_list("pk", "reference"))
    for entry in entries:
        model = entry["model"]
        entry["changes"] = [
            {
                "field": FIELD_LABELS.get(name)
                or model._meta.get_field(name).verbose_name.capitalize(),
                "old": _display(model, name, old, users, findings),
                "new": _display(model, name, new, users, findings),
            }
            for name, old, new in entry["raw"]
        ]
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries
