"""Reads about findings: the earlier findings a new one may repeat, the finding page and its
links, and finding a force by name."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from actions import repeats
from actions.models import Action, Finding, Force
from tracker import roles


def linked_findings():
    """Findings shown as repeats of one another: newest inspection first, with it joined."""
    return Finding.objects.select_related("inspection").order_by("-inspection__published_on")


def repeat_suggestions(*, force_id, texts, exclude_inspection_id=None, exclude_ids=()):
    """Per text, the force's earlier findings that say much the same: [{"finding", "score"}].

    One query for the force's findings, however many texts; the scoring is rapidfuzz's.
    """
    if force_id is None:
        return [[] for _ in texts]
    candidates = list(
        Finding.objects.filter(inspection__force_id=force_id)
        .exclude(inspection_id=exclude_inspection_id)
        .exclude(pk__in=exclude_ids)
        .select_related("inspection")
        .order_by("-inspection__published_on", "inspection_id", "position", "pk")
    )
    by_id = {finding.pk: finding for finding in candidates}
    rows = repeats.suggest(texts, [(finding.pk, finding.text) for finding in candidates])
    return [
        [{"finding": by_id[item.finding_id], "score": item.score} for item in row] for row in rows
    ]


def force_named(name, *, user):
    """The force with this name, whatever its capitals, among those the user may see (their
    office's, for OPCC staff), or None: another office's force is never found by name."""
    if not name:
        return None
    return Force.objects.visible_to(user).filter(name__iexact=name).first()


def force_name_taken(name):
    """Is a force of this name in the register, in any office (names are unique)?"""
    return bool(name) and Force.objects.filter(name__iexact=name).exists()


def finding_managed(*, user, pk):
    """A finding of the user's office's forces (not one only shared with it), with its
    inspection, or None: the earlier finding a finding may be linked to as a repeat."""
    return Finding.objects.managed_by(user).select_related("inspection").filter(pk=pk).first()


def finding_links(*, user, finding):
    """The earlier findings it repeats and the later ones that repeat it, with inspections: only
    those the user may see (a partner office reading a shared action sees no more of the owning
    office's records)."""
    linked = linked_findings().filter(roles.finding_scope(user))
    return {
        "earlier": list(linked.filter(repeated_by=finding)),
        "later": list(linked.filter(repeats=finding)),
    }


def finding_page(*, user, pk):
    """One finding the user may see (404 otherwise) with its actions and linked findings: only
    those the user may see (a partner office reading a shared finding sees no more of the
    owning office's records than is shared with it)."""
    linked = linked_findings().filter(roles.finding_scope(user))
    return get_object_or_404(
        Finding.objects.visible_to(user)
        .select_related("inspection__force__office", "area", "parent")
        .prefetch_related(
            Prefetch("repeats", queryset=linked),
            Prefetch("repeated_by", queryset=linked),
            Prefetch(
                "recommendations",
                queryset=Finding.objects.visible_to(user).order_by("position"),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.visible_to(user)
                .with_effective_rag()
                .select_related("owner")
                .order_by("deadline", "pk"),
            ),
        ),
        pk=pk,
    )


def visible_parent(*, user, finding):
    """The finding's cause of concern, if the user may see it (a partner may see only the
    recommendation shared with it)."""
    if finding.parent_id is None or roles.sees_force(user, finding.inspection.force_id):
        return finding.parent
    return Finding.objects.visible_to(user).filter(pk=finding.parent_id).first()
