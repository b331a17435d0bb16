"""A realistic national data set built with bulk inserts that still write history rows.

Used by `manage.py generate_dataset` (the national-scale data the benchmark measures) and by the
benchmark commands that build throwaway data. Every row goes in through
simple_history's bulk_create_with_history, and each action's later changes (progress updates,
deadline moves, closure) get their own dated history rows, as the services would have written.
"""

import contextlib
import copy
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actions.models import (
    Action,
    Evidence,
    Finding,
    FindingKind,
    Force,
    Grade,
    GradedArea,
    Inspection,
    InspectionKind,
    Rag,
    Status,
    Update,
)
from actions.sample_data.dataset_offices import (  # noqa: F401 (generate_dataset's names)
    COLLABORATION,
    collaboration_of,
    office_name,
    offices_for,
    share_collaboration,
)
from actions.sample_data.words import (
    FORCE_NAMES,
    GRADE_WEIGHTS,
    OLD_AFTER,
    OLD_STATUS_WEIGHTS,
    PEEL_AREAS,
    ROLE_TITLES,
    STATUS_WEIGHTS,
    SUBJECTS,
    THEMES,
    UNGRADED_KINDS,
    VERBS,
)
from reports.models import Meeting
from tracker import roles
from tracker.models import User

BATCH = 5000
DAY = datetime.timedelta(days=1)


@dataclass
class People:
    owners: dict = field(default_factory=dict)  # force id -> [User]
    staff: dict = field(default_factory=dict)  # office id -> [User]


@dataclass
class Counts:
    actions: int = 0
    history: int = 0
    statuses: dict = field(default_factory=dict)


def forces_named(names):
    """The forces with these names, creating (with history) those that do not exist yet, each
    in an office of its own."""
    existing = {force.name: force for force in Force.objects.filter(name__in=names)}
    absent = [name for name in names if name not in existing]
    offices = offices_for(absent)
    missing = [Force(name=name, office=offices[name]) for name in absent]
    bulk_create_with_history(missing, Force, default_change_reason="Generated data set")
    existing.update({force.name: force for force in missing})
    return [existing[name] for name in names]


def force_names(count):
    """The real force names first, then numbered ones if more are asked for."""
    names = FORCE_NAMES[:count]
    return names + [f"Force {n} Constabulary" for n in range(len(names) + 1, count + 1)]


def people(*, forces, owners_per_force, staff, prefix):
    """Action owners in each force and OPCC staff (`staff` in all, shared out so that every
    office has at least one), with their role groups, in a few queries."""
    unusable = make_password(None)
    owners = [
        User(
            username=f"{prefix}owner-{force.pk}-{n}",
            email=f"{prefix}owner-{force.pk}-{n}@example.org",
            first_name=f"Owner {n}",
            last_name=force.name.split()[0],
            force=force,
            office_id=force.office_id,
            role_title=ROLE_TITLES[n % len(ROLE_TITLES)],
            password=unusable,
        )
        for force in forces
        for n in range(owners_per_force)
    ]
    office_ids = list(dict.fromkeys(force.office_id for force in forces))
    leads = [
        User(
            username=f"{prefix}opcc-{n}",
            email=f"{prefix}opcc-{n}@example.org",
            first_name="OPCC",
            last_name=f"Officer {n}",
            office_id=office_ids[n % len(office_ids)],
            password=unusable,
        )
        for n in range(max(staff, len(office_ids)))
    ]
    bulk_create_with_history(
        owners + leads, User, batch_size=BATCH, default_change_reason="Generated data set"
    )
    roles.sync_role_groups()
    member = User.groups.through
    groups = dict(Group.objects.values_list("name", "pk"))
    member.objects.bulk_create(
        [member(user_id=u.pk, group_id=groups[roles.ACTION_OWNER]) for u in owners]
        + [member(user_id=u.pk, group_id=groups[roles.OPCC_STAFF]) for u in leads],
        batch_size=BATCH,
    )
    result = People()
    for owner in owners:
        result.owners.setdefault(owner.force_id, []).append(owner)
    for lead in leads:
        result.staff.setdefault(lead.office_id, []).append(lead)
    return result


@contextlib.contextmanager
def given_created_at():
    """Let bulk inserts keep the created_at they are given (auto_now_add would make it now)."""
    created_at = Action._meta.get_field("created_at")
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = True


def _at(day, rng):
    """An aware datetime on `day`, in office hours."""
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _snapshot(action, when, user, reason, **fields):
    """A history row for the action as it stood at `when` (the services' audited_save writes
    the same)."""
    state = copy.copy(action)
    for name, value in fields.items():
        setattr(state, name, value)
    state._history_date = when
    state._history_user = user
    state._change_reason = reason
    return state


class ForceBuilder:
    """Builds one force's inspections, graded areas, findings and actions with their updates,
    evidence and history, in a few bulk inserts per table."""

    def __init__(self, *, force, owners, staff, rng, today, tag=""):
        self.force, self.owners, self.staff = force, owners, staff
        self.rng, self.today, self.tag = rng, today, tag
        self.now = timezone.now()
        self.history = 0

    def _create(self, objects, model, **kwargs):
        created = bulk_create_with_history(objects, model, batch_size=BATCH, **kwargs)
        self.history += len(objects)
        return created

    def build(self, action_count, *, long_history=0):
        """`action_count` actions spread over as many inspections as that takes.

        `long_history` gives the force's first action that many extra progress updates, so there
        is always an action with a long history to measure.
        """
        inspections, plan = self._inspections(action_count)
        self._create(inspections, Inspection, default_change_reason="Generated data set")
        areas = self._areas(inspections)
        findings = self._findings(inspections, areas, plan)
        actions = self._actions(findings, plan)
        updates, evidence = self._progress(actions, long_history=long_history)
        with given_created_at():
            self.history += insert_with_timeline(Action, actions)
        self._create(updates, Update)
        self.history += insert_with_timeline(Evidence, evidence)
        return inspections, actions

    def _inspections(self, action_count):
        """Inspections (newest first) and, per inspection, how many actions each finding has."""
        rng, inspections, plan, remaining = self.rng, [], [], action_count
        published = self.today - datetime.timedelta(days=rng.randint(20, 60))
        while remaining > 0:
            kind = InspectionKind.PEEL if len(inspections) % 3 == 0 else rng.choice(UNGRADED_KINDS)
            findings = []
            for _ in range(rng.randint(10, 40)):
                if remaining <= 0:
                    break
                per_finding = min(remaining, rng.choice([1, 1, 2, 2, 2, 3]))
                findings.append(per_finding)
                remaining -= per_finding
            topic = "PEEL" if kind == InspectionKind.PEEL else rng.choice(THEMES).capitalize()
            inspections.append(
                Inspection(
                    force=self.force,
                    title=f"{topic} inspection {published:%B %Y}{self.tag} ({len(inspections)})",
                    kind=kind,
                    published_on=published,
                    fieldwork_start=published - datetime.timedelta(days=180),
                    fieldwork_end=published - datetime.timedelta(days=60),
                    response_published_on=published + datetime.timedelta(days=rng.randint(30, 70)),
                    link="https://hmicfrs.justiceinspectorates.gov.uk/",
                )
            )
            plan.append(findings)
            published -= datetime.timedelta(days=rng.randint(30, 120))
        return inspections, plan

    def _areas(self, inspections):
        grades, weights = list(GRADE_WEIGHTS), list(GRADE_WEIGHTS.values())
        areas = {}
        rows = []
        for inspection in inspections:
            if inspection.kind == InspectionKind.PEEL:
                names = PEEL_AREAS
                chosen = self.rng.choices(grades, weights, k=len(names))
            else:
                names = [f"{inspection.title.split(' inspection')[0]}: findings"]
                chosen = [Grade.UNGRADED]
            areas[inspection.pk] = [
                GradedArea(inspection=inspection, name=name, grade=grade, position=n)
                for n, (name, grade) in enumerate(zip(names, chosen, strict=True))
            ]
            rows += areas[inspection.pk]
        self._create(rows, GradedArea, default_change_reason="Generated data set")
        return areas

    def _findings(self, inspections, areas, plan):
        rng, rows = self.rng, []
        for inspection, per_finding in zip(inspections, plan, strict=True):
            for n, _ in enumerate(per_finding):
                kind = (
                    FindingKind.CAUSE_OF_CONCERN
                    if n < 2
                    else FindingKind.RECOMMENDATION
                    if n < 6
                    else FindingKind.AFI
                )
                subject = rng.choice(SUBJECTS)
                prefix = {"cause_of_concern": "CoC", "recommendation": "Rec"}.get(kind, "AFI")
                rows.append(
                    Finding(
                        inspection=inspection,
                        area=rng.choice(areas[inspection.pk]),
                        kind=kind,
                        reference=f"{prefix} {n + 1}",
                        text=f"The force should improve {subject} in {rng.choice(THEMES)} cases.",
                        position=n,
                    )
                )
        self._create(rows, Finding, default_change_reason="Generated data set")
        return rows

    def _actions(self, findings, plan):
        rng, today, actions = self.rng, self.today, []
        statuses, recent = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        old = [OLD_STATUS_WEIGHTS[status] for status in statuses]
        per_finding = [count for counts in plan for count in counts]
        for finding, count in zip(findings, per_finding, strict=True):
            published = finding.inspection.published_on
            weights = old if today - published > OLD_AFTER else recent
            for n in range(count):
                status = rng.choices(statuses, weights)[0]
                created = min(published + datetime.timedelta(days=rng.randint(7, 60)), today)
                original = created + datetime.timedelta(days=rng.randint(60, 540))
                # A fifth of actions have had their deadline moved later.
                slipped = rng.random() < 0.2
                deadline = original + datetime.timedelta(days=90) if slipped else original
                done = status in (Status.CLOSED, Status.SUSTAINING)
                percent = {
                    Status.NOT_STARTED: 0,
                    Status.PROPOSED: 100,
                    Status.CLOSED: 100,
                    Status.SUSTAINING: 100,
                }.get(status, rng.randrange(10, 90, 10))
                owner = rng.choice(self.owners)
                action = Action(
                    finding=finding,
                    title=f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} ({finding.reference}"
                    f"{'' if count == 1 else chr(97 + n)})",
                    description=f"Owner's plan: {rng.choice(SUBJECTS)} and "
                    f"{rng.choice(SUBJECTS)}, reported to the force's "
                    f"{rng.choice(THEMES)} board.",
                    owner=owner,
                    owner_role_title=owner.role_title,
                    delegate=rng.choice(self.owners) if rng.random() < 0.1 else None,
                    opcc_lead=rng.choice(self.staff),
                    deadline=deadline,
                    original_deadline=original,
                    status=status,
                    rag=Rag.GREEN
                    if done
                    else rng.choice([Rag.GREEN] * 5 + [Rag.AMBER] * 3 + [Rag.RED] * 2),
                    percent_complete=percent,
                    closure_summary="Evidence assured; change embedded." if done else "",
                    sustain_until=today + datetime.timedelta(days=90)
                    if status == Status.SUSTAINING
                    else None,
                    created_at=min(_at(created, rng), self.now),
                )
                actions.append(action)
        return actions

    def _progress(self, actions, *, long_history):
        """Each action's updates and evidence, and its timeline: the history rows its creation,
        progress updates, deadline move and closure wrote (the action holds its final state)."""
        rng, now = self.rng, self.now
        updates, evidence = [], []
        final_status = {Status.CLOSED: Status.PROPOSED, Status.SUSTAINING: Status.PROPOSED}
        for index, action in enumerate(actions):
            lead, owner = action.opcc_lead, action.owner
            count = {
                Status.NOT_STARTED: 0,
                Status.IN_PROGRESS: rng.randint(1, 5),
                Status.BLOCKED: rng.randint(1, 4),
                Status.REOPENED: rng.randint(3, 7),
            }.get(action.status, rng.randint(2, 6))
            count += long_history if index == 0 else 0
            span = max((now - action.created_at).total_seconds(), 60)
            dates = sorted(
                action.created_at + datetime.timedelta(seconds=rng.uniform(30, span))
                for _ in range(count)
            )
            initial = {
                "status": Status.NOT_STARTED,
                "rag": Rag.GREEN,
                "percent_complete": 0,
                "deadline": action.original_deadline,
                "closure_summary": "",
                "sustain_until": None,
                "last_update_at": None,
            }
            action.timeline = [(action.created_at, lead, "Created", initial)]
            state = dict(initial)
            for n, when in enumerate(dates):
                last = n == count - 1
                state = {
                    **state,
                    "status": final_status.get(action.status, action.status)
                    if last
                    else Status.IN_PROGRESS,
                    "percent_complete": action.percent_complete if last else (n + 1) * 80 // count,
                    "rag": action.rag if last else rng.choice([Rag.GREEN, Rag.AMBER]),
                    "last_update_at": when,
                }
                updates.append(
                    Update(
                        action=action,
                        author=owner,
                        narrative=f"Progress on {rng.choice(SUBJECTS)}: "
                        f"{rng.choice(VERBS).lower()} completed in "
                        f"{rng.choice(['two', 'three', 'four'])} districts.",
                        status=state["status"],
                        rag=state["rag"],
                        percent_complete=state["percent_complete"],
                        created_at=when,
                    )
                )
                updates[-1]._history_date, updates[-1]._history_user = when, owner
                action.timeline.append((when, owner, "Progress update", state))
                if n == 0 and action.deadline != action.original_deadline:
                    state = {**state, "deadline": action.deadline}
                    action.timeline.append(
                        (
                            when + DAY,
                            lead,
                            "Deadline moved: more time for a force-wide rollout",
                            state,
                        )
                    )
            action.last_update_at = dates[-1] if dates else None
            if action.status in (Status.PROPOSED, Status.CLOSED, Status.SUSTAINING):
                action.proposed_by = owner
                submitted = dates[-1] if dates else action.created_at
                for n in range(rng.randint(1, 3)):
                    item = Evidence(
                        action=action,
                        kind=Evidence.Kind.LINK if n % 2 else Evidence.Kind.NOTE,
                        title=f"Dip sample of {rng.choice(SUBJECTS)}",
                        note=""
                        if n % 2
                        else f"{rng.randint(50, 400)} records checked; "
                        f"{rng.randint(80, 99)}% compliant.",
                        url="https://intranet.example.org/report" if n % 2 else "",
                        submitted_by=owner,
                        submitted_at=submitted,
                    )
                    item.timeline = [(submitted, owner, "Evidence added", {})]
                    if n == 0 and action.status != Status.PROPOSED:
                        item.assured_by, item.assured_at = lead, min(submitted + DAY, now)
                        item.assurance_note = "Checked against the force's data."
                        item.timeline[0][3].update(
                            assured_by=None, assured_at=None, assurance_note=""
                        )
                        item.timeline.append((item.assured_at, lead, "Evidence assured", {}))
                    evidence.append(item)
            elif action.status != Status.NOT_STARTED and rng.random() < 0.4:
                when = dates[-1] if dates else action.created_at
                item = Evidence(
                    action=action,
                    kind=Evidence.Kind.NOTE,
                    title="Interim performance data",
                    note="Monthly figures attached to the board paper.",
                    submitted_by=owner,
                    submitted_at=when,
                )
                item.timeline = [(when, owner, "Evidence added", {})]
                evidence.append(item)
            if action.status in (Status.CLOSED, Status.SUSTAINING):
                closed_at = min((dates[-1] if dates else action.created_at) + 2 * DAY, now)
                if action.status == Status.CLOSED:
                    action.closed_by, action.closed_at = lead, closed_at
                final = {
                    name: getattr(action, name)
                    for name in ("status", "rag", "percent_complete", "closure_summary")
                }
                action.timeline.append(
                    (closed_at, lead, "Closure: evidence assured", {**state, **final})
                )
        return updates, evidence


@contextlib.contextmanager
def _history_off():
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def insert_with_timeline(model, objects):
    """Insert `objects` in their final state, then every history row of their `timeline`
    (when, who, why, field values then): the first row is the creation ("+"), the rest changes
    ("~"). Returns the number of history rows written. Nothing is stored without its history:
    the rows are inserted with bulk_create_with_history, whose own single "+" row per object is
    replaced by the dated timeline."""
    with _history_off():
        bulk_create_with_history(objects, model, batch_size=BATCH)
    created, changed = [], []
    for obj in objects:
        for n, (when, user, reason, fields) in enumerate(obj.timeline):
            (changed if n else created).append(_snapshot(obj, when, user, reason, **fields))
    model.history.bulk_history_create(created, batch_size=BATCH)
    model.history.bulk_history_create(changed, batch_size=BATCH, update=True)
    return len(created) + len(changed)


def agenda_meeting(*, force, inspections, actions, starts_at, size=200):
    """An APM on the force's latest inspections, holding about `size` of their actions."""
    per_inspection = {}
    for action in actions:
        key = action.finding.inspection_id
        per_inspection[key] = per_inspection.get(key, 0) + 1
    agenda, total = [], 0
    for inspection in inspections:  # newest first
        if total >= size:
            break
        agenda.append(inspection)
        total += per_inspection.get(inspection.pk, 0)
    (meeting,) = bulk_create_with_history(
        [
            Meeting(
                office_id=force.office_id,
                title=f"Accountability & Performance Meeting: {force.name}",
                starts_at=starts_at,
            )
        ],
        Meeting,
        default_change_reason="Generated data set",
    )
    meeting.inspections.add(*agenda)
    return meeting
