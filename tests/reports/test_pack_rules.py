"""The pack applies the action rules as the models say them (actions/models.py): a deadline
brought forward has not slipped, and a pack generated before rows recorded it reads the same."""

import datetime

import pytest
from django.urls import reverse

from actions.models import Action
from reports import services
from reports.models import BriefingPack
from reports.selectors import action_rows
from tests.factories import ActionFactory, InspectionFactory, MeetingFactory

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2030, 6, 1)


@pytest.fixture
def pack(force, opcc_officer):
    inspection = InspectionFactory(force=force)
    for title, deadline in [
        ("Moved later", datetime.date(2030, 9, 1)),
        ("Brought forward", datetime.date(2030, 5, 1)),
        ("Unmoved", FIRST),
    ]:
        action = ActionFactory(finding__inspection=inspection, title=title, deadline=FIRST)
        Action.objects.filter(pk=action.pk).update(deadline=deadline)
    meeting = MeetingFactory()
    meeting.inspections.add(inspection)
    return services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)


def test_a_deadline_brought_forward_is_not_reported_as_slipped(pack, opcc_officer, signed_in):
    slipped = {row["title"]: row["slipped"] for row in pack.snapshot["actions"]}
    assert slipped == {"Moved later": True, "Brought forward": False, "Unmoved": False}
    assert pack.snapshot["totals"]["slipped"] == 1
    assert [row["action_id"] for row in pack.snapshot["exceptions"]["slipped"]] == [
        Action.objects.get(title="Moved later").pk
    ]
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    # Each action is listed twice (by finding, and in the table of every action).
    assert html.count("originally 1 Jun 2030") == 2


def test_an_older_pack_without_the_slipped_flag_reads_it_from_the_deadlines(pack):
    snapshot = BriefingPack.objects.get(pk=pack.pk).snapshot
    for row in snapshot["actions"]:
        del row["slipped"]
    shown = {row["title"]: row["slipped"] for row in action_rows(snapshot, "staff")}
    assert shown == {"Moved later": True, "Brought forward": False, "Unmoved": False}
