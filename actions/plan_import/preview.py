"""The preview (what each row of the file would do) and applying it through the services."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower

from actions import finding_services, services
from actions.models import Action, Finding, Inspection, Rag, Status, Update
from actions.plan_import.columns import (
    BLUE,
    FIELD_LABELS,
    FIELDS,
    ambiguous_inspection,
    clean_text,
    finding_kind,
    inspection_matches,
    key_text,
    parse_date,
    parse_percent,
    parse_rag,
    parse_status,
    visible,
)
from tracker import roles
from tracker.models import User

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass
class RowPlan:
    number: int
    values: list  # the row's cells as text, in the file's column order
    cells: dict  # field -> the cell as text
    outcome: str = ""
    errors: list = field(default_factory=list)  # (column heading, message)
    changes: list = field(default_factory=list)  # what an update will change, in words
    inspection: Inspection | None = None
    finding: Finding | None = None
    finding_text: str = ""  # for a new finding, or a changed text of an existing one
    action: Action | None = None
    parsed: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)  # field -> the file's heading for it
    # For an update: the service calls the preview decided, which applying only carries out.
    steps: dict = field(default_factory=dict)

    def error(self, name, message):
        """A problem, named by the file's heading for the column (the field's name if none)."""
        self.errors.append((self.labels.get(name) or FIELD_LABELS.get(name, name), message))


@dataclass
class Plan:
    file_name: str
    headings: list
    rows: list

    def of(self, outcome):
        return [row for row in self.rows if row.outcome == outcome]

    def counts(self):
        return {
            o: sum(r.outcome == o for r in self.rows) for o in (CREATE, UPDATE, UNCHANGED, ERROR)
        }


def action_id(text):
    """The number in an Action ID cell, or None (a database id has at most 18 digits)."""
    return int(text) if text.isdigit() and len(text) <= 18 else None


class _Lookups:
    """Everything the rows refer to, read in a fixed number of queries however long the file."""

    def __init__(self, cell_rows, *, default_inspection, user=None):
        titles = {key_text(c.get("inspection")) for c in cell_rows} - {""}
        ids = {action_id(c["action_id"]) for c in cell_rows} - {None}
        people = {key_text(c.get(k)) for c in cell_rows for k in ("owner", "opcc_lead")} - {""}

        # Every inspection the user sees when the file names any, so a short name finds one.
        known = visible(Inspection.objects, user).select_related("force")
        if not titles:
            known = known.filter(pk=getattr(default_inspection, "pk", None))
        known = list(known)
        self.inspections = {title: inspection_matches(title, known) for title in titles}
        self.default_inspection = default_inspection and next(
            (i for i in known if i.pk == default_inspection.pk), None
        )
        inspection_ids = {i.pk for group in self.inspections.values() for i in group}
        if self.default_inspection:
            inspection_ids.add(self.default_inspection.pk)
        self.findings = {
            (f.inspection_id, key_text(f.reference)): f
            for f in Finding.objects.filter(inspection_id__in=inspection_ids)
        }
        latest = Update.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
        actions = (
            visible(Action.objects, user)
            .filter(Q(finding__inspection_id__in=inspection_ids) | Q(pk__in=ids))
            .select_related("finding__inspection__force", "owner", "opcc_lead", "delegate")
            .annotate(latest_narrative=Subquery(latest.values("narrative")[:1]))
        )
        self.actions_by_id, self.actions = {}, {}
        for action in actions:
            self.actions_by_id[action.pk] = action
            key = (action.finding_id, key_text(action.title))
            self.actions.setdefault(key, []).append(action)
        self.people = {}
        for person in (
            User.objects.filter(is_active=True)
            .annotate(u=Lower("username"), e=Lower("email"))
            .filter(Q(u__in=people) | Q(e__in=people))
            .prefetch_related("groups")
        ):
            # Roles read once here, not one query per person (tracker.roles caches this).
            person._role_names = frozenset(g.name for g in person.groups.all())
            for key in (person.username.casefold(), person.email.casefold()):
                if key:
                    self.people[key] = person


class Planner:
    def __init__(self, sheet, mapping, *, default_inspection=None, user=None):
        self.sheet = sheet
        self.mapping = mapping
        self.default_inspection = default_inspection
        self.user = user

    def rows(self):
        labels = {
            name: self.sheet.headings[i]
            for i, name in self.mapping.items()
            if i < len(self.sheet.headings)
        }
        for number, values in self.sheet.rows:
            texts = [clean_text(v) for v in values]
            if not any(texts):
                continue  # blank lines
            cells = dict.fromkeys(FIELDS, "")
            cells.update(
                {
                    name: clean_text(values[i]) if i < len(values) else ""
                    for i, name in self.mapping.items()
                }
            )
            raw = {name: values[i] if i < len(values) else None for i, name in self.mapping.items()}
            if not any(cells.values()):
                continue
            yield RowPlan(
                number=number, values=texts, cells=cells, parsed={"raw": raw}, labels=labels
            )

    def plan(self):
        rows = list(self.rows())
        cells = [r.cells for r in rows]
        self.lookups = _Lookups(cells, default_inspection=self.default_inspection, user=self.user)
        self.seen, self.finding_texts, self.announced = {}, {}, set()
        for row in rows:
            self.plan_row(row)
            if row.errors:
                row.outcome = ERROR
        return Plan(file_name=self.sheet.name, headings=self.sheet.headings, rows=rows)

    # One row

    def plan_row(self, row):
        """Every problem in the row is reported, not only the first."""
        if row.cells.get("action_id"):
            self.match_by_id(row)
        else:
            self.match_by_names(row)
        self.parse_values(row)
        if row.errors:
            return
        if row.action is None:
            self.plan_create(row)
        else:
            self.plan_update(row)

    def person(self, row, name, *, force=None):
        text = row.cells.get(name, "")
        if not text:
            return None
        person = self.lookups.people.get(text.casefold())
        if person is None:
            what = "owner" if name == "owner" else "OPCC lead"
            row.error(name, f'Unknown {what} "{text}": no active user has that email or username.')
        elif name == "owner" and force and not roles.can_own_in_force(person, force.pk):
            row.error(name, f'"{text}" is not an action owner in {force}.')
        elif name == "opcc_lead" and not roles.is_opcc_staff(person):
            row.error(name, f'"{text}" is not OPCC staff, so cannot be the OPCC lead.')
        elif name == "opcc_lead" and force and not roles.can_lead_in_force(person, force.pk):
            row.error(name, f'"{text}" is not OPCC staff of the office overseeing {force}.')
        return person

    def duplicate(self, row, key, column):
        if key in self.seen:
            row.error(column, f"Duplicate of row {self.seen[key]}: the same action appears twice.")
        else:
            self.seen[key] = row.number

    def match_by_id(self, row):
        text = row.cells["action_id"]
        action = self.lookups.actions_by_id.get(action_id(text))
        if action is None:
            row.error("action_id", f'No action has the ID "{text}".')
            return
        row.action, row.finding, row.inspection = action, action.finding, action.finding.inspection
        self.duplicate(row, ("id", action.pk), "action_id")

    def match_by_names(self, row):
        cells = row.cells
        title = cells.get("inspection", "")
        if title:
            found = self.lookups.inspections.get(key_text(title), [])
            if not found:
                row.error(
                    "inspection", f'Unknown inspection "{title}": add it in the tracker first.'
                )
            elif len(found) > 1:
                row.error("inspection", ambiguous_inspection(title, found))
            else:
                row.inspection = found[0]
        elif self.lookups.default_inspection is not None:
            row.inspection = self.lookups.default_inspection
        else:
            row.error("inspection", "The inspection is blank.")
        reference, action_title = cells.get("finding_reference", ""), cells.get("action_title", "")
        if not reference:
            row.error("finding_reference", "The finding reference is blank.")
        if not action_title:
            row.error("action_title", "The action title is blank.")
        if row.errors:
            return
        finding_key = (row.inspection.pk, reference.casefold())
        row.finding = self.lookups.findings.get(finding_key)
        text = cells.get("finding_text", "")
        if row.finding is None:
            # A new finding takes its text from the first row that gives one.
            row.finding_text = self.finding_texts.setdefault(finding_key, text)
            if not row.finding_text:
                self.finding_texts.pop(finding_key)
                row.error(
                    "finding_text", f'The finding text is needed to add finding "{reference}".'
                )
                return
        elif (
            text
            and key_text(text) != key_text(row.finding.text)
            and finding_key not in self.finding_texts
        ):
            self.finding_texts[finding_key] = text
            row.finding_text = text
        self.duplicate(
            row, (row.inspection.pk, reference.casefold(), action_title.casefold()), "action_title"
        )
        if row.finding is not None:
            matches = self.lookups.actions.get((row.finding.pk, action_title.casefold()), [])
            if len(matches) > 1:
                row.error(
                    "action_title",
                    f"{len(matches)} actions on {reference} have this title: add an Action ID "
                    "column to say which.",
                )
            elif matches:
                row.action = matches[0]

    def parse_values(self, row):
        raw, parsed = row.parsed["raw"], row.parsed
        force = row.inspection.force if row.inspection else None
        parsed["owner"] = self.person(row, "owner", force=force)
        parsed["opcc_lead"] = self.person(row, "opcc_lead", force=force)
        for name, parse in (
            ("deadline", parse_date),
            ("revised_deadline", parse_date),
            ("status", parse_status),
            ("rag", parse_rag),
            ("percent_complete", parse_percent),
        ):
            if row.cells.get(name):
                try:
                    parsed[name] = parse(raw[name])
                except ValueError as error:
                    row.error(name, str(error))
        if "revised_deadline" in parsed:
            parsed["deadline"] = parsed.pop("revised_deadline")
        if parsed.get("rag") == BLUE:
            parsed["rag"] = Rag.GREEN
            status = parsed.setdefault("status", Status.CLOSED)
            if status != Status.CLOSED:
                row.error(
                    "rag",
                    f"Blue means complete, but the status is {Status(status).label.lower()}.",
                )

    def plan_create(self, row):
        parsed, cells = row.parsed, row.cells
        row.outcome = CREATE
        if "deadline" not in parsed:
            row.error("deadline", "A deadline is needed for a new action.")
        status = parsed.setdefault("status", Status.NOT_STARTED)
        if status == Status.SUSTAINING:
            row.error(
                "status",
                "A new action cannot be imported as sustaining: import it as proposed for "
                "closure, then start the sustaining period on its page.",
            )
        parsed.setdefault("rag", Rag.GREEN)
        parsed.setdefault("percent_complete", 100 if status == Status.CLOSED else 0)
        row.changes.append(f"New action, {Status(status).label.lower()}")
        if row.finding is None:
            key = (row.inspection.pk, cells["finding_reference"].casefold())
            if key not in self.announced:
                self.announced.add(key)
                row.changes.append(f"new finding {cells['finding_reference']}")
        elif row.finding_text:
            row.changes.append("finding text")

    def plan_update(self, row):
        action, parsed, cells = row.action, row.parsed, row.cells
        changes, steps = row.changes, row.steps
        if row.finding_text:
            changes.append("finding text")
        title = cells.get("action_title", "")
        if cells.get("action_id") and title and key_text(title) != key_text(action.title):
            parsed["title"] = title
            steps["title"] = title
            changes.append("title")
        owner, lead = parsed["owner"], parsed["opcc_lead"]
        role_title = cells.get("owner_role_title", "")
        assign = False
        if owner and owner.pk != action.owner_id:
            assign = True
            changes.append(f"owner to {owner}")
        if lead and lead.pk != action.opcc_lead_id:
            assign = True
            changes.append(f"OPCC lead to {lead}")
        if role_title and role_title != action.owner_role_title:
            assign = True
            changes.append(f'owner\'s role title to "{role_title}"')
        if assign:
            steps["assign"] = {
                "owner": owner or action.owner,
                "opcc_lead": lead or action.opcc_lead,
                "owner_role_title": role_title or action.owner_role_title,
            }
        deadline = parsed.get("deadline")
        if deadline and deadline != action.deadline:
            steps["deadline"] = deadline
            changes.append(f"deadline from {action.deadline:%d %b %Y} to {deadline:%d %b %Y}")
        status = parsed.get("status", action.status)
        if status != action.status:
            if status in services.OPCC_ONLY:
                row.error(
                    "status",
                    f"Making an action {Status(status).label.lower()} needs assured evidence or a "
                    "reason: do it on the action's page, not by import.",
                )
                return
            if status not in services.TRANSITIONS[action.status]:
                row.error(
                    "status",
                    f"An action that is {action.get_status_display().lower()} cannot become "
                    f"{Status(status).label.lower()}.",
                )
                return
            changes.append(f"status to {Status(status).label.lower()}")
        rag = parsed.get("rag", action.rag)
        if rag != action.rag:
            changes.append(f"RAG to {Rag(rag).label.lower()}")
        percent = parsed.get("percent_complete", action.percent_complete)
        if percent != action.percent_complete:
            changes.append(f"{percent}% complete")
        narrative = cells.get("latest_update", "")
        new_narrative = bool(narrative) and key_text(narrative) != key_text(action.latest_narrative)
        if new_narrative:
            changes.append("new progress update")
        if new_narrative or (status, rag, percent) != (
            action.status,
            action.rag,
            action.percent_complete,
        ):
            steps["progress"] = {
                "narrative": narrative if new_narrative else None,
                "status": status,
                "rag": rag,
                "percent_complete": percent,
            }
        row.outcome = UPDATE if changes else UNCHANGED


def plan_import(sheet, mapping, *, default_inspection=None, user=None):
    return Planner(sheet, mapping, default_inspection=default_inspection, user=user).plan()


# Applying


def _create(row, *, by, reason, findings):
    cells, parsed = row.cells, row.parsed
    key = (row.inspection.pk, cells["finding_reference"].casefold())
    finding = row.finding or findings.get(key)
    if finding is None:
        finding = finding_services.finding_create(
            by=by,
            inspection=row.inspection,
            kind=finding_kind(cells["finding_reference"]),
            reference=cells["finding_reference"],
            text=row.finding_text,
            reason=reason,
        )
        findings[key] = finding
    elif row.finding is not None and row.finding_text:
        finding_services.finding_edit(by=by, finding=finding, text=row.finding_text, reason=reason)
    narrative = cells.get("latest_update", "")
    status = parsed["status"]
    action = services.action_create(
        by=by,
        finding=finding,
        title=cells["action_title"],
        deadline=parsed["deadline"],
        # An imported plan records what was agreed before, deadlines already passed included.
        entering_history=True,
        owner=parsed["owner"],
        owner_role_title=cells.get("owner_role_title", ""),
        opcc_lead=parsed["opcc_lead"],
        status=status,
        rag=parsed["rag"],
        percent_complete=parsed["percent_complete"],
        closure_summary=(narrative or f"Closed before it was {reason.lower()}.")
        if status == Status.CLOSED
        else "",
        reason=reason,
    )
    if narrative:
        services.action_post_update(
            by=by,
            action=action,
            narrative=narrative,
            status=status,
            rag=parsed["rag"],
            percent_complete=parsed["percent_complete"],
            reason=reason,
        )


def _update(row, *, by, reason):
    """Carry out the steps the preview decided (RowPlan.steps), each through its service."""
    action, steps = row.action, row.steps
    if row.finding_text:
        finding_services.finding_edit(
            by=by, finding=row.finding, text=row.finding_text, reason=reason
        )
    if "title" in steps:
        services.action_edit(
            by=by,
            action=action,
            title=steps["title"],
            description=action.description,
            reason=reason,
        )
    if "assign" in steps:
        services.action_assign(
            by=by, action=action, delegate=action.delegate, reason=reason, **steps["assign"]
        )
    if "deadline" in steps:
        services.action_change_deadline(
            by=by, action=action, deadline=steps["deadline"], reason=reason, entering_history=True
        )
    if "progress" in steps:
        progress = dict(steps["progress"])
        if progress["narrative"] is None:
            progress["narrative"] = f"Status, RAG and progress {reason.lower()}."
        services.action_post_update(by=by, action=action, reason=reason, **progress)


@transaction.atomic
def apply_plan(plan, *, by):
    """Apply every create and update row in one transaction; a row a service refuses is rolled
    back on its own (a savepoint), marked as an error and skipped. Returns the plan."""
    services.require_opcc_staff(by)
    reason = f"Imported from {plan.file_name}"
    findings = {}
    for row in plan.rows:
        if row.outcome not in (CREATE, UPDATE):
            continue
        try:
            with transaction.atomic():
                if row.outcome == CREATE:
                    _create(row, by=by, reason=reason, findings=findings)
                else:
                    _update(row, by=by, reason=reason)
        except (ValidationError, IntegrityError) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            row.outcome = ERROR
            row.errors.append(("", " ".join(messages)))
    return plan
