"""Test settings: fast hashing, mail kept in memory, tasks inline, media in a temp dir."""

import os
import tempfile

os.environ.setdefault("DJANGO_ENV", "test")

from tracker.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="tracker-test-media-")
CELERY_TASK_ALWAYS_EAGER = True

# A test database per test run, so two runs on one PostgreSQL server never collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_tracker_{os.getpid()}"}  # noqa: F405

# The test client's login() calls authenticate() without a request, which django-axes refuses;
# tests of the lockout itself turn it on (tests/test_security_events.py).
AXES_ENABLED = False
