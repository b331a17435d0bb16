"""`send_reminders --dry-run` counts exactly what the run would send, and `--date D` means D:
the dry run lists what D's own sweep sends, and the emails of a run for D are written for D."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from actions.models import Reminder, Status
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import at
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2025, 3, 3)


def dry_run(capsys, *args):
    call_command("send_reminders", "--dry-run", *args)
    return capsys.readouterr().out


def test_the_dry_run_counts_only_what_the_digest_would_send(
    action, capsys, mailoutbox, django_capture_on_commit_callbacks
):
    action.deadline = DEADLINE
    action.save()
    closed = ActionFactory(
        finding=action.finding, owner=action.owner, opcc_lead=action.opcc_lead, deadline=DEADLINE
    )
    day = datetime.date(2025, 3, 21)
    with time_machine.travel(at(day), tick=False):
        reminders_sweep()  # recorded, not sent (no commit here): four rows pending
        closed.status, closed.closure_summary = Status.CLOSED, "Done."
        closed.save()  # the digest drops its two reminders
        out = dry_run(capsys)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders")
    assert Reminder.objects.filter(status="sent").count() == 2
    assert "2 reminders would go to 2 people" in out
    assert closed.title not in out
    assert len(mailoutbox) == 2


def test_a_dry_run_for_a_later_day_lists_what_that_days_sweep_adds(action, capsys, mailoutbox):
    action.deadline = DEADLINE
    action.save()
    with time_machine.travel(at(datetime.date(2025, 3, 10)), tick=False):
        # 21 March: the escalation (14 working days overdue) is new; the overdue notice "+15d"
        # went out on 18 March, by that day's sweep.
        out = dry_run(capsys, "--date", "2025-03-21")
    assert "Dry run for Friday 21 March 2025: 1 reminders would go to 1 people." in out
    assert (
        f"{action.opcc_lead.email}:\n  Escalated: overdue: {action.title} (2025-03-03+14d)" in out
    )
    assert "Overdue:" not in out
    assert not Reminder.objects.exists()


def test_a_run_with_a_date_writes_the_email_for_that_date(
    action, mailoutbox, django_capture_on_commit_callbacks, capsys
):
    action.deadline = DEADLINE
    action.save()
    with (
        time_machine.travel(at(datetime.date(2025, 2, 1)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_reminders", "--date", "2025-03-20")
    bodies = "\n".join(message.body for message in mailoutbox)
    assert "Was due 3 March 2025: 17 days overdue." in bodies
    assert "-" + "30 days" not in bodies
