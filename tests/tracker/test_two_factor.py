"""Two-factor sign-in: required for OPCC staff and administrators, optional for others."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "a long and careful passphrase"
SETUP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")
DASHBOARD = reverse("actions:dashboard")


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def sign_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_for(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def set_up(client, user):
    """Go through the setup page as the user would; returns the recovery codes shown."""
    page = client.get(SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "<svg" in page.content.decode()
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 200
    return re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", response.content.decode())


def test_opcc_staff_must_set_up_an_app_before_anything_else(client, opcc_officer):
    sign_in(client, opcc_officer)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    codes = set_up(client, opcc_officer)
    assert len(codes) == 10
    assert client.get(DASHBOARD).status_code == 200


def test_next_time_the_code_is_asked_for_after_the_password(client, opcc_officer):
    sign_in(client, opcc_officer)
    set_up(client, opcc_officer)
    client.post(reverse("logout"))

    sign_in(client, opcc_officer)
    response = client.get(DASHBOARD)
    assert response["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "000000", "next": DASHBOARD})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    device = TOTPDevice.objects.get(user=opcc_officer, confirmed=True)
    device.last_t = -1  # the code used at setup may still be current; a new period is asked for
    device.throttle_reset(commit=False)  # django-otp pauses 1 s (doubling) after a wrong code
    device.save()
    right = client.post(VERIFY, {"code": code_for(device), "next": DASHBOARD})
    assert right["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_a_recovery_code_works_once(client, opcc_officer):
    sign_in(client, opcc_officer)
    codes = set_up(client, opcc_officer)
    client.post(reverse("logout"))
    sign_in(client, opcc_officer)
    assert client.post(VERIFY, {"code": codes[0]})["Location"] == reverse("home")
    client.post(reverse("logout"))
    sign_in(client, opcc_officer)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200  # used up


def test_administrators_need_it_for_the_admin_site(client, administrator):
    sign_in(client, administrator)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(SETUP)


@pytest.mark.parametrize("persona", ["owner", "panel_member"])
def test_it_is_optional_for_owners_and_panel_members(client, persona, request):
    user = request.getfixturevalue(persona)
    sign_in(client, user)
    assert client.get(reverse("home")).status_code in (200, 302)
    assert not client.get(reverse("home")).get("Location", "").startswith(SETUP)
    assert client.get(reverse("email_preferences")).status_code == 200


def test_an_owner_who_chose_it_is_asked_for_the_code(client, owner):
    sign_in(client, owner)
    set_up(client, owner)
    client.post(reverse("logout"))
    sign_in(client, owner)
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (SETUP, VERIFY):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_next_never_leaves_the_site(client, opcc_officer):
    sign_in(client, opcc_officer)
    set_up(client, opcc_officer)
    client.post(reverse("logout"))
    sign_in(client, opcc_officer)
    codes_device = opcc_officer.staticdevice_set.get()
    code = codes_device.token_set.first().token
    response = client.post(VERIFY, {"code": code, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
