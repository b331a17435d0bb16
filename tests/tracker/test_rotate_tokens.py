"""An administrator rotates a user's calendar and API secrets from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tracker.models import AccessToken
from tracker.services import access_token_issue

pytestmark = pytest.mark.django_db


def rotate(*args):
    out = StringIO()
    call_command("rotate_tokens", *args, stdout=out)
    return out.getvalue()


def test_rotating_revokes_both_secrets_at_once(client, owner):
    calendar = access_token_issue(user=owner, kind=AccessToken.Kind.CALENDAR)
    access_token_issue(user=owner, kind=AccessToken.Kind.API)
    feed = reverse("api:calendar_mine", args=[calendar])
    assert client.get(feed).status_code == 200
    output = rotate(owner.username)
    assert "Calendar feed: old secret revoked." in output
    assert "JSON API: old secret revoked." in output
    assert not AccessToken.objects.filter(user=owner).exists()
    assert client.get(feed).status_code == 404


def test_issue_prints_a_new_working_secret_once(client, owner):
    old = access_token_issue(user=owner, kind=AccessToken.Kind.CALENDAR)
    output = rotate(owner.username, "--kind", "calendar", "--issue")
    new = output.split("new secret ")[1].strip()
    assert new != old
    assert client.get(reverse("api:calendar_mine", args=[new])).status_code == 200
    assert client.get(reverse("api:calendar_mine", args=[old])).status_code == 404


def test_unknown_user_and_a_role_without_tokens_are_refused(administrator):
    with pytest.raises(CommandError, match="No user"):
        rotate("nobody")
    with pytest.raises(CommandError, match="cannot have"):
        rotate(administrator.username, "--issue")
