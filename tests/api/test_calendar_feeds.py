"""Calendar feeds: valid iCalendar, Europe/London times, stable UIDs, and a secret that is the
only credential (no session; wrong, revoked or not-allowed secrets are an identical 404)."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from actions import services as action_services
from actions.models import Status
from reports import services as report_services
from tests.factories import (
    ActionFactory,
    ForceFactory,
    InspectionFactory,
    MeetingFactory,
    OfficeFactory,
    persona,
)
from tracker import roles, services
from tracker.models import AccessToken

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2024, 10, 1, 9, 0, tzinfo=LONDON)


def feed(client, secret, scope="mine"):
    return client.get(reverse(f"api:calendar_{scope}", args=[secret]))


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def apm(action, opcc_officer):
    """The APM of 14 November 2024, 10:00 London time, with the action's inspection on it."""
    return report_services.meeting_create(
        by=opcc_officer,
        kind="apm",
        title="Accountability & Performance Meeting",
        starts_at=datetime.datetime(2024, 11, 14, 10, 0, tzinfo=LONDON),
        inspections=[action.finding.inspection],
        location="OPCC, Welwyn Garden City",
    )


@time_machine.travel(NOW, tick=False)
def test_owner_feed_lists_their_action_deadline_as_an_all_day_event_and_the_meeting(
    client, calendar_secret, owner, action, apm
):
    found = events(feed(client, calendar_secret(owner)))

    deadline = found[f"action-{action.pk}@127.0.0.1"]
    assert deadline.decoded("DTSTART") == action.deadline
    assert deadline["DTSTART"].params["VALUE"] == "DATE"
    assert deadline.decoded("DTEND") == action.deadline + datetime.timedelta(days=1)
    assert str(deadline["SUMMARY"]) == f"Action due: {action.title}"
    assert str(deadline["URL"]).endswith(f"/actions/{action.pk}/")

    meeting = found[f"meeting-{apm.pk}@127.0.0.1"]
    assert meeting["DTSTART"].params["TZID"] == "Europe/London"
    assert meeting.decoded("DTSTART") == datetime.datetime(2024, 11, 14, 10, 0, tzinfo=LONDON)
    assert str(meeting["LOCATION"]) == "OPCC, Welwyn Garden City"
    assert set(found) == {f"action-{action.pk}@127.0.0.1", f"meeting-{apm.pk}@127.0.0.1"}


@time_machine.travel(NOW, tick=False)
def test_a_summer_meeting_keeps_its_london_wall_clock_time_and_the_feed_has_a_vtimezone(
    client, calendar_secret, opcc_officer, action
):
    summer = MeetingFactory(starts_at=datetime.datetime(2025, 7, 3, 14, 30, tzinfo=LONDON))
    response = feed(client, calendar_secret(opcc_officer))
    body = response.content.decode()
    assert "DTSTART;TZID=Europe/London:20250703T143000" in body
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    start = events(response)[f"meeting-{summer.pk}@127.0.0.1"].decoded("DTSTART")
    assert start.astimezone(datetime.UTC) == datetime.datetime(
        2025, 7, 3, 13, 30, tzinfo=datetime.UTC
    )


@time_machine.travel(NOW, tick=False)
def test_uids_stay_the_same_when_the_deadline_and_the_meeting_move(
    client, calendar_secret, owner, opcc_officer, action, apm
):
    secret = calendar_secret(owner)
    before = events(feed(client, secret))
    new_deadline = action.deadline + datetime.timedelta(days=30)
    action_services.action_change_deadline(
        by=opcc_officer, action=action, deadline=new_deadline, reason="Waiting for new IT system"
    )
    apm.starts_at += datetime.timedelta(days=7)
    action_services.audited_save(apm, by=opcc_officer, reason="Moved a week")

    after = events(feed(client, secret))
    assert set(after) == set(before)
    assert after[f"action-{action.pk}@127.0.0.1"].decoded("DTSTART") == new_deadline
    assert after[f"meeting-{apm.pk}@127.0.0.1"].decoded("DTSTART").date() == datetime.date(
        2024, 11, 21
    )


@time_machine.travel(NOW, tick=False)
def test_personal_feed_holds_only_open_actions_the_user_owns_is_delegated_or_leads(
    client, calendar_secret, owner, opcc_officer, action, force
):
    delegated = ActionFactory(finding=action.finding, delegate=owner)
    colleagues = ActionFactory(finding=action.finding)
    closed = ActionFactory(
        finding=action.finding, owner=owner, status=Status.CLOSED, closure_summary="Done."
    )
    owner_uids = set(events(feed(client, calendar_secret(owner))))
    assert owner_uids == {f"action-{action.pk}@127.0.0.1", f"action-{delegated.pk}@127.0.0.1"}
    assert f"action-{colleagues.pk}@127.0.0.1" not in owner_uids
    assert f"action-{closed.pk}@127.0.0.1" not in owner_uids

    # The OPCC lead sees the action they lead, not everything.
    lead_uids = set(events(feed(client, calendar_secret(opcc_officer))))
    assert lead_uids == {f"action-{action.pk}@127.0.0.1"}


@time_machine.travel(NOW, tick=False)
def test_owner_of_another_force_sees_neither_the_action_nor_a_meeting_about_it(
    client, calendar_secret, other_force_owner, action, apm
):
    assert events(feed(client, calendar_secret(other_force_owner))) == {}


@time_machine.travel(NOW, tick=False)
def test_panel_member_feed_has_public_meetings_only(client, calendar_secret, panel_member, apm):
    private = MeetingFactory(kind="other", starts_at=NOW + datetime.timedelta(days=3))
    uids = set(events(feed(client, calendar_secret(panel_member))))
    assert uids == {f"meeting-{apm.pk}@127.0.0.1"}
    assert f"meeting-{private.pk}@127.0.0.1" not in uids


@time_machine.travel(NOW, tick=False)
def test_opcc_feed_has_meetings_s55_response_dates_and_revisits(
    client, calendar_secret, opcc_officer, force, apm
):
    peel = InspectionFactory(
        force=force,
        title="PEEL 2023-25",
        published_on=datetime.date(2024, 10, 16),
        revisit_on=datetime.date(2025, 2, 10),
    )
    old = InspectionFactory(force=force, title="PEEL 2015", published_on=datetime.date(2016, 3, 1))
    found = events(feed(client, calendar_secret(opcc_officer), "opcc"))

    response = found[f"response-{peel.pk}@127.0.0.1"]
    assert response.decoded("DTSTART") == datetime.date(2024, 12, 10)
    assert str(response["SUMMARY"]) == (
        "s.55 response due: PEEL 2023-25 (Hertfordshire Constabulary)"
    )
    revisit = found[f"revisit-{peel.pk}@127.0.0.1"]
    assert revisit.decoded("DTSTART") == datetime.date(2025, 2, 10)
    assert f"meeting-{apm.pk}@127.0.0.1" in found
    assert f"response-{old.pk}@127.0.0.1" not in found
    # The action's own inspection (published 16 October 2024 too) is listed; no action deadlines.
    assert not [uid for uid in found if uid.startswith("action-")]


@time_machine.travel(NOW, tick=False)
def test_the_opcc_feed_is_the_officers_own_offices(
    client, calendar_secret, opcc_officer, force, apm
):
    """Each office's OPCC staff get its meetings, response dates and revisits; never another's."""
    office_b = OfficeFactory(slug="office-b", name="Office of the PCC for Otherland")
    opcc_b = persona(roles.OPCC_STAFF, username="opcc-b", office=office_b)
    theirs = InspectionFactory(
        force=ForceFactory(name="Otherland Police", office=office_b),
        published_on=datetime.date(2024, 10, 16),
        revisit_on=datetime.date(2025, 2, 10),
    )
    ours = InspectionFactory(
        force=force, published_on=datetime.date(2024, 10, 16), revisit_on=datetime.date(2025, 3, 1)
    )
    their_apm = MeetingFactory(office=office_b, starts_at=NOW + datetime.timedelta(days=7))
    their_apm.inspections.add(theirs)
    for officer, mine, not_mine in (
        (opcc_officer, [apm, ours], [their_apm, theirs]),
        (opcc_b, [their_apm, theirs], [apm, ours]),
    ):
        found = set(events(feed(client, calendar_secret(officer), "opcc")))
        meeting, inspection = mine
        assert {f"meeting-{meeting.pk}@127.0.0.1", f"revisit-{inspection.pk}@127.0.0.1"} <= found
        assert f"response-{inspection.pk}@127.0.0.1" in found
        meeting, inspection = not_mine
        for uid in (
            f"meeting-{meeting.pk}",
            f"revisit-{inspection.pk}",
            f"response-{inspection.pk}",
        ):
            assert f"{uid}@127.0.0.1" not in found, (officer, uid)


@time_machine.travel(NOW, tick=False)
def test_opcc_feed_has_each_sources_own_response_date(client, calendar_secret, opcc_officer, force):
    coroner = InspectionFactory(
        force=force,
        title="Regulation 28 report",
        source_type="coroner",
        kind="other",
        published_on=datetime.date(2024, 10, 16),
    )
    audit = InspectionFactory(
        force=force,
        title="Internal audit: seized property",
        source_type="internal_audit",
        kind="other",
        response_due_on=datetime.date(2024, 11, 30),
        response_published_on=datetime.date(2024, 11, 20),
    )
    unset = InspectionFactory(force=force, source_type="other", kind="other")
    found = events(feed(client, calendar_secret(opcc_officer), "opcc"))

    event = found[f"response-{coroner.pk}@127.0.0.1"]
    # reg. 29: 56 days after the report was sent.
    assert event.decoded("DTSTART") == datetime.date(2024, 12, 11)
    assert (
        str(event["SUMMARY"]) == "Response due: Regulation 28 report (Hertfordshire Constabulary)"
    )
    assert "No response recorded yet." in str(event["DESCRIPTION"])
    event = found[f"response-{audit.pk}@127.0.0.1"]
    assert event.decoded("DTSTART") == datetime.date(2024, 11, 30)
    assert "Response recorded 20 November 2024." in str(event["DESCRIPTION"])
    assert f"response-{unset.pk}@127.0.0.1" not in found


def test_feed_needs_no_session_and_a_wrong_revoked_or_not_allowed_secret_is_the_same_404(
    client, calendar_secret, owner, action
):
    secret = calendar_secret(owner)
    assert "_auth_user_id" not in client.session
    assert feed(client, secret).status_code == 200

    not_found = feed(client, "cal_" + "x" * 43)
    assert not_found.status_code == 404
    owner_asks_for_opcc = feed(client, secret, "opcc")
    assert owner_asks_for_opcc.status_code == 404
    assert owner_asks_for_opcc.content == not_found.content
    # The API token is not a calendar secret.
    api_secret = services.access_token_issue(user=owner, kind=AccessToken.Kind.API)
    assert feed(client, api_secret).content == not_found.content

    services.access_token_revoke(user=owner, kind=AccessToken.Kind.CALENDAR)
    revoked = feed(client, secret)
    assert revoked.status_code == 404
    assert revoked.content == not_found.content
    assert action.title.encode() not in revoked.content


def test_regenerating_the_secret_kills_the_old_address(client, calendar_secret, owner, action):
    old = calendar_secret(owner)
    new = calendar_secret(owner)
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_a_deactivated_users_feed_is_404(client, calendar_secret, owner, action):
    secret = calendar_secret(owner)
    owner.is_active = False
    owner.save()
    assert feed(client, secret).status_code == 404


# Every role against both feeds: anonymous has no secret at all (404), administrators cannot
# have one (see test_access_page), so these are the roles with a secret.
@pytest.mark.parametrize(
    ("persona", "mine", "opcc"),
    [
        ("opcc_officer", 200, 200),
        ("owner", 200, 404),
        ("other_force_owner", 200, 404),
        ("panel_member", 200, 404),
    ],
)
def test_each_role_gets_its_feeds(client, calendar_secret, request, action, persona, mine, opcc):
    user = request.getfixturevalue(persona)
    secret = calendar_secret(user)
    assert feed(client, secret, "mine").status_code == mine
    assert feed(client, secret, "opcc").status_code == opcc


@time_machine.travel(NOW, tick=False)
def test_feed_query_count_does_not_grow_with_the_number_of_actions(
    client, calendar_secret, owner, force, django_assert_max_num_queries
):
    from tests.factories import actions_for

    secret = calendar_secret(owner)
    actions_for(force, 5, owner=owner)
    # The token with its user, the user's roles, actions, meetings.
    with django_assert_max_num_queries(4):
        assert len(events(feed(client, secret))) == 5
    actions_for(force, 100, owner=owner)
    with django_assert_max_num_queries(4):
        assert len(events(feed(client, secret))) == 105


@time_machine.travel(NOW, tick=False)
def test_opcc_feed_query_count_does_not_grow_with_the_number_of_inspections(
    client, calendar_secret, opcc_officer, force, django_assert_max_num_queries
):
    secret = calendar_secret(opcc_officer)
    for rows in (10, 200):
        while InspectionFactory._meta.model.objects.count() < rows:
            InspectionFactory(force=force, published_on=datetime.date(2024, 10, 16))
            MeetingFactory(starts_at=NOW + datetime.timedelta(days=5))
        # The token, roles, the office's forces (the scope's keys), meetings, s.55 dates,
        # revisits.
        with django_assert_max_num_queries(6):
            assert len(events(feed(client, secret, "opcc"))) == 2 * rows


def test_each_offices_feeds_hold_only_its_own_meetings_responses_and_deadlines(
    client, calendar_secret, opcc_officer, owner, force
):
    """Office A's OPCC feed and personal feed never carry office B's meeting, response date,
    revisit or action, and B's officer's feed never carries A's."""
    from tests.office_b import office_b

    b = office_b()
    b.inspection.revisit_on = datetime.date.today() + datetime.timedelta(days=40)
    b.inspection.published_on = datetime.date.today()
    b.inspection.save()
    mine = InspectionFactory(force=force, published_on=datetime.date.today())
    a_meeting = MeetingFactory(title="Hertfordshire APM")
    for scope in ("opcc", "mine"):
        a_feed = feed(client, calendar_secret(opcc_officer), scope).content.decode()
        b_feed = feed(client, calendar_secret(b.officer), scope).content.decode()
        assert "Northshire" not in a_feed, scope
        assert "Hertfordshire" not in b_feed, scope
        assert "Northshire" in b_feed, scope
    a_opcc = events(feed(client, calendar_secret(opcc_officer), "opcc"))
    assert f"response-{mine.pk}@127.0.0.1" in a_opcc
    assert a_meeting.title in " ".join(str(event["SUMMARY"]) for event in a_opcc.values())
