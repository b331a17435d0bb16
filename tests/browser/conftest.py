"""Real-browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

The browser layer of `make test` runs these (tests/run_layers.py). Nothing is downloaded: the
browser is /usr/bin/chromium (apt package `chromium`), axe-core comes from node_modules (npm).
If either is missing, every test here is skipped and the reason is printed.
"""

import os
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# WCAG 2.2 A and AA, and the earlier versions' A and AA rules it includes.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def unavailable():
    """Why the browser layer cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not AXE.exists():
        return f"axe-core not found at {AXE} (npm ci)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    reason = unavailable()
    if reason:
        pytest.skip(f"browser layer skipped: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; the ORM calls the tests make
    # between page steps are ordinary synchronous code, so Django's async guard is lifted while
    # the browser runs (and only then: production checks refuse this variable).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def demo_snapshot():
    """A copy of the test database holding the demo, made by the first test that needs it
    (loading the demo takes 10-25 s; copying it back, a few milliseconds)."""
    snapshot = {}
    yield snapshot
    if "copy" in snapshot:
        snapshot["copy"].close()


@pytest.fixture
def demo(transactional_db, demo_snapshot):
    """The demo data, as `make run` loads it, with the day's reminder sweep done. On SQLite
    (the browser layer's database) it is loaded once and copied back for each later test, so
    every test starts from the same demo whatever the one before it changed."""
    from django.core.cache import cache
    from django.db import connection

    from actions.models import Inspection
    from actions.reminders.sweep import reminders_sweep
    from actions.sample_data.demo import load_demo

    cache.clear()  # nothing read from an earlier test's data (the copy keeps its ids)
    copyable = connection.vendor == "sqlite"
    if copyable and "copy" in demo_snapshot:
        connection.ensure_connection()
        demo_snapshot["copy"].backup(connection.connection)
    else:
        load_demo()
        reminders_sweep()
        if copyable:
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            demo_snapshot["copy"] = copy
    return Inspection.objects.get(published_on__year=2024)


@pytest.fixture(scope="session")
def live_server(browser):
    """pytest-django's live server on 127.0.0.1, which never serves the private media folder.

    Evidence has no public URL (MEDIA_URL is None). Django's live server wraps the app in a
    media-file handler that needs a URL string; one on another host makes it serve nothing.
    """
    from django.conf import settings
    from pytest_django.live_server_helper import LiveServer

    previous, settings.MEDIA_URL = settings.MEDIA_URL, "https://media.invalid/"
    server = LiveServer("127.0.0.1")
    settings.MEDIA_URL = previous
    yield server
    server.stop()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() -> a page in a fresh browser context (its own cookies) on the live server."""
    contexts = []

    def make():
        # bypass_csp lets the test inject axe-core; the app's own pages carry no inline script.
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(30_000)  # generous: the layer may run beside another
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def axe_violations(page):
    """Run axe-core's WCAG 2.2 A/AA rules and a duplicate-id check; return failures, readably."""
    # WCAG 2.2 dropped 4.1.1 Parsing, so these axe rules let a repeated id pass, yet one points
    # a label at another form's field.
    ids = Counter(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
    repeated = sorted(i for i, count in ids.items() if count > 1)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ] + [f"duplicate-id: id {i!r} appears more than once" for i in repeated]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
