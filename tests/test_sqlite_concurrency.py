"""The default install (SQLite) does not fail with "database is locked" when two requests or a
request and a task write at once: WAL, a busy timeout and IMMEDIATE transactions
(tracker/settings.py). Writers in threads of one process, on a real database file."""

import json
import os
import subprocess
import sys

from tests.tracker.test_settings import ROOT

THREADS, WRITES = 2, 40


def test_two_threads_writing_at_once_on_a_sqlite_file_never_find_it_locked(tmp_path):
    database = tmp_path / "tracker.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_writers", str(THREADS), str(WRITES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["journal_mode"] == "wal"
    assert outcome["forces"] == THREADS * WRITES
    assert outcome["history"] == THREADS * WRITES  # every write with its history row
