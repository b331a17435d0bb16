"""The direction of travel (actions/grades.py): one rule, across renamed areas and the 2021/22
change from four-tier to five-tier grades."""

import datetime

import pytest

from actions.grades import (
    Direction,
    compared_with_previous,
    direction_of_travel,
    four_tier,
    predecessor_name,
)
from tests.factories import GradedAreaFactory, InspectionFactory


def test_grades_on_the_same_scale_compare_by_rank():
    assert direction_of_travel("good", "adequate") == Direction("improved")
    assert direction_of_travel("good", "outstanding") == Direction("declined")
    assert direction_of_travel("good", "good") == Direction("same")
    assert direction_of_travel("adequate", "requires_improvement").label == "Improved"


def test_four_tier_grades_compare_with_each_other():
    both = {"four_tier_then": True, "four_tier_now": True}
    assert direction_of_travel("requires_improvement", "good", **both).trend == "declined"


def test_the_same_word_across_the_change_of_scale_is_no_change():
    direction = direction_of_travel("good", "good", four_tier_then=True)
    assert direction == Direction("same")


def test_four_tier_words_keep_their_order_on_the_five_tier_scale():
    assert direction_of_travel("requires_improvement", "good", four_tier_then=True).trend == (
        "declined"
    )
    assert direction_of_travel("outstanding", "good", four_tier_then=True).trend == "improved"


def test_adequate_against_a_four_tier_grade_is_not_comparable_and_says_why():
    direction = direction_of_travel("adequate", "good", four_tier_then=True)
    assert direction.trend is None
    assert direction.label == (
        "Not comparable: graded on the four-tier scale then, which had no Adequate"
    )


def test_ungraded_on_either_side_is_not_comparable_with_the_reason():
    assert direction_of_travel("ungraded", "good").label == (
        "Not comparable: not graded in this inspection"
    )
    assert direction_of_travel("good", None).label == (
        "Not comparable: not graded in the previous inspection"
    )
    assert direction_of_travel("good", "ungraded").trend is None


def test_the_four_tier_scale_ends_before_peel_2021_22():
    assert four_tier(datetime.date(2019, 9, 27))
    assert not four_tier(datetime.date(2022, 3, 1))
    assert not four_tier(None)


def test_peel_2023_25_names_map_to_their_2021_22_areas():
    assert predecessor_name("Preventing crime") == "Preventing crime and anti-social behaviour"
    assert predecessor_name("Police powers and public treatment") == "Treatment of the public"
    assert predecessor_name("Managing offenders") == "Managing offenders and suspects"
    assert predecessor_name("Developing a positive workplace") == (
        "Building, supporting and protecting the workforce"
    )
    assert predecessor_name("Leadership and force management") == (
        "Strategic planning, organisational management and value for money"
    )
    assert predecessor_name("Investigating crime") == "Investigating crime"


@pytest.mark.django_db
def test_an_area_compares_with_its_recorded_predecessor_else_the_one_of_its_name():
    before = InspectionFactory(published_on=datetime.date(2022, 5, 1))
    treatment = GradedAreaFactory(inspection=before, name="Treatment of the public", grade="good")
    investigating = GradedAreaFactory(
        inspection=before, name="Investigating crime", grade="adequate"
    )
    stale = GradedAreaFactory(name="Elsewhere", grade="inadequate")
    now = InspectionFactory(force=before.force, published_on=datetime.date(2024, 5, 1))
    powers = GradedAreaFactory(
        inspection=now,
        name="Police powers and public treatment",
        grade="adequate",
        predecessor=treatment,
    )
    same_name = GradedAreaFactory(inspection=now, name="Investigating crime", grade="good")
    recorded_elsewhere = GradedAreaFactory(
        inspection=now, name="Investigating crime ", grade="good", predecessor=stale
    )
    rows = compared_with_previous(
        [powers, same_name, recorded_elsewhere],
        [treatment, investigating],
        published_on=now.published_on,
        previous_published_on=before.published_on,
    )
    assert [(row["previous_area"], row["direction"].trend) for row in rows] == [
        (treatment, "declined"),
        (investigating, "improved"),
        (None, None),
    ]


@pytest.mark.django_db
def test_across_the_change_of_scale_the_dates_decide():
    before = InspectionFactory(published_on=datetime.date(2019, 9, 27))
    old = GradedAreaFactory(inspection=before, name="Effectiveness", grade="good")
    now = InspectionFactory(force=before.force, published_on=datetime.date(2022, 5, 1))
    area = GradedAreaFactory(inspection=now, name="Effectiveness", grade="adequate")
    (row,) = compared_with_previous(
        [area], [old], published_on=now.published_on, previous_published_on=before.published_on
    )
    assert row["direction"].reason.startswith("graded on the four-tier scale then")


@pytest.mark.django_db
def test_an_inspection_with_none_before_it_says_so_rather_than_not_comparable():
    area = GradedAreaFactory(name="Preventing crime", grade="good")
    (row,) = compared_with_previous(
        [area], [], published_on=datetime.date(2025, 3, 13), previous_published_on=None
    )
    assert row["previous_area"] is None
    assert row["direction"].label == "No earlier inspection on record"
