"""Publishing a pack tells each Panel member of that force once, with a link to the paper."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actions.models import Reminder, ReminderKind, ReminderStatus
from actions.reminders.digest import digest_send
from actions.reminders.sweep import reminders_sweep
from reports import services
from reports.selectors import panel_members_of
from tests.actions.reminders.conftest import sweep  # noqa: F401 (fixture)
from tests.actions.reminders.test_reminders import at
from tests.factories import (
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    QuestionFactory,
    UserFactory,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 10)


@pytest.fixture
def pack(force, opcc_officer):
    meeting = MeetingFactory(title="Police & Crime Panel, March", kind="panel")
    meeting.inspections.add(InspectionFactory(force=force))
    return services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)


def publish(client, opcc_officer, pack, django_capture_on_commit_callbacks):
    client.force_login(opcc_officer)
    with (
        time_machine.travel(at(DAY, 15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return client.post(reverse("reports:pack_publish", args=[pack.pk]), {})


def test_publishing_tells_the_offices_panel_only_and_with_one_office_those_with_none_set(
    client, pack, opcc_officer, django_capture_on_commit_callbacks, mailoutbox
):
    # An account made before offices: no office on the user, so in the only one.
    legacy = UserFactory(username="legacy-panel", office=None, role=roles.PANEL_MEMBER)
    publish(client, opcc_officer, pack, django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mailoutbox] == [legacy.email]

    # Once there is a second office, its Panel is never told of this one's papers.
    bravo = OfficeFactory(name="Office of the PCC for Bravoshire", slug="bravoshire")
    persona(roles.PANEL_MEMBER, username="bravo-panel", office=bravo)
    assert list(panel_members_of(pack.meeting)) == []


def test_publishing_emails_each_panel_member_of_the_force_once_and_no_other_forces(
    client, pack, force, other_force, opcc_officer, django_capture_on_commit_callbacks, mailoutbox
):
    ours = persona(roles.PANEL_MEMBER, force=force)
    office = persona(roles.PANEL_MEMBER)  # no force set: the office's own Panel
    theirs = persona(roles.PANEL_MEMBER, force=other_force)
    persona(roles.PANEL_MEMBER, force=force, email="")
    persona(roles.PANEL_MEMBER, force=force, is_active=False)
    response = publish(client, opcc_officer, pack, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ours.email, office.email])
    assert theirs.email not in [m.to[0] for m in mailoutbox]
    mail = next(m for m in mailoutbox if m.to == [ours.email])
    paper = reverse("reports:pack", args=[pack.pk])
    assert paper in mail.body and paper in mail.alternatives[0][0]
    assert "PANEL PAPERS PUBLISHED" in mail.body
    assert "Police & Crime Panel, March: Panel paper" in mail.body
    # A retried publish is refused and records nothing new; a rerun sweep sends nothing more.
    again = publish(client, opcc_officer, pack, django_capture_on_commit_callbacks)
    assert again.status_code == 200
    assert Reminder.objects.filter(kind=ReminderKind.PAPER_PUBLISHED).count() == 2
    assert len(mailoutbox) == 2


def test_a_member_with_other_reminders_waiting_reads_it_as_a_line_in_the_sweeps_digest(
    client,
    pack,
    force,
    opcc_officer,
    django_capture_on_commit_callbacks,
    sweep,  # noqa: F811 (the fixture)
    mailoutbox,
):
    member = persona(roles.PANEL_MEMBER, force=force)
    # Something else for them today: a commitment they took on at an earlier Panel meeting.
    QuestionFactory(
        meeting=MeetingFactory(kind="panel"), owner=member, due_on=DAY + datetime.timedelta(1)
    )
    with (
        time_machine.travel(at(DAY, 6), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        reminders_sweep()  # recorded; the send is still to come
    publish(client, opcc_officer, pack, django_capture_on_commit_callbacks)
    assert mailoutbox == []  # not a separate notice: it waits for their digest
    sweep(DAY)
    (mail,) = mailoutbox
    assert "PANEL PAPERS PUBLISHED" in mail.body
    assert "MEETING QUESTIONS AND COMMITMENTS" in mail.body
    assert not Reminder.objects.filter(recipient=member, status=ReminderStatus.PENDING).exists()


def test_a_panel_member_who_can_no_longer_read_packs_is_not_sent_the_notice(
    client, pack, force, opcc_officer, django_capture_on_commit_callbacks, mailoutbox
):
    member = persona(roles.PANEL_MEMBER, force=force)
    with django_capture_on_commit_callbacks(execute=False):
        services.pack_publish(by=opcc_officer, pack=pack, public=False)
    member.groups.clear()  # left the Panel before the notice went
    assert digest_send(recipient_id=member.pk) == 0
    assert mailoutbox == []
    assert Reminder.objects.get(recipient=member).status == ReminderStatus.SKIPPED
