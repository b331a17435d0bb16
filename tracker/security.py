"""The security event log (tracker.models.SecurityEvent) and the signals that feed it.

Sign-ins, failures, lockouts, expired sessions, permission denials, exports and evidence downloads
are recorded with the user, the address and the path. Nothing secret is kept: never a password,
a session key or a file's content.
"""

import ipaddress

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tracker.models import SecurityEvent

Kind = SecurityEvent.Kind


def client_ip(request):
    """The client's address: the one place the security log and the sign-in lockout (django-axes,
    AXES_CLIENT_IP_CALLABLE) learn it.

    With no proxy in front (TRUSTED_PROXY_COUNT = 0) it is REMOTE_ADDR, and X-Forwarded-For is
    ignored: anyone can send one. Behind N trusted proxies, each appends the address it received
    the request from to X-Forwarded-For, so the client is the Nth address from the right; what a
    client put further left is its own claim and is never read. A header shorter than the proxy
    chain, or a value that is not an address, means the request did not come the expected way:
    REMOTE_ADDR again.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def record(kind, *, request=None, user=None, username="", detail=""):
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail[:300],
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(Kind.SIGN_IN, request=request, user=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    record(Kind.SIGN_IN_FAILED, request=request, username=credentials.get("username") or "")


def _locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKED_OUT, request=request, username=username or "", detail="Too many failures")


def connect_lockouts():
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="tracker-security-lockout")
