"""Which column holds which field, and each cell's value read as that field."""

import datetime
import re

from openpyxl.utils.datetime import from_excel

from actions.models import FindingKind, ImportColumnMapping, Rag, Status

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
