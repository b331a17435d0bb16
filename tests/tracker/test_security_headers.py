"""Every response carries the security headers, with the values production settings give.

The values are read from tracker/settings.py loaded with DJANGO_ENV=production in a separate
process (as tests/test_settings.py does for `check --deploy`), then applied here with
override_settings, so the test follows the real production settings rather than a copy of them.
Pages are requested over HTTPS for each role, plus a 403, a 404, a download, the API, a public
page and a static file.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from actions.models import Evidence
from tests.api.conftest import api_token
from tests.factories import EvidenceFactory
from tests.tracker.test_settings import PRODUCTION_ENV, ROOT, _manage

pytestmark = pytest.mark.django_db

KEYS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "MIDDLEWARE",
]


@pytest.fixture(scope="module")
def production():
    """The security settings as production loads them."""
    script = (
        "import json; from tracker import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {KEYS!r}}}))"
    )
    env = {**os.environ, **PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    return values


@pytest.fixture
def pages(action, owner, opcc_officer, panel_member):
    evidence = EvidenceFactory(
        action=action,
        kind=Evidence.Kind.DOCUMENT,
        note="",
        submitted_by=owner,
        original_filename="plan.txt",
        content_type="text/plain",
        file=ContentFile(b"The plan.", name="plan.txt"),
    )
    return [
        (None, reverse("login")),
        (None, reverse("home")),
        (
            None,
            reverse("reports:public_office", args=[action.finding.inspection.force.office.slug]),
        ),
        (None, reverse("health")),
        (None, "/static/css/tracker.css"),
        (panel_member, reverse("home")),
        (panel_member, reverse("actions:list")),  # 403
        (owner, reverse("actions:dashboard")),
        (owner, reverse("actions:detail", args=[action.pk])),
        (owner, reverse("actions:update", args=[action.pk])),
        (owner, reverse("actions:evidence_download", args=[evidence.pk])),
        (opcc_officer, reverse("actions:list")),
        (opcc_officer, reverse("actions:export_csv")),
        (opcc_officer, reverse("actions:detail", args=[999999])),  # 404
        (opcc_officer, reverse("reports:meetings")),
        (opcc_officer, reverse("api:action-list")),
    ]


def check_headers(response, url):
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, url
    if url.startswith("/static/"):
        return  # a stylesheet: no document for CSP or framing rules to govern
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = {
        part.split()[0]: part.split()[1:]
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no other origin
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]


def test_every_response_carries_the_security_headers_in_production(production, pages, client):
    with override_settings(**production):
        for user, url in pages:
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(url, secure=True)
            assert response.status_code in {200, 401, 403, 404, 503}, (url, response.status_code)
            if url.startswith("/static/"):
                assert response.status_code == 200  # served by whitenoise, before most middleware
            check_headers(response, url)


def test_plain_http_is_sent_to_https_in_production(production, client):
    with override_settings(**production):
        response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_cookies_are_secure_and_http_only_in_production(production, owner, client):
    with override_settings(**production):
        page = client.get(reverse("login"), secure=True)
        signed_in = client.post(
            reverse("login"),
            {"username": owner.username, "password": "correct horse battery"},
            secure=True,
            headers={"Referer": "https://testserver/accounts/login/"},
        )
    assert signed_in.status_code == 302
    csrf, session = page.cookies["csrftoken"], signed_in.cookies["sessionid"]
    assert csrf["secure"] and csrf["httponly"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_no_page_has_inline_script_or_event_handlers(pages, client):
    """The CSP forbids inline script; the pages must not need any (they would break)."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
    for user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        if "text/html" in response.get("Content-Type", ""):
            found = inline.findall(response.content.decode())
            assert not found, (url, found)


def test_the_api_answers_with_the_headers_too(production, opcc_officer, client):
    with override_settings(**production):
        response = client.get(
            reverse("api:action-list"),
            secure=True,
            headers={"Authorization": f"Token {api_token(opcc_officer)}"},
        )
    assert response.status_code == 200
    check_headers(response, "/api/actions/")


def test_check_deploy_is_clean_at_warning_level():
    """Kept here as well as in test_settings.py: the headers above and this check go together."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
