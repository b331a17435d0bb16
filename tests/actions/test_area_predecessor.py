"""Which earlier area a graded area follows: the shipped PEEL mapping applied by the services,
and the OPCC page to change it (history with a reason), and what the inspection page shows."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions import finding_services
from tests.factories import GradedAreaFactory, InspectionFactory
from tracker.audit import WorkflowError

pytestmark = pytest.mark.django_db

PEEL_2021_AREAS = {
    "Treatment of the public": "good",
    "Preventing crime and anti-social behaviour": "requires_improvement",
    "Investigating crime": "adequate",
}


@pytest.fixture
def peel_2021(force):
    inspection = InspectionFactory(
        force=force, title="PEEL 2021/22", published_on=datetime.date(2022, 6, 1)
    )
    for position, (name, grade) in enumerate(PEEL_2021_AREAS.items()):
        GradedAreaFactory(inspection=inspection, name=name, grade=grade, position=position)
    return inspection


@pytest.fixture
def peel_2023(force):
    return InspectionFactory(
        force=force, title="PEEL 2023-25", published_on=datetime.date(2024, 10, 16)
    )


def predecessors(inspection):
    return {
        area.name: area.predecessor.name if area.predecessor else None
        for area in inspection.graded_areas.select_related("predecessor")
    }


def test_a_new_area_follows_the_area_peel_named_differently_before(
    peel_2021, peel_2023, opcc_officer
):
    for name in ("Police powers and public treatment", "Investigating crime", "Vetting"):
        finding_services.graded_area_create(
            by=opcc_officer, inspection=peel_2023, name=name, grade="good"
        )
    assert predecessors(peel_2023) == {
        "Police powers and public treatment": "Treatment of the public",
        "Investigating crime": "Investigating crime",
        "Vetting": None,
    }


def test_setting_the_previous_inspection_maps_the_areas_with_history(
    peel_2021, force, opcc_officer
):
    # An area made by the factory (not the services) is not mapped yet.
    later = InspectionFactory(force=force, published_on=datetime.date(2025, 3, 13))
    GradedAreaFactory(inspection=later, name="Preventing crime", grade="good")
    finding_services.inspection_set_previous(
        by=opcc_officer, inspection=later, previous=peel_2021, reason="The last PEEL round"
    )
    later.refresh_from_db()
    assert later.previous == peel_2021
    assert predecessors(later) == {"Preventing crime": "Preventing crime and anti-social behaviour"}
    area = later.graded_areas.get()
    assert area.history.first().history_change_reason == "The last PEEL round"
    assert area.history.first().history_user == opcc_officer


def test_the_previous_inspection_must_be_another_of_the_forces(
    peel_2021, other_force, opcc_officer
):
    elsewhere = InspectionFactory(force=other_force)
    with pytest.raises(WorkflowError):
        finding_services.inspection_set_previous(
            by=opcc_officer, inspection=elsewhere, previous=peel_2021, reason="Wrong force"
        )


def test_a_later_inspection_cannot_be_the_previous_one(peel_2021, peel_2023, opcc_officer):
    with pytest.raises(WorkflowError, match="published before this one"):
        finding_services.inspection_set_previous(
            by=opcc_officer, inspection=peel_2021, previous=peel_2023, reason="Backwards"
        )
    peel_2021.refresh_from_db()
    assert peel_2021.previous is None


def test_a_source_added_with_another_forces_previous_inspection_is_refused(
    peel_2021, other_force, opcc_officer
):
    with pytest.raises(ValidationError, match="is about Hertfordshire"):
        finding_services.inspection_create(
            by=opcc_officer,
            force=other_force,
            title="Their PEEL",
            published_on=datetime.date(2024, 10, 16),
            previous=peel_2021,
        )


def test_only_the_previous_inspections_areas_can_be_chosen(peel_2021, peel_2023, opcc_officer):
    area = GradedAreaFactory(inspection=peel_2023, name="Vetting")
    unrelated = GradedAreaFactory(inspection__force=peel_2023.force)
    with pytest.raises(WorkflowError):
        finding_services.graded_area_set_predecessor(
            by=opcc_officer, area=area, predecessor=unrelated, reason="Try"
        )


def test_an_owner_cannot_change_what_an_area_follows(peel_2021, peel_2023, owner):
    area = GradedAreaFactory(inspection=peel_2023, name="Vetting")
    with pytest.raises(WorkflowError):
        finding_services.graded_area_set_predecessor(
            by=owner, area=area, predecessor=None, reason="Try"
        )


def test_opcc_staff_change_what_an_area_follows_with_a_reason(
    peel_2021, peel_2023, opcc_officer, signed_in
):
    area = GradedAreaFactory(inspection=peel_2023, name="Public trust", grade="adequate")
    treatment = peel_2021.graded_areas.get(name="Treatment of the public")
    client = signed_in(opcc_officer)
    url = reverse("actions:area_predecessor", args=[area.pk])
    page = client.get(url).content.decode()
    assert "Treatment of the public: Good" in page
    assert client.post(url, {"predecessor": treatment.pk, "reason": ""}).status_code == 200
    response = client.post(url, {"predecessor": treatment.pk, "reason": "HMICFRS merged it"})
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.predecessor == treatment
    assert area.history.first().history_change_reason == "HMICFRS merged it"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 403), ("other_force_owner", 404), ("panel_member", 403), (None, 302)],
)
def test_only_opcc_staff_reach_the_predecessor_page(
    request, peel_2021, peel_2023, persona, status, client, signed_in
):
    area = GradedAreaFactory(inspection=peel_2023, name="Vetting")
    if persona:
        client = signed_in(request.getfixturevalue(persona))
    url = reverse("actions:area_predecessor", args=[area.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"predecessor": "", "reason": "Try"}).status_code == status
    area.refresh_from_db()
    assert area.predecessor is None


def test_the_inspection_page_shows_travel_across_renamed_areas(
    peel_2021, peel_2023, opcc_officer, owner, signed_in
):
    for name, grade in [
        ("Police powers and public treatment", "adequate"),
        ("Preventing crime", "good"),
        ("Investigating crime", "adequate"),
    ]:
        finding_services.graded_area_create(
            by=opcc_officer, inspection=peel_2023, name=name, grade=grade
        )
    response = signed_in(owner).get(reverse("actions:inspection", args=[peel_2023.pk]))
    rows = {row["area"].name: row["direction"].label for row in response.context["grades"]}
    assert rows == {
        "Police powers and public treatment": "Declined",
        "Preventing crime": "Improved",
        "Investigating crime": "No change",
    }
    html = response.content.decode()
    assert "as Treatment of the public" in html
    assert "Not graded before" not in html
    assert "Change the area this follows" not in html  # an owner may not change it
    opcc_html = signed_in(opcc_officer).get(reverse("actions:inspection", args=[peel_2023.pk]))
    assert "Change the area this follows" in opcc_html.content.decode()


def test_the_inspection_page_says_why_a_four_tier_grade_is_not_comparable(
    force, opcc_officer, signed_in
):
    peel_2019 = InspectionFactory(force=force, published_on=datetime.date(2019, 9, 27))
    GradedAreaFactory(inspection=peel_2019, name="Investigating crime", grade="good")
    now = InspectionFactory(force=force, published_on=datetime.date(2022, 6, 1))
    GradedAreaFactory(inspection=now, name="Investigating crime", grade="adequate")
    html = signed_in(opcc_officer).get(reverse("actions:inspection", args=[now.pk]))
    assert (
        "Not comparable: graded Good then on the four-tier scale (before PEEL 2021/22), where "
        "Good covers what is now Good or Adequate" in html.content.decode()
    )
