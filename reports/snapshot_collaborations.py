"""A pack's collaborations: actions other offices manage and share with this office's forces
(actions.models.ActionPartner), so the office can report them in its own papers, marked."""

from actions.models import Action


def collaboration_rows(meeting, today, row):
    """The shared actions as pack rows (`row` makes the pack's own action row), each with the
    office managing it and its partner forces."""
    office_id = meeting.office_id
    shared = (
        Action.objects.filter(partners__force__office_id=office_id)
        .exclude(owning_force__office_id=office_id)
        .distinct()
    )
    actions = (
        shared.with_latest_updates()
        .select_related("finding__inspection__force__office", "finding__area", "owner", "opcc_lead")
        .prefetch_related("partners__force")
        .order_by("finding__inspection__title", "finding__reference", "deadline", "pk")
    )
    return [
        {
            **row(action, today),
            "managed_by": action.finding.inspection.force.office.name,
            "force": action.finding.inspection.force.name,
            "partner_forces": sorted(partner.force.name for partner in action.partners.all()),
        }
        for action in actions
    ]
