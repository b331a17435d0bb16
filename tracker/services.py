"""Writes to a user's own access tokens: issue (or reissue) and revoke."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tracker import roles
from tracker.models import AccessToken

# A prefix names the kind, so a leaked secret is recognisable (and secret scanners can find it).
PREFIXES = {AccessToken.Kind.CALENDAR: "cal_", AccessToken.Kind.API: "api_"}


@transaction.atomic
def access_token_issue(*, user, kind):
    """Make a new secret of this kind for user, replacing any old one; returns the secret."""
    if not roles.can_have_access_tokens(user):
        raise PermissionDenied
    secret = PREFIXES[kind] + secrets.token_urlsafe(32)
    AccessToken.objects.filter(user=user, kind=kind).delete()
    AccessToken.objects.create(user=user, kind=kind, token_hash=AccessToken.hash(secret))
    return secret


def access_token_revoke(*, user, kind):
    """Forget the user's secret of this kind: its feed URLs and API calls stop working at once."""
    return AccessToken.objects.filter(user=user, kind=kind).delete()[0] > 0
