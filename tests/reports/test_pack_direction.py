"""The pack's direction of travel follows renamed areas, by the rule the inspection page uses."""

import datetime

import pytest
from django.urls import reverse

from actions import finding_services
from reports import services
from tests.factories import GradedAreaFactory, InspectionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_the_pack_compares_renamed_areas_and_says_why_not(force, opcc_officer, signed_in):
    peel_2021 = InspectionFactory(force=force, published_on=datetime.date(2022, 6, 1))
    GradedAreaFactory(inspection=peel_2021, name="Managing offenders and suspects", grade="good")
    GradedAreaFactory(inspection=peel_2021, name="Investigating crime", grade="ungraded")
    peel_2023 = InspectionFactory(force=force, published_on=datetime.date(2024, 10, 16))
    finding_services.inspection_set_previous(
        by=opcc_officer, inspection=peel_2023, previous=peel_2021, reason="Last PEEL round"
    )
    for name in ("Managing offenders", "Investigating crime"):
        finding_services.graded_area_create(
            by=opcc_officer, inspection=peel_2023, name=name, grade="adequate"
        )
    meeting = MeetingFactory()
    meeting.inspections.add(peel_2023)
    pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
    (inspection,) = pack.snapshot["inspections"]
    rows = {row["area"]: row for row in inspection["grades"]["rows"]}
    managing = rows["Managing offenders"]
    assert (managing["previous_area"], managing["previous_grade"], managing["trend"]) == (
        "Managing offenders and suspects",
        "Good",
        "declined",
    )
    assert rows["Investigating crime"]["trend_label"] == (
        "Not comparable: not graded in the previous inspection"
    )
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk]))
    text = html.content.decode()
    assert "(as Managing offenders and suspects)" in text
    assert "Not comparable: not graded in the previous inspection" in text
