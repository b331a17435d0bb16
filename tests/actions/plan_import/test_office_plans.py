"""Plans as offices really keep them (issue 21 §2): their headings and words, inspections named
by short name, and every problem in a row reported by the file's own column heading."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Action, ImportColumnMapping, Status
from actions.plan_import import columns
from tests.actions.plan_import.test_plan_import import token_of, upload, xlsx_upload
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

HERTS = "PEEL 2023-25: An inspection of Hertfordshire Constabulary"
# The headings of a real force plan, in its order.
OFFICE_HEADINGS = [
    "Inspection",
    "Ref",
    "Rec/AFI",
    "Recommendation/AFI",
    "Action",
    "Lead",
    "Target date",
    "Revised date",
    "BRAG",
    "Status",
    "% complete",
    "Commentary",
]


@pytest.fixture
def herts(force, owner):
    inspection = InspectionFactory(force=force, title=HERTS)
    FindingFactory(inspection=inspection, reference="AFI 9", area=None)
    return inspection


def preview_of(client, rows, **options):
    response = upload(client, xlsx_upload(rows, title_rows=False, **options))
    assert "/preview/" in response["Location"], response["Location"]
    return client.get(response["Location"])


def office_row(**cells):
    row = dict.fromkeys(OFFICE_HEADINGS, "")
    row.update({"Inspection": "PEEL 2023-25", "Ref": "1", "Rec/AFI": "AFI 9", "Lead": "owner"})
    row.update({"Target date": "31/03/2026", "Action": "Write the policy"})
    row.update(cells)
    return list(row.values())


def test_the_headings_real_plans_use_are_matched_without_asking(herts, opcc_officer, signed_in):
    rows = [OFFICE_HEADINGS, office_row(**{"Recommendation/AFI": "The force should " * 5})]
    page = preview_of(signed_in(opcc_officer), rows)
    matched = dict(page.context["columns"])
    assert matched == {
        "Inspection": "Inspection",
        # "Ref" holds the plan's own numbering; "Rec/AFI" holds "AFI 9", so it is the reference.
        "Ref": None,
        "Rec/AFI": "Finding reference",
        "Recommendation/AFI": "Finding text",
        "Action": "Action title",
        "Lead": "Owner (email or username)",
        "Target date": "Deadline",
        "Revised date": "Revised deadline",
        "BRAG": "RAG",
        "Status": "Status",
        "% complete": "Percent complete",
        "Commentary": "Latest update",
    }
    (row,) = page.context["plan"].rows
    assert (row.outcome, row.inspection, row.finding.reference) == ("create", herts, "AFI 9")


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        (["Ref", "Recommendation/AFI"], {0: "finding_reference", 1: "finding_text"}),
        (["Rec No", "Action owner", "Due"], {0: "finding_reference", 1: "owner", 2: "deadline"}),
        (["AFI No", "RAG", "Update"], {0: "finding_reference", 1: "rag", 2: "latest_update"}),
    ],
)
def test_office_headings_map_to_fields(headings, expected):
    rows = [["AFI 1", "The force should improve how it supervises investigations.", "x"]]
    assert columns.auto_mapping(headings, {}, rows=rows) == expected


def test_a_row_reports_every_problem_each_by_its_column(herts, opcc_officer, signed_in):
    rows = [
        OFFICE_HEADINGS,
        office_row(
            **{"Rec/AFI": "AFI 7", "Lead": "J Bloggs", "Target date": "31/13/2025"},
            Status="Done",
            BRAG="Purple",
        ),
    ]
    (row,) = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    assert row.outcome == "error"
    assert [column for column, _ in row.errors] == [
        "Recommendation/AFI",
        "Lead",
        "Target date",
        "BRAG",
    ]
    messages = dict(row.errors)
    assert messages["Recommendation/AFI"] == 'The finding text is needed to add finding "AFI 7".'
    assert messages["Lead"].startswith('Unknown owner "J Bloggs"')
    assert messages["Target date"].startswith('"31/13/2025" is not a date')
    assert messages["BRAG"].startswith('Unknown RAG "Purple": use one of Green, Amber, Red, Blue')


def test_a_revised_date_is_the_deadline_where_it_is_filled_in(herts, opcc_officer, signed_in):
    rows = [
        OFFICE_HEADINGS,
        office_row(**{"Revised date": "30/06/2026"}),
        office_row(Action="Train the team"),
    ]
    revised, original = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    assert revised.parsed["deadline"] == datetime.date(2026, 6, 30)
    assert original.parsed["deadline"] == datetime.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("status", "brag", "expected"),
    [
        ("Complete", "", (Status.CLOSED, "green")),
        ("Completed", "", (Status.CLOSED, "green")),
        ("Done", "G", (Status.CLOSED, "green")),
        ("Ongoing", "At risk", (Status.IN_PROGRESS, "amber")),
        ("On track", "On track", (Status.IN_PROGRESS, "green")),
        ("At risk", "Off track", (Status.IN_PROGRESS, "red")),
        ("Off track", "R", (Status.IN_PROGRESS, "red")),
        ("", "Blue", (Status.CLOSED, "green")),
        ("", "Complete", (Status.CLOSED, "green")),
    ],
)
def test_the_words_offices_use_for_status_and_rag_are_understood(
    status, brag, expected, herts, opcc_officer, signed_in
):
    rows = [OFFICE_HEADINGS, office_row(Status=status, BRAG=brag)]
    (row,) = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    assert (row.outcome, row.errors) == ("create", [])
    assert (row.parsed["status"], row.parsed["rag"]) == expected


def test_blue_with_an_open_status_and_unknown_words_are_reported(herts, opcc_officer, signed_in):
    rows = [
        OFFICE_HEADINGS,
        office_row(Status="Ongoing", BRAG="Blue"),
        office_row(Action="Train the team", Status="Parked"),
    ]
    blue, parked = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    assert blue.errors == [("BRAG", "Blue means complete, but the status is in progress.")]
    ((column, message),) = parked.errors
    assert column == "Status"
    assert message == (
        'Unknown status "Parked": use one of Not started, In progress, Proposed for closure, '
        "Sustaining, Closed, Blocked, Reopened, Complete, Completed, Done, Ongoing, On track, "
        "At risk, Off track, Started, On hold."
    )


def test_a_blue_row_imports_as_a_closed_action(herts, opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    rows = [OFFICE_HEADINGS, office_row(BRAG="Blue", Commentary="Policy published.")]
    token = token_of(upload(client, xlsx_upload(rows, title_rows=False)))
    client.post(reverse("imports:confirm", args=[token]))
    action = Action.objects.get(title="Write the policy")
    assert (action.status, action.rag, action.percent_complete) == ("closed", "green", 100)
    assert action.closure_summary == "Policy published."


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        ("PEEL 2023-25", True),  # the short name, before the colon
        ("peel 2023-25: an inspection", True),  # the start of the title
        (HERTS.upper(), True),
        ("PEEL 2023", True),  # the start, up to a word's end
        ("PEEL 2023-2", False),  # not at a word's end
        ("PEEL 2021", False),
    ],
)
def test_the_inspection_is_found_by_short_name_or_title_start(
    cell, found, herts, opcc_officer, signed_in
):
    rows = [OFFICE_HEADINGS, office_row(Inspection=cell)]
    (row,) = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    if found:
        assert (row.outcome, row.inspection) == ("create", herts)
    else:
        assert row.errors == [
            ("Inspection", f'Unknown inspection "{cell}": add it in the tracker first.')
        ]


def test_an_inspection_name_that_matches_two_says_which(
    herts, other_force, opcc_officer, signed_in
):
    beds = "PEEL 2023-25: An inspection of Bedfordshire Police"
    InspectionFactory(force=other_force, title=beds)
    rows = [OFFICE_HEADINGS, office_row()]
    (row,) = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    assert row.errors == [
        (
            "Inspection",
            f'"PEEL 2023-25" matches 2 inspections: {beds} (Bedfordshire Police); '
            f"{HERTS} (Hertfordshire Constabulary). Use the full title, or ignore this column and "
            "choose the inspection when matching the columns.",
        )
    ]
    # The full title still finds the one meant.
    rows = [OFFICE_HEADINGS, office_row(Inspection=HERTS)]
    (row,) = preview_of(signed_in(opcc_officer), rows).context["plan"].rows
    assert row.inspection == herts


def test_a_colleagues_confirmed_columns_are_used_and_your_own_choice_wins(
    herts, opcc_officer, second_opcc_officer, signed_in
):
    rows = [
        ["Inspection", "Item", "What we will do", "Who", "When"],
        ["PEEL 2023-25", "AFI 9", "Set up a panel", "owner", "01/09/2026"],
    ]
    client = signed_in(second_opcc_officer)
    token = token_of(upload(client, xlsx_upload(rows, title_rows=False)))
    chosen = {"column_0": "inspection", "column_1": "finding_reference"}
    chosen |= {"column_2": "action_title", "column_3": "owner", "column_4": "deadline"}
    client.post(reverse("imports:columns", args=[token]), chosen)

    # Another officer's upload of the same layout goes straight to the preview.
    page = preview_of(signed_in(opcc_officer), rows)
    (row,) = page.context["plan"].rows
    assert (row.outcome, row.cells["action_title"]) == ("create", "Set up a panel")

    ImportColumnMapping.objects.create(user=opcc_officer, heading="who", field="opcc_lead")
    page = preview_of(signed_in(opcc_officer), rows)
    assert dict(page.context["columns"])["Who"] == "OPCC lead (email or username)"


def run(*args):
    out = StringIO()
    call_command("import_actions", *args, stdout=out)
    return out.getvalue()


def test_the_command_reads_office_plans_alike(herts, tmp_path, opcc_officer):
    path = tmp_path / "herts.csv"
    path.write_text(
        "Ref,Rec/AFI,Action,Lead,Target date,BRAG,Status\n"
        "1,AFI 9,Write the policy,owner,31/03/2026,Blue,\n"
        "2,AFI 9,Train the team,owner,31/03/2026,On track,Ongoing\n"
        "3,AFI 7,Audit,J Bloggs,31/13/2025,Purple,Done\n",
        encoding="utf-8",
    )
    output = run(str(path), "--inspection", "PEEL 2023-25", "--user", "opcc")
    lines = output.splitlines()
    assert lines[0] == (
        "Imported: herts.csv: 2 to create, 0 to update, 0 unchanged, 1 with errors (skipped)."
    )
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  Row 4, Finding text",
        "  Row 4, Lead",
        "  Row 4, Target date",
        "  Row 4, BRAG",
    ]
    assert "finding text is needed" in lines[1]
    closed = Action.objects.get(title="Write the policy")
    assert (closed.status, closed.finding.inspection) == ("closed", herts)
    assert Action.objects.get(title="Train the team").status == "in_progress"


def test_the_command_names_the_inspections_an_ambiguous_name_matches(herts, other_force, tmp_path):
    InspectionFactory(force=other_force, title="PEEL 2023-25: An inspection of Bedfordshire")
    path = tmp_path / "plan.csv"
    path.write_text("Rec No,Action\nAFI 9,Write the policy\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r'"PEEL 2023-25" matches 2 inspections: PEEL'):
        run(str(path), "--inspection", "PEEL 2023-25", "--dry-run")
