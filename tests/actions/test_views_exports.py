"""CSV and XLSX exports: exactly the filtered rows, in order, with the columns the plan import
reads back, safe from formula injection."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Rag, Status
from tests.factories import (
    ActionFactory,
    ActionPartnerFactory,
    ForceFactory,
    OfficeFactory,
    UpdateFactory,
    actions_for,
    persona,
)
from tracker import roles

pytestmark = pytest.mark.django_db


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def csv_records(response):
    header, *rows = csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def xlsx_records(response):
    header, *rows = xlsx_sheet(response).iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_export_has_exactly_the_filtered_rows_in_list_order(force, opcc_officer, signed_in):
    ActionFactory(finding__inspection__force=force, title="Beta", rag=Rag.AMBER)
    ActionFactory(finding__inspection__force=force, title="Alpha", rag=Rag.AMBER)
    ActionFactory(finding__inspection__force=force, title="Gamma", rag=Rag.GREEN)
    response = signed_in(opcc_officer).get(
        reverse("actions:export_csv"), {"rag": "amber", "sort": "title"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="actions-')
    records = csv_records(response)
    assert [r["Action title"] for r in records] == ["Alpha", "Beta"]
    assert {r["RAG"] for r in records} == {"Amber"}


def test_owner_export_never_includes_another_forces_actions(force, other_force, owner, signed_in):
    ActionFactory(finding__inspection__force=force, title="Herts")
    ActionFactory(finding__inspection__force=other_force, title="Beds")
    records = csv_records(signed_in(owner).get(reverse("actions:export_csv")))
    assert [r["Action title"] for r in records] == ["Herts"]


def test_exports_carry_the_id_description_latest_update_and_closure_summary(
    force, owner, opcc_officer, signed_in
):
    action = ActionFactory(
        finding__inspection__force=force,
        description="Train every sergeant.",
        owner=owner,
        opcc_lead=opcc_officer,
        status=Status.CLOSED,
        closure_summary="All trained; dip sample passed.",
        percent_complete=100,
    )
    UpdateFactory(
        action=action,
        narrative="All trained.",
        created_at=datetime.datetime(2025, 3, 5, 10, tzinfo=datetime.UTC),
    )
    UpdateFactory(
        action=action,
        narrative="Half trained.",
        created_at=datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC),
    )
    client = signed_in(opcc_officer)
    expected = {
        "Action ID": action.pk,
        "Description": "Train every sergeant.",
        "Owner (email or username)": "owner",
        "OPCC lead (email or username)": "opcc",
        "OPCC lead name": "Priya Shah",
        "Status": "Closed",
        "Percent complete": 100,
        "Latest update": "All trained.",
        "Latest update date": datetime.date(2025, 3, 5),
        "Closure summary": "All trained; dip sample passed.",
    }
    (xlsx_row,) = xlsx_records(client.get(reverse("actions:export_xlsx")))
    assert {key: xlsx_row[key] for key in expected} == {
        **expected,
        "Latest update date": datetime.datetime.combine(
            expected["Latest update date"], datetime.time()
        ),
    }
    (csv_row,) = csv_records(client.get(reverse("actions:export_csv")))
    assert {key: csv_row[key] for key in expected} == {
        **{key: str(value) for key, value in expected.items()},
        "Latest update date": expected["Latest update date"].isoformat(),
    }


def test_the_latest_update_date_is_the_london_day(force, opcc_officer, signed_in):
    action = ActionFactory(finding__inspection__force=force)
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time).
    UpdateFactory(
        action=action, created_at=datetime.datetime(2025, 7, 1, 23, 30, tzinfo=datetime.UTC)
    )
    (row,) = csv_records(signed_in(opcc_officer).get(reverse("actions:export_csv")))
    assert row["Latest update date"] == "2025-07-02"


def test_sorting_by_rag_puts_red_and_overdue_first_in_both_exports(force, opcc_officer, signed_in):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(finding__inspection__force=force, title="green", rag=Rag.GREEN)
    ActionFactory(finding__inspection__force=force, title="amber", rag=Rag.AMBER)
    ActionFactory(
        finding__inspection__force=force, title="overdue green", rag=Rag.GREEN, deadline=yesterday
    )
    ActionFactory(finding__inspection__force=force, title="red", rag=Rag.RED)
    client = signed_in(opcc_officer)
    for name in ("actions:export_csv", "actions:export_xlsx"):
        response = client.get(reverse(name), {"sort": "rag"})
        records = csv_records(response) if name.endswith("csv") else xlsx_records(response)
        # overdue green's deadline is earlier, so it leads the red group (ties go by deadline).
        assert [r["Action title"] for r in records] == ["overdue green", "red", "amber", "green"]
        # The RAG set is what the import reads; the RAG shown counts overdue as red.
        assert [r["RAG"] for r in records] == ["Green", "Red", "Amber", "Green"]
        assert [r["RAG shown (red when overdue)"] for r in records] == [
            "Red",
            "Red",
            "Amber",
            "Green",
        ]
    reverse_order = csv_records(client.get(reverse("actions:export_csv"), {"sort": "-rag"}))
    assert [r["Action title"] for r in reverse_order][:2] == ["green", "amber"]


def test_xlsx_export_is_ready_to_filter_with_real_dates_and_numbers(force, opcc_officer, signed_in):
    actions = actions_for(force, 3, percent_complete=40)
    response = signed_in(opcc_officer).get(reverse("actions:export_xlsx"), {"q": actions[1].title})
    sheet = xlsx_sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["Action title"] == actions[1].title
    assert record["Deadline"].date() == actions[1].deadline
    assert record["Percent complete"] == 40
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:X{len(rows)}"
    assert sheet["A1"].font.bold
    deadline = sheet.cell(row=2, column=header.index("Deadline") + 1)
    assert deadline.number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["G"].width == 40  # the action title, wider than the ID
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["G"].width


def test_cells_that_would_run_as_formulas_are_neutralised(force, opcc_officer, signed_in):
    title = '=HYPERLINK("http://x")'
    ActionFactory(finding__inspection__force=force, title=title, description="+44 1234")
    client = signed_in(opcc_officer)
    (row,) = csv_records(client.get(reverse("actions:export_csv")))
    assert (row["Action title"], row["Description"]) == (f"'{title}", "'+44 1234")
    sheet = xlsx_sheet(client.get(reverse("actions:export_xlsx")))
    for column, text in ((7, title), (8, "+44 1234")):
        cell = sheet.cell(row=2, column=column)
        # Stored as text (never a formula) with Excel's hidden quote prefix: shown as typed,
        # kept as text when edited, and read back by the import unchanged.
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


HOME = "Office of the Police and Crime Commissioner for Testshire"
SHARED = f"Managed by {HOME}; shared with Bedfordshire Police, Cambridgeshire Constabulary"


@pytest.fixture
def collaboration(force, other_force):
    """A Testshire action shared with Bedfordshire (same office) and Cambridgeshire (another
    office, whose OPCC staff read it), and one not shared."""
    cambs_office = OfficeFactory(name="Cambridgeshire's office", slug="cambridgeshire")
    cambs = ForceFactory(name="Cambridgeshire Constabulary", office=cambs_office)
    shared = ActionFactory(finding__inspection__force=force, title="Tri-force unit review")
    for partner in (cambs, other_force):
        ActionPartnerFactory(action=shared, force=partner)
    ActionFactory(finding__inspection__force=force, title="Testshire only")
    return {"partner_staff": persona(roles.OPCC_STAFF, username="opcc-cambs", office=cambs_office)}


@pytest.mark.parametrize("reader", ["opcc_officer", "partner_staff"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_shared_action_says_who_manages_it_and_whom_it_is_shared_with(
    collaboration, opcc_officer, signed_in, reader, extension
):
    user = opcc_officer if reader == "opcc_officer" else collaboration["partner_staff"]
    response = signed_in(user).get(reverse(f"actions:export_{extension}"))
    records = csv_records(response) if extension == "csv" else xlsx_records(response)
    cells = {r["Action title"]: r["Collaboration"] or "" for r in records}  # XLSX: None
    if reader == "opcc_officer":
        assert cells == {"Tri-force unit review": SHARED, "Testshire only": ""}
    else:
        assert cells == {"Tri-force unit review": SHARED}


def test_the_collaboration_column_is_the_last_heading(force, opcc_officer, signed_in):
    header = csv_rows(signed_in(opcc_officer).get(reverse("actions:export_csv")))[0]
    assert header[-1] == "Collaboration"


@pytest.mark.parametrize("rows", [10, 500])
def test_export_query_count_is_the_same_at_10_and_500_rows(
    rows, force, other_force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    for n, action in enumerate(actions_for(force, rows, owner=owner, opcc_lead=opcc_officer)):
        UpdateFactory(action=action, author=owner, narrative=f"Update on {action.title}")
        if n % 3 == 0:  # a third of them shared, so the partners are read with the rows
            ActionPartnerFactory(action=action, force=other_force, shared_by=opcc_officer)
    client = signed_in(opcc_officer)
    with django_assert_max_num_queries(7):  # with the officer's office's forces (the scope)
        records = csv_records(client.get(reverse("actions:export_csv")))
    assert len(records) == rows
    assert {r["Latest update"] for r in records} == {
        f"Update on {r['Action title']}" for r in records
    }
    shared = [r for r in records if r["Collaboration"]]
    assert len(shared) == len(range(0, rows, 3))
    assert {r["Collaboration"] for r in shared} == {
        f"Managed by {HOME}; shared with Bedfordshire Police"
    }
    with django_assert_max_num_queries(7):
        response = client.get(reverse("actions:export_xlsx"))
    assert len(xlsx_records(response)) == rows
