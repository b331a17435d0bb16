"""Demo data: Hertfordshire's PEEL 2015 and 2023-25 inspections, actions in every status, users.

Everything is written through actions.services, so the demo has the same history a real site
would. Loading twice changes nothing: each inspection and user is created only if missing.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from actions import evidence_services, finding_services, services
from actions.inspection_import.parser import parse_report
from actions.models import Action, Force, Grade, Inspection, Rag, Status
from reports import services as report_services
from reports.models import Meeting
from reports.services import meeting_create
from tracker import roles
from tracker.models import User

TEXTS = Path(__file__).resolve().parent / "texts"
FORCE_NAME = "Hertfordshire Constabulary"
PEEL_2023_TITLE = "PEEL 2023-25: An inspection of Hertfordshire Constabulary"
PEEL_2015_TITLE = "PEEL 2015: Police effectiveness – Hertfordshire Constabulary"
# HMICFRS's site: the demo does not guess the report's own address.
PEEL_2023_LINK = "https://hmicfrs.justiceinspectorates.gov.uk/"
# The Panel paper's front matter as Hertfordshire's OPCC published it (settings.PANEL_PAPER
# holds a deployment's own).
HERTFORDSHIRE_PAPER = {
    "office_name": "Office of the Police and Crime Commissioner for Hertfordshire",
    "report_of": "Police & Crime Commissioner",
    "contact_name": "Gavin Miles",
    "contact_role": "Deputy Chief Executive",
    "contact_email": "gavin.miles@herts-pcc.gov.uk",
    "purpose": "To update the Panel on the HMICFRS PEEL 2023-25 inspection of Hertfordshire "
    "Constabulary and on progress against the Constabulary's action plan.",
    "response": "The PCC will use the report as part of his holding to account role. There are "
    "sections of the report which are a concern and where the PCC wants to see improvements "
    "made at pace, and the report also reflects areas of positive performance.",
    "next_steps": "The PCC will continue to scrutinise the action plan at his public "
    "Accountability & Performance Meetings and report progress to the Panel.",
    "recommendation": "The Police & Crime Panel is recommended to note the Commissioner's update "
    "on the HMICFRS inspection and make any observations.",
}
# Meetings after the November APM, each with a published paper, so the papers show a series.
LATER_MEETINGS = [
    (
        "panel",
        "Police & Crime Panel: HMICFRS PEEL 2023-25 update",
        datetime.datetime(2025, 2, 6, 18, 0),
    ),
    (
        "apm",
        "Accountability & Performance Meeting: PEEL action plan, spring",
        datetime.datetime(2025, 5, 15, 10, 0),
    ),
    (
        "panel",
        "Police & Crime Panel: PEEL action plan progress",
        datetime.datetime(2025, 9, 25, 18, 0),
    ),
]

# username, first name, last name, role, role title
DEMO_USERS = [
    ("opcc", "Priya", "Shah", roles.OPCC_STAFF, "Head of Performance and Scrutiny, OPCC"),
    ("assurer", "Dan", "Okafor", roles.OPCC_STAFF, "Performance Officer, OPCC"),
    ("owner", "Tom", "Reid", roles.ACTION_OWNER, "ACC Crime"),
    ("panel", "Margaret", "Hughes", roles.PANEL_MEMBER, "Police & Crime Panel member"),
    ("admin", "Sam", "Patel", roles.ADMINISTRATOR, "Systems administrator"),
]

# Findings drawn from HM Inspector's summary in the PCC's Panel report (area, kind, text).
SUMMARY_FINDINGS = [
    (
        "Recording data about crime",
        "cause_of_concern",
        "The constabulary doesn't record crime accurately enough: HM Inspector has serious "
        "concerns about crime data integrity.",
    ),
    (
        "Recording data about crime",
        "recommendation",
        "The constabulary should seek a peer review of its crime recording practices from a force "
        "graded outstanding for crime recording, before HMICFRS's return visit.",
    ),
    (
        "Recording data about crime",
        "recommendation",
        "The constabulary should make sure that call handlers and officers record crimes at the "
        "first point of contact in line with the national standards.",
    ),
    (
        "Investigating crime",
        "afi",
        "The constabulary should make sure it investigates crime thoroughly, and that victims get "
        "the support they need and the most appropriate outcomes.",
    ),
    (
        "Police powers and public treatment",
        "afi",
        "The constabulary needs to make sure its officers understand and record reasonable "
        "grounds for using force.",
    ),
    (
        "Preventing crime",
        "afi",
        "The constabulary needs to improve its analysis and assessment of problem-solving.",
    ),
    (
        "Responding to the public",
        "afi",
        "The constabulary should answer 999 calls within the timescales set by national call "
        "handling standards.",
    ),
    (
        "Responding to the public",
        "afi",
        "The constabulary should attend non-emergency calls within its set times.",
    ),
    (
        "Leadership and force management",
        "afi",
        "Senior leaders need to get better at communicating with and listening to the workforce, "
        "including clear messaging about the reasons for their strategic decisions.",
    ),
    (
        "Protecting vulnerable people",
        "afi",
        "The constabulary needs to make effective use of its data systems in managing performance "
        "and workloads, particularly in the safeguarding command.",
    ),
]


def load_demo(*, stdout=None):
    """Load the demo (idempotently). Returns the demo users' usernames."""
    with transaction.atomic():
        roles.sync_role_groups()
        users = {username: _demo_user(username, *rest) for username, *rest in DEMO_USERS}
        opcc, owner = users["opcc"], users["owner"]
        force = Force.objects.filter(name=FORCE_NAME).first() or finding_services.force_create(
            by=opcc, name=FORCE_NAME
        )
        if owner.force_id is None:
            owner.force = force
            owner.save(update_fields=["force"])
        if not Inspection.objects.filter(force=force, title=PEEL_2015_TITLE).exists():
            _load_peel_2015(force, opcc, owner)
        if not Inspection.objects.filter(force=force, title=PEEL_2023_TITLE).exists():
            _load_peel_2023(force, opcc, owner)
        _load_meetings(force, opcc, owner)
    return list(users)


def _demo_user(username, first_name, last_name, role, role_title):
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User.objects.create_user(
        username=username,
        password=settings.DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
        role_title=role_title,
        is_staff=role in (roles.OPCC_STAFF, roles.ADMINISTRATOR),
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def _load_findings(inspection, opcc, parsed_findings):
    """Create areas-by-name lookups and findings; returns the findings in order."""
    areas = {area.name: area for area in inspection.graded_areas.all()}
    created = {}
    for position, item in enumerate(parsed_findings, start=1):
        area = areas.get(item["area"]) if item["area"] else None
        if item["area"] and area is None:
            area = finding_services.graded_area_create(
                by=opcc,
                inspection=inspection,
                name=item["area"],
                grade=Grade.UNGRADED,
                position=len(areas) + 1,
            )
            areas[area.name] = area
        created[item["reference"]] = finding_services.finding_create(
            by=opcc,
            inspection=inspection,
            kind=item["kind"],
            reference=item["reference"],
            text=item["text"],
            area=area,
            parent=created.get(item["parent"]) if item["parent"] else None,
            position=position,
        )
    return list(created.values())


def _load_peel_2015(force, opcc, owner):
    parsed = parse_report((TEXTS / "peel-2015-herts-effectiveness.txt").read_text(), FORCE_NAME)
    inspection = finding_services.inspection_create(
        by=opcc, force=force, title=PEEL_2015_TITLE, kind=Inspection.Kind.PEEL
    )
    for position, area in enumerate(parsed.graded_areas, start=1):
        finding_services.graded_area_create(
            by=opcc, inspection=inspection, name=area.name, grade=area.grade, position=position
        )
    findings = _load_findings(inspection, opcc, parsed.as_dict()["findings"])
    # The 2015 plan is long finished: every AFI's action was closed on assured evidence.
    for finding in findings:
        action = services.action_create(
            by=opcc,
            finding=finding,
            title=f"Respond to {finding.reference}",
            description="Force action plan for the 2015 area for improvement.",
            owner=owner,
            owner_role_title="ACC Crime",
            opcc_lead=opcc,
            deadline=datetime.date(2016, 12, 31),
            entering_history=True,
        )
        _progress(
            action, owner, "Action plan delivered and reviewed at the force's board.", at=-3000
        )
        _evidence_note(action, owner, "Board minutes recording completion")
        services.action_propose_closure(by=owner, action=action, narrative="Work complete.")
        services.action_close(
            by=opcc, action=action, closure_summary="Delivered; evidence assured by the OPCC."
        )
    return inspection


def _load_peel_2023(force, opcc, owner):
    text = (TEXTS / "pcc-panel-report-peel-2023-25.txt").read_text()
    parsed = parse_report(text, FORCE_NAME)
    inspection = finding_services.inspection_create(
        by=opcc,
        force=force,
        title=PEEL_2023_TITLE,
        kind=Inspection.Kind.PEEL,
        published_on=datetime.date(2024, 10, 16),
        fieldwork_start=datetime.date(2023, 12, 1),
        fieldwork_end=datetime.date(2024, 6, 30),
        link=PEEL_2023_LINK,
        # The Panel paper's Appendix A is HM Inspector's summary, word for word.
        inspector_summary=text.partition("HM Inspector’s summary\n")[2].strip(),
    )
    for position, area in enumerate(parsed.graded_areas, start=1):
        finding_services.graded_area_create(
            by=opcc, inspection=inspection, name=area.name, grade=area.grade, position=position
        )
    items, counters, last_concern = [], {}, None
    for area, kind, text in SUMMARY_FINDINGS:
        counters[kind] = counters.get(kind, 0) + 1
        label = {"cause_of_concern": "Cause of concern", "recommendation": "Recommendation"}
        reference = f"{label.get(kind, 'Summary')} {counters[kind]}"
        if kind == "cause_of_concern":
            last_concern = reference
        parent = last_concern if kind == "recommendation" else None
        items.append(
            {"kind": kind, "reference": reference, "area": area, "parent": parent, "text": text}
        )
    findings = {f.reference: f for f in _load_findings(inspection, opcc, items)}
    _load_2023_actions(findings, opcc, owner)
    return inspection


def _load_2023_actions(findings, opcc, owner):
    today = timezone.localdate()

    def new_action(reference, title, days, role_title, description=""):
        return services.action_create(
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

    # Proposed, assured and closed: the crime-recording peer review.
    peer = new_action(
        "Recommendation 1",
        "Commission a peer review of crime recording",
        -40,
        "ACC Crime",
        "Peer review by a force graded outstanding for crime recording, before the revisit.",
    )
    _progress(peer, owner, "Peer review force agreed; terms of reference signed.", at=-120)
    _evidence_note(peer, owner, "Peer review report and action log", document=True)
    services.action_propose_closure(by=owner, action=peer, narrative="Peer review completed.")
    services.action_close(
        by=opcc,
        action=peer,
        closure_summary="Peer review delivered; findings in the recording plan.",
    )

    # Overdue and slipped: crime recording training.
    training = new_action(
        "Recommendation 1", "Train call handlers in the crime recording standards", -60, "ACC Crime"
    )
    services.action_change_deadline(
        by=opcc,
        action=training,
        deadline=today - datetime.timedelta(days=20),
        reason="Training provider changed; agreed at the APM.",
        entering_history=True,
    )
    _progress(training, owner, "Two of five cohorts trained.", rag=Rag.AMBER, percent=40, at=-25)

    # In progress, due within 14 days.
    _progress(
        new_action("Summary 1", "Introduce monthly investigation quality reviews", 10, "ACC Crime"),
        owner,
        "Review template agreed; first two districts live.",
        rag=Rag.AMBER,
        percent=60,
        at=-5,
    )

    # Blocked.
    calls = new_action(
        "Summary 4",
        "Answer 999 calls within the national standard",
        90,
        "ACC Local Policing",
    )
    _progress(calls, owner, "Recruitment of 20 call handlers under way.", percent=20, at=-30)
    services.action_block(
        by=owner, action=calls, reason="Recruitment paused pending the budget decision."
    )

    # Not started.
    new_action("Summary 5", "Meet non-emergency attendance times", 120, "ACC Local Policing")

    # Proposed for closure with assured evidence: awaiting the OPCC's decision.
    force_use = new_action(
        "Summary 2", "Audit recording of reasonable grounds for use of force", 30, "ACC Crime"
    )
    _progress(force_use, owner, "Dip-sample of 200 records completed.", percent=80, at=-14)
    _evidence_note(force_use, owner, "Dip-sample results, quarter 2")
    services.action_propose_closure(
        by=owner, action=force_use, narrative="Recording compliance now 94%."
    )

    # Sustaining: assured, watched for three months.
    problem_solving = new_action(
        "Summary 3", "Evaluate problem-solving plans", -10, "ACC Local Policing"
    )
    _progress(problem_solving, owner, "Evaluation framework in use.", percent=90, at=-20)
    _evidence_note(problem_solving, owner, "Evaluation framework and first results")
    services.action_propose_closure(
        by=owner, action=problem_solving, narrative="Framework embedded."
    )
    services.action_sustain(
        by=opcc,
        action=problem_solving,
        until=today + datetime.timedelta(days=90),
        reason="Show the framework is used for a full quarter.",
    )

    # Closed, then reopened.
    listening = new_action(
        "Summary 6", "Run a workforce listening programme", 45, "Deputy Chief Constable"
    )
    _progress(listening, owner, "Staff survey and roadshows complete.", percent=100, at=-60)
    _evidence_note(listening, owner, "Survey results and roadshow notes")
    services.action_propose_closure(by=owner, action=listening, narrative="Programme complete.")
    services.action_close(by=opcc, action=listening, closure_summary="Programme delivered.")
    services.action_reopen(
        by=opcc,
        action=listening,
        reason="Panel asked for evidence that feedback changed decisions.",
        rag=Rag.AMBER,
        percent_complete=80,
    )

    # Stale: in progress, no update for 45 days.
    _progress(
        new_action(
            "Summary 7",
            "Performance dashboard for the safeguarding command",
            75,
            "Ch Supt Public Protection",
        ),
        owner,
        "Dashboard specification agreed.",
        percent=25,
        at=-45,
    )


def _progress(action, owner, narrative, *, rag=Rag.GREEN, percent=50, at=0, public=""):
    services.action_post_update(
        by=owner,
        action=action,
        narrative=narrative,
        public_narrative=public,
        status=Status.IN_PROGRESS,
        rag=rag,
        percent_complete=percent,
        at=timezone.now() + datetime.timedelta(days=at),
    )


def _evidence_note(action, owner, title, *, document=False):
    """Evidence from the owner, assured by another OPCC officer than the one who closes."""
    added = {"kind": "note", "note": f"{title}: summary of results."}
    if document:
        content = ContentFile(f"{title}\n\nDemo evidence file.\n".encode(), name="evidence.txt")
        added = {"kind": "document", "file": content, "content_type": "text/plain"}
    evidence = evidence_services.evidence_add(by=owner, action=action, title=title, **added)
    assurer = User.objects.get(username="assurer")
    evidence_services.evidence_assure(
        by=assurer, evidence=evidence, note="Checked the source data."
    )


def _load_meetings(force, opcc, owner):
    london = timezone.get_current_timezone()
    peel_2023 = Inspection.objects.get(force=force, title=PEEL_2023_TITLE)
    apm_title = "Accountability & Performance Meeting: HMICFRS PEEL 2023-25"
    apm = Meeting.objects.filter(title=apm_title).first() or meeting_create(
        by=opcc,
        kind=Meeting.Kind.APM,
        title=apm_title,
        starts_at=datetime.datetime(2024, 11, 14, 10, 0, tzinfo=london),
        inspections=[peel_2023],
    )
    if not apm.packs.exists():
        _load_published_pack(apm, opcc)
    for kind, title, starts_at in LATER_MEETINGS:
        if Meeting.objects.filter(title=title).exists():
            continue
        # Work moves on between meetings, so each paper's figures differ from the last.
        for action in peel_2023_in_progress(peel_2023)[:2]:
            _progress(
                action,
                owner,
                "Further progress reported to the meeting.",
                rag=action.rag,
                percent=min(95, action.percent_complete + 15),
                # What the live public progress page shows of this update.
                public=f"Work continues; progress was reported to the {title}.",
            )
        meeting = meeting_create(
            by=opcc,
            kind=kind,
            title=title,
            starts_at=starts_at.replace(tzinfo=london),
            inspections=[peel_2023],
        )
        _load_published_pack(meeting, opcc)
    if not Meeting.objects.upcoming().exists():
        next_date = timezone.localdate() + datetime.timedelta(days=21)
        meeting_create(
            by=opcc,
            kind=Meeting.Kind.APM,
            title="Accountability & Performance Meeting: PEEL action plan progress",
            starts_at=datetime.datetime.combine(next_date, datetime.time(10, 0), tzinfo=london),
            inspections=[peel_2023],
        )


def peel_2023_in_progress(inspection):
    return list(
        Action.objects.filter(finding__inspection=inspection, status=Status.IN_PROGRESS).order_by(
            "pk"
        )
    )


def _load_published_pack(meeting, opcc):
    """One generated pack for the meeting, with Hertfordshire's Panel paper, published for
    everyone to read."""
    pack = report_services.pack_generate(by=opcc, meeting=meeting)
    report_services.pack_save_narratives(
        by=opcc,
        pack=pack,
        paper=HERTFORDSHIRE_PAPER,
        narratives={
            "overall": "HM Inspector graded Recording data about crime inadequate and raised a "
            "cause of concern. The Commissioner asked the Chief Constable for a plan at this "
            "meeting; most actions are under way, one is blocked and one is overdue."
        },
    )
    report_services.pack_publish(by=opcc, pack=pack, public=True)
