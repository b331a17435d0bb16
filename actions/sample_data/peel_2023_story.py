"""The demo's invented story after the APM of 14 November 2024: PEEL 2023-25's action plan,
its updates and evidence, and the meetings that followed, dated in days from the day the demo is
loaded so it always reads as current. It starts 330 days before that day, so it follows the APM
for any day from October 2025 on."""

import datetime

from actions import services
from actions.models import Rag, Status
from actions.sample_data import events
from reports.services import meeting_create

# The invented meetings after the November APM, dated in days from the day the demo is loaded:
# three already held, each with a published paper, so the papers show a series.
LATER_MEETINGS = [
    ("panel", "Police & Crime Panel: HMICFRS PEEL 2023-25 update", -270),
    ("apm", "Accountability & Performance Meeting: PEEL action plan review", -180),
    ("panel", "Police & Crime Panel: PEEL action plan progress", -90),
]
# And the next one, whose pack is a draft.
UPCOMING_MEETING = (
    "apm",
    "Accountability & Performance Meeting: PEEL action plan progress",
    14,
)

# The invented action plan for PEEL 2023-25: key, finding, title, deadline (days from the day
# the demo is loaded), owner's role title, description.
PEEL_2023_PLAN = [
    (
        "peer",
        "Recommendation 1",
        "Commission a peer review of crime recording",
        -40,
        "ACC Crime",
        "Peer review by a force graded outstanding for crime recording, before the revisit.",
    ),
    (
        "training",
        "Recommendation 1",
        "Train call handlers in the crime recording standards",
        -60,
        "ACC Crime",
        "",
    ),
    (
        "quality",
        "Summary 1",
        "Introduce monthly investigation quality reviews",
        10,
        "ACC Crime",
        "",
    ),
    (
        "calls",
        "Summary 4",
        "Answer 999 calls within the national standard",
        90,
        "ACC Local Policing",
        "",
    ),
    (
        "attendance",
        "Summary 5",
        "Meet non-emergency attendance times",
        120,
        "ACC Local Policing",
        "",
    ),
    (
        "force_use",
        "Summary 2",
        "Audit recording of reasonable grounds for use of force",
        30,
        "ACC Crime",
        "",
    ),
    (
        "problem_solving",
        "Summary 3",
        "Evaluate problem-solving plans",
        -10,
        "ACC Local Policing",
        "",
    ),
    (
        "listening",
        "Summary 6",
        "Run a workforce listening programme",
        45,
        "Deputy Chief Constable",
        "",
    ),
    (
        "dashboard",
        "Summary 7",
        "Performance dashboard for the safeguarding command",
        75,
        "Ch Supt Public Protection",
        "",
    ),
]
LATER_OVERALL = (
    "Invented for the demo: progress on the Constabulary's action plan since the last meeting, "
    "with the actions that are overdue, blocked or without a recent update."
)


def peel_2023_story_load(*, inspection, opcc, owner, today, paper):
    """The invented story, told in order: every event is dated in days from `today`, so the demo
    always has actions overdue, due soon, stale and proposed for closure. `paper` is the front
    matter of the meetings' papers."""

    def day(offset, hour=10):
        return events.at(today + datetime.timedelta(days=offset), hour)

    findings = {finding.reference: finding for finding in inspection.findings.all()}
    with events.happened_on(day(-330)):
        meetings = [
            meeting_create(
                by=opcc,
                kind=kind,
                title=title,
                starts_at=day(days, hour=18 if kind == "panel" else 10),
                inspections=[inspection],
            )
            for kind, title, days in [*LATER_MEETINGS, UPCOMING_MEETING]
        ]
        plan = {
            key: services.action_create(
                by=opcc,
                finding=findings[reference],
                title=title,
                description=description,
                owner=owner,
                owner_role_title=role_title,
                opcc_lead=opcc,
                deadline=today + datetime.timedelta(days=days),
                entering_history=days < 0,
            )
            for key, reference, title, days, role_title, description in PEEL_2023_PLAN
        }
    panel_1, apm_2, panel_3, upcoming = meetings

    def reported_to(meeting, days, percent):
        """Updates reported to a held meeting, then its paper, published a week before it."""
        for key in ("training", "quality"):
            events.progress(
                plan[key],
                owner,
                "Further progress reported to the meeting.",
                on=day(days - 10),
                percent=percent,
                # What the live public progress page shows of this update.
                public=f"Work continues; progress was reported to the {meeting.title}.",
            )
        events.pack_prepared(
            meeting,
            opcc,
            on=day(days - events.PAPER_DAYS_BEFORE),
            paper=paper,
            overall=LATER_OVERALL,
        )

    peer, listening, force_use = plan["peer"], plan["listening"], plan["force_use"]
    problem_solving = plan["problem_solving"]
    reported_to(panel_1, LATER_MEETINGS[0][2], 15)
    events.progress(
        peer, owner, "Peer review force agreed; terms of reference signed.", on=day(-200)
    )
    reported_to(apm_2, LATER_MEETINGS[1][2], 30)
    # Closed, then reopened after the Panel's question.
    events.progress(
        listening, owner, "Staff survey and roadshows complete.", percent=100, on=day(-160)
    )
    evidence = events.evidence_submitted(
        listening, owner, "Survey results and roadshow notes", on=day(-150)
    )
    events.evidence_assured(evidence, on=day(-145))
    events.progress(listening, owner, "Programme complete.", status=Status.PROPOSED, on=day(-140))
    events.closed(listening, opcc, "Programme delivered.", on=day(-130))
    events.progress(
        plan["calls"], owner, "Recruitment of 20 call handlers under way.", percent=20, on=day(-120)
    )
    reported_to(panel_3, LATER_MEETINGS[2][2], 45)
    with events.happened_on(day(-85)):
        services.action_reopen(
            by=opcc,
            action=listening,
            reason="Panel asked for evidence that feedback changed decisions.",
            rag=Rag.AMBER,
            percent_complete=80,
        )
    # Slipped, and overdue even so.
    with events.happened_on(day(-75)):
        services.action_change_deadline(
            by=opcc,
            action=plan["training"],
            deadline=today - datetime.timedelta(days=20),
            reason="Training provider changed; new date agreed.",
            entering_history=True,
        )
    events.progress(force_use, owner, "Dip-sample of 200 records started.", on=day(-60))
    # Proposed, assured and closed before its deadline.
    evidence = events.evidence_submitted(
        peer, owner, "Peer review report and action log", on=day(-60), document=True
    )
    events.evidence_assured(evidence, on=day(-55))
    events.progress(peer, owner, "Peer review completed.", status=Status.PROPOSED, on=day(-50))
    events.closed(peer, opcc, "Peer review delivered; findings in the recording plan.", on=day(-45))
    # No update since: stale.
    events.progress(
        plan["dashboard"], owner, "Dashboard specification agreed.", percent=25, on=day(-45)
    )
    events.progress(problem_solving, owner, "Evaluation framework in use.", percent=90, on=day(-40))
    events.progress(
        plan["calls"],
        owner,
        "Recruitment paused pending the budget decision.",
        status=Status.BLOCKED,
        rag=Rag.RED,
        percent=20,
        on=day(-35),
    )
    # Sustaining: assured, watched until after today.
    evidence = events.evidence_submitted(
        problem_solving, owner, "Evaluation framework and first results", on=day(-30)
    )
    events.evidence_assured(evidence, on=day(-27))
    events.progress(
        problem_solving, owner, "Framework embedded.", status=Status.PROPOSED, on=day(-25)
    )
    events.progress(
        plan["training"],
        owner,
        "Three of five cohorts trained.",
        rag=Rag.AMBER,
        percent=60,
        on=day(-25),
    )
    with events.happened_on(day(-20)):
        services.action_sustain(
            by=opcc,
            action=problem_solving,
            until=today + datetime.timedelta(days=70),
            reason="Show the framework is used for a full quarter.",
        )
    # Proposed for closure on assured evidence: awaiting the OPCC's decision.
    events.progress(
        force_use, owner, "Dip-sample of 200 records completed.", percent=80, on=day(-14)
    )
    evidence = events.evidence_submitted(force_use, owner, "Dip-sample results", on=day(-12))
    events.evidence_assured(evidence, on=day(-8))
    # Due within 14 days.
    events.progress(
        plan["quality"],
        owner,
        "Review template agreed; first two districts live.",
        rag=Rag.AMBER,
        percent=60,
        on=day(-5),
    )
    events.progress(
        force_use, owner, "Recording compliance now 94%.", status=Status.PROPOSED, on=day(-3)
    )
    # The next meeting's pack, a draft ahead of its paper date.
    events.pack_prepared(
        upcoming, opcc, on=day(-1), paper=paper, overall=LATER_OVERALL, publish=False
    )
