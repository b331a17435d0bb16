"""The rules agree wherever they are used: on one data set, the dashboard's counts, the action
list's filters (through the dashboard's own links), the reminder sweep's records, the weekly
summary and the briefing pack all find the same overdue, due-soon and stale actions; and when the
thresholds change, all of them move together."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.test import override_settings

from actions import selectors
from actions.models import Action, Reminder, ReminderKind
from actions.reminders import digest
from actions.reminders.sweep import reminders_sweep
from reports.snapshot import pack_snapshot
from tests.factories import ActionFactory, InspectionFactory, MeetingFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = datetime.date(2025, 3, 10)


def days(n):
    return DAY + datetime.timedelta(days=n)


def at(day, hour=12, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def actions(force, owner, opcc_officer):
    """Six actions of one inspection, owned by `owner`, around DAY's edges."""
    inspection = InspectionFactory(force=force)
    fields = {"finding__inspection": inspection, "owner": owner, "opcc_lead": opcc_officer}
    rows = {
        # Deadline yesterday: overdue. Updated two days ago.
        "late": ActionFactory(deadline=days(-1), last_update_at=at(days(-2)), **fields),
        # Deadline today: due soon. Updated on Monday 27 January in the evening: 30 working days
        # without an update by DAY (Monday 10 March 2025).
        "today": ActionFactory(deadline=days(0), last_update_at=at(days(-42), 18), **fields),
        # Deadline 14 days ahead: due soon. Updated just after midnight the next day: 29.
        "fortnight": ActionFactory(deadline=days(14), last_update_at=at(days(-41), 0, 5), **fields),
        # Deadline 15 days ahead. Never updated; created 50 days ago.
        "later": ActionFactory(deadline=days(15), **fields),
        # Closed long ago: none of the rules apply.
        "closed": ActionFactory(
            deadline=days(-10),
            last_update_at=at(days(-90)),
            status="closed",
            closure_summary="Done",
            **fields,
        ),
        # Deadline two months ahead; updated on Monday 24 February: 10 working days.
        "quiet": ActionFactory(deadline=days(60), last_update_at=at(days(-14)), **fields),
    }
    Action.objects.filter(pk=rows["later"].pk).update(created_at=at(days(-50)))
    meeting = MeetingFactory(starts_at=at(days(3), 10))
    meeting.inspections.add(inspection)
    return {"rows": {action.pk: name for name, action in rows.items()}, "meeting": meeting}


def names(ids, rows):
    return {rows[pk] for pk in ids}


def found_everywhere(user, owner, actions):
    """On DAY: what each of the four places finds overdue, due soon and stale, by name."""
    rows = actions["rows"]
    with time_machine.travel(at(DAY), tick=False):
        board = {g["key"]: g for g in selectors.dashboard(user=user, today=DAY)["groups"]}
        listed = {}
        for key in ("overdue", "due_soon", "stale"):
            filterset = selectors.action_filterset(user=user, data=QueryDict(board[key]["query"]))
            assert filterset.is_valid()
            listed[key] = names(filterset.qs.values_list("pk", flat=True), rows)
            assert board[key]["total"] == len(listed[key])
            assert names([a.pk for a in board[key]["rows"]], rows) == listed[key]
        Reminder.objects.all().delete()
        reminders_sweep(today=DAY)
        recorded = {
            kind: names(
                Reminder.objects.filter(kind=kind).values_list("action_id", flat=True), rows
            )
            for kind in (ReminderKind.OVERDUE, ReminderKind.STALE)
        }
        weekly = digest.weekly_summary(owner, DAY)
        snapshot = pack_snapshot(actions["meeting"], now=at(DAY))
    exceptions = snapshot["exceptions"]
    return {
        "overdue": {
            "dashboard": listed["overdue"],
            "sweep": recorded[ReminderKind.OVERDUE],
            "pack": names([r["action_id"] for r in exceptions["overdue"]], rows),
        },
        "due_soon": {"dashboard": listed["due_soon"], "weekly": weekly["due_soon"]},
        "stale": {
            "dashboard": listed["stale"],
            "sweep": recorded[ReminderKind.STALE],
            "pack": names([r["action_id"] for r in exceptions["no_update"]], rows),
        },
        "labels": (board["stale"]["title"], board["due_soon"]["title"]),
    }


def test_dashboard_list_sweep_and_pack_agree_and_move_together_with_the_thresholds(
    actions, opcc_officer, owner
):
    found = found_everywhere(opcc_officer, owner, actions)
    assert found["overdue"] == dict.fromkeys(["dashboard", "sweep", "pack"], {"late"})
    assert found["due_soon"] == {"dashboard": {"today", "fortnight"}, "weekly": 2}
    # Stale at exactly 30 working days ("today", updated in the evening 30 working days ago),
    # not at 29 ("fortnight", updated just after midnight the next day).
    assert found["stale"] == dict.fromkeys(["dashboard", "sweep", "pack"], {"today", "later"})
    assert found["labels"] == ("No update for 30 working days", "Due in the next 14 days")

    with override_settings(STALE_DAYS=10, DUE_SOON_DAYS=7):
        found = found_everywhere(opcc_officer, owner, actions)
    assert found["overdue"] == dict.fromkeys(["dashboard", "sweep", "pack"], {"late"})
    assert found["due_soon"] == {"dashboard": {"today"}, "weekly": 1}
    stale = {"today", "fortnight", "later", "quiet"}
    assert found["stale"] == dict.fromkeys(["dashboard", "sweep", "pack"], stale)
    assert found["labels"] == ("No update for 10 working days", "Due in the next 7 days")


def test_an_owner_sees_the_same_counts_for_the_actions_assigned_to_them(actions, owner):
    found = found_everywhere(owner, owner, actions)
    assert found["overdue"]["dashboard"] == found["overdue"]["sweep"] == {"late"}
    assert found["stale"]["dashboard"] == found["stale"]["sweep"] == {"today", "later"}


def test_the_list_filter_is_labelled_from_the_stale_setting(opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    with override_settings(STALE_DAYS=45):
        html = client.get("/actions/").content.decode()
    assert "No update for 45 working days" in html and "No update for 30 working days" not in html
