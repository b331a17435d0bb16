"""An action list exported, edited in a spreadsheet program and imported again through the plan
import's pages updates exactly the cells edited, on the same actions, and nothing else."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Action, ActionPartner, Finding, Rag, Status, Update
from tests.factories import (
    ActionFactory,
    ActionPartnerFactory,
    FindingFactory,
    InspectionFactory,
    UpdateFactory,
)

pytestmark = pytest.mark.django_db

FIELDS = [
    "finding_id",
    "title",
    "description",
    "owner_id",
    "owner_role_title",
    "opcc_lead_id",
    "deadline",
    "original_deadline",
    "status",
    "rag",
    "percent_complete",
    "closure_summary",
]
NEW_DEADLINE = datetime.date(2027, 3, 31)


@pytest.fixture
def plan(force, other_force, owner, opcc_officer):
    """A plan as it stands: an overdue action rated green, one with an update of several
    lines, a closed one, one whose title would run as a formula, one with nobody assigned, one
    shared with another force (a collaboration)."""
    inspection = InspectionFactory(force=force, title="PEEL 2023-25")
    finding = FindingFactory(inspection=inspection, reference="AFI 3")
    people = {"owner": owner, "opcc_lead": opcc_officer, "owner_role_title": "ACC Crime"}
    today = timezone.localdate()
    actions = {
        "start": ActionFactory(finding=finding, title="Start the audit", **people),
        "move": ActionFactory(
            finding=finding,
            title="Refresh the training",
            description="Every sergeant.",
            rag=Rag.AMBER,
            percent_complete=30,
            status=Status.IN_PROGRESS,
            **people,
        ),
        "rename": ActionFactory(finding=finding, title="Old wording", **people),
        "overdue": ActionFactory(
            finding=finding,
            title="Late but rated green",
            deadline=today - datetime.timedelta(days=3),
            rag=Rag.GREEN,
            status=Status.IN_PROGRESS,
            **people,
        ),
        "closed": ActionFactory(
            finding=FindingFactory(inspection=inspection, reference="Rec 1"),
            title="Done already",
            status=Status.CLOSED,
            percent_complete=100,
            closure_summary="Assured in June.",
            **people,
        ),
        "formula": ActionFactory(finding=finding, title="-Reduce repeat victims", **people),
        "nobody": ActionFactory(finding=finding, title="Unassigned"),
        "shared": ActionFactory(finding=finding, title="Joint unit review", **people),
    }
    ActionPartnerFactory(action=actions["shared"], force=other_force, shared_by=opcc_officer)
    UpdateFactory(
        action=actions["move"],
        author=owner,
        narrative="Trainers booked.\n\nFirst sessions  in May.",
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        percent_complete=30,
    )
    return actions


def state():
    return {
        "actions": {a["pk"]: a for a in Action.objects.values("pk", *FIELDS)},
        "findings": Finding.objects.count(),
        "updates": list(Update.objects.order_by("pk").values_list("pk", flat=True)),
        "partners": list(ActionPartner.objects.values_list("action_id", "force_id")),
    }


def round_trip(client, name, content):
    """Upload the edited file; the preview's plan, then what confirming did."""
    response = client.post(reverse("imports:start"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    assert response["Location"].endswith("/preview/")  # every column recognised
    token = response["Location"].rstrip("/").split("/")[-2]
    preview = client.get(reverse("imports:preview", args=[token])).context["plan"]
    client.post(reverse("imports:confirm", args=[token]))
    return preview


def check_exactly_the_edits_applied(plan, before, preview):
    changed = {row.action.pk: row.changes for row in preview.rows if row.changes}
    assert changed == {
        plan["start"].pk: ["status to in progress"],
        plan["move"].pk: [
            f"deadline from {plan['move'].deadline:%d %b %Y} to {NEW_DEADLINE:%d %b %Y}"
        ],
        plan["rename"].pk: ["title"],
    }
    unchanged = len(plan) - 3
    assert preview.counts() == {"create": 0, "update": 3, "unchanged": unchanged, "error": 0}
    after = state()
    expected = before["actions"]
    expected[plan["start"].pk]["status"] = Status.IN_PROGRESS
    expected[plan["move"].pk]["deadline"] = NEW_DEADLINE
    expected[plan["rename"].pk]["title"] = "New wording"
    assert after["actions"] == expected  # no new action, no other field changed
    assert after["findings"] == before["findings"]
    assert after["partners"] == before["partners"]  # the Collaboration column is not read
    # Only the status change posts an update (saying it was imported).
    new_updates = Update.objects.exclude(pk__in=before["updates"])
    assert [u.action_id for u in new_updates] == [plan["start"].pk]


def test_an_xlsx_export_edited_and_imported_changes_exactly_the_edited_cells(
    plan, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    before = state()
    workbook = load_workbook(io.BytesIO(client.get(reverse("actions:export_xlsx")).content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    column = header.index
    rows[plan["start"].pk][column("Status")].value = "In progress"
    rows[plan["move"].pk][column("Deadline")].value = NEW_DEADLINE
    rows[plan["rename"].pk][column("Action title")].value = "New wording"
    shared = rows[plan["shared"].pk][column("Collaboration")]
    assert shared.value.startswith("Managed by ")
    shared.value = "Not shared any more"  # ignored: sharing is done on the action's page
    edited = io.BytesIO()
    workbook.save(edited)

    preview = round_trip(client, "actions.xlsx", edited.getvalue())

    check_exactly_the_edits_applied(plan, before, preview)


def test_a_csv_export_edited_and_imported_changes_exactly_the_edited_cells(
    plan, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    before = state()
    response = client.get(reverse("actions:export_csv"))
    header, *rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    column = header.index
    by_id = {int(row[0]): row for row in rows}
    # The title that would run as a formula is exported behind an apostrophe, which the import
    # takes off again: that action comes back unchanged (checked below with all the others).
    assert by_id[plan["formula"].pk][column("Action title")] == "'-Reduce repeat victims"
    by_id[plan["start"].pk][column("Status")] = "In progress"
    by_id[plan["move"].pk][column("Deadline")] = NEW_DEADLINE.strftime("%d/%m/%Y")
    by_id[plan["rename"].pk][column("Action title")] = "New wording"
    assert by_id[plan["shared"].pk][column("Collaboration")] == (
        "Managed by Office of the Police and Crime Commissioner for Testshire; "
        "shared with Bedfordshire Police"
    )
    by_id[plan["shared"].pk][column("Collaboration")] = ""  # ignored, as in the XLSX
    edited = io.StringIO()
    csv.writer(edited).writerows([header, *rows])

    preview = round_trip(client, "actions.csv", edited.getvalue().encode("utf-8"))

    check_exactly_the_edits_applied(plan, before, preview)


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("'-Reduce repeat victims", "-Reduce repeat victims"),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+44 1234", "+44 1234"),
        ("'@home", "@home"),
        ("''=twice", "''=twice"),  # the rest starts with an apostrophe, not a formula
        ("'Tis the season", "'Tis the season"),  # kept: the rest would not run as a formula
        ("'", "'"),
    ],
)
def test_the_csv_exports_formula_guard_apostrophe_is_taken_off_on_import(cell, text):
    from actions.plan_import.columns import clean_text

    assert clean_text(cell) == text
