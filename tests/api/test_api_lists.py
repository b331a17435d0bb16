"""API lists: the action list page's filters and sort, pagination, each object's fields, and a
query count that is the same at 10 and 200 rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import services as action_services
from actions.models import Action, Rag, Status
from tests.factories import (
    ActionFactory,
    FindingFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    actions_for,
)

pytestmark = pytest.mark.django_db

# Token, roles, the OPCC officer's office's forces (the scope's keys), count, page rows, one
# prefetch.
MAX_API_QUERIES = 6
LIST_NAMES = ["inspection", "graded-area", "finding", "action", "meeting"]


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def many(force, rows, **fields):
    """`rows` of every kind of object for `force`: actions (with findings, areas, an inspection),
    plus `rows` inspections and meetings with them on the agenda."""
    actions = actions_for(force, rows, **fields)
    inspections = [InspectionFactory(force=force) for _ in range(rows - 1)]
    inspections.append(actions[0].finding.inspection)
    GradedAreaFactory.create_batch(rows, inspection=inspections[0])
    FindingFactory.create_batch(rows, inspection=inspections[0], area=None)
    for inspection in inspections:
        MeetingFactory().inspections.add(inspection)
    return actions


@pytest.mark.parametrize("persona", ["opcc_officer", "owner"])
def test_every_list_uses_the_same_number_of_queries_at_10_and_200_rows(
    persona, force, owner, opcc_officer, api_get, request, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    many(force, 10, owner=owner, opcc_lead=opcc_officer)
    api_get(user, reverse("api:action-list"))  # makes the token outside the counted block
    counts = {}
    for size in (10, 200):
        if size == 200:
            many(force, 190, owner=owner, opcc_lead=opcc_officer)
        for name in LIST_NAMES:
            with (
                django_assert_max_num_queries(MAX_API_QUERIES),
                CaptureQueriesContext(connection) as queries,
            ):
                response = api_get(user, reverse(f"api:{name}-list"), page_size=200)
            assert len(ids(response)) >= size, name
            counts[name, size] = len(queries)
    for name in LIST_NAMES:
        assert counts[name, 10] == counts[name, 200], (name, counts)


def test_filtered_action_list_has_constant_queries(
    force, owner, opcc_officer, api_get, django_assert_max_num_queries
):
    actions_for(force, 120, owner=owner, opcc_lead=opcc_officer)
    query = {"status": ["not_started"], "sort": "-rag", "overdue": "no", "q": "Action", "page": 2}
    api_get(owner, reverse("api:action-list"))
    with django_assert_max_num_queries(MAX_API_QUERIES):
        response = api_get(owner, reverse("api:action-list"), **query)
    assert response.json()["count"] == 120
    assert len(ids(response)) == 50


def test_actions_are_paginated_fifty_a_page_and_at_most_two_hundred(force, opcc_officer, api_get):
    actions_for(force, 260)
    url = reverse("api:action-list")
    first = api_get(opcc_officer, url).json()
    assert (first["count"], len(first["results"])) == (260, 50)
    assert "page=2" in first["next"]
    assert len(ids(api_get(opcc_officer, url, page_size=500))) == 200
    assert len(ids(api_get(opcc_officer, url, page=6))) == 10
    assert api_get(opcc_officer, url, page=99).status_code == 404


QUERIES = [
    {},
    {"status": ["in_progress", "blocked"]},
    {"rag": ["red"]},
    {"overdue": "yes"},
    {"overdue": "no", "sort": "-deadline"},
    {"q": "custody"},
    {"kind": "recommendation"},
    {"grade": "inadequate"},
    {"mine": "on"},
    {"sort": "title"},
    {"sort": "-rag"},
    {"deadline_from": "2024-12-01", "deadline_to": "2025-06-30"},
]


@pytest.mark.parametrize("query", QUERIES)
def test_action_filters_give_exactly_the_html_lists_rows_in_its_order(
    query, force, owner, opcc_officer, api_get, signed_in
):
    today = timezone.localdate()
    inspection = InspectionFactory(force=force)
    inadequate = GradedAreaFactory(inspection=inspection, grade="inadequate", name="Crime data")
    recommendation = FindingFactory(inspection=inspection, area=inadequate, kind="recommendation")
    afi = FindingFactory(inspection=inspection, area=None, text="Custody reviews are late.")
    ActionFactory(finding=recommendation, owner=owner, title="Audit crime records")
    ActionFactory(
        finding=afi, title="Overdue custody review", deadline=today - datetime.timedelta(days=3)
    )
    ActionFactory(finding=afi, title="Blocked", status=Status.BLOCKED, rag=Rag.AMBER)
    ActionFactory(finding=afi, title="Started", status=Status.IN_PROGRESS, owner=owner)
    ActionFactory(finding=afi, title="Due next spring", deadline=datetime.date(2025, 3, 31))
    ActionFactory(finding__inspection__force=force, title="Zebra", rag=Rag.RED)

    html = signed_in(owner).get(reverse("actions:list"), query)
    expected = [action.pk for action in html.context["page"].object_list]
    assert expected, "each query should match some rows, so the comparison means something"
    assert ids(api_get(owner, reverse("api:action-list"), **query)) == expected


def test_an_invalid_filter_value_is_a_400_naming_it(opcc_officer, api_get, action):
    response = api_get(opcc_officer, reverse("api:action-list"), status="finished", sort="colour")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "sort"}


def test_another_forces_inspection_cannot_be_used_as_a_filter(other_force_owner, action, api_get):
    inspection = action.finding.inspection
    for params in ({"inspection_id": inspection.pk}, {"inspection": inspection.title}):
        response = api_get(other_force_owner, reverse("api:action-list"), **params)
        assert response.status_code == 200
        assert response.json()["count"] == 0
        assert action.title not in response.content.decode()


def test_actions_filter_by_inspection_id_or_words_of_its_title(
    force, action, opcc_officer, api_get
):
    ActionFactory(finding__inspection__force=force, finding__inspection__title="Vetting")
    inspection = action.finding.inspection
    url = reverse("api:action-list")
    by_id = api_get(opcc_officer, url, inspection_id=inspection.pk).json()["results"]
    by_words = api_get(opcc_officer, url, inspection=inspection.title.upper()).json()["results"]
    assert [row["id"] for row in by_id] == [row["id"] for row in by_words] == [action.pk]
    assert api_get(opcc_officer, url, inspection_id="x").status_code == 400


def test_action_fields(action, owner, opcc_officer, api_get):
    # Added a while ago: a deadline changed on the day it was set is a correction, not a slip.
    Action.objects.filter(pk=action.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    action.refresh_from_db()
    action_services.action_change_deadline(
        by=opcc_officer,
        action=action,
        deadline=action.deadline + datetime.timedelta(days=14),
        reason="New IT system arrives later",
    )
    row = api_get(owner, reverse("api:action-detail", args=[action.pk])).json()
    assert row["title"] == action.title
    assert row["finding"] == action.finding_id
    assert row["inspection"] == action.finding.inspection_id
    assert row["reference"] == action.finding.reference
    assert row["owner"] == {"id": owner.pk, "name": str(owner), "role_title": "ACC Crime"}
    assert row["opcc_lead"]["id"] == opcc_officer.pk
    assert row["has_slipped"] is True
    assert row["original_deadline"] < row["deadline"]
    assert (row["status"], row["status_label"]) == ("not_started", "Not started")
    assert (row["rag"], row["effective_rag"], row["is_overdue"]) == ("green", "green", False)


def test_overdue_action_is_red_whatever_rag_was_set(force, opcc_officer, api_get):
    late = ActionFactory(
        finding__inspection__force=force,
        rag=Rag.GREEN,
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    row = api_get(opcc_officer, reverse("api:action-detail", args=[late.pk])).json()
    assert (row["rag"], row["effective_rag"], row["is_overdue"]) == ("green", "red", True)


def test_inspection_graded_area_and_finding_fields_and_filters(force, opcc_officer, api_get):
    peel = InspectionFactory(
        force=force,
        title="PEEL 2023-25",
        published_on=datetime.date(2024, 10, 16),
        revisit_on=datetime.date(2025, 2, 10),
    )
    area = GradedAreaFactory(inspection=peel, name="Recording data about crime", grade="inadequate")
    earlier = FindingFactory(inspection=peel, area=area, reference="AFI 1")
    concern = FindingFactory(inspection=peel, area=area, kind="cause_of_concern", reference="CoC 1")
    recommendation = FindingFactory(
        inspection=peel, area=area, kind="recommendation", reference="Rec 1", parent=concern
    )
    recommendation.repeats.add(earlier)
    InspectionFactory(force=force, kind="thematic")

    row = api_get(opcc_officer, reverse("api:inspection-detail", args=[peel.pk])).json()
    assert row["response_due"] == "2024-12-10"
    assert row["revisit_on"] == "2025-02-10"
    assert row["force_name"] == "Hertfordshire Constabulary"
    peel_only = api_get(opcc_officer, reverse("api:inspection-list"), kind="peel", force=force.pk)
    assert ids(peel_only) == [peel.pk]

    areas = api_get(opcc_officer, reverse("api:graded-area-list"), inspection=peel.pk).json()
    assert [(a["name"], a["grade_label"]) for a in areas["results"]] == [
        ("Recording data about crime", "Inadequate")
    ]

    findings = api_get(
        opcc_officer, reverse("api:finding-list"), inspection=peel.pk, kind="recommendation"
    ).json()["results"]
    assert [(f["reference"], f["parent"], f["repeats"]) for f in findings] == [
        ("Rec 1", concern.pk, [earlier.pk])
    ]


def test_meetings_list_only_the_agenda_inspections_the_caller_may_see(
    action, force, other_force, owner, opcc_officer, panel_member, api_get
):
    beds = InspectionFactory(force=other_force)
    meeting = MeetingFactory(kind="panel")
    meeting.inspections.add(action.finding.inspection, beds)
    url = reverse("api:meeting-detail", args=[meeting.pk])
    assert sorted(api_get(opcc_officer, url).json()["inspections"]) == sorted(
        [action.finding.inspection_id, beds.pk]
    )
    assert api_get(owner, url).json()["inspections"] == [action.finding.inspection_id]
    assert api_get(panel_member, url).json()["inspections"] == []


def test_meetings_filter_by_kind_and_start(opcc_officer, api_get):
    now = timezone.now()
    soon = MeetingFactory(kind="apm", starts_at=now + datetime.timedelta(days=3))
    MeetingFactory(kind="apm", starts_at=now - datetime.timedelta(days=30))
    MeetingFactory(kind="panel", starts_at=now + datetime.timedelta(days=5))
    response = api_get(
        opcc_officer, reverse("api:meeting-list"), kind="apm", starts_from=now.isoformat()
    )
    assert ids(response) == [soon.pk]


def test_odd_but_valid_filter_values_work_and_impossible_ones_are_400(opcc_officer, api_get):
    """Found by schemathesis: these were server errors on SQLite or PostgreSQL."""
    meeting = MeetingFactory()
    meetings = reverse("api:meeting-list")
    assert ids(api_get(opcc_officer, meetings, starts_from="0026-09-15T22:26:38-23:26")) == [
        meeting.pk
    ]
    before_year_one = api_get(opcc_officer, meetings, starts_from="0001-01-01T00:00:00+05:00")
    assert before_year_one.status_code == 400
    assert "starts_from" in before_year_one.json()
    for value in ["-3.4e38", "1e40", "0", "2.5"]:
        response = api_get(opcc_officer, reverse("api:finding-list"), inspection=value)
        assert response.status_code == 400, value
        assert set(response.json()) == {"inspection"}
