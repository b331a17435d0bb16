"""Two-factor sign-in (TOTP authenticator apps, with one-time recovery codes) via django-otp.

Required for OPCC staff and administrators when TWO_FACTOR_REQUIRED is on (the production
default); optional for everyone else, and once a user has set it up, always asked of them.
Whether the user has set it up is noted in the session at sign-in, so ordinary requests cost no
extra query.
"""

import io
import secrets
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker import roles

ENROLLED = "two_factor_enrolled"
RECOVERY_CODES = 10
APP_NAME = "Authenticator app"


def required_for(user):
    return settings.TWO_FACTOR_REQUIRED and (
        roles.is_opcc_staff(user) or roles.is_administrator(user)
    )


def note_enrolment(sender, request, user, **kwargs):
    """On sign-in (a user_logged_in receiver): remember whether the user has a device."""
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED] = user_has_device(user)


# Setting up


def pending_device(user):
    """The user's unconfirmed authenticator device, created on first visit to the setup page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def secret_text(device):
    """The shared secret in the base32 form authenticator apps accept when typed in."""
    return b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device):
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


@transaction.atomic
def confirm(request, device, token):
    """Confirm the app with a code from it; returns the new recovery codes, or None if wrong."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = new_recovery_codes(device.user)
    otp_login(request, device)
    request.session[ENROLLED] = True
    return codes


def new_recovery_codes(user):
    """Replace the user's recovery codes with RECOVERY_CODES new ones; shown once, stored as-is
    in django-otp's static device (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# Signing in


def verify(request, token):
    """Check a code from the app or a recovery code; True (and the session verified) if good."""
    token = (token or "").strip().replace(" ", "")
    for device in devices_for_user(request.user, for_verify=True):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    return False


def safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


class TwoFactorMiddleware:
    """Send a signed-in user who must (or chose to) use two factors to set up or verify first."""

    OPEN_PATHS = ("/account/two-factor/", "/accounts/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.OPEN_PATHS)
        ):
            enrolled = request.session.get(ENROLLED, False)
            if enrolled or required_for(user):
                step = "two_factor_verify" if enrolled else "two_factor_setup"
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
