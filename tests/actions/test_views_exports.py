"""CSV and XLSX exports: exactly the filtered rows, in order, safe from formula injection."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Rag
from tests.factories import ActionFactory, actions_for

pytestmark = pytest.mark.django_db


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_exactly_the_filtered_rows_in_list_order(force, opcc_officer, signed_in):
    ActionFactory(finding__inspection__force=force, title="Beta", rag=Rag.AMBER)
    ActionFactory(finding__inspection__force=force, title="Alpha", rag=Rag.AMBER)
    ActionFactory(finding__inspection__force=force, title="Gamma", rag=Rag.GREEN)
    response = signed_in(opcc_officer).get(
        reverse("actions:export_csv"), {"rag": "amber", "sort": "title"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="actions-')
    header, *rows = csv_rows(response)
    assert header[5] == "Action"
    assert [row[5] for row in rows] == ["Alpha", "Beta"]
    assert {row[13] for row in rows} == {"Amber"}


def test_owner_export_never_includes_another_forces_actions(force, other_force, owner, signed_in):
    ActionFactory(finding__inspection__force=force, title="Herts")
    ActionFactory(finding__inspection__force=other_force, title="Beds")
    rows = csv_rows(signed_in(owner).get(reverse("actions:export_csv")))[1:]
    assert [row[5] for row in rows] == ["Herts"]


def test_xlsx_export_matches_the_filter_and_has_real_dates(force, opcc_officer, signed_in):
    actions = actions_for(force, 3)
    response = signed_in(opcc_officer).get(reverse("actions:export_xlsx"), {"q": actions[1].title})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][5] == actions[1].title
    assert rows[1][9].date() == actions[1].deadline


def test_cells_that_would_run_as_formulas_are_neutralised(force, opcc_officer, signed_in):
    ActionFactory(finding__inspection__force=force, title='=HYPERLINK("http://x")')
    client = signed_in(opcc_officer)
    assert csv_rows(client.get(reverse("actions:export_csv")))[1][5].startswith("'=")
    sheet = load_workbook(io.BytesIO(client.get(reverse("actions:export_xlsx")).content)).active
    assert sheet.cell(row=2, column=6).value.startswith("'=")


@pytest.mark.parametrize("rows", [10, 500])
def test_export_query_count_is_the_same_at_10_and_500_rows(
    rows, force, owner, opcc_officer, signed_in, django_assert_max_num_queries
):
    actions_for(force, rows, owner=owner, opcc_lead=opcc_officer)
    client = signed_in(opcc_officer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("actions:export_csv"))
        assert len(csv_rows(response)) == rows + 1
    with django_assert_max_num_queries(6):
        response = client.get(reverse("actions:export_xlsx"))
    assert response.status_code == 200
