"""No cache keeps a signed-in page: every response to a session or an API token is
`Cache-Control: private, no-store`; signed-out visitors' public pages keep their headers."""

import datetime

import pytest
from django.urls import reverse

from reports import services as report_services
from tests.api.conftest import api_token
from tests.factories import MeetingFactory
from tracker import services as tracker_services
from tracker.models import AccessToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(action, opcc_officer):
    meeting = MeetingFactory(starts_at=datetime.datetime(2030, 1, 10, 10, tzinfo=datetime.UTC))
    meeting.inspections.add(action.finding.inspection)
    draft = report_services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    return report_services.pack_publish(by=opcc_officer, pack=draft, public=True)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("owner", lambda w: reverse("actions:dashboard")),
        ("owner", lambda w: reverse("actions:detail", args=[w["action"].pk])),
        ("owner", lambda w: reverse("actions:export_csv")),
        ("owner", lambda w: reverse("actions:export_xlsx")),
        ("opcc_officer", lambda w: reverse("reports:meetings")),
        ("opcc_officer", lambda w: reverse("reports:pack_csv", args=[w["pack"].pk])),
        ("panel_member", lambda w: reverse("reports:pack", args=[w["pack"].pk])),
        # A public page read while signed in may carry the user's name in the header.
        (
            "panel_member",
            lambda w: reverse("reports:public_office", args=[w["pack"].meeting.office.slug]),
        ),
        ("panel_member", lambda w: reverse("account")),
    ],
)
def test_every_signed_in_page_is_private_and_not_stored(who, url, action, pack, request, client):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url({"action": action, "pack": pack}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_api_answers_and_calendar_feeds_are_private_and_not_stored(opcc_officer, client):
    response = client.get(
        reverse("api:action-list"), headers={"Authorization": f"Token {api_token(opcc_officer)}"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    secret = tracker_services.access_token_issue(user=opcc_officer, kind=AccessToken.Kind.CALENDAR)
    feed = client.get(reverse("api:calendar_mine", args=[secret]))
    assert feed.status_code == 200
    assert feed["Cache-Control"] == "private, no-store"


def test_signed_out_public_pages_keep_their_cacheable_headers(pack, client):
    for url in (
        reverse("reports:public_office", args=[pack.meeting.office.slug]),
        pack.get_public_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Cache-Control" not in response, url
