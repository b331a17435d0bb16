"""Digest lines are checked against what the recipient may see when the digest is sent."""

import datetime

import pytest
import time_machine

from actions.models import Reminder, ReminderKind, ReminderStatus
from actions.reminders.digest import digest_send
from actions.reminders.sweep import reminders_sweep
from tests.actions.reminders.test_reminders import at, sent
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

Kind = ReminderKind
DAY = datetime.date(2025, 3, 10)


def test_owner_moved_to_another_force_after_the_sweep_is_not_mailed_the_old_forces_titles(
    owner, force, other_force, django_capture_on_commit_callbacks, mailoutbox
):
    old = ActionFactory(
        title="Review the custody vetting backlog",
        owner=owner,
        finding__inspection__force=force,
        deadline=DAY + datetime.timedelta(days=7),
    )
    new = ActionFactory(
        title="Train call handlers in THRIVE",
        owner=owner,
        finding__inspection__force=other_force,
        deadline=DAY + datetime.timedelta(days=7),
    )
    # The sweep records both (the new force's action was assigned ahead of the move) and
    # queues the digest; the owner moves before the worker sends it.
    with (
        time_machine.travel(at(DAY), tick=False),
        django_capture_on_commit_callbacks(execute=False) as queued,
    ):
        reminders_sweep()
    assert len(queued) == 1
    assert Reminder.objects.filter(recipient=owner, status=ReminderStatus.PENDING).count() == 2
    owner.force = other_force
    owner.save()
    with time_machine.travel(at(DAY, 8), tick=False):
        assert digest_send(recipient_id=owner.pk) == 1
    (mail,) = mailoutbox
    body, html = mail.body, mail.alternatives[0][0]
    assert new.title in body and new.title in html
    assert old.title not in body and old.title not in html
    # The line they can no longer see is marked, not left pending to be tried forever.
    assert Reminder.objects.get(action=old).status == ReminderStatus.SKIPPED
    assert [r.action for r in sent(Kind.DEADLINE)] == [new]


def test_the_weekly_summary_lists_only_actions_the_recipient_may_see(
    owner,
    force,
    other_force,
    sweep,  # noqa: F811 (the fixture)
    mailoutbox,
):
    ActionFactory(
        title="Old force action", owner=owner, finding__inspection__force=force, deadline=DAY
    )
    ActionFactory(
        title="New force action", owner=owner, finding__inspection__force=other_force, deadline=DAY
    )
    owner.force = other_force
    owner.save()
    sweep(DAY, weekly=True)
    (mail,) = mailoutbox
    assert "New force action" in mail.body
    assert "Old force action" not in mail.body
    assert "1 open action" in mail.body
