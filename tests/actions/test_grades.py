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


GOOD_THEN = (
    "Not comparable: graded Good then on the four-tier scale (before PEEL 2021/22), where Good "
    "covers what is now Good or Adequate"
)


@pytest.mark.parametrize(
    "previous_grade, grade, trend",
    [
        # The ends of the scale kept their meaning.
        ("outstanding", "outstanding", "same"),
        ("inadequate", "inadequate", "same"),
        ("outstanding", "good", "declined"),
        ("inadequate", "requires_improvement", "improved"),
        # A four-tier Good is now Good or Adequate: above both is better, below both worse.
        ("good", "outstanding", "improved"),
        ("good", "requires_improvement", "declined"),
        # A four-tier Requires improvement is now Adequate or Requires improvement.
        ("requires_improvement", "good", "improved"),
        ("requires_improvement", "inadequate", "declined"),
        ("inadequate", "adequate", "improved"),
        ("outstanding", "adequate", "declined"),
    ],
)
def test_across_the_change_of_scale_a_direction_is_given_only_where_every_reading_agrees(
    previous_grade, grade, trend
):
    assert direction_of_travel(grade, previous_grade, four_tier_then=True).trend == trend


@pytest.mark.parametrize(
    "previous_grade, grade",
    [
        ("good", "good"),
        ("good", "adequate"),
        ("requires_improvement", "adequate"),
        ("requires_improvement", "requires_improvement"),
    ],
)
def test_a_grade_within_what_the_four_tier_grade_covered_is_not_comparable(previous_grade, grade):
    direction = direction_of_travel(grade, previous_grade, four_tier_then=True)
    assert direction.trend is None
    assert "on the four-tier scale (before PEEL 2021/22)" in direction.label


def test_good_then_and_good_now_is_not_comparable_and_says_why():
    assert direction_of_travel("good", "good", four_tier_then=True).label == GOOD_THEN


def test_requires_improvement_then_says_what_it_covered():
    assert direction_of_travel("adequate", "requires_improvement", four_tier_then=True).label == (
        "Not comparable: graded Requires improvement then on the four-tier scale (before PEEL "
        "2021/22), where Requires improvement covers what is now Adequate or Requires improvement"
    )


def test_an_adequate_grade_on_the_four_tier_scale_is_refused_as_not_comparable():
    # There was no four-tier Adequate: a grade recorded so cannot be compared across scales.
    assert direction_of_travel("good", "adequate", four_tier_then=True).label == (
        "Not comparable: graded on the four-tier scale then (before PEEL 2021/22), "
        "which had no Adequate"
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
    assert four_tier(datetime.date(2021, 3, 31))
    assert not four_tier(datetime.date(2021, 4, 1))
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
    assert row["direction"].reason.startswith("graded Good then on the four-tier scale")


@pytest.mark.django_db
def test_an_inspection_with_none_before_it_says_so_rather_than_not_comparable():
    area = GradedAreaFactory(name="Preventing crime", grade="good")
    (row,) = compared_with_previous(
        [area], [], published_on=datetime.date(2025, 3, 13), previous_published_on=None
    )
    assert row["previous_area"] is None
    assert row["direction"].label == "No earlier inspection on record"
