"""The live public progress page of an inspection: what the public may read, read as it is now.

Only what OPCC staff or owners wrote for the public reaches it: each finding's public wording,
the public narratives of updates, owners' role titles. Never names, internal narratives, change
reasons, action titles or drafts. A fixed number of queries however many findings or updates.
"""

from collections import defaultdict

from django.shortcuts import get_object_or_404

from actions.models import (
    RESPONSE_KINDS,
    Action,
    ExternalStatus,
    Finding,
    FindingKind,
    Inspection,
    Status,
    Update,
)

# The public statuses, in words (Decidim's Accountability module has much the same).
NOT_STARTED = "Not started"
IN_PROGRESS = "In progress"
COMPLETED = "Completed"
NARRATIVES_PER_FINDING = 3
HISTORY_LIMIT = 200


def public_status(external_status, statuses):
    """A finding's public status from HMICFRS's decision, else its actions' statuses."""
    if external_status != ExternalStatus.OPEN:
        return ExternalStatus(external_status).label
    if statuses and all(status == Status.CLOSED for status in statuses):
        return COMPLETED
    if any(status != Status.NOT_STARTED for status in statuses):
        return IN_PROGRESS
    return NOT_STARTED


# A finding's public status in three columns.
OPEN, COMPLETE, CLOSED = "open", "complete", "closed"
GROUPS = {"recommendations": RESPONSE_KINDS, "afis": (FindingKind.AFI,)}


def _column(status):
    if status in (NOT_STARTED, IN_PROGRESS):
        return OPEN
    return COMPLETE if status == COMPLETED else CLOSED


def empty_counts():
    return {group: {OPEN: 0, COMPLETE: 0} for group in GROUPS} | {CLOSED: 0}


def finding_counts(findings, statuses_by_finding):
    """Open and complete findings of each group, and those HMICFRS closed (discharged,
    superseded, no longer relevant), by the public status rule: what a pack keeps in its figures.
    `findings` are (id, kind, external_status); `statuses_by_finding` their actions' statuses."""
    counts = empty_counts()
    for pk, kind, external_status in findings:
        column = _column(public_status(external_status, statuses_by_finding.get(pk, [])))
        if column == CLOSED:
            counts[CLOSED] += 1
            continue
        group = "afis" if kind == FindingKind.AFI else "recommendations"
        counts[group][column] += 1
    return counts


def public_inspection(*, pk, office_slug=None):
    """The inspection if its public progress page is switched on and, given an office's slug,
    it is about one of that office's forces; 404 otherwise, another office's exactly as a
    missing one. (No slug: the older address /public/progress/<pk>/, which redirects.)"""
    inspections = Inspection.objects.select_related("force__office").filter(public_progress=True)
    if office_slug is not None:
        inspections = inspections.filter(force__office__slug=office_slug)
    return get_object_or_404(inspections, pk=pk)


def public_updates(inspection, *, limit=HISTORY_LIMIT):
    """Updates with a public narrative, newest first, as dicts of what the public may read:
    the finding (id and reference), when, the owner's role title and the public narrative."""
    rows = (
        Update.objects.filter(action__finding__inspection=inspection)
        .exclude(public_narrative="")
        .order_by("-created_at", "-pk")
        .values_list(
            "pk",
            "action__finding_id",
            "action__finding__reference",
            "created_at",
            "action__owner_role_title",
            "public_narrative",
        )[:limit]
    )
    return [
        {
            "anchor": f"update-{pk}",
            "inspection_id": inspection.pk,
            "finding_id": finding_id,
            "reference": reference,
            "when": when,
            "role": role,
            "text": text,
        }
        for pk, finding_id, reference, when, role, text in rows
    ]


def progress_page(inspection):
    """Each finding in its public wording, with its public status, percent complete, the role
    titles responsible and its latest public narratives."""
    actions = defaultdict(list)
    for finding_id, status, percent, role in Action.objects.filter(
        finding__inspection=inspection
    ).values_list("finding_id", "status", "percent_complete", "owner_role_title"):
        actions[finding_id].append((status, percent, role))
    narratives = defaultdict(list)
    for entry in public_updates(inspection):
        if len(narratives[entry["finding_id"]]) < NARRATIVES_PER_FINDING:
            narratives[entry["finding_id"]].append(entry)
    findings = []
    for finding in Finding.objects.filter(inspection=inspection).order_by("position", "reference"):
        rows = actions[finding.pk]
        findings.append(
            {
                "reference": finding.reference,
                "anchor": f"finding-{finding.pk}",
                "kind": finding.get_kind_display(),
                "text": finding.published_text,
                "status": public_status(finding.external_status, [r[0] for r in rows]),
                "actions": len(rows),
                "percent": round(sum(r[1] for r in rows) / len(rows)) if rows else None,
                "roles": sorted({r[2] for r in rows if r[2]}),
                "narratives": narratives[finding.pk],
            }
        )
    return {
        "inspection": inspection,
        "office": inspection.force.office,
        "office_name": inspection.force.office.name,
        "findings": findings,
        "counts": {
            status: sum(f["status"] == status for f in findings)
            for status in (NOT_STARTED, IN_PROGRESS, COMPLETED)
        },
    }


def history_page(inspection):
    """The page's own public history: every public narrative, newest first, with the finding
    it is about (as its reference), and when the page was switched on."""
    switched_on = (
        inspection.history.filter(public_progress=True)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return {
        "inspection": inspection,
        "office": inspection.force.office,
        "office_name": inspection.force.office.name,
        "entries": public_updates(inspection),
        "switched_on": switched_on,
    }


def public_inspections(*, office):
    """The office's inspections whose live progress page is on, for its public page."""
    return Inspection.objects.filter(public_progress=True, force__office=office).order_by(
        "-published_on", "title"
    )
