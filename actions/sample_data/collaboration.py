"""The demo's second office, invented: Exampleshire's, with its own OPCC officer and Panel
member, and one Hertfordshire action shared with its force as a collaboration (invented)."""

import datetime

from actions import collaboration_services
from actions.models import Action, ActionPartner, Force
from actions.sample_data import events
from tracker import roles
from tracker.audit import audited_save
from tracker.models import Office

OFFICE = {
    "slug": "exampleshire",
    "name": "Office of the Police and Crime Commissioner for Exampleshire (invented)",
    "panel_name": "Exampleshire Police and Crime Panel (invented)",
    "report_of": "Police and Crime Commissioner for Exampleshire (invented)",
    "contact_name": "Example Officer (invented)",
    "contact_role": "Head of Scrutiny (invented)",
    "contact_email": "opcc-example@example.org",
}
# username, first name, last name, role, role title: obviously invented people.
USERS = [
    ("opcc-example", "Example", "Officer (invented)", roles.OPCC_STAFF, "Head of Scrutiny, OPCC"),
    ("panel-example", "Example", "Panellist (invented)", roles.PANEL_MEMBER, "Panel member"),
    ("owner-example", "Example", "Owner (invented)", roles.ACTION_OWNER, "Supt, joint unit"),
]
SHARE_REASON = (
    "Invented for the demo: a joint unit of Hertfordshire Constabulary and Exampleshire Police "
    "(invented) answers this recommendation together."
)
# When the invented office and the sharing happened in the story, in days before today.
OFFICE_DAYS_AGO = 400
SHARED_DAYS_AGO = 20


def example_office_load(*, force_name, today):
    """The invented office and its users; its force moves into it if an older demo put it in
    Hertfordshire's office. Returns (office, {username: user})."""
    with events.happened_on(events.at(today - datetime.timedelta(days=OFFICE_DAYS_AGO))):
        office = Office.objects.filter(slug=OFFICE["slug"]).first()
        if office is None:
            office = Office(**OFFICE)
            office._change_reason = "Demo office (invented)"
            office.save()
        users = {
            username: events.demo_user(username, *rest, office=office) for username, *rest in USERS
        }
        force = Force.objects.filter(name=force_name).first()
        if force is not None and force.office_id != office.pk:
            force.office = office
            audited_save(
                force,
                by=users["opcc-example"],
                reason="Demo office (invented)",
                update_fields=["office"],
            )
    return office, users


def collaboration_load(*, inspection, partner, opcc, today):
    """Share the first open action of Hertfordshire's PEEL 2023-25 recommendations with the
    invented force, once."""
    if ActionPartner.objects.filter(force=partner, action__finding__inspection=inspection).exists():
        return
    action = (
        Action.objects.open()
        .filter(finding__inspection=inspection, finding__kind="recommendation")
        .order_by("pk")
        .first()
    )
    if action is None:
        return
    with events.happened_on(events.at(today - datetime.timedelta(days=SHARED_DAYS_AGO))):
        collaboration_services.action_share(
            by=opcc, action=action, force=partner, reason=SHARE_REASON
        )
