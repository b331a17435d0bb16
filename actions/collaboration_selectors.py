"""Reads for collaborations: an action's or a finding's partner forces, who may join, and the
sharing history."""

from actions.models import ActionPartner, FindingPartner, Force
from tracker import roles


def share_choices(*, action):
    """Forces the action may be shared with: every force but its own and its partners."""
    taken = {roles.owning_force_id(action)} | roles.partner_force_ids(action)
    return Force.objects.exclude(pk__in=taken).select_related("office").order_by("name")


def partner_choices(*, action):
    return Force.objects.filter(pk__in=roles.partner_force_ids(action)).order_by("name")


def finding_share_choices(*, finding):
    """Forces the finding may be shared with: every force but its own and its partners."""
    taken = {finding.inspection.force_id} | roles.finding_partner_force_ids(finding)
    return Force.objects.exclude(pk__in=taken).select_related("office").order_by("name")


def finding_partner_choices(*, finding):
    return Force.objects.filter(pk__in=roles.finding_partner_force_ids(finding)).order_by("name")


def _sharing(records):
    """The partners now and every share and unshare, newest first, with who and why, from the
    sharing history in one query (the page reads nothing else for them)."""
    records = records.select_related("history_user", "force__office").order_by(
        "-history_date", "-history_id"
    )
    history, latest = [], {}
    for record in records:
        latest.setdefault(record.force_id, record)
        if record.history_type in ("+", "-"):
            history.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "force": record.force,
                    "shared": record.history_type == "+",
                    # In full: the share's reason, or (on its deletion row) the ending's.
                    "reason": record.reason,
                }
            )
    partners = [record for record in latest.values() if record.history_type != "-"]
    return {
        "partners": sorted(partners, key=lambda record: record.force.name),
        "sharing_history": history,
    }


def sharing(*, action):
    return _sharing(ActionPartner.history.filter(action_id=action.pk))


def finding_sharing(*, finding):
    return _sharing(FindingPartner.history.filter(finding_id=finding.pk))
