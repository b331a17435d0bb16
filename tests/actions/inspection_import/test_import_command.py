"""`manage.py import_report`: JSON on a dry run, records with history under the officer given with
--user (required to import), no double import."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from actions.models import Finding, Force, GradedArea, Inspection
from tests.actions.pdfs import blank_pdf, text_pdf

pytestmark = pytest.mark.django_db

REPORT = """PEEL 2025: An inspection of Kent Police
Published 3 March 2025

Preventing crime\tGood
Investigating crime\tRequires improvement

Cause of concern: investigation standards
The force doesn't investigate crime to a consistently good standard.
Recommendations
Within three months, the force should make sure supervisors review every investigation plan.
Within six months, the force should train all investigators in the national standards.

Areas for improvement
The force should improve how it keeps victims informed about their case.
The force should make sure it records crime at the first point of contact.
"""
GRADES = {"outstanding", "good", "adequate", "requires_improvement", "inadequate", "ungraded"}


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "kent-peel-2025.txt"
    path.write_text(REPORT)
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_report", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def imported(*args):
    """An import recorded under the OPCC officer persona (the test asks for `opcc_officer`)."""
    return run(*args, "--user", "opcc")


def counts():
    return (
        Force.objects.count(),
        Inspection.objects.count(),
        GradedArea.objects.count(),
        Finding.objects.count(),
    )


def test_dry_run_json_prints_exactly_the_documented_shape_and_saves_nothing(report_file):
    out, _ = run(report_file, "--dry-run", "--json")
    report = json.loads(out)  # nothing but the JSON on stdout
    assert set(report) == {"inspection", "graded_areas", "findings"}
    assert report["inspection"] == {
        "title": "PEEL 2025: An inspection of Kent Police",
        "force": "Kent Police",
        "published": "2025-03-03",
    }
    for area in report["graded_areas"]:
        assert set(area) == {"name", "grade"}
        assert isinstance(area["name"], str) and area["grade"] in GRADES
    assert report["graded_areas"][1] == {
        "name": "Investigating crime",
        "grade": "requires_improvement",
    }
    for finding in report["findings"]:
        assert set(finding) == {"kind", "reference", "area", "parent", "text"}
        assert finding["kind"] in {"cause_of_concern", "recommendation", "afi"}
        assert all(isinstance(finding[key], str) for key in ("kind", "reference", "text"))
        assert all(
            finding[key] is None or isinstance(finding[key], str) for key in ("area", "parent")
        )
    assert [(f["reference"], f["parent"]) for f in report["findings"]] == [
        ("Cause of concern 1", None),
        ("Recommendation 1", "Cause of concern 1"),
        ("Recommendation 2", "Cause of concern 1"),
        ("AFI 1", None),
        ("AFI 2", None),
    ]
    assert counts() == (0, 0, 0, 0)


def test_dry_run_json_nulls_what_the_report_does_not_say(tmp_path):
    path = tmp_path / "afis.txt"
    path.write_text("Areas for improvement\nThe force should improve its call handling.\n")
    report = json.loads(run(path, "--dry-run", "--json")[0])
    assert report["inspection"] == {"title": None, "force": None, "published": None}
    assert report["graded_areas"] == []


def test_dry_run_json_of_a_report_without_findings_still_prints_its_grades(tmp_path):
    path = tmp_path / "grades.txt"
    path.write_text(
        "PEEL 2025: Kent Police\nPreventing crime\tGood\nManaging offenders\tAdequate\n"
    )
    out, err = run(path, "--dry-run", "--json")
    report = json.loads(out)
    assert report["findings"] == [] and len(report["graded_areas"]) == 2
    assert "No causes of concern, recommendations or areas for improvement" in err


def test_dry_run_reads_a_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf(REPORT.replace("\t", "    ").splitlines()))
    report = json.loads(run(path, "--dry-run", "--json")[0])
    assert len(report["findings"]) == 5


def test_import_creates_force_inspection_areas_and_findings_with_history(report_file, opcc_officer):
    out, _ = imported(report_file)
    assert "Imported" in out and "5 findings" in out
    inspection = Inspection.objects.get()
    assert (inspection.force.name, inspection.kind, str(inspection.published_on)) == (
        "Kent Police",
        "peel",
        "2025-03-03",
    )
    assert inspection.source_sha256
    assert list(inspection.graded_areas.values_list("name", "grade")) == [
        ("Preventing crime", "good"),
        ("Investigating crime", "requires_improvement"),
        ("investigation standards", "ungraded"),
    ]
    recommendation = inspection.findings.get(reference="Recommendation 2")
    assert recommendation.parent.reference == "Cause of concern 1"
    assert list(inspection.findings.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    row = recommendation.history.get()
    assert row.history_user == opcc_officer
    assert row.history_change_reason == "Imported from kent-peel-2025.txt"
    assert inspection.history.get().history_change_reason == "Imported from kent-peel-2025.txt"
    force_row = inspection.force.history.get()
    assert force_row.history_change_reason == "Imported from kent-peel-2025.txt"
    assert {inspection.history.get().history_user, force_row.history_user} == {opcc_officer}


def test_an_import_without_a_user_is_refused_and_saves_nothing(report_file):
    with pytest.raises(CommandError, match="Give --user"):
        run(report_file)
    assert counts() == (0, 0, 0, 0)


def test_a_second_import_of_the_same_report_is_refused(report_file, tmp_path, opcc_officer):
    imported(report_file)
    before = counts()
    with pytest.raises(CommandError, match="already been imported"):
        imported(report_file)
    # The same text under another name is the same report.
    copy = tmp_path / "copy.txt"
    copy.write_text(REPORT.replace("\n", "\r\n"))
    with pytest.raises(CommandError, match="already been imported"):
        imported(copy)
    assert counts() == before


def test_update_brings_an_imported_report_up_to_date(report_file, opcc_officer):
    imported(report_file)
    report_file.write_text(
        REPORT.replace("Preventing crime\tGood", "Preventing crime\tAdequate").replace(
            "about their case.", "about their case and its outcome."
        )
    )
    out, _ = imported(report_file, "--update")
    assert "Updated" in out
    inspection = Inspection.objects.get()
    assert inspection.graded_areas.get(name="Preventing crime").grade == "adequate"
    afi = inspection.findings.get(reference="AFI 1")
    assert afi.text.endswith("about their case and its outcome.")
    latest = afi.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        opcc_officer,
        "Updated from kent-peel-2025.txt",
    )
    assert inspection.findings.count() == 5


def test_update_of_a_report_not_yet_imported_imports_it(report_file, opcc_officer):
    out, _ = imported(report_file, "--update")
    assert out.startswith("Imported") and Inspection.objects.count() == 1


def test_force_option_names_an_existing_force(report_file, force, opcc_officer):
    imported(report_file, "--force", "Hertfordshire Constabulary")
    assert Inspection.objects.get().force == force
    assert Force.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "There is no file"),
        (lambda tmp: _write(tmp / "empty.txt", b""), "empty"),
        (lambda tmp: _write(tmp / "scan.pdf", blank_pdf()), "scanned images"),
        (lambda tmp: _write(tmp / "locked.pdf", text_pdf(["x"], password="pw")), "password"),
        (lambda tmp: _write(tmp / "image.txt", b"\x00\x01\x02binary"), "not text"),
        (lambda tmp: _write(tmp / "notes.txt", b"Nothing to see here."), "No causes"),
        (lambda tmp: _write(tmp / "report.doc", b"text"), "PDF, HTML or plain text"),
    ],
)
def test_bad_input_gives_a_clear_error_and_creates_nothing(tmp_path, setup, message):
    path = setup(tmp_path)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert counts() == (0, 0, 0, 0)


def test_a_report_without_a_force_needs_the_force_option(tmp_path, opcc_officer):
    path = _write(tmp_path / "afis.txt", b"Areas for improvement\nThe force should act.\n")
    with pytest.raises(CommandError, match="--force NAME"):
        imported(path)
    assert counts() == (0, 0, 0, 0)


def test_user_option_must_be_opcc_staff(report_file, owner):
    with pytest.raises(CommandError, match="not an OPCC staff user"):
        run(report_file, "--user", owner.username)
    assert counts()[1:] == (0, 0, 0)


def _write(path, content):
    path.write_bytes(content)
    return path
