"""Reminders with two offices: whatever goes to "all OPCC staff" (closures and extension requests
waiting long, sustaining periods with no lead, packs to prepare, responses due, revisits) goes
only to the staff of the office it is about, through the real sweep and the mail it sends."""

import datetime

import pytest
import time_machine
from django.core import mail

from actions.models import ExtensionRequest, Reminder, ReminderKind, Status
from actions.reminders import due
from tests.actions.reminders.test_reminders import at
from tests.factories import (
    ActionFactory,
    FindingFactory,
    ForceFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    UserFactory,
    home_office,
    persona,
)
from tracker import roles
from tracker.models import User

pytestmark = pytest.mark.django_db

Kind = ReminderKind
TODAY = datetime.date(2025, 3, 10)  # a Monday
STAFF_WIDE = {
    Kind.CLOSURE_ESCALATION,
    Kind.EXTENSION_ESCALATION,
    Kind.SUSTAIN_ENDING,
    Kind.PACK_READY,
    Kind.RESPONSE_DUE,
    Kind.REVISIT,
}


def office_world(office, name):
    """An office's force, two OPCC officers and an owner, and one of everything that is told to
    all the office's staff, each titled with `name`."""
    force = ForceFactory(name=f"{name} Constabulary", office=office)
    staff = [persona(roles.OPCC_STAFF, office=office, username=f"{name}-opcc{n}") for n in (1, 2)]
    owner = persona(roles.ACTION_OWNER, force=force, username=f"{name}-owner")
    # s.55: published 20 January, due 16 March (in 6 days); a revisit on 20 March.
    inspection = InspectionFactory(
        force=force,
        title=f"{name} PEEL inspection",
        published_on=datetime.date(2025, 1, 20),
        revisit_on=datetime.date(2025, 3, 20),
    )
    finding = FindingFactory(inspection=inspection)
    long_ago = at(datetime.date(2025, 2, 3), 10)
    with time_machine.travel(long_ago, tick=False):
        proposed = ActionFactory(
            finding=finding,
            title=f"{name} action proposed for closure",
            owner=owner,
            opcc_lead=staff[0],
            status=Status.PROPOSED,
            deadline=datetime.date(2025, 6, 30),
        )
        extended = ActionFactory(
            finding=finding,
            title=f"{name} action with an extension asked for",
            owner=owner,
            opcc_lead=staff[0],
            deadline=datetime.date(2025, 6, 30),
        )
        ExtensionRequest.objects.create(
            action=extended,
            requested_by=owner,
            requested_deadline=datetime.date(2025, 9, 30),
            reason="Waiting for the new system.",
        )
    ActionFactory(
        finding=finding,
        title=f"{name} action sustaining without a lead",
        owner=owner,
        status=Status.SUSTAINING,
        sustain_until=datetime.date(2025, 3, 12),
        deadline=datetime.date(2025, 6, 30),
    )
    meeting = MeetingFactory(
        office=office, title=f"{name} accountability meeting", starts_at=at(TODAY.replace(day=14))
    )
    meeting.inspections.add(inspection)
    return {"staff": staff, "owner": owner, "proposed": proposed, "meeting": meeting}


@pytest.fixture
def two_offices(db):
    return {
        "Alpha": office_world(home_office(), "Alpha"),
        "Bravo": office_world(OfficeFactory(name="Office of the PCC for Bravoshire"), "Bravo"),
    }


def test_an_officer_never_receives_a_line_about_another_office(two_offices, sweep, mailoutbox):
    sweep(TODAY)
    by_address = {message.to[0]: message for message in mailoutbox}
    for name, world in two_offices.items():
        other = "Bravo" if name == "Alpha" else "Alpha"
        for officer in world["staff"]:
            message = by_address[officer.email]
            html = message.alternatives[0][0]
            assert f"{name} action proposed for closure" in message.body
            for text in (message.body, html):
                assert other not in text, (officer, text)
            kinds = set(Reminder.objects.filter(recipient=officer).values_list("kind", flat=True))
            # Every line that goes to all of the office's staff reached both of its officers.
            assert kinds >= STAFF_WIDE, (officer, kinds)
    wide = Reminder.objects.filter(kind__in=STAFF_WIDE).select_related("recipient")
    for reminder in wide:
        assert reminder.status == Reminder.Status.SENT
    assert wide.count() == len(STAFF_WIDE) * 4


def test_each_digest_is_signed_by_the_recipients_own_office(two_offices, sweep, mailoutbox):
    sweep(TODAY)
    by_address = {message.to[0]: message for message in mailoutbox}
    for world in two_offices.values():
        office = world["staff"][0].office
        for person in (*world["staff"], world["owner"]):  # an owner: their force's office
            message = by_address[person.email]
            assert f"Action tracker, {office.name}" in message.body
            assert f"Action tracker, {office.name}." in message.alternatives[0][0]


def test_each_wide_line_is_recorded_for_the_objects_office_only(two_offices, sweep):
    sweep(TODAY)
    for name, world in two_offices.items():
        staff_ids = {officer.pk for officer in world["staff"]}
        rows = Reminder.objects.filter(kind__in=STAFF_WIDE, recipient_id__in=staff_ids)
        meetings = {pk for pk in rows.values_list("meeting__title", flat=True) if pk}
        actions = {title for title in rows.values_list("action__title", flat=True) if title}
        sources = {title for title in rows.values_list("inspection__title", flat=True) if title}
        assert meetings == {f"{name} accountability meeting"}
        assert all(title.startswith(name) for title in actions | sources), (actions, sources)
        assert len(actions) == 3 and len(sources) == 1


def test_staff_with_no_office_set_are_the_sole_offices_in_a_one_office_deployment(
    force, sweep, mailoutbox
):
    # An account made before offices (or by a script): no office on the user.
    officer = UserFactory(username="legacy", office=None, role=roles.OPCC_STAFF)
    InspectionFactory(force=force, published_on=datetime.date(2025, 1, 20))
    sweep(TODAY)
    assert [message.to for message in mailoutbox] == [[officer.email]]
    assert "Response due 16 March 2025" in mail.outbox[0].body


def test_staff_with_no_office_set_hear_nothing_once_there_are_several(
    two_offices, sweep, mailoutbox
):
    officer = UserFactory(username="legacy", office=None, role=roles.OPCC_STAFF)
    staff = due._opcc_staff(set(User.objects.values_list("pk", flat=True)))
    assert all(officer.pk not in ids for ids in staff.values())
    sweep(TODAY)
    assert officer.email not in {message.to[0] for message in mailoutbox}


def test_the_weekly_summary_counts_and_lists_only_the_officers_own_office(
    two_offices, sweep, mailoutbox
):
    alpha_officer = two_offices["Alpha"]["staff"][0]
    bravo = two_offices["Bravo"]
    # Left over from before offices: an Alpha officer still named as lead of a Bravo action.
    ActionFactory(
        finding=bravo["proposed"].finding,
        title="Bravo action overdue",
        owner=bravo["owner"],
        opcc_lead=alpha_officer,
        deadline=TODAY - datetime.timedelta(days=3),
    )
    sweep(TODAY, weekly=True)
    message = next(m for m in mailoutbox if m.to == [alpha_officer.email])
    for text in (message.body, message.alternatives[0][0]):
        assert "Bravo" not in text
    assert Kind.WEEKLY_DIGEST in {
        r.kind for r in Reminder.objects.filter(recipient=alpha_officer, status="sent")
    }
