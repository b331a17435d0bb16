"""The known dataset the pack tests share: five actions on two graded areas of one inspection,
built through the services with the clock moved by time-machine, so history is real."""

import datetime

import pytest
import time_machine

from actions import evidence_services
from actions import services as action_services
from actions.models import Action, Force, Rag, Status
from reports import services
from tests.factories import (
    FindingFactory,
    GradedAreaFactory,
    InspectionFactory,
    MeetingFactory,
    QuestionFactory,
)

# UTC. London is on GMT (the same) until 30 March 2025, so the dates below read the same there;
# the April meeting at 10:00 UTC is 11:00 BST.
UTC = datetime.UTC


def at(year, month, day, hour=12):
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=UTC), tick=False)


def when(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def world(force, owner, opcc_officer, second_opcc_officer):
    """Five actions on two graded areas, two APMs and a Panel meeting between them."""
    force.monitoring_phase = Force.MonitoringPhase.ENGAGE
    force.save()
    earlier = InspectionFactory(
        force=force, title="PEEL 2021-22", published_on=datetime.date(2023, 2, 1)
    )
    GradedAreaFactory(inspection=earlier, name="Investigating crime", grade="adequate")
    GradedAreaFactory(inspection=earlier, name="Preventing crime", grade="adequate")
    inspection = InspectionFactory(
        force=force,
        title="PEEL 2023-25",
        published_on=datetime.date(2024, 10, 16),
        response_published_on=datetime.date(2024, 12, 9),
        revisit_on=datetime.date(2025, 5, 1),
    )
    investigating = GradedAreaFactory(
        inspection=inspection, name="Investigating crime", grade="requires_improvement", position=1
    )
    preventing = GradedAreaFactory(
        inspection=inspection, name="Preventing crime", grade="good", position=2
    )
    f1 = FindingFactory(inspection=inspection, area=investigating, reference="AFI 1")
    FindingFactory(
        inspection=inspection,
        area=investigating,
        kind="recommendation",
        reference="Recommendation 1",
        text="Supervise every investigation.",
        public_text="Improve supervision of investigations.",
    )
    f2 = FindingFactory(inspection=inspection, area=preventing, reference="AFI 2")
    FindingFactory(
        inspection=inspection,
        area=preventing,
        kind="recommendation",
        reference="Recommendation 2",
        no_action_reason="Covered by the national programme.",
    )
    m0 = MeetingFactory(kind="apm", title="APM December", starts_at=when(2024, 12, 1))
    m1 = MeetingFactory(kind="apm", title="APM February", starts_at=when(2025, 2, 1))
    MeetingFactory(kind="panel", title="Panel March", starts_at=when(2025, 3, 1))
    m2 = MeetingFactory(kind="apm", title="APM April", starts_at=when(2025, 4, 1))
    m2.inspections.add(inspection)

    def create(finding, title, deadline):
        return action_services.action_create(
            by=opcc_officer,
            finding=finding,
            title=title,
            deadline=deadline,
            owner=owner,
            opcc_lead=opcc_officer,
        )

    with at(2025, 1, 6):
        a1 = create(f1, "Supervision audit", datetime.date(2025, 3, 1))
        a2 = create(f1, "Investigation training", datetime.date(2025, 6, 1))
        a3 = create(f2, "Problem-solving plan", datetime.date(2025, 4, 30))
        a4 = create(f2, "Analyst recruitment", datetime.date(2025, 3, 1))
    with at(2025, 1, 10):
        answered_early = QuestionFactory(meeting=m0, text="Old question")
        answered_early.answer, answered_early.answered_at = "Done.", when(2025, 1, 10)
        answered_early.save()
    with at(2025, 1, 20):
        action_services.action_post_update(
            by=owner,
            action=fresh(a1),
            narrative="Audit started.",
            status=Status.IN_PROGRESS,
            rag=Rag.GREEN,
            percent_complete=30,
        )
    with at(2025, 2, 1, 11):
        open_question = QuestionFactory(
            meeting=m1,
            text="Will 999 times be reported?",
            owner=owner,
            owner_role_title="ACC Crime",
            due_on=datetime.date(2025, 3, 1),
        )
        answered = QuestionFactory(meeting=m1, text="Is the plan funded?")
    with at(2025, 2, 10):
        action_services.action_change_deadline(
            by=opcc_officer,
            action=fresh(a1),
            deadline=datetime.date(2025, 5, 1),
            reason="Auditor ill.",
        )
    with at(2025, 2, 15):
        action_services.action_block(by=owner, action=fresh(a2), reason="No trainers available.")
    with at(2025, 2, 20):
        action_services.action_propose_closure(
            by=owner, action=fresh(a3), narrative="Plan adopted."
        )
        evidence = evidence_services.evidence_add(
            by=owner, action=fresh(a3), kind="note", title="Adopted plan", note="Signed off."
        )
    with at(2025, 2, 21):
        evidence_services.evidence_assure(by=opcc_officer, evidence=evidence, note="Checked.")
    with at(2025, 2, 22):
        action_services.action_close(
            by=second_opcc_officer, action=fresh(a3), closure_summary="Plan in place."
        )
    with at(2025, 3, 1):
        action_services.action_reopen(
            by=opcc_officer,
            action=fresh(a3),
            reason="Plan not followed.",
            rag=Rag.GREEN,
            percent_complete=100,
        )
    with at(2025, 3, 5):
        a5 = create(f2, "Partnership hub", datetime.date(2025, 9, 1))
    with at(2025, 3, 10):
        action_services.action_change_deadline(
            by=opcc_officer,
            action=fresh(a1),
            deadline=datetime.date(2025, 7, 1),
            reason="Scope grew.",
        )
    with at(2025, 3, 15):
        services.question_edit(
            by=opcc_officer,
            question=answered,
            text=answered.text,
            kind="question",
            owner=None,
            owner_role_title="",
            due_on=None,
            answer="Yes, in the 2025 budget.",
        )
    actions = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5}
    return {
        "meeting": m2,
        "previous": m1,
        "actions": actions,
        "open_question": open_question,
        "answered": answered,
        "inspection": inspection,
    }


def fresh(action):
    """A fresh copy, as a view would load: history records the instance a service is given."""
    return Action.objects.get(pk=action.pk)


@pytest.fixture
def pack(world, opcc_officer):
    """Version 1 of the April meeting's pack, generated on 25 March 2025 (no PDF yet)."""
    with at(2025, 3, 25):
        return services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
