"""Office A's OPCC officer cannot write into office B's register, whatever asks: the forms list
only A's forces and inspections, the importers neither find nor update B's force or inspection,
and the services refuse below the views (tracker.audit.require_sees_force)."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions import finding_services, services
from actions.inspection_import import services as import_services
from actions.inspection_import.draft import SESSION_KEY
from actions.models import Action, Finding, Force, Inspection
from tests.actions.inspection_import.test_import_command import REPORT
from tests.actions.inspection_import.test_views import form_data
from tests.factories import ActionFactory, ForceFactory, InspectionFactory
from tests.office_b import office_b
from tracker.audit import WorkflowError

pytestmark = pytest.mark.django_db

START = reverse("actions:import_start")
REVIEW = reverse("actions:import_review")


@pytest.fixture
def b(db):
    return office_b()


@pytest.fixture
def kent_in_b(b):
    """The force the sample report names, overseen by office B."""
    return ForceFactory(name="Kent Police", office=b.office)


def test_adding_a_source_lists_only_the_officers_forces_and_refuses_bs(
    force, b, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    page = client.get(reverse("actions:inspection_create")).content.decode()
    assert force.name in page
    assert b.force.name not in page
    assert b.inspection.title not in page  # nor B's inspections as the previous one
    response = client.post(
        reverse("actions:inspection_create"),
        {
            "title": "Learning recommendation: custody handovers",
            "force": b.force.pk,
            "source_type": "iopc",
            "kind": "other",
            "published_on": "2024-10-16",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Inspection.objects.filter(title__startswith="Learning recommendation").exists()


def test_the_services_refuse_another_offices_force_inspection_and_finding(opcc_officer, b):
    with pytest.raises(WorkflowError, match="not one your office oversees"):
        finding_services.inspection_create(by=opcc_officer, force=b.force, title="Sneaked in")
    with pytest.raises(WorkflowError, match="not one your office oversees"):
        finding_services.finding_create(
            by=opcc_officer, inspection=b.inspection, kind="afi", reference="AFI 9", text="x"
        )
    with pytest.raises(WorkflowError, match="not one your office oversees"):
        finding_services.graded_area_create(
            by=opcc_officer, inspection=b.inspection, name="Sneaked", grade="good"
        )
    with pytest.raises(WorkflowError, match="not one your office oversees"):
        services.action_create(
            by=opcc_officer,
            finding=b.finding,
            title="Sneaked in",
            deadline=datetime.date.today() + datetime.timedelta(days=30),
        )
    with pytest.raises(WorkflowError, match="owner, their delegate or OPCC staff"):
        services.action_post_update(
            by=opcc_officer,
            action=b.action,
            narrative="Sneaked in",
            status="in_progress",
            rag="green",
            percent_complete=10,
        )
    assert not Inspection.objects.filter(title="Sneaked in").exists()
    assert not b.action.updates.exists()
    # B's own officer may.
    made = finding_services.inspection_create(by=b.officer, force=b.force, title="B's own")
    assert made.force == b.force


def test_a_report_naming_another_offices_force_is_not_matched_to_it(
    force, kent_in_b, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    response = client.post(START, {"text": REPORT, "force": ""})
    assert response.status_code == 302
    draft = client.session[SESSION_KEY]
    assert draft["inspection"]["force_id"] is None  # Kent Police is B's: not found by name
    review = client.get(REVIEW).content.decode()
    assert "Kent Police" not in review.split("Choose the force")[1].split("</select>")[0]
    # Choosing B's force by its id is refused like an unknown one.
    refused = client.post(START, {"text": REPORT, "force": kent_in_b.pk})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


def test_accepting_a_draft_for_another_offices_force_is_404_and_imports_nothing(
    kent_in_b, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    client.post(START, {"text": REPORT, "force": ""})
    session = client.session
    draft = session[SESSION_KEY]
    draft["inspection"]["force_id"] = kent_in_b.pk  # a tampered draft
    session[SESSION_KEY] = draft
    session.save()
    before = Inspection.objects.count()
    response = client.post(REVIEW, form_data(draft, do="accept"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # the form refuses B's force
    assert Inspection.objects.count() == before


def test_report_import_refuses_another_offices_force(opcc_officer, kent_in_b):
    with pytest.raises(WorkflowError, match="not one your office oversees"):
        import_services.report_import(
            by=opcc_officer,
            force=kent_in_b,
            title="PEEL 2025",
            kind="peel",
            published_on=None,
            graded_areas=[],
            findings=[{"kind": "afi", "reference": "AFI 1", "text": "x", "area": None}],
            source_name="test",
        )


def test_the_same_report_in_another_offices_register_does_not_block_or_link(
    force, b, opcc_officer, signed_in
):
    """A national thematic report is imported by each office it concerns: B's copy (same text)
    is neither a duplicate for A nor named or linked on A's page."""
    InspectionFactory(
        force=b.force,
        title="PEEL 2025: An inspection of Kent Police",
        source_sha256=hashlib.sha256(REPORT.encode()).hexdigest(),
    )
    client = signed_in(opcc_officer)
    response = client.post(START, {"text": REPORT, "force": force.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == REVIEW


def test_the_import_command_refuses_another_offices_force(tmp_path, opcc_officer, kent_in_b):
    path = tmp_path / "kent.txt"
    path.write_text(REPORT)
    with pytest.raises(CommandError, match="not a force your office oversees"):
        call_command("import_report", str(path), user=opcc_officer.username)
    assert not kent_in_b.inspections.exists()


def test_the_import_command_makes_a_new_force_in_the_officers_office(tmp_path, opcc_officer, b):
    path = tmp_path / "kent.txt"
    path.write_text(REPORT)
    call_command("import_report", str(path), user=opcc_officer.username)
    kent = Force.objects.get(name="Kent Police")
    assert kent.office_id == opcc_officer.office_id != b.office.pk


def test_a_plan_naming_another_offices_inspection_or_action_changes_nothing(
    b, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    text = (
        "Action ID,Inspection,Finding reference,Action title,Deadline,Status\n"
        f"{b.action.pk},{b.inspection.title},{b.finding.reference},{b.action.title},"
        "01/01/2031,Closed\n"
    )
    started = client.post(
        reverse("imports:start"), {"file": SimpleUploadedFile("plan.csv", text.encode())}
    )
    assert started.status_code == 302
    token = started["Location"].rstrip("/").split("/")[-2]
    preview = client.get(reverse("imports:preview", args=[token]))
    assert preview.status_code == 200
    client.post(reverse("imports:confirm", args=[token]))
    b.action.refresh_from_db()
    assert b.action.status != "closed"
    assert not b.action.updates.exists()
    assert Finding.objects.filter(inspection=b.inspection).count() == 1
    assert Action.objects.filter(finding__inspection=b.inspection).count() == 1


def test_a_meeting_lists_only_the_officers_inspections(force, b, opcc_officer, signed_in):
    mine = InspectionFactory(force=force, title="Hertfordshire PEEL 2024")
    page = signed_in(opcc_officer).get(reverse("reports:meeting_create")).content.decode()
    assert mine.title in page
    assert b.inspection.title not in page


def test_the_bulk_forms_refuse_another_offices_action_ids(b, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    later = datetime.date.today() + datetime.timedelta(days=200)
    for name in ("actions:bulk_deadline", "actions:bulk_request_update", "actions:bulk_assign"):
        response = client.post(
            reverse(name),
            {"actions": [b.action.pk], "deadline": later.isoformat(), "reason": "Sneaked in"},
        )
        assert response.status_code == 200, name  # the form again, with an error
        page = response.content.decode()
        assert "Select a valid choice" in page or "Select actions from the list" in page, name
        assert b.action.title not in page
    b.action.refresh_from_db()
    assert b.action.deadline != later
    assert b.action.history.count() == 1


# The scope reads the action's copy of its force (Action.owning_force): it follows the action
# wherever its finding or inspection moves, so no office keeps seeing what moved away from it.


def list_titles(client, **query):
    page = client.get(reverse("actions:list"), query).context["page"]
    return [action.title for action in page.object_list]


def test_an_action_follows_its_inspection_moved_to_another_offices_force(
    force, b, opcc_officer, signed_in
):
    action = ActionFactory(finding__inspection__force=force, title="Custody audit")
    assert action.owning_force_id == force.pk
    detail = reverse("actions:detail", args=[action.pk])

    def seen_by(user):
        client = signed_in(user)
        found = "Custody audit" in list_titles(client, q="custody")
        assert found == (client.get(detail).status_code == 200)
        return found

    assert (seen_by(opcc_officer), seen_by(b.officer)) == (True, False)
    inspection = Inspection.objects.get(pk=action.finding.inspection_id)
    inspection.force = b.force  # only the Django admin moves an inspection to another force
    inspection.save()
    assert Action.objects.get(pk=action.pk).owning_force_id == b.force.pk
    assert (seen_by(opcc_officer), seen_by(b.officer)) == (False, True)


def test_an_action_moved_to_another_offices_finding_leaves_the_first_office(
    force, b, opcc_officer, signed_in
):
    action = ActionFactory(finding__inspection__force=force, title="Vetting backlog")
    action = Action.objects.get(pk=action.pk)
    action.finding = b.finding
    action.save(update_fields=["finding"])
    assert Action.objects.get(pk=action.pk).owning_force_id == b.force.pk
    assert "Vetting backlog" not in list_titles(signed_in(opcc_officer))
    assert "Vetting backlog" in list_titles(signed_in(b.officer))
