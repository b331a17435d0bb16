"""Dashboards per role: the four groups, counts per inspection, constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Rag, Status
from tests.factories import ActionFactory, EvidenceFactory, actions_for

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("actions:dashboard")
TODAY = timezone.localdate()


def group(response, key):
    return next(g for g in response.context["groups"] if g["key"] == key)


def spread(force, rows, **fields):
    """Actions in every dashboard group: overdue, due soon, proposed and stale."""
    actions = actions_for(force, rows, **fields)
    for n, action in enumerate(actions):
        if n % 4 == 0:
            action.deadline = TODAY - datetime.timedelta(days=3)
        elif n % 4 == 1:
            action.deadline = TODAY + datetime.timedelta(days=7)
        elif n % 4 == 2:
            action.status = Status.PROPOSED
        else:
            action.created_at = timezone.now() - datetime.timedelta(days=60)
        action.save()
    return actions


@pytest.mark.parametrize("rows", [10, 500])
@pytest.mark.parametrize("persona", ["opcc_officer", "owner"])
def test_dashboard_query_count_is_the_same_at_10_and_500_rows(
    rows, persona, force, owner, opcc_officer, signed_in, request, django_assert_max_num_queries
):
    spread(force, rows, owner=owner, opcc_lead=opcc_officer)
    client = signed_in(request.getfixturevalue(persona))
    # 13; for OPCC staff 3 for "Responses due" (two lists and their counts in one query), 2
    # for the panel of extension requests waiting (its rows and its count) and 1 for their
    # office's forces (the scope's keys, tracker.roles.force_scope).
    with django_assert_max_num_queries(19):
        response = client.get(DASHBOARD)
    assert sum(g["total"] for g in response.context["groups"]) >= rows


def test_opcc_dashboard_groups_overdue_due_soon_proposed_and_stale(force, opcc_officer, signed_in):
    overdue = ActionFactory(
        finding__inspection__force=force, deadline=TODAY - datetime.timedelta(1)
    )
    soon = ActionFactory(finding__inspection__force=force, deadline=TODAY + datetime.timedelta(14))
    ActionFactory(finding__inspection__force=force, deadline=TODAY + datetime.timedelta(15))
    proposed = ActionFactory(finding__inspection__force=force, status=Status.PROPOSED)
    response = signed_in(opcc_officer).get(DASHBOARD)
    assert group(response, "overdue")["rows"] == [overdue]
    assert group(response, "due_soon")["rows"] == [soon]
    assert group(response, "proposed")["rows"] == [proposed]
    assert group(response, "stale")["total"] == 0


def test_proposed_actions_show_how_much_of_their_evidence_is_assured(
    force, opcc_officer, signed_in
):
    two = ActionFactory(finding__inspection__force=force, status=Status.PROPOSED)
    none = ActionFactory(finding__inspection__force=force, status=Status.PROPOSED)
    for _ in range(2):
        EvidenceFactory(action=two, assured_at=timezone.now(), assured_by=opcc_officer)
    EvidenceFactory(action=two)
    EvidenceFactory(action=none)
    response = signed_in(opcc_officer).get(DASHBOARD)
    counts = {row.pk: row.assured_count for row in group(response, "proposed")["rows"]}
    assert counts == {two.pk: 2, none.pk: 0}
    assert "Assured evidence" in response.content.decode()


def test_owner_dashboard_shows_only_their_own_actions(force, owner, signed_in):
    mine = ActionFactory(
        finding__inspection__force=force, owner=owner, deadline=TODAY - datetime.timedelta(1)
    )
    ActionFactory(finding__inspection__force=force, deadline=TODAY - datetime.timedelta(1))
    response = signed_in(owner).get(DASHBOARD)
    assert group(response, "overdue")["rows"] == [mine]
    assert "My actions" in response.content.decode()
    assert "mine=on" in group(response, "overdue")["query"]


def test_counts_by_status_and_rag_per_inspection_count_overdue_as_red(
    force, opcc_officer, signed_in
):
    action = ActionFactory(
        finding__inspection__force=force, rag=Rag.GREEN, deadline=TODAY - datetime.timedelta(1)
    )
    ActionFactory(finding=action.finding, rag=Rag.AMBER, status=Status.IN_PROGRESS)
    response = signed_in(opcc_officer).get(DASHBOARD)
    (row,) = response.context["inspections"]
    assert {s.value: n for s, n in row["statuses"]}["in_progress"] == 1
    assert {r.value: n for r, n in row["rags"]} == {"red": 1, "amber": 1, "green": 0}


def test_signing_in_takes_each_role_to_its_landing_page(
    opcc_officer, owner, panel_member, administrator, client
):
    for user, expected in [(opcc_officer, DASHBOARD), (owner, DASHBOARD)]:
        client.force_login(user)
        assert client.get("/")["Location"] == expected
    client.force_login(panel_member)
    html = client.get("/").content.decode()
    assert "published Panel summaries" in html
    client.force_login(administrator)
    assert "Open the administration site" in client.get("/").content.decode()
