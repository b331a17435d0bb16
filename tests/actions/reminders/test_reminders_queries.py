"""The sweep's query count: a constant plus a few per recipient, however many actions."""

import datetime
import math
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Reminder, Status
from actions.reminders.sweep import INSERT_BATCH, reminders_sweep
from tests.actions.reminders.test_reminders import at
from tests.factories import ActionFactory, FindingFactory, MeetingFactory, persona
from tracker import roles

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)
# Reads and bookkeeping whatever the size: reachable users, one query per kind of reminder
# (closure proposals and extension requests waiting, sustaining periods ending included), the
# meetings, OPCC staff (packs, closures and extensions waiting long, sources), the meeting
# questions due, sources' response dates and revisits, the pending recipients; plus the
# transaction's savepoints.
FIXED = 18
# Each digest: savepoint, lock the recipient's user row (one send per person at a time),
# lock-and-read the pending rows (one query, related rows joined), the recipient's roles and
# which of the rows' actions and meetings they may see now, claim them as "sending", release;
# after the relay accepts, mark them sent and record the delivery heartbeat; for an OPCC
# officer, their office's forces (the scope's list of keys, tracker.roles.force_scope).
PER_RECIPIENT = 11
# Django's bulk insert on SQLite ("OR IGNORE" for the duplicate keys), or the PostgreSQL one.
REMINDER_INSERT = re.compile(r'INSERT (?:OR IGNORE )?INTO "actions_reminder"')


def build(force, *, actions, owners, leads):
    """`actions` open actions spread over 80 days of deadlines, on one meeting's agenda; one in
    twenty proposed for closure since January (waiting on OPCC staff, who are the leads)."""
    owner_list = [persona(roles.ACTION_OWNER, force=force) for _ in range(owners)]
    lead_list = [persona(roles.OPCC_STAFF) for _ in range(leads)]
    finding = FindingFactory(inspection__force=force)
    meeting = MeetingFactory(starts_at=at(datetime.date(2025, 3, 14), 10))
    meeting.inspections.add(finding.inspection)
    with time_machine.travel(at(datetime.date(2025, 1, 2)), tick=False):
        Action.objects.bulk_create(
            ActionFactory.build(
                finding=finding,
                owner=owner_list[i % owners],
                opcc_lead=lead_list[i % leads],
                deadline=TODAY + datetime.timedelta(days=i % 80 - 40),
                status=Status.PROPOSED if i % 20 == 0 else Status.IN_PROGRESS,
            )
            for i in range(actions)
        )


def insert_batches(rows):
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key]
    size = min(INSERT_BATCH, connection.ops.bulk_batch_size(fields, [None] * rows))
    return math.ceil(rows / size)


def sweep_queries(django_capture_on_commit_callbacks):
    with (
        time_machine.travel(at(TODAY), tick=False),
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sweep = reminders_sweep()
    return sweep, queries


@pytest.mark.parametrize(("actions", "owners"), [(1000, 50), (200, 10)])
def test_a_sweep_costs_a_constant_plus_a_few_queries_per_recipient(
    actions, owners, force, django_capture_on_commit_callbacks, mailoutbox
):
    build(force, actions=actions, owners=owners, leads=5)
    sweep, queries = sweep_queries(django_capture_on_commit_callbacks)
    recipients = len(sweep.pending)
    assert recipients == owners + 5  # every owner, and each lead (escalations, pack ready)
    assert len(mailoutbox) == recipients
    inserts = insert_batches(sweep.due) if connection.vendor != "postgresql" else 1
    budget = FIXED + inserts + PER_RECIPIENT * recipients
    listing = "\n".join(q["sql"][:150] for q in queries.captured_queries)
    assert len(queries) <= budget, f"{len(queries)} queries, budget {budget}:\n{listing}"
    # On PostgreSQL every reminder goes in with one statement, however many there are.
    assert len(REMINDER_INSERT.findall(listing)) == inserts
    assert Reminder.objects.count() == sweep.due


def test_a_second_sweep_the_same_day_sends_nothing_and_costs_no_per_recipient_queries(
    force, django_capture_on_commit_callbacks, mailoutbox
):
    build(force, actions=1000, owners=50, leads=5)
    sweep_queries(django_capture_on_commit_callbacks)
    sent = len(mailoutbox)
    sweep, queries = sweep_queries(django_capture_on_commit_callbacks)
    assert sweep.pending == [] and len(mailoutbox) == sent
    listing = "\n".join(q["sql"][:150] for q in queries.captured_queries)
    # What was recorded today is left out before inserting: no row goes to the database again.
    assert not REMINDER_INSERT.findall(listing)
    assert sweep.due > 1000
    assert len(queries) <= FIXED, listing


def test_the_benchmark_command_reports_its_figures_and_leaves_nothing_behind(capsys):
    call_command("benchmark", "reminders", "--actions", "60", "--owners", "6", "--leads", "2")
    out = capsys.readouterr().out
    assert "Sweep over 60 actions:" in out and "actions/s" in out and "queries on" in out
    assert "Rolled back" in out
    assert Action.objects.count() == 0 and Reminder.objects.count() == 0
