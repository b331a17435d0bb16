"""Audit: every service writes a history row with the user, and the reason where one is required."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from actions import evidence_services, finding_services, services
from actions.models import Action, Rag, Reminder, Status
from reports.services import meeting_create
from tests.factories import ActionFactory, EvidenceFactory, InspectionFactory, UserFactory
from tracker import roles

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _latest(obj):
    return obj.history.order_by("-history_id").first()


def test_every_domain_model_is_audited():
    audited = {m.__name__ for m in apps.get_models() if hasattr(m, "history")}
    expected = {"Force", "Inspection", "GradedArea", "Finding", "Action", "Update", "Evidence"}
    assert expected | {"Meeting"} <= audited


def test_creating_an_action_records_who_and_why(finding, opcc_officer, owner):
    action = services.action_create(
        by=opcc_officer,
        finding=finding,
        title="Train supervisors",
        deadline=datetime.date(2026, 1, 1),
        entering_history=True,
    )
    row = _latest(action)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        opcc_officer,
        "Created",
    )


@pytest.mark.parametrize(
    ("change", "reason_contains"),
    [
        ("deadline", "Deadline moved from"),
        ("close", "Closed: Delivered"),
        ("reopen", "Reopened: Not sustained"),
        ("sustain", "Sustaining until"),
        ("update", "Progress update"),
        ("assign", "Assigned"),
    ],
)
def test_each_action_change_writes_history_with_user_and_reason(
    change, reason_contains, owner, opcc_officer, second_opcc_officer
):
    action = ActionFactory(
        owner=owner,
        finding__inspection__force=owner.force,
        status=Status.CLOSED if change == "reopen" else Status.PROPOSED,
        closure_summary="Done" if change == "reopen" else "",
        proposed_by=second_opcc_officer,
    )
    EvidenceFactory(
        action=action,
        submitted_by=owner,
        assured_by=UserFactory(role=roles.OPCC_STAFF),
        assured_at=timezone.now(),
    )
    # Added a while ago, so a new deadline is a move, not a correction of the first one.
    Action.objects.filter(pk=action.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    action.refresh_from_db()
    before = action.history.count()
    by = owner if change == "update" else opcc_officer
    if change == "deadline":
        services.action_change_deadline(
            by=by, action=action, deadline=datetime.date(2031, 1, 1), reason="Supplier late."
        )
    elif change == "close":
        services.action_close(by=by, action=action, closure_summary="Delivered")
    elif change == "reopen":
        services.action_reopen(
            by=by, action=action, reason="Not sustained", rag="amber", percent_complete=60
        )
    elif change == "sustain":
        until = timezone.localdate() + datetime.timedelta(days=30)
        services.action_sustain(by=by, action=action, until=until, reason="Watch it")
    elif change == "update":
        services.action_post_update(
            by=by,
            action=action,
            narrative="Going well.",
            status=Status.IN_PROGRESS,
            rag=Rag.GREEN,
            percent_complete=60,
        )
    elif change == "assign":
        services.action_assign(by=by, action=action, owner=owner, opcc_lead=second_opcc_officer)
    assert action.history.count() == before + 1
    row = _latest(action)
    assert row.history_user == by
    assert reason_contains in row.history_change_reason


def test_history_keeps_old_and_new_values_of_a_deadline_move(action, opcc_officer):
    old = action.deadline
    services.action_change_deadline(
        by=opcc_officer, action=action, deadline=old + datetime.timedelta(days=30), reason="Late."
    )
    new_row, old_row = action.history.order_by("-history_id")[:2]
    delta = new_row.diff_against(old_row)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes == {"deadline": (old, old + datetime.timedelta(days=30))}


def test_update_and_evidence_services_write_their_own_history(action, owner, opcc_officer):
    update = services.action_post_update(
        by=owner,
        action=action,
        narrative="Started.",
        status=Status.IN_PROGRESS,
        rag=Rag.GREEN,
        percent_complete=10,
    )
    evidence = evidence_services.evidence_add(
        by=owner, action=action, kind="link", title="Policy", url="https://example.org/policy"
    )
    evidence_services.evidence_assure(by=opcc_officer, evidence=evidence, note="Policy is live.")
    assert _latest(update).history_user == owner
    assert [r.history_user for r in evidence.history.order_by("history_id")] == [
        owner,
        opcc_officer,
    ]
    assert _latest(evidence).history_change_reason == "Assured: Policy is live."


def test_finding_and_inspection_services_write_history(opcc_officer, force):
    inspection = finding_services.inspection_create(by=opcc_officer, force=force, title="PEEL 2027")
    area = finding_services.graded_area_create(
        by=opcc_officer, inspection=inspection, name="Investigating crime", grade="good"
    )
    finding = finding_services.finding_create(
        by=opcc_officer,
        inspection=inspection,
        kind="recommendation",
        reference="Recommendation 1",
        text="The force should ...",
        area=area,
    )
    finding_services.finding_record_no_action_reason(
        by=opcc_officer, finding=finding, reason="Covered by the national programme."
    )
    finding_services.finding_set_external_status(
        by=opcc_officer,
        finding=finding,
        status="discharged",
        on=datetime.date(2027, 5, 1),
        note="Signed off at the revisit.",
    )
    for obj in (inspection, area, finding):
        assert _latest(obj).history_user == opcc_officer
    reasons = [r.history_change_reason for r in finding.history.order_by("history_id")]
    assert reasons == [
        None,
        "No action: Covered by the national programme.",
        "External status: Discharged by HMICFRS. Signed off at the revisit.",
    ]


def test_meeting_service_writes_history(opcc_officer):
    meeting = meeting_create(
        by=opcc_officer,
        kind="apm",
        title="APM",
        starts_at=timezone.now(),
        inspections=[InspectionFactory()],
    )
    assert _latest(meeting).history_user == opcc_officer


def test_a_refused_change_writes_no_history(action, owner):
    before = action.history.count()
    with pytest.raises(services.WorkflowError):
        services.action_change_deadline(
            by=owner, action=action, deadline=datetime.date(2031, 1, 1), reason="More time"
        )
    assert action.history.count() == before
    assert Action.objects.get(pk=action.pk).deadline == action.deadline


# Writes that bypass save() leave no history row, so the app code must never make them on an
# audited model. Tests may (to set up data), and so may migrations.
FORBIDDEN_CALLS = {"update", "bulk_update", "bulk_create", "raw", "delete"}


def _audited_model_names():
    return {m.__name__ for m in apps.get_models() if hasattr(m, "history")}


def _root_name(node):
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _offending_calls(source, audited):
    """Line numbers and names of history-bypassing calls rooted at an audited model."""
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in FORBIDDEN_CALLS
        and _root_name(node.func.value) in audited
    ]


def _app_sources():
    for folder in ("tracker", "actions", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


# Hand-written SQL that touches no audited table: the benchmark's floor is one SELECT, timed
# beside the list page; generate_dataset runs VACUUM ANALYZE after its bulk load; the reminder
# sweep inserts its reminders (a log with no history of its own) in one statement; the backup
# reads each table's row count and timestamp sums (SELECT only) for its manifest; the demo's
# events read each table's highest id (SELECT only).
SQL_TOUCHING_NO_AUDITED_TABLE = {
    "actions/sample_data/events.py",
    "tracker/benchmarks/pages.py",
    "tracker/backup.py",
    "actions/management/commands/generate_dataset.py",
    "actions/reminders/sweep.py",
}


# The demo writes every event through the services (so each has its history row), then moves
# the dates those rows carry from the moment load_demo runs to the day the story says the event
# happened: it changes timestamps only, never a value a person set.
REDATES_DEMO_EVENTS = {"actions/sample_data/events.py"}


def test_no_app_code_writes_audited_models_without_history():
    audited = _audited_model_names()
    offences = []
    for path in _app_sources():
        source = path.read_text()
        name = path.relative_to(ROOT)
        if str(name) in REDATES_DEMO_EVENTS:
            calls = {call for _line, call in _offending_calls(source, audited)}
            assert calls <= {"update"}, name
            continue
        offences += [f"{name}:{line} .{call}()" for line, call in _offending_calls(source, audited)]
        if str(name) not in SQL_TOUCHING_NO_AUDITED_TABLE and (
            "connection.cursor" in source or ".execute(" in source
        ):
            offences.append(f"{name}: raw SQL")
    assert offences == []


def test_the_sql_allowed_above_writes_no_audited_table():
    audited_tables = {m._meta.db_table for m in apps.get_models() if hasattr(m, "history")}
    writes = re.compile(r"(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
    for name in SQL_TOUCHING_NO_AUDITED_TABLE:
        tables = set(writes.findall((ROOT / name).read_text()))
        assert not tables & audited_tables, name
    # The sweep's INSERT names its table through the model: reminders keep no history.
    assert not hasattr(Reminder, "history")


def test_the_audit_scan_catches_a_queryset_update():
    # Proves the scan above can fail: a snippet that bypasses history is caught.
    snippet = "x = 1\nAction.objects.filter(pk=1).update(status='closed')\n"
    assert _offending_calls(snippet, _audited_model_names()) == [(2, "update")]


@pytest.mark.parametrize("change", ["edit", "deadline", "assign"])
def test_a_change_made_from_a_stale_copy_records_the_current_values(
    change, action, owner, opcc_officer
):
    # Two people have the action open: one marks it blocked at 40%, the other then saves a change
    # from the copy loaded before. That change's history row must not show the old status again.
    stale = Action.objects.get(pk=action.pk)
    Action.objects.filter(pk=action.pk).update(status=Status.BLOCKED, percent_complete=40)
    if change == "edit":
        services.action_edit(by=opcc_officer, action=stale, title="Renamed", description="")
    elif change == "deadline":
        services.action_change_deadline(
            by=opcc_officer,
            action=stale,
            deadline=stale.deadline + datetime.timedelta(days=7),
            reason="Later delivery",
        )
    else:
        services.action_assign(by=opcc_officer, action=stale, owner=owner, opcc_lead=opcc_officer)
    latest = action.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.percent_complete) == (Status.BLOCKED, 40)
    stale.refresh_from_db()
    assert (stale.status, stale.percent_complete) == (Status.BLOCKED, 40)
