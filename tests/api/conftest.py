"""API and feed helpers: a token for a persona, and a client that sends it."""

import pytest

from tracker import services
from tracker.models import AccessToken


@pytest.fixture
def api_get(client):
    """api_get(user, url, **params) -> the response to a GET sent with user's API token."""
    secrets = {}

    def get(user, url, **params):
        headers = {}
        if user is not None:
            if user.pk not in secrets:
                secrets[user.pk] = services.access_token_issue(
                    user=user, kind=AccessToken.Kind.API
                )
            headers["Authorization"] = f"Token {secrets[user.pk]}"
        return client.get(url, params, headers=headers)

    return get


@pytest.fixture
def calendar_secret():
    """calendar_secret(user) -> a new calendar-feed secret for user."""

    def make(user):
        return services.access_token_issue(user=user, kind=AccessToken.Kind.CALENDAR)

    return make
