"""Which column holds which field, each cell's value read as that field, and which
inspection a cell names."""

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
        [
            "finding reference",
            "finding ref",
            "reference",
            "ref",
            "ref no",
            "afi ref",
            "afi no",
            "afi number",
            "rec ref",
            "rec no",
            "rec number",
            "recommendation no",
            "rec afi no",
            "rec afi ref",
        ],
    ),
    "finding_text": (
        "Finding text",
        ["finding text", "afi text", "recommendation text", "finding description"],
    ),
    "action_title": (
        "Action title",
        ["action title", "action", "actions", "action description", "planned action"],
    ),
    "owner": (
        "Owner (email or username)",
        [
            "owner",
            "action owner",
            "owner email",
            "responsible officer",
            "lead officer",
            "lead",
            "action lead",
            "force lead",
        ],
    ),
    "owner_role_title": (
        "Owner's role title",
        ["owners role title", "owner role title", "owner role", "role title", "role"],
    ),
    "opcc_lead": ("OPCC lead (email or username)", ["opcc lead", "opcc owner", "opcc contact"]),
    "deadline": (
        "Deadline",
        [
            "deadline",
            "due date",
            "target date",
            "due",
            "target",
            "completion date",
            "target completion date",
            "date due",
        ],
    ),
    # Used instead of the deadline on the rows where it is filled in.
    "revised_deadline": (
        "Revised deadline",
        ["revised deadline", "revised date", "revised target date", "revised due date"],
    ),
    "status": ("Status", ["status", "action status"]),
    "rag": ("RAG", ["rag", "rag status", "rag rating", "brag", "brag status", "brag rating"]),
    "percent_complete": (
        "Percent complete",
        ["percent complete", "% complete", "percentage complete", "progress %", "% done"],
    ),
    "latest_update": (
        "Latest update",
        [
            "latest update",
            "update",
            "progress update",
            "latest position",
            "comments",
            "commentary",
            "progress commentary",
        ],
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
# Headings that name the finding without saying whether the column holds its reference
# ("AFI 3") or its text: the column's cells decide (see `finding_column`).
FINDING_HEADINGS = {
    "rec afi",
    "afi rec",
    "recommendation afi",
    "afi recommendation",
    "rec",
    "afi",
    "recommendation",
    "area for improvement",
    "finding",
    "rec afi aoi",
}
KNOWN_HEADINGS = set(ALIASES) | FINDING_HEADINGS
# A finding reference as reports print them: "AFI 3", "Rec 1", "R2", "Cause of concern 1".
REFERENCE = re.compile(r"^(rec|recommendation|afi|aoi|area for improvement|cause|coc|r|a)\W*\d")
SAMPLE_ROWS = 50


def clean_text(value):
    """A cell as text: trailing spaces and runs of spaces removed; numbers without '.0'; and the
    apostrophe the CSV export puts before text that would run as a formula ("'-Reduce ...")
    taken off again, exactly one, only before =, +, - or @."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text


def key_text(value):
    """How names are compared: case, spacing and trailing spaces ignored."""
    return clean_text(value).casefold()


# Column mapping


def remembered_mapping(user):
    """{heading: field}: the user's own choices, over the latest choice anyone in the office
    made for a heading (only OPCC staff import, so every choice is the office's)."""
    if user is None or not user.is_authenticated:
        return {}
    choices = ImportColumnMapping.objects.order_by("updated_at", "pk")
    office, own = {}, {}
    for heading, field, user_id in choices.values_list("heading", "field", "user_id"):
        (own if user_id == user.pk else office)[heading] = field
    return office | own


def column_cells(rows, index):
    return [text for values in rows if index < len(values) and (text := clean_text(values[index]))]


def looks_like_reference(text):
    """ "AFI 3", "Rec 1", "R2", or a short code with a number ("3", "1.2", "A3")."""
    return bool(REFERENCE.match(text.lower())) or (
        len(text) <= 8 and any(c.isdigit() for c in text)
    )


def finding_column(cells):
    """A column headed "Rec/AFI" and the like holds references when most cells look like one."""
    if cells and sum(map(looks_like_reference, cells)) * 2 >= len(cells):
        return "finding_reference"
    return "finding_text"


def reference_score(cells):
    return sum(bool(REFERENCE.match(c.lower())) for c in cells)


def auto_mapping(headings, remembered, rows=()):
    """{column index: field} from the user's (or else the office's) earlier choices, then the
    known headings, with the first rows' cells deciding the finding columns: when two columns
    could be the finding reference, the one whose cells look like "AFI 3" or "Rec 1" wins."""
    guesses, chosen = {}, set()
    for index, heading in enumerate(headings):
        norm = normalise_heading(heading)
        if norm in remembered:
            name = remembered[norm]
            chosen.add(index)
        elif norm in FINDING_HEADINGS:
            name = finding_column(column_cells(rows, index))
        else:
            name = ALIASES.get(norm)
        if name in FIELDS:
            guesses.setdefault(name, []).append(index)
    mapping = {}
    for name, indexes in guesses.items():
        best = [i for i in indexes if i in chosen] or indexes
        if name == "finding_reference":
            scores = {i: reference_score(column_cells(rows, i)) for i in best}
            best = sorted(best, key=lambda i: -scores[i])
        mapping[best[0]] = name
    return dict(sorted(mapping.items()))


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


# The words offices use, as they are listed back when a cell has none of them.
STATUS_WORDS = {
    "Complete": Status.CLOSED,
    "Completed": Status.CLOSED,
    "Done": Status.CLOSED,
    "Ongoing": Status.IN_PROGRESS,
    "On track": Status.IN_PROGRESS,
    "At risk": Status.IN_PROGRESS,
    "Off track": Status.IN_PROGRESS,
    "Started": Status.IN_PROGRESS,
    "On hold": Status.BLOCKED,
}
STATUS_NAMES = {normalise_heading(s.label): s.value for s in Status}
STATUS_NAMES.update({normalise_heading(s.value): s.value for s in Status})
STATUS_NAMES.update({"proposed": Status.PROPOSED, "re opened": Status.REOPENED})
STATUS_NAMES.update({normalise_heading(word): s.value for word, s in STATUS_WORDS.items()})
# Blue, in a BRAG column, means complete: the action is closed and its RAG green.
BLUE = "blue"
RAG_WORDS = {"On track": Rag.GREEN, "At risk": Rag.AMBER, "Off track": Rag.RED}
RAG_NAMES = {normalise_heading(r.label): r.value for r in Rag} | {
    "g": Rag.GREEN,
    "a": Rag.AMBER,
    "r": Rag.RED,
    "b": BLUE,
    "blue": BLUE,
    "complete": BLUE,
    "completed": BLUE,
}
RAG_NAMES.update({normalise_heading(word): rag.value for word, rag in RAG_WORDS.items()})


def parse_status(value):
    status = STATUS_NAMES.get(normalise_heading(value))
    if status is None:
        labels = ", ".join([s.label for s in Status] + list(STATUS_WORDS))
        raise ValueError(f'Unknown status "{clean_text(value)}": use one of {labels}.')
    return status


def parse_rag(value):
    """Green, amber or red, or BLUE (complete)."""
    rag = RAG_NAMES.get(normalise_heading(value))
    if rag is None:
        words = ", ".join([r.label for r in Rag] + ["Blue (complete)"] + list(RAG_WORDS))
        raise ValueError(f'Unknown RAG "{clean_text(value)}": use one of {words}.')
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
    if text.startswith("matter"):
        return FindingKind.MATTER_OF_CONCERN  # a coroner's report's
    return FindingKind.AFI


# Inspections


def short_name(title):
    """An inspection's title before its colon: "PEEL 2023-25" for "PEEL 2023-25: An inspection
    of Hertfordshire Constabulary"."""
    return key_text(title.split(":", 1)[0])


def inspection_matches(text, inspections):
    """The inspections a cell names: by title; else by short name; else those whose title
    starts with the text (at a word's end). More than one means the cell is ambiguous."""
    wanted = key_text(text)
    if not wanted:
        return []
    for matches in (
        lambda i: key_text(i.title) == wanted,
        lambda i: short_name(i.title) == wanted,
        lambda i: (
            key_text(i.title).startswith(wanted)
            and not key_text(i.title)[len(wanted) : len(wanted) + 1].isalnum()
        ),
    ):
        found = [i for i in inspections if matches(i)]
        if found:
            return found
    return []


def ambiguous_inspection(title, found):
    found = sorted(found, key=lambda i: (i.title, str(i.force)))
    names = "; ".join(f"{i.title} ({i.force})" for i in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    return (
        f'"{title}" matches {len(found)} inspections: {names}{more}. Use the full title, or '
        "ignore this column and choose the inspection when matching the columns."
    )


def visible(queryset, user):
    """What the officer may see of `queryset` (their office's inspections or actions): a file
    naming another office's inspection or action id finds nothing. No user (a dry run on the
    command line, no officer named) reads the whole register."""
    return queryset.all() if user is None else queryset.visible_to(user)
