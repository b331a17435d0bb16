"""Recurring findings: suggestions on the demo data, confirming and removing links, audited."""

import pytest
from django.urls import reverse

from actions.inspection_import import services as import_services
from tests.factories import ActionFactory, FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db


def test_removing_a_link_is_audited(force, opcc_officer, signed_in):
    earlier = FindingFactory(inspection=InspectionFactory(force=force))
    later = FindingFactory(inspection=InspectionFactory(force=force))
    import_services.finding_link_repeat(by=opcc_officer, finding=later, earlier=earlier)
    response = signed_in(opcc_officer).post(
        reverse("actions:finding_repeat", args=[later.pk]), {"earlier": earlier.pk, "do": "unlink"}
    )
    assert response.status_code == 302
    assert not later.repeats.exists()
    row = later.history.order_by("-history_id").first()
    assert row.history_change_reason.startswith(f"Unlinked from {earlier.reference}")
    assert row.repeats.count() == 0


@pytest.mark.parametrize("case", ["other_force", "same_inspection", "already", "missing"])
def test_a_link_that_makes_no_sense_is_refused_with_a_message(
    case, force, other_force, opcc_officer, signed_in
):
    inspection = InspectionFactory(force=force)
    later = FindingFactory(inspection=inspection)
    earlier = {
        "other_force": lambda: FindingFactory(inspection=InspectionFactory(force=other_force)),
        "same_inspection": lambda: FindingFactory(inspection=inspection),
        "already": lambda: FindingFactory(inspection=InspectionFactory(force=force)),
        "missing": lambda: None,
    }[case]()
    if case == "already":
        import_services.finding_link_repeat(by=opcc_officer, finding=later, earlier=earlier)
    before = later.history.count()
    response = signed_in(opcc_officer).post(
        reverse("actions:finding_repeat", args=[later.pk]),
        {"earlier": earlier.pk if earlier else 999999, "do": "link"},
        follow=True,
    )
    html = response.content.decode()
    expected = {
        "other_force": "same force",
        "same_inspection": "earlier inspection",
        "already": "already linked",
        "missing": "Choose an earlier finding.",
    }[case]
    assert expected in html
    assert later.history.count() == before
    assert later.repeats.count() == (1 if case == "already" else 0)


def test_owner_cannot_link_findings(force, owner, opcc_officer, signed_in):
    earlier = FindingFactory(inspection=InspectionFactory(force=force))
    later = FindingFactory(inspection=InspectionFactory(force=force))
    response = signed_in(owner).post(
        reverse("actions:finding_repeat", args=[later.pk]), {"earlier": earlier.pk}
    )
    assert response.status_code == 403
    assert not later.repeats.exists()


@pytest.mark.parametrize("earlier_count", [3, 200])
def test_finding_page_query_count_is_constant(
    earlier_count, force, opcc_officer, signed_in, django_assert_max_num_queries
):
    old = InspectionFactory(force=force, title="Old")
    earlier = FindingFactory.create_batch(earlier_count, inspection=old, area=None)
    later = FindingFactory(inspection=InspectionFactory(force=force))
    for finding in earlier[:3]:
        import_services.finding_link_repeat(by=opcc_officer, finding=later, earlier=finding)
    client = signed_in(opcc_officer)
    # 10, and since findings can be shared: the sharing history and the office's forces (is
    # this finding the user's office's, or a collaboration?).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("actions:finding", args=[later.pk]))
    assert len(response.context["finding"].repeats.all()) == 3


@pytest.mark.parametrize("findings", [2, 40])
def test_inspection_and_action_pages_with_linked_findings_keep_constant_query_counts(
    findings, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    old = InspectionFactory(force=force, title="PEEL 2015")
    new = InspectionFactory(force=force, title="PEEL 2025")
    for _ in range(findings):
        later = FindingFactory(inspection=new, area=None)
        import_services.finding_link_repeat(
            by=opcc_officer, finding=later, earlier=FindingFactory(inspection=old, area=None)
        )
    action = ActionFactory(finding=later, owner=owner)
    client = signed_in(owner)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("actions:inspection", args=[new.pk])).content.decode()
    assert html.count("Also raised in") == findings
    with django_assert_max_num_queries(12):
        html = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Also raised in" in html and "PEEL 2015" in html
