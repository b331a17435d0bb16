"""Run as a program by tests/test_sqlite_concurrency.py: writers in threads, at once, on the file
SQLite database named by DATABASE_URL, with the project's own settings (WAL, busy timeout,
IMMEDIATE transactions). Prints one JSON line: journal mode, writes done, errors."""

import json
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from actions import finding_services  # noqa: E402
from actions.models import Force  # noqa: E402
from tracker.models import User  # noqa: E402

THREADS, WRITES = int(sys.argv[1]), int(sys.argv[2])


def main():
    call_command("migrate", verbosity=0)
    by = User.objects.create(username="writer")
    start = threading.Barrier(THREADS)
    errors = []

    def write(thread):
        start.wait()  # every thread starts writing at the same moment
        try:
            for n in range(WRITES):
                finding_services.force_create(
                    by=by, name=f"Force {thread}-{n}", reason="concurrency"
                )
                Force.objects.filter(name__startswith=f"Force {thread}-").count()  # and reads
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=[t]) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "journal_mode": mode,
                "forces": Force.objects.count(),
                "history": Force.history.count(),
                "errors": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
