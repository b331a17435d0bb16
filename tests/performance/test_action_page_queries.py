"""The action page and its history tab take the same number of queries at 1,000 history rows
as at a handful."""

import copy
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Evidence, Rag, Status
from tests.factories import ActionFactory, EvidenceFactory, UpdateFactory

pytestmark = pytest.mark.django_db

STATUSES = [Status.IN_PROGRESS, Status.BLOCKED, Status.IN_PROGRESS, Status.PROPOSED]


def with_history(action, rows, by):
    """`rows` more history rows on the action (status, RAG and percent changing each time)."""
    start = timezone.now() - datetime.timedelta(days=rows)
    states = []
    for n in range(rows):
        state = copy.copy(action)
        state.status = STATUSES[n % len(STATUSES)]
        state.rag = [Rag.GREEN, Rag.AMBER][n % 2]
        state.percent_complete = n % 100
        state._history_date = start + datetime.timedelta(days=n)
        state._history_user = by
        state._change_reason = f"Change {n}"
        states.append(state)
    Action.history.bulk_history_create(states, update=True)
    UpdateFactory.create_batch(3, action=action, author=by)
    EvidenceFactory(action=action, submitted_by=by)


def queries_for(url, client):
    client.get(url)  # the heartbeat banner's once-a-minute query is not the page's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("page", ["actions:detail", "actions:history"])
def test_action_page_and_history_tab_queries_do_not_grow_with_history(
    page, force, owner, opcc_officer, signed_in
):
    short = ActionFactory(finding__inspection__force=force, owner=owner, opcc_lead=opcc_officer)
    long = ActionFactory(finding__inspection__force=force, owner=owner, opcc_lead=opcc_officer)
    with_history(short, 5, opcc_officer)
    with_history(long, 1000, opcc_officer)
    assert long.history.count() > 1000
    assert Evidence.history.filter(action_id=long.pk).exists()
    client = signed_in(opcc_officer)
    few, _ = queries_for(reverse(page, args=[short.pk]), client)
    many, response = queries_for(reverse(page, args=[long.pk]), client)
    assert many == few
    assert many <= 12
    if page == "actions:history":
        assert "Change 999" in response.content.decode()
