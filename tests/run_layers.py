"""Run the whole suite in layers: SQLite always, PostgreSQL when reachable, then the browser tests
in Chromium when it and axe-core are installed. Used by `make test`.

Each layer is one pytest run; a layer whose service is down is skipped with the reason printed.
Exits non-zero if any layer that ran failed. The last line totals every layer.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import unavailable as browser_unavailable  # noqa: E402

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"
OK_CODES = {0, 5}  # 5: pytest collected no tests in this layer, which is not a failure


def postgres_reason(url):
    """None if PostgreSQL answers at url, else why not (3-second timeout, never hangs)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means the layer cannot run
        return f"cannot connect to {url}: {str(exc).strip().splitlines()[0]}"


def run_layer(name, extra_env, pytest_args):
    report = Path(tempfile.mkdtemp()) / "junit.xml"
    env = {**os.environ, **extra_env}
    print(f"\n=== {name} layer ===", flush=True)
    code = subprocess.call(
        [sys.executable, "-m", "pytest", f"--junitxml={report}", *pytest_args], cwd=ROOT, env=env
    )
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    if report.exists():
        suite = ET.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        total = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts = {"passed": total - failed - skipped, "failed": failed, "skipped": skipped}
    if code not in OK_CODES and counts["failed"] == 0:
        counts["failed"] = 1  # pytest itself failed (collection error, crash): count it
    return code, counts


def main():
    pytest_args = sys.argv[1:]
    results = []
    env = {"DATABASE_URL": ""}
    sqlite_args = ["-m", "not postgres and not browser", *pytest_args]
    results.append(("SQLite", *run_layer("SQLite", env, sqlite_args)))

    pg_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG_URL)
    reason = postgres_reason(pg_url)
    if reason:
        results.append(("PostgreSQL", None, f"skipped: {reason}"))
    else:
        env = {"DATABASE_URL": pg_url}
        pg_args = ["-m", "not browser", *pytest_args]
        results.append(("PostgreSQL", *run_layer("PostgreSQL", env, pg_args)))

    reason = browser_unavailable()
    if reason:
        results.append(("Browser", None, f"skipped: {reason}"))
    else:
        env = {"DATABASE_URL": ""}
        browser_args = ["-m", "browser", *pytest_args]
        results.append(("Browser", *run_layer("Browser (Chromium, SQLite)", env, browser_args)))

    print("\n=== Test layers ===")
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failed_layers = []
    for name, code, outcome in results:
        if code is None:
            print(f"{name}: {outcome}")
            continue
        for key in totals:
            totals[key] += outcome[key]
        verdict = "passed" if code in OK_CODES else f"FAILED (pytest exit {code})"
        if code not in OK_CODES:
            failed_layers.append(name)
        print(
            f"{name}: {verdict} - {outcome['passed']} passed, {outcome['failed']} failed, "
            f"{outcome['skipped']} skipped"
        )
    print(
        f"total: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped"
    )
    return 1 if failed_layers else 0


if __name__ == "__main__":
    sys.exit(main())
