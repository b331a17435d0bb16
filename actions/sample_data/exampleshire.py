"""An invented second force with two invented PEEL rounds, so the demo shows the direction of
travel across the areas PEEL 2023-25 renamed. Nothing here is a real force's grade."""

import datetime

from actions import finding_services
from actions.models import Force, Inspection
from actions.sample_data import events

FORCE_NAME = "Exampleshire Police (invented)"
# The titles start with the force's name, not "PEEL", so they are never taken for the real ones.
PEEL_2021_TITLE = "Exampleshire Police (invented): PEEL 2021/22"
PEEL_2023_TITLE = "Exampleshire Police (invented): PEEL 2023-25"
PEEL_2021_PUBLISHED = datetime.date(2022, 7, 14)
PEEL_2023_PUBLISHED = datetime.date(2025, 3, 13)
# The office published each response seven weeks after the report, inside the 56 days.
RESPONSE_AFTER = datetime.timedelta(weeks=7)

# The areas under PEEL 2021/22's names, and under PEEL 2023-25's; invented grades.
PEEL_2021_GRADES = [
    ("Treatment of the public", "good"),
    ("Preventing crime and anti-social behaviour", "adequate"),
    ("Responding to the public", "requires_improvement"),
    ("Investigating crime", "adequate"),
    ("Protecting vulnerable people", "good"),
    ("Managing offenders and suspects", "adequate"),
    ("Building, supporting and protecting the workforce", "good"),
    ("Strategic planning, organisational management and value for money", "adequate"),
    ("Recording data about crime", "ungraded"),
]
PEEL_2023_GRADES = [
    ("Police powers and public treatment", "adequate"),
    ("Preventing crime", "good"),
    ("Responding to the public", "requires_improvement"),
    ("Investigating crime", "good"),
    ("Protecting vulnerable people", "inadequate"),
    ("Managing offenders", "adequate"),
    ("Developing a positive workplace", "outstanding"),
    ("Leadership and force management", "good"),
    ("Recording data about crime", "adequate"),
]


def exampleshire_load(*, opcc):
    """Create the invented force and its two PEEL rounds, if missing."""
    force = Force.objects.filter(name=FORCE_NAME).first()
    if force is not None:
        return force
    with events.happened_on(events.at(PEEL_2021_PUBLISHED, hour=12)):
        force = finding_services.force_create(by=opcc, name=FORCE_NAME, reason="Invented force")
        peel_2021 = _inspection(force, opcc, PEEL_2021_TITLE, PEEL_2021_PUBLISHED, None)
        _grades(peel_2021, opcc, PEEL_2021_GRADES)
    with events.happened_on(events.at(PEEL_2023_PUBLISHED, hour=12)):
        peel_2023 = _inspection(force, opcc, PEEL_2023_TITLE, PEEL_2023_PUBLISHED, peel_2021)
        # Each area follows its 2021/22 area through the shipped mapping of renamed areas.
        _grades(peel_2023, opcc, PEEL_2023_GRADES)
    for inspection in (peel_2021, peel_2023):
        _response(inspection, opcc)
    return force


def _inspection(force, opcc, title, published_on, previous):
    return finding_services.inspection_create(
        by=opcc,
        force=force,
        title=title,
        kind=Inspection.Kind.PEEL,
        published_on=published_on,
        previous=previous,
    )


def _grades(inspection, opcc, grades):
    for position, (name, grade) in enumerate(grades, start=1):
        finding_services.graded_area_create(
            by=opcc, inspection=inspection, name=name, grade=grade, position=position
        )


def _response(inspection, opcc):
    published_on = inspection.published_on + RESPONSE_AFTER
    with events.happened_on(events.at(published_on, hour=16)):
        finding_services.inspection_record_response(
            by=opcc, inspection=inspection, published_on=published_on
        )
