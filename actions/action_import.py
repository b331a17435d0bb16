"""Importing an action plan from XLSX or CSV: read the sheet, find its header, map its columns,
plan every row (the preview: create, update, no change or error), then apply the plan through
the services in one transaction, with "Imported from <file name>" as the reason in history.

Nothing is written until `apply_plan`; planning only reads, in a fixed number of queries.
"""

import csv
import datetime
import io
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.datetime import from_excel

from actions import services, uploads
from actions.models import (
    Action,
    Finding,
    FindingKind,
    ImportColumnMapping,
    Inspection,
    Rag,
    Status,
    Update,
    private_storage,
)
from tracker import roles
from tracker.models import User

# field -> (template heading, other headings that mean the same, normalised)
FIELDS = {
    "action_id": ("Action ID", ["id", "action id", "tracker id", "action no", "action number"]),
    "inspection": ("Inspection", ["inspection", "inspection title", "report", "hmicfrs report"]),
    "finding_reference": (
        "Finding reference",
        ["finding reference", "finding ref", "reference", "ref", "afi ref", "afi no", "rec ref"],
    ),
    "finding_text": (
        "Finding text",
        ["finding text", "finding", "area for improvement", "recommendation", "afi", "afi text"],
    ),
    "action_title": (
        "Action title",
        ["action title", "action", "actions", "action description", "planned action"],
    ),
    "owner": (
        "Owner (email or username)",
        ["owner", "action owner", "owner email", "responsible officer", "lead officer"],
    ),
    "owner_role_title": (
        "Owner's role title",
        ["owners role title", "owner role title", "owner role", "role title", "role"],
    ),
    "opcc_lead": ("OPCC lead (email or username)", ["opcc lead", "opcc owner", "opcc contact"]),
    "deadline": (
        "Deadline",
        ["deadline", "due date", "target date", "due", "completion date", "date due"],
    ),
    "status": ("Status", ["status", "action status"]),
    "rag": ("RAG", ["rag", "rag status", "rag rating"]),
    "percent_complete": (
        "Percent complete",
        ["percent complete", "% complete", "percentage complete", "progress %", "% done"],
    ),
    "latest_update": (
        "Latest update",
        ["latest update", "update", "progress update", "latest position", "comments"],
    ),
}
FIELD_LABELS = {name: heading for name, (heading, _) in FIELDS.items()}
REQUIRED_FIELDS = ["finding_reference", "action_title"]
HEADER_SCAN_ROWS = 20
MAX_ROWS = 10_000
MAX_UPLOAD_MB = 10
ALLOWED_EXTENSIONS = {".xlsx", ".csv"}
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


def normalise_heading(value):
    """'Owner (email or username) ' -> 'owner'; "Owner's role title" -> 'owners role title'."""
    text = str(value or "").strip().lower()
    text = re.sub(r"[’'`]", "", text)
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[^a-z0-9%]+", " ", text).strip()


ALIASES = {
    normalise_heading(heading): name
    for name, (label, others) in FIELDS.items()
    for heading in [label, *others]
}


def clean_text(value):
    """A cell as text: trailing spaces and runs of spaces removed; numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def key_text(value):
    """How names are compared: case, spacing and trailing spaces ignored."""
    return clean_text(value).casefold()


# Reading


class ImportFileError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why, for the user."""


def _xlsx_cell(cell):
    value = cell.value
    # A cell formatted as a percentage holds 0.5 for 50%.
    if isinstance(value, int | float) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{value * 100:g}%"
    return value


def read_xlsx(handle):
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ImportFileError("The file could not be read as an Excel workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS + HEADER_SCAN_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")
            rows.append((number, [_xlsx_cell(cell) for cell in cells]))
        return rows
    finally:
        workbook.close()


def decode_csv(raw):
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves it in the UK."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def csv_delimiter(text):
    """The delimiter that splits the first lines into the most columns (Excel in much of
    Europe saves with semicolons); csv.Sniffer gives up on files with title lines."""
    head = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    widths = {
        delimiter: max(
            (len(row) for row in csv.reader(io.StringIO(head), delimiter=delimiter)), default=0
        )
        for delimiter in ",;\t|"
    }
    return max(widths, key=lambda delimiter: widths[delimiter])


def read_csv(handle):
    text = decode_csv(handle.read())
    delimiter = csv_delimiter(text)
    rows = []
    for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if number > MAX_ROWS + HEADER_SCAN_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")
        rows.append((number, values))
    return rows


def read_rows(handle, name):
    """(row number as a spreadsheet program shows it, cell values) for every row of the file."""
    if Path(name).suffix.lower() == ".xlsx":
        return read_xlsx(handle)
    return read_csv(handle)


def find_header(rows, known):
    """The index of the header row: among the first few rows with two or more filled cells
    (merged title rows have one; blank lines none), the one whose cells best match known
    headings, or if no row matches at least two, the first of them."""
    candidates = []
    for index, (_, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        filled = [normalise_heading(v) for v in values if clean_text(v)]
        if len(filled) >= 2:
            candidates.append((sum(heading in known for heading in filled), -index))
    if not candidates:
        raise ImportFileError("No row of column headings was found in the first 20 rows.")
    score, index = max(candidates)
    return -index if score >= 2 else -candidates[0][1]


@dataclass
class Sheet:
    name: str
    headings: list
    rows: list  # (row number, values) after the header row, blank rows included


def load_sheet(handle, name, *, user=None):
    rows = read_rows(handle, name)
    known = set(ALIASES) | set(remembered_mapping(user))
    header = find_header(rows, known)
    headings = [clean_text(v) for v in rows[header][1]]
    while headings and not headings[-1]:
        headings.pop()
    return Sheet(name=name, headings=headings, rows=rows[header + 1 :])


# Column mapping


def remembered_mapping(user):
    if user is None or not user.is_authenticated:
        return {}
    return dict(ImportColumnMapping.objects.filter(user=user).values_list("heading", "field"))


def auto_mapping(headings, remembered):
    """{column index: field} from the user's earlier choices, then the known headings."""
    mapping, used = {}, set()
    for index, heading in enumerate(headings):
        norm = normalise_heading(heading)
        name = remembered[norm] if norm in remembered else ALIASES.get(norm)
        if name and name in FIELDS and name not in used:
            mapping[index] = name
            used.add(name)
    return mapping


def mapping_problems(mapping, *, default_inspection=None):
    """What stops the mapping being used, as sentences; empty when it is complete."""
    chosen = list(mapping.values())
    problems = [
        f"{FIELD_LABELS[name]} is matched to more than one column."
        for name in FIELDS
        if chosen.count(name) > 1
    ]
    if "action_id" not in chosen:
        problems += [
            f"Choose the column that holds the {FIELD_LABELS[name].lower()}."
            for name in REQUIRED_FIELDS
            if name not in chosen
        ]
        if "inspection" not in chosen and default_inspection is None:
            problems.append("Choose the inspection column, or the inspection the rows belong to.")
    return problems


def remember_mapping(*, user, headings, mapping):
    """Keep the user's choice for each heading, so the next file with it is matched at once."""
    for index, heading in enumerate(headings):
        norm = normalise_heading(heading)
        if norm:
            ImportColumnMapping.objects.update_or_create(
                user=user, heading=norm[:200], defaults={"field": mapping.get(index, "")}
            )


# Values


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
UK_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{4}|\d{2})$")
# Excel serial numbers for 1 Jan 1955 to 2 Jan 2119: a number in a date column means a date.
SERIAL_RANGE = (20_000, 80_000)


def _year(text):
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_date(value):
    """A date from a date cell, an Excel serial number, or UK (dd/mm/yyyy, 1 Dec 2024,
    1 December 2024) or ISO (2024-12-01) text. Day first: 01/12/2024 is 1 December."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(value).lower()
    if re.fullmatch(r"\d+(\.\d+)?", text) and SERIAL_RANGE[0] <= float(text) <= SERIAL_RANGE[1]:
        return from_excel(float(text)).date()
    for pattern, order in ((ISO, "ymd"), (UK_NUMERIC, "dmy"), (WORDS, "dmy")):
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = MONTHS.get(parts["m"]) if not parts["m"].isdigit() else int(parts["m"])
        try:
            return datetime.date(_year(parts["y"]), month or 0, int(parts["d"]))
        except ValueError:
            break
    raise ValueError(f'"{clean_text(value)}" is not a date: use a date such as 01/12/2024.')


STATUS_NAMES = {normalise_heading(s.label): s.value for s in Status}
STATUS_NAMES.update({normalise_heading(s.value): s.value for s in Status})
STATUS_NAMES.update({"proposed": Status.PROPOSED, "re opened": Status.REOPENED})
RAG_NAMES = {normalise_heading(r.label): r.value for r in Rag} | {
    "g": "green",
    "a": "amber",
    "r": "red",
}


def parse_status(value):
    status = STATUS_NAMES.get(normalise_heading(value))
    if status is None:
        labels = ", ".join(s.label for s in Status)
        raise ValueError(f'Unknown status "{clean_text(value)}": use one of {labels}.')
    return status


def parse_rag(value):
    rag = RAG_NAMES.get(normalise_heading(value))
    if rag is None:
        raise ValueError(f'Unknown RAG "{clean_text(value)}": use Green, Amber or Red.')
    return rag


def parse_percent(value):
    text = clean_text(value).rstrip("%").strip()
    try:
        number = round(float(text))
    except ValueError:
        raise ValueError(f'"{clean_text(value)}" is not a percentage from 0 to 100.') from None
    if not 0 <= number <= 100:
        raise ValueError(f'"{clean_text(value)}" is not a percentage from 0 to 100.')
    return number


def finding_kind(reference):
    text = reference.lower()
    if text.startswith(("cause", "coc")):
        return FindingKind.CAUSE_OF_CONCERN
    if text.startswith("rec"):
        return FindingKind.RECOMMENDATION
    return FindingKind.AFI


# Planning (the preview)


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

    def error(self, name, message):
        self.errors.append((FIELD_LABELS.get(name, name), message))


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


class _Lookups:
    """Everything the rows refer to, read in a fixed number of queries however long the file."""

    def __init__(self, cell_rows, *, default_inspection):
        titles = {key_text(c.get("inspection")) for c in cell_rows} - {""}
        ids = {int(c["action_id"]) for c in cell_rows if c.get("action_id", "").isdigit()}
        people = {key_text(c.get(k)) for c in cell_rows for k in ("owner", "opcc_lead")} - {""}

        self.inspections = {}
        for inspection in (
            Inspection.objects.select_related("force")
            .annotate(key=Lower("title"))
            .filter(Q(key__in=titles) | Q(pk=getattr(default_inspection, "pk", None)))
        ):
            self.inspections.setdefault(key_text(inspection.title), []).append(inspection)
        self.default_inspection = default_inspection and next(
            (
                i
                for group in self.inspections.values()
                for i in group
                if i.pk == default_inspection.pk
            ),
            None,
        )
        inspection_ids = {i.pk for group in self.inspections.values() for i in group}
        self.findings = {
            (f.inspection_id, key_text(f.reference)): f
            for f in Finding.objects.filter(inspection_id__in=inspection_ids)
        }
        latest = Update.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
        actions = (
            Action.objects.filter(Q(finding__inspection_id__in=inspection_ids) | Q(pk__in=ids))
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
    def __init__(self, sheet, mapping, *, default_inspection=None):
        self.sheet = sheet
        self.mapping = mapping
        self.default_inspection = default_inspection

    def rows(self):
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
            yield RowPlan(number=number, values=texts, cells=cells, parsed={"raw": raw})

    def plan(self):
        rows = list(self.rows())
        self.lookups = _Lookups([r.cells for r in rows], default_inspection=self.default_inspection)
        self.seen = {}
        self.finding_texts = {}
        self.announced = set()
        for row in rows:
            self.plan_row(row)
            if row.errors:
                row.outcome = ERROR
        return Plan(file_name=self.sheet.name, headings=self.sheet.headings, rows=rows)

    # One row

    def plan_row(self, row):
        cells = row.cells
        if cells.get("action_id"):
            self.match_by_id(row)
        else:
            self.match_by_names(row)
        if row.errors:
            return
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
        elif name == "owner" and not (
            roles.is_action_owner(person) and person.force_id == force.pk
        ):
            row.error(name, f'"{text}" is not an action owner in {force}.')
        elif name == "opcc_lead" and not roles.is_opcc_staff(person):
            row.error(name, f'"{text}" is not OPCC staff, so cannot be the OPCC lead.')
        return person

    def duplicate(self, row, key, column):
        if key in self.seen:
            row.error(column, f"Duplicate of row {self.seen[key]}: the same action appears twice.")
        else:
            self.seen[key] = row.number

    def match_by_id(self, row):
        text = row.cells["action_id"]
        action = self.lookups.actions_by_id.get(int(text)) if text.isdigit() else None
        if action is None:
            row.error("action_id", f'No action has the ID "{text}".')
            return
        row.action, row.finding, row.inspection = action, action.finding, action.finding.inspection
        self.duplicate(row, ("id", action.pk), "action_id")

    def match_by_names(self, row):
        cells = row.cells
        title = cells.get("inspection", "")
        if title:
            found = self.lookups.inspections.get(title.casefold(), [])
            if not found:
                row.error(
                    "inspection", f'Unknown inspection "{title}": add it in the tracker first.'
                )
            elif len(found) > 1:
                row.error("inspection", f'More than one force has an inspection called "{title}".')
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
        force = row.inspection.force
        parsed["owner"] = self.person(row, "owner", force=force)
        parsed["opcc_lead"] = self.person(row, "opcc_lead")
        for name, parse in (
            ("deadline", parse_date),
            ("status", parse_status),
            ("rag", parse_rag),
            ("percent_complete", parse_percent),
        ):
            if row.cells.get(name):
                try:
                    parsed[name] = parse(raw[name])
                except ValueError as error:
                    row.error(name, str(error))

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
        changes = row.changes
        if row.finding_text:
            changes.append("finding text")
        title = cells.get("action_title", "")
        if cells.get("action_id") and title and key_text(title) != key_text(action.title):
            parsed["title"] = title
            changes.append("title")
        owner, lead = parsed["owner"], parsed["opcc_lead"]
        role_title = cells.get("owner_role_title", "")
        if owner and owner.pk != action.owner_id:
            changes.append(f"owner to {owner}")
        if lead and lead.pk != action.opcc_lead_id:
            changes.append(f"OPCC lead to {lead}")
        if role_title and role_title != action.owner_role_title:
            changes.append(f'owner\'s role title to "{role_title}"')
        deadline = parsed.get("deadline")
        if deadline and deadline != action.deadline:
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
        if narrative and key_text(narrative) != key_text(action.latest_narrative):
            changes.append("new progress update")
        row.outcome = UPDATE if changes else UNCHANGED


def plan_import(sheet, mapping, *, default_inspection=None):
    return Planner(sheet, mapping, default_inspection=default_inspection).plan()


# Applying


def _create(row, *, by, reason, findings):
    cells, parsed = row.cells, row.parsed
    key = (row.inspection.pk, cells["finding_reference"].casefold())
    finding = row.finding or findings.get(key)
    if finding is None:
        finding = services.finding_create(
            by=by,
            inspection=row.inspection,
            kind=finding_kind(cells["finding_reference"]),
            reference=cells["finding_reference"],
            text=row.finding_text,
            reason=reason,
        )
        findings[key] = finding
    elif row.finding is not None and row.finding_text:
        services.finding_edit(by=by, finding=finding, text=row.finding_text, reason=reason)
    narrative = cells.get("latest_update", "")
    status = parsed["status"]
    action = services.action_create(
        by=by,
        finding=finding,
        title=cells["action_title"],
        deadline=parsed["deadline"],
        owner=parsed["owner"],
        owner_role_title=cells.get("owner_role_title", ""),
        opcc_lead=parsed["opcc_lead"],
        status=status,
        rag=parsed["rag"],
        percent_complete=parsed["percent_complete"],
        closure_summary=(narrative or f"Closed before it was {reason.lower()}.")
        if status == Status.CLOSED
        else "",
        reason=f"{reason} ({Status(status).label.lower()})",
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
    action, parsed, cells = row.action, row.parsed, row.cells
    if row.finding_text:
        services.finding_edit(by=by, finding=row.finding, text=row.finding_text, reason=reason)
    if "title" in parsed:
        services.action_edit(
            by=by,
            action=action,
            title=parsed["title"],
            description=action.description,
            reason=reason,
        )
    owner = parsed["owner"] or action.owner
    lead = parsed["opcc_lead"] or action.opcc_lead
    role_title = cells.get("owner_role_title") or action.owner_role_title
    if (owner, lead, role_title) != (action.owner, action.opcc_lead, action.owner_role_title):
        services.action_assign(
            by=by,
            action=action,
            owner=owner,
            opcc_lead=lead,
            delegate=action.delegate,
            owner_role_title=role_title,
            reason=reason,
        )
    deadline = parsed.get("deadline")
    if deadline and deadline != action.deadline:
        services.action_change_deadline(by=by, action=action, deadline=deadline, reason=reason)
    status = parsed.get("status", action.status)
    rag = parsed.get("rag", action.rag)
    percent = parsed.get("percent_complete", action.percent_complete)
    narrative = cells.get("latest_update", "")
    new_narrative = narrative and key_text(narrative) != key_text(action.latest_narrative)
    if new_narrative or (status, rag, percent) != (
        action.status,
        action.rag,
        action.percent_complete,
    ):
        services.action_post_update(
            by=by,
            action=action,
            narrative=narrative if new_narrative else f"Status, RAG and progress {reason.lower()}.",
            status=status,
            rag=rag,
            percent_complete=percent,
            reason=reason,
        )


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


# Files: the template, the stored upload, the report of skipped rows


def template_headings():
    return [FIELD_LABELS[name] for name in FIELDS]


def template_xlsx(stream):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet.append(template_headings())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Guidance")
    guide.append(["Column", "What to enter"])
    for row in TEMPLATE_GUIDANCE:
        guide.append(row)
    workbook.save(stream)


TEMPLATE_GUIDANCE = [
    ("Action ID", "Leave blank for a new action; the tracker's ID to update one."),
    ("Inspection", "The inspection's title exactly as in the tracker (add it there first)."),
    ("Finding reference", 'As printed in the report, e.g. "AFI 3".'),
    ("Finding text", "Needed only for a finding the tracker does not have yet."),
    ("Action title", "Short description of the action; with the reference it identifies it."),
    ("Owner (email or username)", "An action owner in the inspected force."),
    ("Owner's role title", 'Shown publicly, e.g. "ACC Crime". Blank: the owner\'s own title.'),
    ("OPCC lead (email or username)", "A member of OPCC staff."),
    ("Deadline", "dd/mm/yyyy, 1 Dec 2024 or 1 December 2024. Needed for a new action."),
    ("Status", ", ".join(s.label for s in Status) + "."),
    ("RAG", "Green, Amber or Red."),
    ("Percent complete", "0 to 100."),
    ("Latest update", "The latest progress narrative; recorded as an update."),
]


def template_csv(stream):
    stream.write("\ufeff")
    csv.writer(stream).writerow(template_headings())


def skipped_report(plan, stream):
    """CSV of the rows not imported: row number, column and problem, then the row as it was."""
    writer = csv.writer(stream)
    stream.write("\ufeff")
    writer.writerow(["Row", "Column", "Problem", *plan.headings])
    for row in plan.of(ERROR):
        for column, message in row.errors:
            values = [f"'{v}" if v.startswith(("=", "+", "-", "@")) else v for v in row.values]
            writer.writerow([row.number, column, message, *values])


def validate_upload(upload):
    """The file's name, size and content: an .xlsx that is a workbook or a .csv that is text."""
    name = Path(upload.name or "").name
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError("The file must be an Excel workbook (.xlsx) or a CSV file (.csv).")
    if len(name) > 200:
        raise ValidationError("The file name must be shorter than 200 characters.")
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(f"The file must be smaller than {MAX_UPLOAD_MB} MB.")
    if not uploads.content_matches(extension, upload):
        kind = "an Excel workbook" if extension == ".xlsx" else "a text CSV file"
        raise ValidationError(f"The file is named {extension} but its content is not {kind}.")
    upload.seek(0)
    return name


def store_upload(upload):
    """Keep the file in private storage under a generated name until the import is confirmed."""
    storage = private_storage()
    extension = Path(upload.name).suffix.lower()
    prune_uploads(storage)
    return storage.save(f"imports/{uuid.uuid4().hex}{extension}", upload)


def prune_uploads(storage, days=2):
    """Uploads left from imports that were never confirmed are removed after a couple of days."""
    if not storage.exists("imports"):
        return
    cutoff = timezone.now() - datetime.timedelta(days=days)
    for name in storage.listdir("imports")[1]:
        path = f"imports/{name}"
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)


def open_stored(path, name, *, user=None):
    with private_storage().open(path, "rb") as handle:
        return load_sheet(io.BytesIO(handle.read()), name, user=user)
