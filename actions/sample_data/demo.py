"""Demo data: Hertfordshire's PEEL 2015 and 2023-25 inspections, actions in every status, users;
and an invented second force whose two PEEL rounds show travel across renamed areas, with an
invented IOPC recommendation and coroner's report and their response clocks.

Everything is written through the services, so the demo has the same history a real site would,
dated when each event happened (actions/sample_data/events.py): real events on their real dates,
the invented story in days from the day the demo is loaded. Loading twice changes nothing: each
inspection and user is created only if missing.
"""

import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from actions import finding_services, services
from actions.inspection_import.parser import parse_report
from actions.inspection_import.source import report_hash
from actions.models import Force, Grade, Inspection, Status
from actions.sample_data import (
    collaboration,
    events,
    exampleshire,
    other_sources,
    peel_2023_story,
)
from reports.models import Meeting
from reports.services import meeting_create
from tracker import roles
from tracker.models import Office

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
# The same front matter on the papers the demo invents for later meetings: the real office's
# name, but an invented contact officer, since the real one wrote none of them.
DEMO_PAPER = {
    **HERTFORDSHIRE_PAPER,
    "contact_name": "Demo Officer (invented)",
    "contact_role": "Head of Performance and Scrutiny (invented)",
    "contact_email": "opcc@example.org",
}
# Real events keep their real dates (the sources: the PCC's Panel report and the news report).
PEEL_2023_PUBLISHED = datetime.date(2024, 10, 16)
APM_TITLE = "Accountability & Performance Meeting: HMICFRS PEEL 2023-25"
APM_STARTS = datetime.datetime(2024, 11, 14, 10, 0)
# No text in the demo's sources dates PEEL 2015's publication: it stays unknown. The invented
# record of its (long finished) action plan is dated in 2016, after the report was out.
PEEL_2015_PLAN = {
    "recorded": datetime.date(2016, 6, 1),
    "update": datetime.date(2016, 9, 30),
    "evidence": datetime.date(2016, 11, 14),
    "assured": datetime.date(2016, 11, 21),
    "proposed": datetime.date(2016, 11, 28),
    "closed": datetime.date(2016, 12, 12),
}
APM_OVERALL = (
    "HM Inspector graded Recording data about crime inadequate and raised a cause of concern. "
    "The report and the Constabulary's response are this meeting's single agenda item."
)

# username, first name, last name, role, role title: obviously invented people.
DEMO_USERS = [
    ("opcc", "Demo", "Officer (invented)", roles.OPCC_STAFF, "Head of Performance, OPCC"),
    ("assurer", "Demo", "Assurer (invented)", roles.OPCC_STAFF, "Performance Officer, OPCC"),
    ("owner", "Demo", "Owner (invented)", roles.ACTION_OWNER, "ACC Crime"),
    ("panel", "Demo", "Panellist (invented)", roles.PANEL_MEMBER, "Police & Crime Panel member"),
    ("admin", "Demo", "Administrator (invented)", roles.ADMINISTRATOR, "Systems administrator"),
    ("national", "Demo", "National reader (invented)", roles.NATIONAL_READER, "HMICFRS liaison"),
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
    """Load the demo (idempotently), its invented story dated from today. Returns the demo
    users' usernames."""
    today = timezone.localdate()
    with transaction.atomic():
        roles.sync_role_groups()
        with events.happened_on(events.at(PEEL_2015_PLAN["recorded"], hour=9)):
            office = _demo_office()
            users = {
                username: events.demo_user(username, *rest, office=office)
                for username, *rest in DEMO_USERS
            }
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
            peel_2023 = _load_peel_2023(force, opcc)
            peel_2023_story.peel_2023_story_load(
                inspection=peel_2023, opcc=opcc, owner=owner, today=today, paper=DEMO_PAPER
            )
        # The invented force is overseen by an invented second office, whose officer loads it.
        _, example_users = collaboration.example_office_load(
            force_name=exampleshire.FORCE_NAME, today=today
        )
        example_opcc = example_users["opcc-example"]
        invented = exampleshire.exampleshire_load(opcc=example_opcc)
        example_owner = example_users["owner-example"]
        if example_owner.force_id is None:
            with events.happened_on(events.at(exampleshire.PEEL_2021_PUBLISHED, hour=13)):
                example_owner.force = invented
                example_owner.save(update_fields=["force"])
        other_sources.other_sources_load(force=invented, opcc=example_opcc, today=today)
        peel_2023 = Inspection.objects.get(force=force, title=PEEL_2023_TITLE)
        collaboration.collaboration_load(
            inspection=peel_2023, partner=invented, opcc=opcc, today=today
        )
    return [*users, *example_users]


def _demo_office():
    """Hertfordshire's office as it publishes itself, with the demo's invented contact officer.
    A deployment's only office (made before the demo, by the migration or an import) becomes it."""
    office = Office.objects.filter(name=HERTFORDSHIRE_PAPER["office_name"]).first()
    if office is not None:
        return office
    office = Office.objects.filter(pk=Office.objects.sole_id(create=False)).first()
    office = office or Office(slug="hertfordshire")
    office.name = HERTFORDSHIRE_PAPER["office_name"]
    office.panel_name = "Hertfordshire Police and Crime Panel"
    office.report_of = DEMO_PAPER["report_of"]
    office.contact_name = DEMO_PAPER["contact_name"]
    office.contact_role = DEMO_PAPER["contact_role"]
    office.contact_email = DEMO_PAPER["contact_email"]
    office._change_reason = "Demo office"
    office.save()
    return office


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
    plan = {event: events.at(day) for event, day in PEEL_2015_PLAN.items()}
    text = (TEXTS / "peel-2015-herts-effectiveness.txt").read_text()
    parsed = parse_report(text, FORCE_NAME)
    with events.happened_on(plan["recorded"]):
        # The text's hash, as an import records it: the same text is not imported again.
        inspection = finding_services.inspection_create(
            by=opcc,
            force=force,
            title=PEEL_2015_TITLE,
            kind=Inspection.Kind.PEEL,
            source_sha256=report_hash(text),
        )
        for position, area in enumerate(parsed.graded_areas, start=1):
            finding_services.graded_area_create(
                by=opcc, inspection=inspection, name=area.name, grade=area.grade, position=position
            )
        findings = _load_findings(inspection, opcc, parsed.as_dict()["findings"])
        actions = [
            services.action_create(
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
            for finding in findings
        ]
    # The 2015 plan is long finished: every AFI's action was closed on assured evidence.
    for action in actions:
        events.progress(
            action,
            owner,
            "Action plan delivered and reviewed at the force's board.",
            on=plan["update"],
        )
        evidence = events.evidence_submitted(
            action, owner, "Board minutes recording completion", on=plan["evidence"]
        )
        events.evidence_assured(evidence, on=plan["assured"])
        events.progress(
            action, owner, "Work complete.", status=Status.PROPOSED, on=plan["proposed"]
        )
        events.closed(action, opcc, "Delivered; evidence assured by the OPCC.", on=plan["closed"])
    return inspection


def _load_peel_2023(force, opcc):
    """The inspection as published, and the APM that took it, on their real dates."""
    text = (TEXTS / "pcc-panel-report-peel-2023-25.txt").read_text()
    parsed = parse_report(text, FORCE_NAME)
    with events.happened_on(events.at(PEEL_2023_PUBLISHED, hour=12)):
        inspection = finding_services.inspection_create(
            by=opcc,
            force=force,
            title=PEEL_2023_TITLE,
            kind=Inspection.Kind.PEEL,
            published_on=PEEL_2023_PUBLISHED,
            fieldwork_start=datetime.date(2023, 12, 1),
            fieldwork_end=datetime.date(2024, 6, 30),
            link=PEEL_2023_LINK,
            source_sha256=report_hash(text),
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
        _load_findings(inspection, opcc, items)
        # The Panel paper says the report is the APM's single agenda item.
        apm = meeting_create(
            by=opcc,
            kind=Meeting.Kind.APM,
            title=APM_TITLE,
            starts_at=timezone.make_aware(APM_STARTS),
            inspections=[inspection],
        )
    # The demo's pack for it, a week ahead, with the front matter of the PCC's Panel report.
    events.pack_prepared(
        apm,
        opcc,
        on=events.at(APM_STARTS.date() - datetime.timedelta(days=events.PAPER_DAYS_BEFORE)),
        paper=HERTFORDSHIRE_PAPER,
        overall=APM_OVERALL,
    )
    return inspection
