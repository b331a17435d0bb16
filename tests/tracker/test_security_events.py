"""Sign-in lockout, session timeouts and the security event log."""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.urls import reverse

from actions.models import Evidence
from tests.factories import EvidenceFactory
from tracker.middleware import SIGNED_IN_AT
from tracker.models import SecurityEvent

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
PASSWORD = "a long and careful passphrase"
Kind = SecurityEvent.Kind


@pytest.fixture
def opcc(opcc_officer):
    opcc_officer.set_password(PASSWORD)
    opcc_officer.save()
    return opcc_officer


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def kinds():
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))


def test_a_sign_in_and_a_failure_are_logged_with_user_and_address(client, opcc):
    assert sign_in(client, "opcc", "wrong").status_code == 200
    assert sign_in(client, "opcc", PASSWORD).status_code == 302
    failed, signed_in = SecurityEvent.objects.order_by("pk")
    assert (failed.kind, failed.username, failed.user, failed.ip_address) == (
        Kind.SIGN_IN_FAILED,
        "opcc",
        None,
        "127.0.0.1",
    )
    assert (signed_in.kind, signed_in.user, signed_in.path) == (Kind.SIGN_IN, opcc, LOGIN)
    assert PASSWORD not in str(list(SecurityEvent.objects.values()))


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_repeated_failures_lock_that_username_from_that_address_only(client, opcc, lockout):
    for _ in range(3):
        sign_in(client, "opcc", "guess")
    locked = sign_in(client, "opcc", PASSWORD)  # even the right password, from here
    assert locked.status_code == 429
    assert "Sign-in is locked for this account on this device" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert Kind.LOCKED_OUT in kinds()

    # The attacker's address does not lock the user out from their own desk...
    assert sign_in(client, "opcc", PASSWORD, address="192.0.2.10").status_code == 302
    # ...nor lock other users out from the attacker's address.
    assert sign_in(client, "nobody-else", "guess").status_code == 200


def test_a_success_before_the_limit_resets_the_count(client, opcc, lockout):
    sign_in(client, "opcc", "guess")
    sign_in(client, "opcc", "guess")
    assert sign_in(client, "opcc", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "opcc", "guess")
    sign_in(client, "opcc", "guess")
    assert sign_in(client, "opcc", PASSWORD).status_code == 302


def test_a_refused_page_is_logged(panel_member, signed_in):
    response = signed_in(panel_member).get(reverse("actions:dashboard"))
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=Kind.PERMISSION_DENIED)
    assert (event.user, event.path) == (panel_member, "/dashboard/")


def test_exports_and_evidence_downloads_are_logged(action, owner, signed_in):
    evidence = EvidenceFactory(
        action=action,
        kind=Evidence.Kind.DOCUMENT,
        note="",
        submitted_by=owner,
        original_filename="plan.txt",
        content_type="text/plain",
        file=ContentFile(b"The plan.", name="plan.txt"),
    )
    client = signed_in(owner)
    assert client.get(reverse("actions:export_csv") + "?status=in_progress").status_code == 200
    assert client.get(reverse("actions:evidence_download", args=[evidence.pk])).status_code == 200
    export, download = SecurityEvent.objects.exclude(kind=Kind.SIGN_IN).order_by("pk")
    assert export.kind == Kind.EXPORT and "status=in_progress" in export.detail
    assert download.kind == Kind.EVIDENCE_DOWNLOAD and str(evidence.pk) in download.detail
    assert download.user == owner


def test_thirty_idle_minutes_end_the_session(opcc, client):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)) as clock:
        client.force_login(opcc)
        assert client.get(reverse("actions:dashboard")).status_code == 200
        clock.shift(datetime.timedelta(minutes=25))
        assert client.get(reverse("actions:dashboard")).status_code == 200  # activity counts
        clock.shift(datetime.timedelta(minutes=25))
        assert client.get(reverse("actions:dashboard")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("actions:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    event = SecurityEvent.objects.get(kind=Kind.SESSION_EXPIRED)
    assert "no activity for 30 minutes" in event.detail


def test_twelve_hours_after_sign_in_the_session_ends_however_active(opcc, client):
    client.force_login(opcc)
    session = client.session
    session[SIGNED_IN_AT] -= django_settings.SESSION_ABSOLUTE_HOURS * 3600 + 1
    session.save()
    response = client.get(reverse("actions:dashboard"))
    assert response.status_code == 302
    assert "more than 12 hours" in SecurityEvent.objects.get(kind=Kind.SESSION_EXPIRED).detail


def test_a_deactivated_user_is_signed_out_at_their_next_request(opcc, client):
    client.force_login(opcc)
    assert client.get(reverse("actions:dashboard")).status_code == 200
    opcc.is_active = False
    opcc.save()
    assert client.get(reverse("actions:dashboard")).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [("administrator", 200), ("opcc_officer", 403), ("owner", 403), ("panel_member", 403)],
)
def test_only_administrators_read_the_security_log(persona, status, request, signed_in):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    response = signed_in(user).get(reverse("admin:tracker_securityevent_changelist"))
    assert response.status_code == status


# The client address behind the reverse proxy (tracker.security.client_ip, TRUSTED_PROXY_COUNT)


def through_nginx(client, username, password, client_address, claimed=""):
    """A sign-in as nginx passes it on: from 127.0.0.1, with the visitor's address appended to
    whatever X-Forwarded-For the visitor sent (`claimed`)."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_without_a_proxy_a_forwarded_header_is_ignored(client, opcc, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.post(
        LOGIN,
        {"username": "opcc", "password": "wrong"},
        REMOTE_ADDR="192.0.2.50",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert SecurityEvent.objects.get().ip_address == "192.0.2.50"


def test_behind_the_proxy_the_log_has_the_visitors_address_not_a_spoofed_one(
    client, opcc, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    through_nginx(client, "opcc", "wrong", "198.51.100.7")
    through_nginx(client, "opcc", "wrong", "198.51.100.7", claimed="10.0.0.1, 192.0.2.1")
    assert list(SecurityEvent.objects.values_list("ip_address", flat=True)) == [
        "198.51.100.7",
        "198.51.100.7",
    ]


def test_behind_the_proxy_a_lockout_holds_the_attacker_only_whatever_they_claim(
    client, opcc, lockout, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        through_nginx(client, "opcc", "guess", "203.0.113.66", claimed=f"192.0.2.{n}")
    assert (
        through_nginx(client, "opcc", PASSWORD, "203.0.113.66", claimed="192.0.2.99").status_code
        == 429
    )
    # The officer at their own desk, behind the same nginx, still signs in.
    assert through_nginx(client, "opcc", PASSWORD, "198.51.100.20").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "", "127.0.0.1"),  # not through the proxy after all
        (2, "198.51.100.7", "127.0.0.1"),  # a shorter chain than configured
        (1, "not-an-address", "127.0.0.1"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.2", "198.51.100.7"),  # balancer, then nginx
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_reads_only_what_trusted_proxies_wrote(
    proxies, forwarded, expected, rf, settings
):
    from tracker.security import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
