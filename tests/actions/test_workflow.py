"""The status workflow: every legal and illegal move, and the rules on closing and deadlines."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import evidence_services, services
from actions.models import Rag, Status
from actions.services import TRANSITIONS
from tests.factories import ActionFactory, EvidenceFactory, UserFactory
from tracker import roles
from tracker.audit import WorkflowError

pytestmark = pytest.mark.django_db

ALL_MOVES = [(a, b) for a in Status for b in Status if a != b]


def _action_in(status, *, owner, opcc_officer):
    action = ActionFactory(
        owner=owner,
        opcc_lead=opcc_officer,
        finding__inspection__force=owner.force,
        status=status,
        closure_summary="Done" if status == Status.CLOSED else "",
        proposed_by=owner if status == Status.PROPOSED else None,
    )
    EvidenceFactory(
        action=action,
        submitted_by=owner,
        assured_by=UserFactory(role=roles.OPCC_STAFF),
        assured_at=timezone.now(),
    )
    return action


def _move(action, to, *, owner, opcc_officer):
    """Make the move the way the workspace would: the service for that kind of change."""
    if to == Status.CLOSED:
        return services.action_close(by=opcc_officer, action=action, closure_summary="Delivered.")
    if to == Status.SUSTAINING:
        until = timezone.localdate() + datetime.timedelta(days=60)
        return services.action_sustain(by=opcc_officer, action=action, until=until, reason="Watch")
    if to == Status.REOPENED:
        return services.action_reopen(
            by=opcc_officer,
            action=action,
            reason="Not sustained.",
            rag="amber",
            percent_complete=60,
        )
    return services.action_post_update(
        by=owner, action=action, narrative="Update.", status=to, rag=Rag.GREEN, percent_complete=50
    )


@pytest.mark.parametrize(("from_status", "to_status"), ALL_MOVES)
def test_every_move_is_allowed_only_if_the_workflow_has_it(
    from_status, to_status, owner, opcc_officer
):
    action = _action_in(from_status, owner=owner, opcc_officer=opcc_officer)
    if to_status in TRANSITIONS[from_status]:
        _move(action, to_status, owner=owner, opcc_officer=opcc_officer)
        action.refresh_from_db()
        assert action.status == to_status
    else:
        with pytest.raises(WorkflowError, match="cannot become"):
            _move(action, to_status, owner=owner, opcc_officer=opcc_officer)
        action.refresh_from_db()
        assert action.status == from_status


def test_workflow_error_is_a_validation_error_with_a_readable_message(owner, opcc_officer):
    action = _action_in(Status.CLOSED, owner=owner, opcc_officer=opcc_officer)
    with pytest.raises(ValidationError) as caught:
        _move(action, Status.IN_PROGRESS, owner=owner, opcc_officer=opcc_officer)
    assert caught.value.messages == ["An action that is closed cannot become in progress."]


def test_owner_cannot_close_even_an_action_proposed_by_someone_else(
    owner, opcc_officer, second_opcc_officer
):
    action = _action_in(Status.PROPOSED, owner=owner, opcc_officer=opcc_officer)
    action.proposed_by = second_opcc_officer
    action.save()
    with pytest.raises(WorkflowError, match="Only OPCC staff"):
        services.action_close(by=owner, action=action, closure_summary="Done")


def test_owner_cannot_close_through_an_update(owner, opcc_officer):
    action = _action_in(Status.PROPOSED, owner=owner, opcc_officer=opcc_officer)
    with pytest.raises(WorkflowError, match="close, sustain or reopen"):
        services.action_post_update(
            by=owner,
            action=action,
            narrative="Closing.",
            status=Status.CLOSED,
            rag=Rag.GREEN,
            percent_complete=100,
        )


def test_whoever_proposed_closure_cannot_close(owner, opcc_officer, second_opcc_officer):
    action = _action_in(Status.IN_PROGRESS, owner=owner, opcc_officer=opcc_officer)
    services.action_propose_closure(by=opcc_officer, action=action, narrative="All done.")
    with pytest.raises(WorkflowError, match="someone else must accept it"):
        services.action_close(by=opcc_officer, action=action, closure_summary="Done")
    services.action_close(by=second_opcc_officer, action=action, closure_summary="Done")
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert action.closed_by == second_opcc_officer
    assert action.proposed_by == opcc_officer


def test_closing_needs_assured_evidence(owner, opcc_officer):
    action = ActionFactory(owner=owner, status=Status.PROPOSED, proposed_by=owner)
    EvidenceFactory(action=action, submitted_by=owner)  # submitted, not assured
    with pytest.raises(WorkflowError, match="assured"):
        services.action_close(by=opcc_officer, action=action, closure_summary="Done")
    action.refresh_from_db()
    assert action.status == Status.PROPOSED


def test_closing_needs_a_closure_summary(owner, opcc_officer):
    action = _action_in(Status.PROPOSED, owner=owner, opcc_officer=opcc_officer)
    with pytest.raises(WorkflowError, match="closure summary"):
        services.action_close(by=opcc_officer, action=action, closure_summary="   ")


def test_reopening_needs_a_reason(owner, opcc_officer):
    action = _action_in(Status.CLOSED, owner=owner, opcc_officer=opcc_officer)
    with pytest.raises(WorkflowError, match="reason"):
        services.action_reopen(
            by=opcc_officer, action=action, reason="", rag="amber", percent_complete=60
        )


def test_reopening_clears_the_previous_closure(owner, opcc_officer):
    action = _action_in(Status.CLOSED, owner=owner, opcc_officer=opcc_officer)
    services.action_reopen(
        by=opcc_officer, action=action, reason="Not sustained.", rag="amber", percent_complete=60
    )
    action.refresh_from_db()
    assert (action.closed_by, action.closed_at, action.proposed_by) == (None, None, None)


def test_moving_a_deadline_needs_a_reason_and_keeps_the_original(owner, opcc_officer):
    action = ActionFactory(owner=owner, deadline=datetime.date(2025, 3, 31))
    with pytest.raises(WorkflowError, match="reason"):
        services.action_change_deadline(
            by=opcc_officer, action=action, deadline=datetime.date(2025, 6, 30), reason=" "
        )
    services.action_change_deadline(
        by=opcc_officer,
        action=action,
        deadline=datetime.date(2025, 6, 30),
        reason="New supplier.",
        entering_history=True,
    )
    action.refresh_from_db()
    assert action.deadline == datetime.date(2025, 6, 30)
    assert action.original_deadline == datetime.date(2025, 3, 31)


def test_a_past_deadline_is_refused_unless_it_records_history(owner, opcc_officer):
    action = ActionFactory(owner=owner)
    past = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(WorkflowError, match="today or later"):
        services.action_change_deadline(by=opcc_officer, action=action, deadline=past, reason="x")
    with pytest.raises(WorkflowError, match="before the report was published"):
        services.action_change_deadline(
            by=opcc_officer,
            action=action,
            deadline=datetime.date(2024, 1, 1),
            reason="Typed wrongly",
            entering_history=True,
        )


def test_owner_cannot_move_a_deadline(owner):
    action = ActionFactory(owner=owner)
    with pytest.raises(WorkflowError, match="Only OPCC staff"):
        services.action_change_deadline(
            by=owner, action=action, deadline=datetime.date(2030, 1, 1), reason="More time."
        )


def test_owner_cannot_update_an_action_they_do_not_own(owner, other_force_owner):
    action = ActionFactory(owner=owner, finding__inspection__force=other_force_owner.force)
    with pytest.raises(WorkflowError, match="owner"):
        services.action_post_update(
            by=other_force_owner,
            action=action,
            narrative="Hello",
            status=Status.IN_PROGRESS,
            rag=Rag.GREEN,
            percent_complete=10,
        )


def test_delegate_can_post_an_update(owner, force):
    from tests.factories import persona
    from tracker import roles

    deputy = persona(roles.ACTION_OWNER, force=force)
    action = ActionFactory(owner=owner, delegate=deputy, finding__inspection__force=force)
    services.action_post_update(
        by=deputy,
        action=action,
        narrative="On behalf of the owner.",
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        percent_complete=30,
    )
    action.refresh_from_db()
    assert (action.status, action.rag, action.percent_complete) == ("in_progress", "amber", 30)


def test_an_update_records_narrative_status_rag_and_percent(action, owner):
    update = services.action_post_update(
        by=owner,
        action=action,
        narrative="Two cohorts trained.",
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        percent_complete=40,
    )
    action.refresh_from_db()
    assert (update.author, update.status, update.rag, update.percent_complete) == (
        owner,
        "in_progress",
        "amber",
        40,
    )
    assert action.last_update_at == update.created_at


def test_an_update_with_a_bad_percentage_saves_nothing(action, owner):
    with pytest.raises(ValidationError):
        services.action_post_update(
            by=owner,
            action=action,
            narrative="Too keen.",
            status=Status.IN_PROGRESS,
            rag=Rag.GREEN,
            percent_complete=150,
        )
    action.refresh_from_db()
    assert action.updates.count() == 0
    assert action.status == Status.NOT_STARTED


def test_sustaining_needs_a_future_date(owner, opcc_officer):
    action = _action_in(Status.PROPOSED, owner=owner, opcc_officer=opcc_officer)
    with pytest.raises(WorkflowError, match="future"):
        services.action_sustain(
            by=opcc_officer, action=action, until=timezone.localdate(), reason="Watch"
        )


def test_evidence_cannot_be_assured_twice_or_by_an_owner(action, owner, opcc_officer):
    evidence = evidence_services.evidence_add(
        by=owner, action=action, kind="note", title="Results", note="94% compliant."
    )
    with pytest.raises(WorkflowError, match="Only OPCC staff"):
        evidence_services.evidence_assure(by=owner, evidence=evidence, note="Looks fine")
    evidence_services.evidence_assure(
        by=opcc_officer, evidence=evidence, note="Checked the source."
    )
    with pytest.raises(WorkflowError, match="already"):
        evidence_services.evidence_assure(by=opcc_officer, evidence=evidence, note="Again")


def test_link_evidence_needs_a_url(action, owner):
    with pytest.raises(ValidationError):
        evidence_services.evidence_add(by=owner, action=action, kind="link", title="Policy", url="")
    assert action.evidence.count() == 0
