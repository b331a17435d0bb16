"""generate_dataset (the national data set) and benchmark (the table of timings), as commands."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings

from actions.models import (
    Action,
    Evidence,
    Finding,
    Force,
    GradedArea,
    Inspection,
    Status,
    Update,
)
from actions.sample_data import dataset
from reports.models import BriefingPack, Meeting
from tracker import roles
from tracker.benchmarks import pages
from tracker.models import Office, User

pytestmark = pytest.mark.django_db


def generate(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_dataset", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_generate_dataset_builds_actions_in_every_status_with_their_history():
    out, err = generate("--actions", "300", "--forces", "3", "--seed", "7")
    assert Action.objects.count() == 300
    statuses = set(Action.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert Inspection.objects.values("force").distinct().count() == 3
    assert GradedArea.objects.filter(grade="inadequate").exists()
    assert Finding.objects.filter(kind="cause_of_concern").exists()
    # Every action has its creation row and a row per later change; updates and evidence too.
    # Bulk inserts skip save(): ActionQuerySet.bulk_create fills the copies of the finding.
    assert not Action.objects.filter(finding_search_text="").exists()
    mismatched = Action.objects.exclude(finding_kind=F("finding__kind")).union(
        Action.objects.exclude(owning_force=F("finding__inspection__force"))
    )
    assert not mismatched.exists()
    assert Action.history.filter(history_type="+").count() == 300
    assert Action.history.filter(history_type="~").count() > 300
    assert Update.history.count() == Update.objects.count() > 300
    assert Evidence.history.count() > Evidence.objects.count() > 0
    closed = Action.objects.filter(status=Status.CLOSED)
    assert all(action.closure_summary and action.closed_by_id for action in closed)
    assert not closed.exclude(evidence__assured_at__isnull=False).exists()
    first = Action.history.filter(history_type="+").order_by("history_date").first()
    assert (first.status, first.percent_complete, first.history_change_reason) == (
        Status.NOT_STARTED,
        0,
        "Created",
    )
    assert Meeting.objects.count() == 3
    assert "Generated 300 actions in 3 forces" in out
    assert "3/3 forces" in err


def test_generate_dataset_gives_each_force_an_office_whose_own_staff_lead_its_actions():
    out, _ = generate("--actions", "200", "--forces", "4", "--staff", "6")
    assert "in 4 forces (4 offices)" in out
    offices = dict(Office.objects.values_list("name", "slug"))
    assert offices == {
        "Office of the Police and Crime Commissioner for Avon and Somerset": "avon-and-somerset",
        "Office of the Police and Crime Commissioner for Bedfordshire": "bedfordshire",
        "Office of the Police and Crime Commissioner for Cambridgeshire": "cambridgeshire",
        "Office of the Police and Crime Commissioner for Cheshire": "cheshire",
    }
    assert Office.history.filter(history_type="+").count() == 4
    assert {force.office.name for force in Force.objects.select_related("office")} == set(offices)
    # OPCC staff are shared out among the offices, each office with at least one, and an
    # action's OPCC lead works for the office overseeing the action's force.
    staff = User.objects.opcc_staff()
    assert staff.count() == 6 and not staff.filter(office=None).exists()
    assert set(staff.values_list("office", flat=True)) == set(
        Office.objects.values_list("pk", flat=True)
    )
    assert not Action.objects.exclude(
        opcc_lead__office=F("finding__inspection__force__office")
    ).exists()
    owners = User.objects.action_owners()
    assert not owners.exclude(office=F("force__office")).exists()
    # Each meeting is its force's office's; an officer sees only their office's actions.
    for meeting in Meeting.objects.prefetch_related("inspections__force"):
        assert {i.force.office_id for i in meeting.inspections.all()} == {meeting.office_id}
    officer = staff.first()
    visible = Action.objects.filter(roles.force_scope(officer, "finding__inspection__force_id"))
    assert 0 < visible.count() < Action.objects.count()
    assert set(visible.values_list("finding__inspection__force__office", flat=True)) == {
        officer.office_id
    }


def test_generate_dataset_names_mayors_offices_and_the_tri_force_collaboration():
    names = dataset.force_names(43)
    assert dataset.office_name("Hertfordshire Constabulary") == (
        "Office of the Police and Crime Commissioner for Hertfordshire"
    )
    assert dataset.office_name("Metropolitan Police Service") == (
        "Mayor's Office for Policing and Crime"
    )
    forces = [Force(name=name) for name in names]
    assert [force.name for force in dataset.collaboration_of(forces)] == dataset.COLLABORATION
    assert [force.name for force in dataset.collaboration_of(forces[:3])] == names[:3]
    assert dataset.collaboration_of(forces[:2]) == []
    assert len({dataset.office_name(name) for name in names}) == 43


def test_generate_dataset_shares_the_collaborations_actions_once_partners_exist():
    try:
        partner_model = apps.get_model("actions", "ActionPartner")
    except LookupError:
        pytest.skip("no collaborations model (actions.ActionPartner) in this build yet")
    generate("--actions", "300", "--forces", "3")
    lead, *partners = Force.objects.order_by("name")
    shared = partner_model.objects.all()
    assert shared.count() == 2 * len(range(0, 100, 10))
    assert set(shared.values_list("force", flat=True)) == {force.pk for force in partners}
    assert not shared.exclude(action__finding__inspection__force=lead).exists()
    assert partner_model.history.count() == shared.count()


def test_generate_dataset_refuses_a_database_with_actions_unless_appending():
    generate("--actions", "20", "--forces", "2")
    with pytest.raises(CommandError, match="already has actions"):
        generate("--actions", "20", "--forces", "2")
    assert Action.objects.count() == 20
    generate("--actions", "20", "--forces", "2", "--append")
    assert Action.objects.count() == 40


@override_settings(PRODUCTION=True)
def test_generate_dataset_refuses_production():
    with pytest.raises(CommandError, match="never in production"):
        generate("--actions", "10")
    assert not Action.objects.exists()


def test_benchmark_refuses_an_empty_database():
    with pytest.raises(CommandError, match="run generate_dataset first"):
        call_command("benchmark", "--repeat", "1", stdout=io.StringIO())


def test_benchmark_prints_its_table_and_leaves_nothing_behind():
    generate("--actions", "120", "--forces", "2")
    users = User.objects.count()
    out = io.StringIO()
    call_command("benchmark", "--repeat", "2", "--no-pdf", stdout=out)
    text = out.getvalue()
    assert "Dataset: 120 actions" in text
    assert "median ms" in text and "p95 ms" in text and "queries" in text
    for case in [
        "list: work in progress",
        "raw SQL floor",
        "admin changelist",
        "our page of rows",
        "ratios: page of rows/floor",
        "search: q=supervision",
        "search: q=zebra (no match)",
        "deep page: page=500",
        "history tab",
        "dashboard: OPCC staff",
        "dashboard: action owner",
        "pack: generate + HTML",
        "reminder sweep, nothing recorded yet",
        "reminder sweep again the same day",
        "national view: the task's figures",
        "national view, figures stored",
    ]:
        assert case in text, case
    list_row = next(line for line in text.splitlines() if line.startswith("list: work in"))
    assert int(list_row.split()[-1].split("-")[0]) <= 7  # queries
    assert not BriefingPack.objects.exists()
    assert User.objects.count() == users
    assert not Inspection.objects.filter(public_progress=True).exists()


def test_benchmark_times_one_offices_officer_beside_all_forces_in_one_office():
    generate("--actions", "121", "--forces", "2")  # 61 in the first force, 60 in the second
    offices = dict(Force.objects.values_list("pk", "office"))
    out = io.StringIO()
    # Only the comparison: the full run's table (with the same comparison in it) is the test
    # above's.
    call_command("benchmark", "--scope-only", "--repeat", "1", stdout=out)
    text = out.getvalue()
    busiest = (
        Action.objects.filter(finding__inspection__force__name="Avon and Somerset Constabulary")
        .values("pk")
        .count()
    )
    assert (
        "OPCC officer of Office of the Police and Crime Commissioner for Avon and Somerset "
        f"(1 of 2 forces, {busiest} actions of 121; 2 offices in all)"
    ) in text
    assert busiest == 61
    assert "All forces in one office (121 actions), as in a one-office deployment:" in text
    lines = text.splitlines()
    table = lines[lines.index(next(x for x in lines if x.startswith("OPCC officer: one"))) :]
    for case in ["list: work in progress", "search: q=supervision", "dashboard: OPCC staff"]:
        assert any(line.startswith(f"all forces: {case}") for line in lines), case
        compared = next(line for line in table if line.startswith(case))
        # office median and p95, all forces median and p95, and their ratio
        assert len(compared.removeprefix(case).split()) == 5, compared
    for prefix in ("one office: list: work in progress", "all forces: list: work in progress"):
        row = next(line for line in lines if line.startswith(prefix))
        assert int(row.split()[-1].split("-")[0]) <= 7  # queries
    # The move of every force into one office was rolled back with the rest.
    assert dict(Force.objects.values_list("pk", "office")) == offices
    # --office picks the officer's office by name; a name matching none is refused.
    out = io.StringIO()
    call_command(
        "benchmark", "--scope-only", "--repeat", "1", "--office", "Bedfordshire", stdout=out
    )
    assert (
        "OPCC officer of Office of the Police and Crime Commissioner for Bedfordshire (1 of 2 "
        "forces, 60 actions of 121; 2 offices in all)"
    ) in out.getvalue()
    with pytest.raises(CommandError, match="names 0 offices, not one"):
        call_command("benchmark", "--scope-only", "--repeat", "1", "--office", "Nowhere")


SCOPED = [
    "list: work in progress",
    "list: causes of concern",
    "list: not started, latest deadline first",
    "search: q=supervision",
    "search: q=custody victim",
    "search: q=zebra (no match)",
    "deep page: page=500",
    "dashboard: OPCC staff",
]


def test_benchmark_scope_only_interleaves_one_office_with_all_forces(monkeypatch):
    generate("--actions", "60", "--forces", "2")
    offices = dict(Force.objects.values_list("pk", "office"))
    users = User.objects.count()
    turns = []  # each side's turn analyses the force table; all forces' turn moves them first
    monkeypatch.setattr(pages.Command, "analyze_forces", lambda self: turns.append("turn"))
    move = pages.Command.move_every_force
    monkeypatch.setattr(
        pages.Command,
        "move_every_force",
        lambda self, office: turns.append("move") or move(self, office),
    )
    out = io.StringIO()
    call_command("benchmark", "--scope-only", "--repeat", "3", stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    # A warm-up round, then three: office first, all forces first, office first.
    office, every = ["turn"], ["move", "turn"]
    assert turns == office + every + office + every + every + office + office + every
    assert "Dataset: 60 actions" in text
    assert (
        "All forces in one office (60 actions), as in a one-office deployment: 3 round(s), "
        "each timing every page once per side, the order of the sides alternating"
    ) in text
    assert "  one office: 30 actions; load average" in text
    for absent in ("pack:", "reminder sweep", "action owner", "admin changelist", "history tab"):
        assert absent not in text, absent
    for side in ("one office", "all forces"):
        for case in SCOPED:
            row = next(line for line in lines if line.startswith(f"{side}: {case}"))
            median, p95, queries = row.split()[-3:]
            assert float(p95) >= float(median) > 0, row
        floors = [line for line in lines if line.startswith(f"{side}:   raw SQL floor")]
        assert [line.split()[-1] for line in floors] == ["1", "1", "1"]
    table = lines[lines.index(next(x for x in lines if x.startswith("OPCC officer: one"))) :]
    for case in [*SCOPED, "  raw SQL floor"]:
        compared = next(line for line in table if line.startswith(case))
        mine, _, every_ms, _, ratio = map(float, compared.removeprefix(case).split())
        # office median / all forces median, of the figures before their rounding to 0.1 ms
        low, high = (mine - 0.05) / (every_ms + 0.05), (mine + 0.05) / max(every_ms - 0.05, 0.01)
        assert low - 0.005 <= ratio <= high + 0.005, compared
    ratio_line = next(line for line in table if line.startswith("ratio one office / all forces"))
    assert "(geometric mean of 8), worst" in ratio_line and "raw SQL floors" in ratio_line
    assert "national view, figures stored (cold: cache cleared)" in text
    assert "national view, figures stored (warm)" in text
    published = f"  national view page, {Inspection.objects.count()} inspections"
    verdict = next(line for line in lines if line.startswith(published))
    verdicts = (
        r"published; median against 500 ms: "
        r"cold [\d.]+ ms (under|OVER), warm [\d.]+ ms (under|OVER)$"
    )
    assert re.search(verdicts, verdict), verdict
    # The moves, the published pages and the national reader were all rolled back.
    assert dict(Force.objects.values_list("pk", "office")) == offices
    assert User.objects.count() == users
    assert not Inspection.objects.filter(public_progress=True).exists()


def test_benchmark_scope_only_with_one_office_has_nothing_to_compare():
    generate("--actions", "20", "--forces", "1")
    out = io.StringIO()
    call_command("benchmark", "--scope-only", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "One office: its pages are the all-forces pages; nothing to compare." in text
    assert "OPCC officer: one office vs all forces" not in text
    assert "all forces: list" not in text
    assert "national view, figures stored (warm)" in text


def test_the_pack_benchmark_repeats_for_a_median_and_p95_and_can_skip_the_pdf():
    out = io.StringIO()
    call_command("benchmark", "pack", "--actions", "6", "--repeat", "3", "--no-pdf", stdout=out)
    text = out.getvalue()
    assert "Briefing pack with 6 actions" in text and "3 run(s), load average" in text
    for label in ("snapshot (generation):", "HTML page render:", "HTML total:"):
        line = next(line for line in text.splitlines() if label in line)
        assert "median" in line and "p95" in line, line
    assert "PDF" not in text
    assert not BriefingPack.objects.exists()
