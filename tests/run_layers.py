"""Run the whole suite in layers: SQLite always, PostgreSQL when reachable, then the browser tests
in Chromium when it and axe-core are installed; then lint, the migrations check and the
dependency audit. Used by `make test`.

Each layer is one pytest run; a layer whose service is down is skipped with the reason printed.
Exits non-zero if any layer that ran failed. The last line totals every layer.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import unavailable as browser_unavailable  # noqa: E402

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"
OK_CODES = {0, 5}  # 5: pytest collected no tests in this layer, which is not a failure
# The generated-input tests (tests/test_fuzzing.py, tests/api/test_api_schema.py) run at full
# strength in the SQLite layer; the PostgreSQL layer runs the same tests with fewer examples each,
# enough for what differs on PostgreSQL (its types, NUL bytes, lengths) at a fraction of the time.
# A value set in the environment wins in both layers.
POSTGRES_FUZZ_PROFILE = {"FUZZ_EXAMPLES": "5", "SCHEMA_EXAMPLES": "8"}


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


def start_layer(name, extra_env, pytest_args, *, quiet=False):
    """Start one layer's pytest run. A quiet layer writes to a log, shown when it is finished,
    so that two layers can run side by side without mixing their output."""
    folder = Path(tempfile.mkdtemp())
    env = {**os.environ, **extra_env}
    command = [sys.executable, "-m", "pytest", f"--junitxml={folder / 'junit.xml'}", *pytest_args]
    if quiet:
        print(f"\n=== {name} layer: started, its output follows when it ends ===", flush=True)
        with (folder / "output.log").open("w") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    else:
        print(f"\n=== {name} layer ===", flush=True)
        process = subprocess.Popen(command, cwd=ROOT, env=env)
    return name, process, folder, quiet


def finish_layer(layer):
    """Wait for a layer, show its output if it was logged, and count its results."""
    name, process, folder, quiet = layer
    code = process.wait()
    if quiet:
        print(f"\n=== {name} layer ===", flush=True)
        print((folder / "output.log").read_text(), end="", flush=True)
    report = folder / "junit.xml"
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


def postgres_env(url):
    """The PostgreSQL layer's environment: its database, the lighter fuzzing profile, and
    TEST_LAYER, which leaves out the tests that use no database (tests/conftest.py): the
    SQLite layer has run them."""
    lighter = {key: value for key, value in POSTGRES_FUZZ_PROFILE.items() if key not in os.environ}
    return {"DATABASE_URL": url, "TEST_LAYER": "postgresql", **lighter}


def migrations_in_step():
    """True when every model change has its migration (a missing one fails `make test`)."""
    command = [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"]
    # SQLite: the check reads the models and the migration files, not a database server.
    return subprocess.call(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": ""}) == 0


def audit_dependencies():
    """pip-audit over the pinned runtime requirements: (ok, message). ok is None when skipped.

    The audit asks the package index's vulnerability service; where that service cannot be
    reached (or does not answer for these packages) the audit is skipped and says so.
    """
    command = [
        sys.executable, "-m", "pip_audit", "-r", str(ROOT / "requirements.txt"),
        "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, "skipped: the vulnerability service did not answer within 300 s"
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = (result.stderr.strip().splitlines() or ["pip-audit gave no report"])[-1]
        return None, f"skipped: {reason}"
    packages = report["dependencies"]
    audited = [p for p in packages if "skip_reason" not in p]
    if not audited:
        return None, (
            f"skipped: the vulnerability service could not be reached for any of the "
            f"{len(packages)} pinned packages"
        )
    vulnerable = [
        f"{p['name']} {p['version']}: {', '.join(v['id'] for v in p['vulns'])}"
        for p in audited
        if p.get("vulns")
    ]
    if vulnerable:
        return False, "FAILED - known vulnerabilities: " + "; ".join(vulnerable)
    unaudited = len(packages) - len(audited)
    return True, f"passed - {len(audited)} packages, no known vulnerability" + (
        f" ({unaudited} could not be checked)" if unaudited else ""
    )


def audit_in_background():
    """Start the dependency audit now (it mostly waits on the network, not the CPU), so it runs
    while the test layers do; the returned function waits for it and gives (ok, message)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=audit_dependencies()))
    thread.start()

    def result():
        thread.join()
        return outcome.get("result", (None, "skipped: the audit crashed"))

    return result


def main():
    pytest_args = sys.argv[1:]
    results = []
    audit_result = audit_in_background()
    # The SQLite and PostgreSQL layers run side by side (PostgreSQL's own server takes part of
    # the work), which takes about half as long as one after the other on two cores.
    sqlite_args = ["-m", "not postgres and not browser", *pytest_args]
    pg_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG_URL)
    reason = postgres_reason(pg_url)
    sqlite = start_layer("SQLite", {"DATABASE_URL": ""}, sqlite_args, quiet=not reason)
    postgres = None
    if not reason:
        pg_args = ["-m", "not browser", *pytest_args]
        postgres = start_layer("PostgreSQL", postgres_env(pg_url), pg_args)
    # The SQLite layer ends first; the browser layer then runs beside the rest of PostgreSQL's
    # (it spends much of its time waiting on Chromium), logged like the SQLite layer.
    results.append(("SQLite", *finish_layer(sqlite)))
    browser_reason = browser_unavailable()
    browser = None
    if not browser_reason:
        browser_args = ["-m", "browser", *pytest_args]
        browser = start_layer(
            "Browser (Chromium, SQLite)",
            {"DATABASE_URL": ""},
            browser_args,
            quiet=postgres is not None,
        )
    if postgres is not None:
        results.append(("PostgreSQL", *finish_layer(postgres)))
    else:
        results.append(("PostgreSQL", None, f"skipped: {reason}"))
    if browser is None:
        results.append(("Browser", None, f"skipped: {browser_reason}"))
    else:
        results.append(("Browser", *finish_layer(browser)))

    print("\n=== Lint (ruff) ===", flush=True)
    lint_ok = all(
        subprocess.call([sys.executable, "-m", "ruff", *command, "."], cwd=ROOT) == 0
        for command in (["check"], ["format", "--check"])
    )

    print("\n=== Migrations (makemigrations --check) ===", flush=True)
    migrations_ok = migrations_in_step()

    print("\n=== Dependency audit (pip-audit) ===", flush=True)
    audit_ok, audit_message = audit_result()
    print(audit_message)

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
    print(f"Lint (ruff check, ruff format --check): {'passed' if lint_ok else 'FAILED'}")
    if not lint_ok:
        failed_layers.append("Lint")
    print(f"Migrations (makemigrations --check): {'passed' if migrations_ok else 'FAILED'}")
    if not migrations_ok:
        failed_layers.append("Migrations")
    print(f"Dependency audit: {audit_message}")
    if audit_ok is False:
        failed_layers.append("Dependency audit")
    print(
        f"total: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped"
    )
    return 1 if failed_layers else 0


if __name__ == "__main__":
    sys.exit(main())
