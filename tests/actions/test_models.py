"""Model rules: the s.55 date, constraints, querysets that agree with model properties."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from actions.models import Action, Finding, FindingKind, Inspection
from tests.factories import (
    ActionFactory,
    FindingFactory,
    GradedAreaFactory,
    InspectionFactory,
    UpdateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("published", "due"),
    [
        (datetime.date(2024, 10, 16), datetime.date(2024, 12, 10)),  # the design's worked example
        (datetime.date(2024, 1, 1), datetime.date(2024, 2, 25)),
        (datetime.date(2024, 2, 1), datetime.date(2024, 3, 27)),  # across a leap day
    ],
)
def test_response_due_is_last_day_of_56_days_counting_publication_day(published, due):
    assert Inspection(published_on=published).response_due == due


def test_response_due_is_none_without_publication_date():
    assert Inspection().response_due is None


def test_response_met_compares_published_response_with_due_date():
    inspection = Inspection(published_on=datetime.date(2024, 10, 16))
    inspection.response_published_on = datetime.date(2024, 12, 10)
    assert inspection.response_met is True
    inspection.response_published_on = datetime.date(2024, 12, 11)
    assert inspection.response_met is False


def test_unanswered_response_is_late_once_due_date_has_passed():
    inspection = Inspection(published_on=timezone.localdate() - datetime.timedelta(days=100))
    assert inspection.response_met is False
    inspection.published_on = timezone.localdate()
    assert inspection.response_met is None


def _violates(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(**fields)


def test_percent_complete_must_be_0_to_100_in_the_database():
    _violates(percent_complete=101)


def test_closed_action_needs_closure_summary_in_the_database():
    _violates(status="closed", closure_summary="")


def test_status_and_rag_must_be_known_values_in_the_database():
    _violates(status="finished")
    _violates(rag="purple")


def test_grade_must_be_on_the_scale_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        GradedAreaFactory(grade="excellent")


def test_finding_reference_is_unique_within_an_inspection():
    finding = FindingFactory(reference="AFI 1")
    FindingFactory(reference="AFI 1")  # another inspection: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        FindingFactory(reference="AFI 1", inspection=finding.inspection, area=finding.area)


def test_deleting_a_finding_with_actions_is_refused():
    action = ActionFactory()
    with pytest.raises(ProtectedError):
        action.finding.delete()
    with pytest.raises(ProtectedError):
        action.finding.inspection.delete()


def test_deleting_an_action_with_updates_is_refused():
    update = UpdateFactory()
    with pytest.raises(ProtectedError):
        update.action.delete()


def test_original_deadline_is_kept_when_the_deadline_moves():
    action = ActionFactory(deadline=datetime.date(2025, 3, 31))
    action.deadline = datetime.date(2025, 6, 30)
    action.save()
    action.refresh_from_db()
    assert action.original_deadline == datetime.date(2025, 3, 31)
    assert action.has_slipped
    assert list(Action.objects.slipped()) == [action]


# Overdue, due soon, stale, effective RAG and the rest: tests/actions/test_rules.py.


def test_inspection_lists_recommendations_with_neither_action_nor_reason():
    inspection = InspectionFactory()
    concern = FindingFactory(inspection=inspection, kind="cause_of_concern", reference="CoC 1")
    answered = FindingFactory(
        inspection=inspection, kind="recommendation", reference="R1", parent=concern
    )
    ActionFactory(finding=answered)
    reasoned = FindingFactory(
        inspection=inspection,
        kind="recommendation",
        reference="R2",
        no_action_reason="Superseded by the national programme.",
    )
    bare = FindingFactory(inspection=inspection, kind="recommendation", reference="R3")
    lone_concern = FindingFactory(inspection=inspection, kind="cause_of_concern", reference="CoC 2")
    FindingFactory(inspection=inspection, kind="afi", reference="AFI 1")  # AFIs are not s.55
    needing = set(inspection.findings_needing_response())
    assert needing == {bare, lone_concern}
    assert reasoned not in needing and concern not in needing


def test_strings_use_the_domain_words():
    finding = FindingFactory(reference="AFI 3", text="The force should improve supervision.")
    assert str(finding) == "AFI 3: The force should improve supervision."
    area = GradedAreaFactory(name="Investigating crime", grade="requires_improvement")
    assert str(area) == "Investigating crime: Requires improvement"


def test_finding_published_text_prefers_public_wording():
    finding = Finding(text="Operational detail", public_text="Public wording")
    assert finding.published_text == "Public wording"
    assert Finding(text="Plain").published_text == "Plain"


@pytest.mark.parametrize(
    ("reference", "kind", "heading"),
    [
        ("Cause of concern 1", FindingKind.CAUSE_OF_CONCERN, "Cause of concern 1"),
        ("Recommendation 2", FindingKind.RECOMMENDATION, "Recommendation 2"),
        ("AFI 3", FindingKind.AFI, "AFI 3: area for improvement"),
        ("R4", FindingKind.RECOMMENDATION, "R4: recommendation"),
    ],
)
def test_a_findings_heading_names_its_kind_once(reference, kind, heading):
    assert Finding(reference=reference, kind=kind).heading == heading
