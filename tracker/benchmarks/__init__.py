"""Benchmarks, kept apart from the app code and run by the one `manage.py benchmark` command.

Each section is a command class of its own: `pages` (the default) times the pages and jobs on
the current database; `pack`, `reminders` and `plan-import` build throwaway data of a given size
and time one job on it. Every section rolls back what it writes.
"""


def office_id():
    """The office a benchmark's throwaway forces go in: the deployment's own, or in one with
    several offices (a generated data set), a throwaway office of its own (rolled back)."""
    from tracker.models import Office

    return (
        Office.objects.sole_id()
        or Office.objects.create(name="Benchmark office", slug="benchmark-office").pk
    )
