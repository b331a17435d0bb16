"""Production settings: strict values from the environment, and `check --deploy` is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "tracker.example.org",
    "DATABASE_URL": "postgres://tracker@127.0.0.1:5432/tracker",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_setting(missing):
    result = _manage("check", **{missing: None})
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string of at least 50 characters" in result.stderr


def test_malformed_boolean_setting_is_refused_with_its_name():
    result = _manage("check", DJANGO_ENV="development", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_production_refuses_demo_data():
    result = _manage("load_demo")
    assert result.returncode != 0
    assert "not loaded in production" in result.stderr


def test_newcomer_defaults_need_no_services(settings):
    from django.conf import settings as live

    assert live.TIME_ZONE == "Europe/London" and live.USE_TZ
    assert live.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }
    assert live.MEDIA_URL is None  # evidence is never served from a public URL
