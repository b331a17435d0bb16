"""The dashboard counts actions for the most recent inspections with open actions, not all."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import ActionFactory, InspectionFactory

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_latest_inspections_and_points_to_the_rest(
    force, owner, opcc_officer, signed_in, monkeypatch
):
    monkeypatch.setattr("actions.selectors.DASHBOARD_INSPECTIONS", 2)
    for year in (2021, 2022, 2023):
        inspection = InspectionFactory(
            force=force, title=f"PEEL {year}", published_on=datetime.date(year, 5, 1)
        )
        ActionFactory(finding__inspection=inspection, owner=owner)
    closed_only = InspectionFactory(force=force, title="PEEL 2024")
    ActionFactory(finding__inspection=closed_only, status="closed", closure_summary="Done")
    for user in (opcc_officer, owner):
        response = signed_in(user).get(reverse("actions:dashboard"))
        titles = [row["inspection"].title for row in response.context["inspections"]]
        assert titles == ["PEEL 2023", "PEEL 2022"]
        html = response.content.decode()
        assert "These are the 2 most recent inspections with open actions" in html
        assert reverse("actions:inspections") in html
