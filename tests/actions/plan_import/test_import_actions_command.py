"""`manage.py import_actions`: the same import from the command line."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action, Update
from tests.actions.plan_import.test_plan_import import PEEL, history_rows
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_csv(tmp_path, force, owner):
    inspection = InspectionFactory(force=force, title=PEEL)
    FindingFactory(inspection=inspection, reference="AFI 1")
    path = tmp_path / "plan.csv"
    path.write_text(
        "Action plan for PEEL 2023-25\n"
        "\n"
        "Inspection,Finding reference,Action title,Owner,Deadline,Status,Latest update\n"
        f"{PEEL},AFI 1,Train supervisors ,{owner.username},1 December 2026,In progress,Begun.\n"
        f"{PEEL},AFI 1,Audit case files,nobody,01/12/2026,,\n",
        encoding="utf-8",
    )
    return path


def run(*args):
    out = StringIO()
    call_command("import_actions", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_the_preview_and_saves_nothing(plan_csv):
    before = history_rows()
    output = run(str(plan_csv), "--dry-run")
    assert output.splitlines() == [
        "Dry run, nothing saved: plan.csv: 1 to create, 0 to update, 0 unchanged, "
        "1 with errors (skipped).",
        '  Row 5, Owner: Unknown owner "nobody": no active user has that email or username.',
    ]
    assert history_rows() == before


def test_importing_applies_as_the_user_and_again_changes_nothing(plan_csv, opcc_officer, tmp_path):
    report = tmp_path / "skipped.csv"
    output = run(str(plan_csv), "--user", "opcc", "--skipped-report", str(report))
    assert output.startswith("Imported: plan.csv: 1 to create")
    action = Action.objects.get(title="Train supervisors")
    assert (action.deadline, action.status) == (datetime.date(2026, 12, 1), "in_progress")
    row = action.history.earliest()
    assert (row.history_user, row.history_change_reason) == (
        opcc_officer,
        "Imported from plan.csv",
    )
    assert Update.objects.get(action=action).narrative == "Begun."
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("5,Owner")

    before = history_rows()
    again = run(str(plan_csv), "--user", "opcc")
    assert "0 to create, 0 to update, 1 unchanged, 1 with errors" in again
    assert history_rows() == before


def test_applying_needs_an_opcc_officer(plan_csv, owner):
    with pytest.raises(CommandError, match="Give --user"):
        run(str(plan_csv))
    with pytest.raises(CommandError, match="owner is not an active member of OPCC staff"):
        run(str(plan_csv), "--user", "owner")
    assert not Action.objects.exists()


def test_unmatched_columns_are_named(tmp_path, opcc_officer):
    path = tmp_path / "odd.csv"
    path.write_text("Thing,Other thing,Third\na,b,c\n")
    with pytest.raises(CommandError, match="Unmatched headings: Thing, Other thing, Third"):
        run(str(path), "--user", "opcc")


def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path, opcc_officer):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="its content is not an Excel workbook"):
        run(str(path), "--dry-run")
