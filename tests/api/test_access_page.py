"""The "Calendar and API access" page: each signed-in user makes, replaces and revokes their own
calendar address and API token; the secret is shown once and only its hash is stored."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.models import AccessToken

pytestmark = pytest.mark.django_db

PAGE = reverse("api:access")


def issue(kind):
    return reverse("api:access_issue", args=[kind])


def revoke(kind):
    return reverse("api:access_revoke", args=[kind])


# Status codes for each URL and role. Administrators have nothing to read, so they cannot make a
# token (403) but may still open the page, which says so.
MATRIX = """
url              method  anon  opcc  owner  other  panel  admin
page             GET     302   200   200    200    200    200
issue_calendar   POST    302   200   200    200    200    403
issue_api        POST    302   200   200    200    200    403
revoke_calendar  POST    302   302   302    302    302    302
revoke_api       POST    302   302   302    302    302    302
issue_calendar   GET     302   405   405    405    405    405
"""
ROLES = MATRIX.split()[2:8]
CASES = [
    (row[0], row[1], role, int(code))
    for row in (line.split() for line in MATRIX.strip().splitlines()[1:])
    for role, code in zip(ROLES, row[2:], strict=True)
]
URLS = {
    "page": PAGE,
    "issue_calendar": issue("calendar"),
    "issue_api": issue("api"),
    "revoke_calendar": revoke("calendar"),
    "revoke_api": revoke("api"),
}


@pytest.mark.parametrize(("name", "method", "role", "expected"), CASES)
def test_every_access_url_answers_each_role_with_the_expected_status(
    name, method, role, expected, client, request, action
):
    fixtures = {
        "opcc": "opcc_officer",
        "owner": "owner",
        "other": "other_force_owner",
        "panel": "panel_member",
        "admin": "administrator",
    }
    if role != "anon":
        client.force_login(request.getfixturevalue(fixtures[role]))
    url = URLS[name]
    response = client.post(url) if method == "POST" else client.get(url)
    assert response.status_code == expected, f"{role} {method} {name}"
    if role == "anon":
        assert response["Location"].startswith(reverse("login"))
    elif expected == 302:
        assert response["Location"] == PAGE


def test_an_unknown_kind_is_404(signed_in, owner):
    assert signed_in(owner).post(issue("password")).status_code == 404


def test_making_a_calendar_address_shows_it_once_and_stores_only_its_hash(signed_in, owner, action):
    client = signed_in(owner)
    response = client.post(issue("calendar"))
    assert response.status_code == 200
    token = AccessToken.objects.get(user=owner, kind="calendar")
    feed_urls = [url for _, url in response.context["new"]["feeds"]]
    assert len(feed_urls) == 1  # owners have no OPCC-wide calendar
    secret = response.context["new"]["secret"]
    assert secret.startswith("cal_")
    assert token.token_hash == AccessToken.hash(secret)
    assert secret not in token.token_hash
    assert feed_urls[0] in response.content.decode()
    # The feed works without the session, and the page never shows the secret again.
    client.logout()
    assert client.get(feed_urls[0]).status_code == 200
    page = signed_in(owner).get(PAGE).content.decode()
    assert secret not in page
    assert "You made this calendar address on" in page


def test_opcc_staff_get_both_calendar_addresses(signed_in, opcc_officer):
    response = signed_in(opcc_officer).post(issue("calendar"))
    names = [name for name, _ in response.context["new"]["feeds"]]
    assert names == ["My deadlines and meetings", "OPCC calendar (your office)"]
    for _, url in response.context["new"]["feeds"]:
        assert signed_in(opcc_officer).get(url).status_code == 200


def test_making_an_api_token_shows_the_header_to_send(signed_in, opcc_officer, action):
    client = signed_in(opcc_officer)
    response = client.post(issue("api"))
    secret = response.context["new"]["secret"]
    assert f"Authorization: Token {secret}" in response.content.decode()
    client.logout()
    api = client.get(reverse("api:action-list"), headers={"Authorization": f"Token {secret}"})
    assert api.status_code == 200


def test_replacing_keeps_one_token_of_each_kind(signed_in, owner):
    client = signed_in(owner)
    first = client.post(issue("calendar")).context["new"]["secret"]
    second = client.post(issue("calendar")).context["new"]["secret"]
    client.post(issue("api"))
    assert first != second
    assert sorted(AccessToken.objects.filter(user=owner).values_list("kind", flat=True)) == [
        "api",
        "calendar",
    ]
    assert AccessToken.objects.get(user=owner, kind="calendar").token_hash == AccessToken.hash(
        second
    )


def test_revoking_removes_only_that_kind_and_says_so(signed_in, owner):
    client = signed_in(owner)
    client.post(issue("calendar"))
    client.post(issue("api"))
    response = client.post(revoke("calendar"), follow=True)
    assert "Calendar feed token revoked" in response.content.decode()
    assert list(AccessToken.objects.filter(user=owner).values_list("kind", flat=True)) == ["api"]


def test_administrator_page_says_there_is_nothing_to_set_up(signed_in, administrator):
    response = signed_in(administrator).get(PAGE)
    assert "nothing to set up here" in response.content.decode()
    assert b"Make a calendar address" not in response.content
    assert not AccessToken.objects.filter(user=administrator).exists()


def test_page_is_accessible_markup(signed_in, owner):
    body = signed_in(owner).get(PAGE).content.decode()
    assert body.count("<h1") == 1
    assert "Calendar and API access" in body
    account = signed_in(owner).get(reverse("account")).content.decode()
    assert 'href="/account/access/"' in account  # linked from "Your account" in the menu


def test_the_access_page_wording_reads_as_english(signed_in, owner, action):
    client = signed_in(owner)
    before = client.get(PAGE).content.decode()
    assert "Make an API token" in before and "Make a API" not in before
    assert "Make a calendar address" in before
    made = client.post(issue("api")).content.decode()
    assert "New JSON API token" in made
    assert "New calendar feed token" in client.post(issue("calendar")).content.decode()
    # The time on "You made this ... on" ends the sentence once, not "p.m..".
    token = AccessToken.objects.get(user=owner, kind="api")
    afternoon = timezone.localtime(token.created_at).replace(hour=15, minute=34)
    AccessToken.objects.filter(pk=token.pk).update(created_at=afternoon)
    page = client.get(PAGE).content.decode()
    assert "at 3:34pm." in page and ".." not in page.replace("...", "")
