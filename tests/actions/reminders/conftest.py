"""The reminder tests' sweep: run at a London wall-clock time, digests sent as on commit."""

import pytest
import time_machine

from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import at


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweep at 07:00 London on `day`, sending digests as the commit would."""

    def run(day, *, hour=7, minute=0, weekly=False):
        with (
            time_machine.travel(at(day, hour, minute), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return reminders_sweep(weekly=weekly)

    return run
