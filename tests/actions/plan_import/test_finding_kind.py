"""The kind a plan's finding reference names (actions/plan_import/columns.py)."""

import pytest

from actions.models import FindingKind
from actions.plan_import.columns import finding_kind


@pytest.mark.parametrize(
    "reference, kind",
    [
        ("Cause of concern 1", FindingKind.CAUSE_OF_CONCERN),
        ("CoC 2", FindingKind.CAUSE_OF_CONCERN),
        ("Recommendation 3", FindingKind.RECOMMENDATION),
        ("Matter of concern 1", FindingKind.MATTER_OF_CONCERN),
        ("AFI 4", FindingKind.AFI),
    ],
)
def test_a_reference_names_its_finding_kind(reference, kind):
    assert finding_kind(reference) == kind
