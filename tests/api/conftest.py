"""API and feed helpers: a token for a persona, and a client that sends it."""

import secrets as random_secrets

import pytest

from tracker import services
from tracker.models import AccessToken


def api_token(user):
    """A working API token, written directly so that a user who may no longer make one (an
    administrator who was once OPCC staff) can be tested holding one too."""
    secret = "api_" + random_secrets.token_urlsafe(32)
    AccessToken.objects.filter(user=user, kind=AccessToken.Kind.API).delete()
    AccessToken.objects.create(
        user=user, kind=AccessToken.Kind.API, token_hash=AccessToken.hash(secret)
    )
    return secret


@pytest.fixture
def api_get(client):
    """api_get(user, url, **params) -> the response to a GET sent with user's API token."""
    secrets = {}

    def get(user, url, **params):
        headers = {}
        if user is not None:
            if user.pk not in secrets:
                secrets[user.pk] = api_token(user)
            headers["Authorization"] = f"Token {secrets[user.pk]}"
        return client.get(url, params, headers=headers)

    return get


@pytest.fixture
def calendar_secret():
    """calendar_secret(user) -> a new calendar-feed secret for user."""

    def make(user):
        return services.access_token_issue(user=user, kind=AccessToken.Kind.CALENDAR)

    return make
