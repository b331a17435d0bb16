"""Deadline extension requests: the owner asks on the action page, OPCC staff approve or decline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ExtensionRequest, ExtensionStatus, Reminder, ReminderKind
from reports.snapshot_history import changes_since, history_by_action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def ask(client, action, days=30, reason="The supplier is late."):
    return client.post(
        reverse("actions:extension_request", args=[action.pk]),
        {
            "requested_deadline": (action.deadline + datetime.timedelta(days)).isoformat(),
            "reason": reason,
        },
    )


def test_owner_asks_and_opcc_approves_moving_the_deadline_with_the_slip_and_reason(
    action, owner, opcc_officer, signed_in, client
):
    original = action.deadline
    assert ask(signed_in(owner), action).status_code == 302
    extension = ExtensionRequest.objects.get(action=action)
    assert extension.status == ExtensionStatus.PENDING
    assert (
        "Deadline extension requested"
        in signed_in(owner).get(reverse("actions:detail", args=[action.pk])).content.decode()
    )
    before = timezone.now()
    response = signed_in(opcc_officer).post(
        reverse("actions:extension_decide", args=[extension.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    extension.refresh_from_db()
    assert action.deadline == original + datetime.timedelta(30)
    assert action.original_deadline == original  # a slip, not a correction
    assert action.has_slipped
    assert (extension.status, extension.decided_by) == (ExtensionStatus.APPROVED, opcc_officer)
    assert action.history.latest().history_change_reason.endswith(
        "Extension approved: The supplier is late."
    )
    # The owner is told the decision once, and not a second time as a plain deadline move.
    kinds = list(Reminder.objects.filter(recipient=owner).values_list("kind", flat=True))
    assert kinds == [ReminderKind.EXTENSION_DECIDED]
    # The history page shows the request and the decision.
    page = signed_in(owner).get(reverse("actions:history", args=[action.pk])).content.decode()
    assert "Extension request" in page and "Approved" in page
    # The pack's "what changed": one line for the action, the move once, and the approval.
    lines = changes_since(
        history_by_action(Action.objects.filter(pk=action.pk)), before, timezone.now()
    )
    assert len(lines) == 1
    assert lines[0]["deadline_to"] == action.deadline.isoformat()
    assert [e["event"] for e in lines[0]["events"]] == ["deadline extension approved"]


def test_opcc_declines_with_a_reason_and_the_deadline_stays(action, owner, opcc_officer, signed_in):
    original = action.deadline
    ask(signed_in(owner), action)
    extension = ExtensionRequest.objects.get(action=action)
    url = reverse("actions:extension_decide", args=[extension.pk])
    refused = signed_in(opcc_officer).post(url, {"decision": "decline"})
    assert (
        refused.status_code == 200 and "Enter a reason for declining." in refused.content.decode()
    )
    signed_in(opcc_officer).post(url, {"decision": "decline", "decision_reason": "Not justified"})
    extension.refresh_from_db()
    action.refresh_from_db()
    assert (extension.status, extension.decision_reason) == (
        ExtensionStatus.DECLINED,
        "Not justified",
    )
    assert action.deadline == original
    notice = Reminder.objects.get(recipient=owner, kind=ReminderKind.EXTENSION_DECIDED)
    assert "declined: Not justified" in notice.detail


def test_only_one_pending_request_per_action(action, owner, signed_in):
    client = signed_in(owner)
    ask(client, action)
    second = ask(client, action, days=60)
    assert second.status_code == 200
    assert "already has an extension request waiting" in second.content.decode()
    assert ExtensionRequest.objects.filter(action=action).count() == 1


def test_a_request_must_ask_for_a_later_deadline(action, owner, signed_in):
    response = ask(signed_in(owner), action, days=-1)
    assert response.status_code == 200
    assert not ExtensionRequest.objects.exists()


def test_a_decided_request_cannot_be_decided_again(action, owner, opcc_officer, signed_in):
    ask(signed_in(owner), action)
    extension = ExtensionRequest.objects.get()
    url = reverse("actions:extension_decide", args=[extension.pk])
    signed_in(opcc_officer).post(url, {"decision": "decline", "decision_reason": "No"})
    again = signed_in(opcc_officer).post(url, {"decision": "approve"})
    assert again.status_code == 200
    action.refresh_from_db()
    assert not action.has_slipped


def test_another_forces_owner_cannot_see_or_ask(action, other_force_owner, signed_in):
    assert ask(signed_in(other_force_owner), action).status_code == 404


@pytest.mark.parametrize("rows", [10, 50])
def test_dashboard_panel_lists_pending_requests_in_constant_queries(
    rows, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    actions = [ActionFactory(finding__inspection__force=force, owner=owner) for _ in range(rows)]
    client = signed_in(owner)
    for action in actions:
        ask(client, action)
    client = signed_in(opcc_officer)
    client.get(reverse("actions:dashboard"))
    # The OPCC dashboard's budget (tests/actions/test_views_dashboard.py), whatever the rows.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("actions:dashboard"))
    assert response.context["extensions_total"] == rows
    page = response.content.decode()
    assert "Deadline extensions waiting for a decision: " + str(rows) in page
    first = ExtensionRequest.objects.order_by("requested_at", "pk").first()
    assert reverse("actions:extension_decide", args=[first.pk]) in page


def test_owner_dashboard_has_no_extension_panel(action, owner, signed_in):
    response = signed_in(owner).get(reverse("actions:dashboard"))
    assert response.context["extensions"] is None
