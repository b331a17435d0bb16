"""generate_dataset (the national data set) and benchmark (the table of timings), as commands."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings

from actions.models import Action, Evidence, Finding, GradedArea, Inspection, Status, Update
from reports.models import BriefingPack, Meeting
from tracker.models import User

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
    # Bulk inserts skip save(): the generator fills the list's copies of the finding itself.
    assert not Action.objects.filter(finding_search_text="").exists()
    mismatched = Action.objects.exclude(finding_kind=F("finding__kind"))
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
        "national view, matched afresh",
        "national view (",
    ]:
        assert case in text, case
    list_row = next(line for line in text.splitlines() if line.startswith("list: work in"))
    assert int(list_row.split()[-1].split("-")[0]) <= 6  # queries
    assert not BriefingPack.objects.exists()
    assert User.objects.count() == users
    assert not Inspection.objects.filter(public_progress=True).exists()


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
