"""API authentication: the user's API token, sent as `Authorization: Token <secret>` (or Bearer)."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from tracker.models import AccessToken

KEYWORDS = {b"token", b"bearer"}


class AccessTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Send the header as: Authorization: Token <your API token>.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token is not valid.") from None
        token = AccessToken.objects.for_secret(AccessToken.Kind.API, secret)
        if token is None:
            # The same answer for a wrong, revoked or deactivated user's token.
            raise AuthenticationFailed("The token is not valid.")
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when no token or a bad one is sent.
        return 'Token realm="api"'
