"""One rule for meetings (tracker.roles.can_see_meeting, MeetingQuerySet.visible_to in SQL), the
same on the meeting pages, the API and the calendar feeds: OPCC staff see their office's
meetings; others only meetings held in public, never an OPCC-only one, and Panel members only
their office's. Another office's meeting is 404 on every page, as a missing one is."""

import pytest
from django.urls import reverse

from reports.models import Meeting
from tests.api.conftest import api_token
from tests.factories import (
    ForceFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    persona,
)
from tracker import roles, services
from tracker.models import AccessToken

pytestmark = pytest.mark.django_db

PEOPLE = ["opcc_officer", "owner", "other_force_owner", "panel_member", "opcc_b", "panel_b"]


@pytest.fixture
def office_b(db):
    return OfficeFactory(slug="office-b", name="Office of the PCC for Otherland")


@pytest.fixture
def opcc_b(office_b):
    return persona(roles.OPCC_STAFF, username="opcc-b", office=office_b)


@pytest.fixture
def panel_b(office_b):
    return persona(roles.PANEL_MEMBER, username="panel-b", office=office_b)


@pytest.fixture
def meetings(force, other_force, office_b):
    """Each kind of meeting, with the owner's force's inspection on the agenda, an APM about
    the other force only, and office B's Panel meeting and OPCC-only meeting about its force."""
    ours = InspectionFactory(force=force)
    made = {}
    for kind in Meeting.Kind.values:
        made[kind] = MeetingFactory(kind=kind, title=f"{kind} meeting")
        made[kind].inspections.add(ours)
    made["theirs"] = MeetingFactory(kind="apm", title="Bedfordshire APM")
    made["theirs"].inspections.add(InspectionFactory(force=other_force))
    otherland = InspectionFactory(force=ForceFactory(name="Otherland Police", office=office_b))
    for kind in ("panel", "other"):
        made[f"b_{kind}"] = MeetingFactory(office=office_b, kind=kind, title=f"Otherland {kind}")
        made[f"b_{kind}"].inspections.add(otherland)
    return made


# Who sees which meeting: name -> the meetings (keys of `meetings`) they see.
EXPECTED = {
    "opcc_officer": {"apm", "panel", "other", "theirs"},
    "owner": {"apm", "panel"},
    "other_force_owner": {"theirs"},
    "panel_member": {"apm", "panel", "theirs"},
    "opcc_b": {"b_panel", "b_other"},
    "panel_b": {"b_panel"},
}


@pytest.mark.parametrize("who", PEOPLE)
def test_the_rule_and_its_sql_agree(who, meetings, request):
    user = request.getfixturevalue(who)
    in_python = {key for key, meeting in meetings.items() if roles.can_see_meeting(user, meeting)}
    in_sql = set(Meeting.objects.visible_to(user).values_list("title", flat=True))
    assert in_python == EXPECTED[who]
    assert in_sql == {meetings[key].title for key in EXPECTED[who]}


@pytest.mark.parametrize("who", PEOPLE)
def test_the_api_and_the_feed_show_exactly_the_meetings_the_rule_allows(
    who, meetings, request, client
):
    user = request.getfixturevalue(who)
    headers = {"Authorization": f"Token {api_token(user)}"}
    listed = client.get(reverse("api:meeting-list"), headers=headers).json()["results"]
    assert {row["title"] for row in listed} == {meetings[key].title for key in EXPECTED[who]}
    for key, meeting in meetings.items():
        detail = client.get(reverse("api:meeting-detail", args=[meeting.pk]), headers=headers)
        assert detail.status_code == (200 if key in EXPECTED[who] else 404), (who, key)
    secret = services.access_token_issue(user=user, kind=AccessToken.Kind.CALENDAR)
    feed = client.get(reverse("api:calendar_mine", args=[secret])).content.decode()
    shown = {key for key, meeting in meetings.items() if f"meeting-{meeting.pk}@" in feed}
    assert shown == EXPECTED[who]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_meeting_pages_are_opcc_staffs_and_agree_with_the_rule(who, meetings, request, client):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for key, meeting in meetings.items():
        response = client.get(reverse("reports:meeting_detail", args=[meeting.pk]))
        if not roles.can_manage_meetings(user):
            assert response.status_code == 403
        else:
            assert response.status_code == (200 if key in EXPECTED[who] else 404), key
            assert roles.can_see_meeting(user, meeting) == (key in EXPECTED[who])
