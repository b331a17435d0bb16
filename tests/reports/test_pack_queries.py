"""Generating a pack and reading it run a bounded number of queries at 10 and at 500 actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Status
from reports import services
from tests.factories import (
    ActionFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    actions_for,
)

pytestmark = pytest.mark.django_db

# Generation reads: role, meeting lock, previous version, previous meeting, agenda, graded areas,
# previous inspection and its grades, findings and the findings they repeat, findings needing a
# response, actions (with their latest updates as subqueries), history, evidence, questions, the
# earlier published packs' figures, other offices' actions shared with this office's forces. Then
# two audited saves (the pack, then the PDF request), each with full_clean's unique and
# check-constraint queries, savepoints and a history row. Constant in the number of actions and
# in the number of inspections on the agenda.
GENERATION_QUERIES = 41


@pytest.fixture(params=[10, 500])
def meeting(request, force, owner):
    actions = actions_for(force, request.param, owner=owner, owner_role_title="ACC Crime")
    for n, action in enumerate(actions):
        if n % 3 == 0:
            action.status = Status.IN_PROGRESS
            action.deadline -= datetime.timedelta(days=90)  # overdue
            action.save()
    MeetingFactory(kind="apm", starts_at=timezone.now() - datetime.timedelta(days=30))
    meeting = MeetingFactory(kind="apm")
    meeting.inspections.add(actions[0].finding.inspection)
    return meeting


def test_pack_generation_runs_a_bounded_number_of_queries(
    meeting, opcc_officer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(GENERATION_QUERIES):
        pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=True)
    assert pack.snapshot["totals"]["actions"] in (10, 500)


def test_pack_pages_and_downloads_run_a_bounded_number_of_queries(
    meeting, opcc_officer, panel_member, signed_in, client, django_assert_max_num_queries
):
    pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    pack = services.pack_publish(by=opcc_officer, pack=pack, public=True)
    staff = signed_in(opcc_officer)
    for url in [
        reverse("reports:pack", args=[pack.pk]),
        reverse("reports:pack_csv", args=[pack.pk]),
        reverse("reports:pack_xlsx", args=[pack.pk]),
        reverse("reports:meeting_detail", args=[meeting.pk]),
    ]:
        with django_assert_max_num_queries(10):
            assert staff.get(url).status_code == 200, url
    client.force_login(panel_member)
    for url in ["/", reverse("reports:published"), reverse("reports:pack", args=[pack.pk])]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200, url
    client.logout()
    office = pack.meeting.office
    for url, budget in [
        (reverse("reports:public_office", args=[office.slug]), 3),
        (pack.get_public_url(), 2),
        (reverse("reports:public_pack_csv", args=[office.slug, pack.uuid]), 2),
    ]:
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


def agenda_of(count, force, owner):
    """A meeting with `count` inspections on its agenda, each following an earlier graded one."""
    meeting = MeetingFactory(kind="panel")
    for n in range(count):
        kind = ["peel", "thematic", "crime_data_integrity", "revisit", "other"][n]
        earlier = InspectionFactory(force=force, kind=kind, published_on=datetime.date(2022, 3, 1))
        GradedAreaFactory(inspection=earlier, name="Investigating crime", grade="inadequate")
        later = InspectionFactory(force=force, kind=kind, published_on=datetime.date(2025, 3, 1))
        area = GradedAreaFactory(inspection=later, name="Investigating crime", grade="good")
        ActionFactory(finding__inspection=later, finding__area=area, owner=owner)
        meeting.inspections.add(later)
    return meeting


def test_pack_generation_queries_do_not_grow_with_the_inspections_on_the_agenda(
    force, owner, opcc_officer
):
    # Both packs compare with an earlier meeting of the same kind.
    MeetingFactory(kind="panel", starts_at=timezone.now() - datetime.timedelta(days=30))
    # A first generation reads what stays cached afterwards (the user's roles).
    services.pack_generate(by=opcc_officer, meeting=agenda_of(1, force, owner), pdf=False)
    counts = {}
    for inspections in (1, 5):
        meeting = agenda_of(inspections, force, owner)
        with CaptureQueriesContext(connection) as queries:
            pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
        counts[inspections] = len(queries)
        grades = [i["grades"] for i in pack.snapshot["inspections"]]
        assert len(grades) == inspections
        for grade in grades:
            (row,) = grade["rows"]
            assert (row["previous_grade"], row["trend"]) == ("Inadequate", "improved")
            assert grade["previous_title"].startswith("PEEL inspection")
    assert counts[1] == counts[5], counts
