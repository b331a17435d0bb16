"""Session timeouts: signed out after SESSION_IDLE_MINUTES without a request, and in any case
SESSION_ABSOLUTE_HOURS after signing in (OWASP ASVS 3.3); and no cached copy of any page
answered to a signed-in user.

The times are stamped in the session at sign-in. The last-seen time is refreshed at most once a
minute, so ordinary requests do not write the session.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from tracker import security

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
REFRESH_SECONDS = 60


def stamp_session(sender, request, user, **kwargs):
    """On sign-in (a user_logged_in receiver): start both clocks."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self.expired(request)
            if expired:
                security.record(
                    security.Kind.SESSION_EXPIRED, request=request, user=user, detail=expired
                )
                logout(request)
                messages.info(request, f"You have been signed out: {expired}. Sign in again.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def expired(self, request):
        """Why the session has ended, or "" if it has not."""
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:  # a session from before the stamps
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN_AT] = now
            return ""
        if now - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
            return f"it is more than {settings.SESSION_ABSOLUTE_HOURS} hours since you signed in"
        if now - last_seen_at > settings.SESSION_IDLE_MINUTES * 60:
            return f"there was no activity for {settings.SESSION_IDLE_MINUTES} minutes"
        if now - last_seen_at > REFRESH_SECONDS:
            session[LAST_SEEN_AT] = now
        return ""


class PrivateResponsesMiddleware:
    """Every response to a signed-in user (a session, or an API token: the API sets request.user
    when it authenticates) is `Cache-Control: private, no-store`, so neither a shared proxy nor
    the browser's disk keeps a copy of case data for the next person at the machine. Responses to
    signed-out visitors (the public pages) keep the headers their views give them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
