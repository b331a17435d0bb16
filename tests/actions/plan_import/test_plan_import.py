"""The action-plan import, through the pages an OPCC officer uses: upload a messy spreadsheet,
match columns, preview, confirm, download skipped rows, and import the same file again."""

import csv
import datetime
import io
import os
import time

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from actions import services
from actions.models import (
    Action,
    Finding,
    ImportColumnMapping,
    Status,
    Update,
    private_storage,
)
from actions.plan_import import columns, files, preview
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    OfficeFactory,
    UpdateFactory,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEEL = "PEEL 2023-25"


def xlsx_upload(rows, *, name="herts-action-plan.xlsx", title_rows=True, percent_cells=()):
    """A workbook as OPCCs keep them: merged title rows, a blank line, then the table."""
    workbook = Workbook()
    sheet = workbook.active
    if title_rows:
        sheet["A1"] = "Hertfordshire Constabulary: PEEL 2023-25 action plan"
        sheet.merge_cells("A1:J1")
        sheet["A2"] = "Position at 1 November 2024 "
        sheet.merge_cells("A2:J2")
        sheet.append([])
    for row in rows:
        sheet.append(row)
    for ref in percent_cells:
        sheet[ref].number_format = "0%"
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile(name, stream.getvalue(), content_type=XLSX)


HEADINGS = [
    "Inspection",
    "Ref ",
    "Finding",
    "Action",
    "Action Owner",
    "Due Date ",
    "Status",
    "RAG ",
    "% Complete",
    "Latest update",
]


@pytest.fixture
def plan_world(force, owner, opcc_officer):
    inspection = InspectionFactory(force=force, title=PEEL)
    existing = FindingFactory(inspection=inspection, reference="AFI 9", area=None)
    moving = ActionFactory(
        finding=existing,
        title="Refresh the vulnerability training",
        owner=owner,
        opcc_lead=opcc_officer,
        deadline=datetime.date(2025, 2, 28),
        status=Status.NOT_STARTED,
    )
    steady = ActionFactory(
        finding=existing,
        title="Quarterly dip sample",
        owner=owner,
        deadline=datetime.date(2025, 5, 31),
        status=Status.IN_PROGRESS,
        rag="amber",
        percent_complete=30,
    )
    UpdateFactory(action=steady, author=owner, narrative="First dip sample done.")
    return inspection, moving, steady


def messy_rows(owner):
    return [
        HEADINGS,
        # 5: a new finding and action; a date cell, a percentage cell, e-mail in odd case + spaces
        [
            PEEL,
            "AFI 1 ",
            "The force should improve investigation supervision.",
            "Train supervisors ",
            f"  {owner.email.upper()} ",
            datetime.date(2025, 3, 31),
            "In progress",
            "Amber",
            0.4,
            "Training plan agreed.",
        ],
        [],  # 6: a blank line inside the table
        # 7: the same new finding (its text not repeated), a "1 Dec 2024" date, username
        [PEEL, "AFI 1", None, "Audit case files", "owner", "1 Dec 2024", "Not started", "G", 0],
        # 8: an unknown owner
        [PEEL, "AFI 2", "Triage.", "Review triage", "nobody@example.org", "15/01/2025", "", "", ""],
        # 9: an Excel serial date (45678 = 21 January 2025) and "1 December 2024" style
        [PEEL, "AFI 2", "Triage.", "Publish guidance", "owner", 45678, "Proposed for closure"],
        # 10: a date that does not exist
        [PEEL, "AFI 3", "Crime recording.", "Fix recording", "owner", "31/02/2025"],
        # 11: the same action again
        [PEEL, "AFI 3", "Crime recording.", "fix recording ", "owner", "01/03/2025"],
        # 12: a status neither the tracker nor offices use
        [PEEL, "AFI 4", "Custody.", "Custody review", "owner", "2025-06-30", "Parked"],
        # 13: an existing action: deadline moved, status and progress set, a new update
        [
            PEEL,
            "AFI 9",
            None,
            "Refresh the vulnerability training",
            "owner",
            "30 April 2025",
            "In progress",
            "Amber",
            "25%",
            "Course booked for March.",
        ],
        # 14: an existing action exactly as the tracker has it
        [
            PEEL,
            "AFI 9",
            None,
            "Quarterly dip sample",
            "owner",
            "31/05/2025",
            "In progress",
            "Amber",
            30,
            "First dip sample done.",
        ],
    ]


def upload(client, file):
    return client.post(reverse("imports:start"), {"file": file})


def token_of(response):
    return response["Location"].rstrip("/").split("/")[-2]


def history_rows():
    """History rows per audited model (not the history tables: a many-to-many one has a
    `history` field too)."""
    return {
        model.__name__: model.history.count()
        for model in apps.get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    }


def test_a_messy_spreadsheet_previews_correctly(plan_world, owner, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    response = upload(client, xlsx_upload(messy_rows(owner), percent_cells=["I5"]))
    assert response.status_code == 302
    assert "/preview/" in response["Location"]
    before = history_rows()
    page = client.get(response["Location"])
    assert page.status_code == 200
    plan = page.context["plan"]
    outcomes = {row.number: row.outcome for row in plan.rows}
    assert outcomes == {
        5: "create",
        7: "create",
        8: "error",
        9: "create",
        10: "error",
        11: "error",
        12: "error",
        13: "update",
        14: "unchanged",
    }
    errors = {row.number: row.errors for row in plan.of("error")}
    # Each problem is named by the file's own heading for its column.
    assert errors[8] == [
        (
            "Action Owner",
            'Unknown owner "nobody@example.org": no active user has that email or username.',
        )
    ]
    assert errors[10] == [
        ("Due Date", '"31/02/2025" is not a date: use a date such as 01/12/2024.')
    ]
    assert errors[11] == [
        ("Action", "Duplicate of row 10: the same action appears twice."),
    ]
    assert errors[12][0][0] == "Status" and 'Unknown status "Parked"' in errors[12][0][1]
    rows = {row.number: row for row in plan.rows}
    assert rows[5].parsed["deadline"] == datetime.date(2025, 3, 31)
    assert rows[5].parsed["percent_complete"] == 40
    assert rows[5].parsed["owner"] == owner
    assert rows[7].parsed["deadline"] == datetime.date(2024, 12, 1)
    assert rows[9].parsed["deadline"] == datetime.date(2025, 1, 21)
    assert rows[5].changes == ["New action, in progress", "new finding AFI 1"]
    assert rows[13].changes == [
        "deadline from 28 Feb 2025 to 30 Apr 2025",
        "status to in progress",
        "RAG to amber",
        "25% complete",
        "new progress update",
    ]
    assert page.context["counts"] == {"create": 3, "update": 1, "unchanged": 1, "error": 4}
    html = page.content.decode()
    assert "Row 8, Action Owner: Unknown owner" in html
    assert "No change" in html
    assert history_rows() == before
    assert not Finding.objects.filter(reference="AFI 1").exists()


def test_confirming_applies_valid_rows_with_history_and_reimporting_changes_nothing(
    plan_world, owner, opcc_officer, signed_in
):
    inspection, moving, steady = plan_world
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload(messy_rows(owner), percent_cells=["I5"])))
    response = client.post(reverse("imports:confirm", args=[token]))
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert done.context["counts"] == {"create": 3, "update": 1, "unchanged": 1, "error": 4}

    trained = Action.objects.get(title="Train supervisors")
    assert (trained.status, trained.rag, trained.percent_complete) == ("in_progress", "amber", 40)
    assert trained.finding.text == "The force should improve investigation supervision."
    assert Action.objects.get(title="Audit case files").finding == trained.finding
    created = trained.history.earliest()
    assert created.history_user == opcc_officer
    assert created.history_change_reason == "Imported from herts-action-plan.xlsx"
    update = trained.updates.get()
    assert (update.narrative, update.author) == ("Training plan agreed.", opcc_officer)
    assert update.history.get().history_change_reason == "Imported from herts-action-plan.xlsx"
    assert trained.finding.history.get().history_change_reason == (
        "Imported from herts-action-plan.xlsx"
    )
    moving.refresh_from_db()
    assert (moving.deadline, moving.original_deadline) == (
        datetime.date(2025, 4, 30),
        datetime.date(2025, 2, 28),
    )
    assert (moving.status, moving.percent_complete) == ("in_progress", 25)
    reasons = [r.history_change_reason for r in moving.history.order_by("history_id")][1:]
    assert reasons == [
        "Deadline moved from 28 Feb 2025 to 30 Apr 2025: Imported from herts-action-plan.xlsx",
        "Imported from herts-action-plan.xlsx",
    ]
    assert {r.history_user for r in moving.history.order_by("history_id")[1:]} == {opcc_officer}
    assert not Action.objects.filter(title__in=["Review triage", "Fix recording"]).exists()

    report = client.get(reverse("imports:skipped", args=[token]))
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["Row", "Column", "Problem", "Inspection"]
    assert [line[:2] for line in lines[1:]] == [
        ["8", "Action Owner"],
        ["10", "Due Date"],
        ["11", "Action"],
        ["12", "Status"],
    ]

    before = history_rows()
    actions_before = Action.objects.count()
    again = token_of(upload(client, xlsx_upload(messy_rows(owner), percent_cells=["I5"])))
    second = client.get(reverse("imports:preview", args=[again]))
    assert second.context["counts"] == {"create": 0, "update": 0, "unchanged": 5, "error": 4}
    assert "Confirm and import" not in second.content.decode()
    client.post(reverse("imports:confirm", args=[again]))
    assert history_rows() == before
    assert Action.objects.count() == actions_before


def test_confirming_twice_applies_once(plan_world, owner, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload(messy_rows(owner), percent_cells=["I5"])))
    client.post(reverse("imports:confirm", args=[token]))
    count = Update.objects.count()
    response = client.post(reverse("imports:confirm", args=[token]))
    assert response["Location"] == reverse("imports:done", args=[token])
    assert Update.objects.count() == count


def test_a_cp1252_csv_with_semicolons_and_a_title_line_is_read(plan_world, owner, signed_in):
    text = (
        "Action plan – Hertfordshire;;;;\n"
        ";;;;\n"
        "Inspection;Finding reference;Finding text;Action title;Owner;Deadline\n"
        f"{PEEL};AFI 5;Café culture;Review café checks;owner;07/11/2025\n"
    )
    file = SimpleUploadedFile("plan.csv", text.encode("cp1252"), content_type="text/csv")
    client = signed_in(owner.__class__.objects.get(username="opcc"))
    response = client.get(reverse("imports:preview", args=[token_of(upload(client, file))]))
    (row,) = response.context["plan"].rows
    assert (row.number, row.outcome) == (4, "create")
    assert row.cells["finding_text"] == "Café culture"
    assert row.parsed["deadline"] == datetime.date(2025, 11, 7)


def test_unknown_headings_are_matched_by_the_officer_and_remembered(
    plan_world, owner, opcc_officer, signed_in
):
    rows = [
        ["Item", "What we will do", "Who", "When"],
        ["AFI 6", "Set up a panel", "owner", "01/09/2025"],
    ]
    client = signed_in(opcc_officer)
    response = upload(client, xlsx_upload(rows, name="odd.xlsx", title_rows=False))
    token = token_of(response)
    assert response["Location"] == reverse("imports:columns", args=[token])
    columns_url = reverse("imports:columns", args=[token])
    form_page = client.get(columns_url)
    assert "Choose the column that holds the finding reference." in form_page.content.decode()

    refused = client.post(columns_url, {"column_0": "action_title", "column_1": "action_title"})
    assert refused.status_code == 200
    assert "Action title is matched to more than one column." in refused.content.decode()
    assert not ImportColumnMapping.objects.exists()

    inspection = plan_world[0]
    chosen = {
        "column_0": "finding_reference",
        "column_1": "action_title",
        "column_2": "owner",
        "column_3": "deadline",
        "inspection": inspection.pk,
    }
    response = client.post(columns_url, chosen)
    assert response["Location"] == reverse("imports:preview", args=[token])
    page = client.get(response["Location"])
    (row,) = page.context["plan"].rows
    assert row.outcome == "error"  # a new finding needs its text
    assert row.errors == [("Finding text", 'The finding text is needed to add finding "AFI 6".')]
    remembered = dict(ImportColumnMapping.objects.values_list("heading", "field"))
    assert remembered["what we will do"] == "action_title"

    again = upload(client, xlsx_upload(rows, name="odd.xlsx", title_rows=False))
    # Remembered headings are matched at once; only the inspection is still to choose.
    assert "/columns/" in again["Location"]
    form = client.get(again["Location"]).context["form"]
    assert form.initial["column_1"] == "action_title"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.xlsx", b"not a zip at all", "its content is not an Excel workbook"),
        ("plan.csv", b"\x00\x01\x02binary", "its content is not a text CSV file"),
        ("plan.xls", b"whatever", "must be an Excel workbook (.xlsx) or a CSV file"),
        ("plan.xlsm", b"PK\x03\x04", "must be an Excel workbook (.xlsx) or a CSV file"),
        ("plan.csv", b"", "The submitted file is empty."),
        ("plan.csv", b"just one cell\n", "No row of column headings was found"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_kept(
    name, content, message, opcc_officer, signed_in
):
    client = signed_in(opcc_officer)
    response = upload(client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not client.session.get("action_imports")


def test_a_file_over_the_size_limit_is_refused(opcc_officer, signed_in, settings):
    settings.PLAN_MAX_UPLOAD_MB = 1
    client = signed_in(opcc_officer)
    assert "smaller than 1 MB" in client.get(reverse("imports:start")).content.decode()
    response = upload(client, SimpleUploadedFile("plan.csv", b"a,b,c\n" * 200_000))
    assert "The file must be smaller than 1 MB (this one is 1.1" in response.content.decode()


def test_statuses_follow_the_workflow(force, owner, opcc_officer, signed_in):
    inspection = InspectionFactory(force=force, title=PEEL)
    finding = FindingFactory(inspection=inspection, reference="AFI 1")
    ActionFactory(
        finding=finding, title="Closed one", status=Status.CLOSED, closure_summary="Done."
    )
    ActionFactory(finding=finding, title="Open one", status=Status.IN_PROGRESS)
    rows = [
        ["Inspection", "Finding reference", "Action title", "Deadline", "Status", "Latest update"],
        [PEEL, "AFI 1", "Closed one", "", "In progress", ""],
        [PEEL, "AFI 1", "Open one", "", "Closed", ""],
        [PEEL, "AFI 1", "Done before", "01/01/2025", "Closed", "Delivered in 2023."],
        [PEEL, "AFI 1", "Watching", "01/01/2024", "Sustaining", ""],
        [PEEL, "AFI 1", "Proposed one", "01/01/2025", "Proposed", ""],
    ]
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload(rows, title_rows=False)))
    plan = client.get(reverse("imports:preview", args=[token])).context["plan"]
    errors = {row.number: row.errors for row in plan.of("error")}
    assert errors == {
        2: [("Status", "An action that is closed cannot become in progress.")],
        3: [
            (
                "Status",
                "Making an action closed needs assured evidence or a reason: do it on the "
                "action's page, not by import.",
            )
        ],
        5: [
            (
                "Status",
                "A new action cannot be imported as sustaining: import it as proposed for "
                "closure, then start the sustaining period on its page.",
            )
        ],
    }
    client.post(reverse("imports:confirm", args=[token]))
    done = Action.objects.get(title="Done before")
    assert (done.status, done.closure_summary, done.percent_complete) == (
        "closed",
        "Delivered in 2023.",
        100,
    )
    assert done.history.earliest().history_change_reason == "Imported from herts-action-plan.xlsx"
    proposed = Action.objects.get(title="Proposed one")
    # Imported as proposed: nobody proposed it here, so any OPCC officer may close it.
    assert (proposed.status, proposed.proposed_by) == ("proposed", None)


def test_an_action_id_column_updates_that_action_even_when_its_title_changes(
    action, opcc_officer, signed_in
):
    rows = [
        ["Action ID", "Action title", "Deadline"],
        [action.pk, "A clearer title", action.deadline.strftime("%d/%m/%Y")],
        [999999, "No such action", ""],
        ["12345678901234567890123", "Too long to be an ID", ""],
    ]
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload(rows, title_rows=False)))
    plan = client.get(reverse("imports:preview", args=[token])).context["plan"]
    assert [(r.number, r.outcome, r.changes) for r in plan.rows][0] == (2, "update", ["title"])
    assert plan.rows[1].errors == [("Action ID", 'No action has the ID "999999".')]
    assert plan.rows[2].errors == [("Action ID", 'No action has the ID "12345678901234567890123".')]
    client.post(reverse("imports:confirm", args=[token]))
    action.refresh_from_db()
    assert action.title == "A clearer title"
    assert action.history.latest().history_change_reason == "Imported from herts-action-plan.xlsx"


def test_an_owner_of_another_force_is_refused(
    plan_world, other_force_owner, opcc_officer, signed_in
):
    rows = [
        HEADINGS,
        [PEEL, "AFI 9", None, "New one", other_force_owner.username, "01/01/2026"],
    ]
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload(rows)))
    (row,) = client.get(reverse("imports:preview", args=[token])).context["plan"].rows
    assert row.errors == [
        (
            "Action Owner",
            f'"{other_force_owner.username}" is not an action owner in Hertfordshire Constabulary.',
        )
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/12/2024", datetime.date(2024, 12, 1)),
        ("1/12/24", datetime.date(2024, 12, 1)),
        ("01-12-2024", datetime.date(2024, 12, 1)),
        ("01.12.2024", datetime.date(2024, 12, 1)),
        ("1 Dec 2024", datetime.date(2024, 12, 1)),
        ("1st December 2024", datetime.date(2024, 12, 1)),
        ("1 Sept 2024", datetime.date(2024, 9, 1)),
        ("2024-12-01", datetime.date(2024, 12, 1)),
        ("2024-12-01 00:00:00", datetime.date(2024, 12, 1)),
        ("45627", datetime.date(2024, 12, 1)),
        (45627, datetime.date(2024, 12, 1)),
        (datetime.datetime(2024, 12, 1, 9, 30), datetime.date(2024, 12, 1)),
    ],
)
def test_uk_iso_and_excel_serial_dates_are_understood(text, expected):
    assert columns.parse_date(text) == expected


@pytest.mark.parametrize("text", ["12/31/2024", "31 Foo 2024", "soon", "2024", "1/2"])
def test_a_non_date_is_refused(text):
    with pytest.raises(ValueError, match="is not a date"):
        columns.parse_date(text)


def test_the_templates_have_the_model_columns(opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    expected = [
        "Action ID",
        "Inspection",
        "Finding reference",
        "Finding text",
        "Action title",
        "Owner (email or username)",
        "Owner's role title",
        "OPCC lead (email or username)",
        "Deadline",
        "Status",
        "RAG",
        "Percent complete",
        "Latest update",
    ]
    csv_text = client.get(reverse("imports:template_csv")).content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(csv_text))) == expected
    response = client.get(reverse("imports:template_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == expected
    # The template itself maps without any choices to make.
    headings = files.load_sheet(io.BytesIO(response.content), "t.xlsx").headings
    mapping = columns.auto_mapping(headings, {})
    assert sorted(mapping.values()) == sorted(set(columns.FIELDS) - {"revised_deadline"})


def test_the_action_list_links_to_the_import_for_opcc_staff_only(
    opcc_officer, owner, signed_in, client
):
    link = reverse("imports:start")
    assert link in signed_in(opcc_officer).get(reverse("actions:list")).content.decode()
    client.force_login(owner)
    assert link not in client.get(reverse("actions:list")).content.decode()


def test_a_row_a_service_refuses_at_confirm_is_skipped_alone(
    force, owner, other_force_owner, opcc_officer, second_opcc_officer, signed_in
):
    inspection = InspectionFactory(force=force, title=PEEL)
    finding = FindingFactory(inspection=inspection, reference="AFI 1")
    # Data from before the force rule: an owner from another force, which assigning refuses.
    odd = ActionFactory(finding=finding, title="Odd one", owner=other_force_owner)
    rows = [
        ["Inspection", "Finding reference", "Action title", "OPCC lead", "Deadline"],
        [PEEL, "AFI 1", "Odd one", second_opcc_officer.username, ""],
        [PEEL, "AFI 1", "Fine one", second_opcc_officer.username, "01/06/2026"],
    ]
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload(rows, title_rows=False)))
    assert client.get(reverse("imports:preview", args=[token])).context["counts"]["update"] == 1
    before = odd.history.count()
    done = client.get(client.post(reverse("imports:confirm", args=[token]))["Location"])
    assert done.context["counts"] == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    odd.refresh_from_db()
    assert (odd.opcc_lead, odd.history.count()) == (None, before)
    assert Action.objects.get(title="Fine one").opcc_lead == second_opcc_officer
    report = client.get(reverse("imports:skipped", args=[token])).content.decode("utf-8-sig")
    assert "cannot be this action's owner" in report.splitlines()[1]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Percent complete", "150", '"150" is not a percentage from 0 to 100.'),
        ("Percent complete", "half", '"half" is not a percentage from 0 to 100.'),
        (
            "RAG",
            "Purple",
            'Unknown RAG "Purple": use one of Green, Amber, Red, Blue (complete), On track, '
            "At risk, Off track.",
        ),
        ("OPCC lead", "owner", '"owner" is not OPCC staff, so cannot be the OPCC lead.'),
        ("Inspection", "PEEL 1999", 'Unknown inspection "PEEL 1999": add it in the tracker first.'),
    ],
)
def test_bad_values_are_named_by_row_and_column(
    column, value, message, plan_world, owner, opcc_officer, signed_in
):
    row = {"Inspection": PEEL, "Finding reference": "AFI 9", "Action title": "Quarterly dip sample"}
    row[column] = value
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload([list(row), list(row.values())])))
    (planned,) = client.get(reverse("imports:preview", args=[token])).context["plan"].rows
    assert (planned.number, planned.errors) == (5, [(column, message)])


def test_an_opcc_lead_from_another_office_is_named_by_row_and_column(
    plan_world, opcc_officer, signed_in
):
    bravo = OfficeFactory(name="Office of the PCC for Bravoshire", slug="bravoshire")
    persona(roles.OPCC_STAFF, username="bravo-opcc", office=bravo)
    row = {
        "Inspection": PEEL,
        "Finding reference": "AFI 9",
        "Action title": "Quarterly dip sample",
        "OPCC lead": "bravo-opcc",
    }
    client = signed_in(opcc_officer)
    token = token_of(upload(client, xlsx_upload([list(row), list(row.values())])))
    (planned,) = client.get(reverse("imports:preview", args=[token])).context["plan"].rows
    force = planned.inspection.force
    message = f'"bravo-opcc" is not OPCC staff of the office overseeing {force}.'
    assert planned.errors == [("OPCC lead", message)]


def test_action_create_refuses_an_impossible_starting_status(finding, opcc_officer):
    deadline = datetime.date(2026, 1, 1)
    with pytest.raises(services.WorkflowError, match="cannot start in a sustaining period"):
        services.action_create(
            by=opcc_officer, finding=finding, title="x", deadline=deadline, status="sustaining"
        )
    with pytest.raises(services.WorkflowError, match="A closure summary is required"):
        services.action_create(
            by=opcc_officer, finding=finding, title="x", deadline=deadline, status="closed"
        )
    assert not Action.objects.exists()


def test_uploads_left_unconfirmed_are_removed_after_two_days(opcc_officer, signed_in):
    storage = private_storage()
    old = storage.save("imports/old.csv", SimpleUploadedFile("old.csv", b"a,b\n"))
    two_days_ago = time.time() - 3 * 24 * 3600
    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    client = signed_in(opcc_officer)
    upload(client, SimpleUploadedFile("new.csv", b"Inspection,Finding reference,Action title\n"))
    assert not storage.exists(old)
    (entry,) = client.session["action_imports"].values()
    assert storage.exists(entry["path"])


def test_applying_carries_out_exactly_the_steps_the_preview_decided(action, opcc_officer):
    new_deadline = action.deadline + datetime.timedelta(days=30)
    rows = [
        ["Action ID", "Action title", "Deadline", "RAG"],
        [action.pk, "A clearer title", new_deadline.strftime("%d/%m/%Y"), "Red"],
    ]
    upload = xlsx_upload(rows, title_rows=False)
    sheet = files.load_sheet(io.BytesIO(upload.read()), upload.name, user=opcc_officer)
    plan = preview.plan_import(sheet, columns.auto_mapping(sheet.headings, {}))
    (row,) = plan.rows
    assert set(row.steps) == {"title", "deadline", "progress"}
    # Applying reads the decision, not the cells: a step taken out of the plan is not applied.
    del row.steps["deadline"]
    preview.apply_plan(plan, by=opcc_officer)
    action.refresh_from_db()
    assert action.title == "A clearer title"
    assert action.rag == "red"
    assert action.deadline != new_deadline
