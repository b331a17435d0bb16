"""The action list's bulk form: ask owners for an update, move deadlines (bulk assign is in
test_views_list.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Reminder, ReminderKind, Status
from tests.factories import ActionFactory, actions_for

pytestmark = pytest.mark.django_db

LATER = timezone.localdate() + datetime.timedelta(days=200)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_request_update_tells_each_owner_once_and_counts_owners(
    force, owner, opcc_officer, signed_in
):
    mine = actions_for(force, 2, owner=owner)
    unowned = ActionFactory(finding=mine[0].finding, owner=None)
    client = signed_in(opcc_officer)
    response = client.post(
        reverse("actions:bulk_request_update"),
        {"actions": [a.pk for a in [*mine, unowned]], "message": "For the Panel"},
        follow=True,
    )
    said = messages_of(response)
    assert "1 owner asked for an update." in said
    assert any("it has no owner" in m for m in said)
    rows = Reminder.objects.filter(recipient=owner, kind=ReminderKind.UPDATE_REQUESTED)
    assert sorted(rows.values_list("action_id", flat=True)) == sorted(a.pk for a in mine)


def test_move_deadlines_changes_each_audited_and_lists_the_refused(
    force, owner, opcc_officer, signed_in
):
    first, second = actions_for(force, 2, owner=owner)
    same = ActionFactory(
        finding=first.finding, owner=owner, deadline=LATER, original_deadline=LATER
    )
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_deadline"),
        {
            "actions": [first.pk, second.pk, same.pk],
            "deadline": LATER.isoformat(),
            "reason": "Panel agreed a new plan",
        },
        follow=True,
    )
    said = messages_of(response)
    assert "2 deadlines moved." in said
    assert any("same as the current one" in m for m in said)
    for action in (first, second):
        action.refresh_from_db()
        assert action.deadline == LATER
        latest = action.history.latest()
        assert latest.history_user == opcc_officer
        assert "Panel agreed a new plan" in latest.history_change_reason


def test_move_deadlines_needs_a_date_and_reason(force, opcc_officer, signed_in):
    (action,) = actions_for(force, 1)
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_deadline"), {"actions": [action.pk]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the new deadline." in page and "Enter a reason for moving the deadlines." in page


@pytest.mark.parametrize("name", ["actions:bulk_request_update", "actions:bulk_deadline"])
def test_owner_cannot_use_the_bulk_forms(name, force, owner, signed_in):
    (action,) = actions_for(force, 1, owner=owner)
    response = signed_in(owner).post(
        reverse(name), {"actions": [action.pk], "deadline": LATER.isoformat(), "reason": "x"}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.deadline != LATER and not Reminder.objects.exists()


@pytest.mark.parametrize("rows", [10, 100])
@pytest.mark.parametrize("name", ["actions:bulk_request_update", "actions:bulk_deadline"])
def test_bulk_views_query_count_grows_only_with_the_actions_changed(
    rows, name, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    actions = actions_for(force, rows, owner=owner, status=Status.IN_PROGRESS)
    client = signed_in(opcc_officer)
    data = {"actions": [a.pk for a in actions], "deadline": LATER.isoformat(), "reason": "Plan"}
    # Each deadline move is its own audited change through action_change_deadline (savepoint,
    # lock and reload, full_clean's foreign-key checks, save, history row, notice: about 20);
    # the request for updates is one outbox row per action. Nothing else grows.
    per_action = 21 if name == "actions:bulk_deadline" else 3
    with django_assert_max_num_queries(12 + per_action * rows):
        response = client.post(reverse(name), data)
    assert response.status_code == 302


def test_an_id_past_the_integer_range_is_refused_not_an_error(opcc_officer, signed_in):
    response = signed_in(opcc_officer).post(
        reverse("actions:bulk_request_update"), {"actions": ["9223372036854775808"]}
    )
    assert response.status_code == 200
    assert "Select actions from the list." in response.content.decode()
