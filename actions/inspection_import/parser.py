"""Parse HMICFRS inspection report text into inspection details, graded areas and findings."""

import contextlib
import datetime
import re
import time
from collections import Counter

from django.core.exceptions import ValidationError

from actions.inspection_import.parsed import Finding, GradedArea, InspectionInfo, ParsedReport
from actions.inspection_import.patterns import (
    BULLET,
    CONNECTOR_END,
    DATE_LINE,
    FORCE_RE,
    FURNITURE,
    GRADE_WORDS,
    KEEP_HYPHEN,
    LAST_UPDATED,
    NOT_NAME,
    NUMBERED_PARAGRAPH,
    PILLARS,
    PUBLISHED,
    SOURCE_DATE,
    SOURCE_MARKERS,
    TAIL,
    TIMESCALE,
    TITLE_WORDS,
    heading_like,
    subject_pattern,
)
from actions.inspection_import.walker import Walker

# Bounds on one parse. The longest HMICFRS reports (State of Policing, national thematics) come to
# about 600,000 characters of text; a parse of that takes well under a second, so the time budget
# only stops input built to be slow, which the patterns (patterns.py) are written not to allow.
MAX_CHARACTERS = 1_500_000
TIME_BUDGET_SECONDS = 10.0


class ReportParseError(ValidationError):
    """Text the parser will not read to the end; the message says why and what to do."""


class _Budget:
    """Stops a parse that runs past its time budget. Checked once a line: with every pattern
    linear, no single line can take long, so the check comes often enough."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def check(self):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ReportParseError(
                "The text took too long to read. Paste only the part of the report that lists "
                "its findings, or add the findings by hand.",
                code="too_slow",
            )


def parse_report(
    text: str,
    force_name: str | None = None,
    *,
    time_budget: float | None = TIME_BUDGET_SECONDS,
    max_characters: int = MAX_CHARACTERS,
) -> ParsedReport:
    """The report's details, grades and findings. Raises ReportParseError for text over
    max_characters or a parse over its time budget (seconds; None for no limit)."""
    text = text or ""
    if len(text) > max_characters:
        raise ReportParseError(
            f"The text is too long to read: {len(text):,} characters, and the limit is "
            f"{max_characters:,}. Paste only the part of the report that lists its findings.",
            code="too_long",
        )
    budget = _Budget(time_budget)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    tables, lines = _take_grade_tables(_clean_lines(text, budget))
    lines = _reflow([" ".join(line.split()) for line in lines], budget)
    force = force_name or _find_force(text)
    subject = subject_pattern(force)
    item_start = rf"(?:{TIMESCALE},?\s+)?{subject}\s+(?:should|needs? to|must)\b(?!\s+also\b)"
    lines = _split_inline_lead_ins(lines, item_start)

    coroner = bool(SOURCE_MARKERS["coroner"].search(text))
    walker = Walker(subject, item_start, sentence_grades=not tables, coroner=coroner)
    for line in lines:
        budget.check()
        walker.feed(line)
    walker.close()

    areas = list(tables)
    seen = {area.name.lower() for area in areas}
    areas += [GradedArea(n, g) for n, g in walker.grades.items() if n.lower() not in seen]
    findings = _number_findings(walker.items)
    source_type = _source_type(text, walker.items)
    published = _find_published(text)
    info = InspectionInfo(_find_title(lines, source_type, published), force, published)
    return ParsedReport(info, areas, findings, source_type, _reason(source_type, findings, areas))


# --- Text clean-up ---------------------------------------------------------------------------


def _clean_lines(text: str, budget: _Budget) -> list[str]:
    """Lines without page furniture; long PDF lines split at numbered paragraphs ("2.4 ...")."""
    lines = []
    for raw in text.split("\n"):
        budget.check()
        line = raw.strip(" ") if "\t" in raw else raw.strip()
        if FURNITURE.fullmatch(line.strip()):
            continue
        lines += NUMBERED_PARAGRAPH.split(line) if "\t" not in line else [line]
    # A PDF's running header names the report on every page: keep only its first occurrence.
    counts, seen, kept = Counter(lines), set(), []
    for line in lines:
        if counts[line] >= 3 and TITLE_WORDS.search(line) and heading_like(line, max_words=20):
            if line in seen:
                continue
            seen.add(line)
        kept.append(line)
    return kept


def _take_grade_tables(lines: list[str]) -> tuple[list[GradedArea], list[str]]:
    """Areas from tab-separated tables, and the remaining lines. A grid's header row names the
    grades and each cell under a grade column is an area with that grade (listed column by
    column); a two-column row pairs an area with its grade."""
    grid, pairs, rest, header = [], [], [], None
    for line in lines:
        cells = [cell.strip() for cell in line.split("\t")]
        grades = [GRADE_WORDS.get(cell.lower()) for cell in cells]
        filled = [(cell, grade) for cell, grade in zip(cells, grades, strict=True) if cell]
        if "\t" in line and len(filled) >= 3 and all(grade for _, grade in filled):
            header = grades
        elif "\t" in line and header:
            grid += [
                (col, len(grid), GradedArea(cell, header[col]))
                for col, cell in enumerate(cells[: len(header)])
                if cell and header[col]
            ]
        elif "\t" in line and len(filled) == 2 and sum(bool(grade) for _, grade in filled) == 1:
            (name, _), (_, grade) = sorted(filled, key=lambda pair: pair[1] is not None)
            pairs.append(GradedArea(name, grade))
        else:
            header = None
            rest.append(line)
    return [area for *_, area in sorted(grid, key=lambda cell: cell[:2])] + pairs, rest


def _reflow(lines: list[str], budget: _Budget) -> list[str]:
    """Join hard line breaks inside sentences, repairing words hyphenated across the break."""
    # Each logical line as its pieces and the separators between them, joined once at the end:
    # joining as we go copied the growing line at every break (quadratic on long hyphen chains).
    # `prev` keeps only the line's last characters, enough for every end-of-line test.
    out: list[list[str]] = []
    blanks, prev = 0, ""
    # Inside a list of unpunctuated lower-case paragraphs after a lead-in ("... needs to ensure
    # that:", then "call handlers use ..."), a blank line starts the next item, not a page break.
    listing = False
    for line in lines:
        budget.check()
        if not line:
            blanks += 1
            continue
        if blanks and line[0].islower() and (listing or prev.endswith(":")):
            listing = True
            out += [[""] for _ in range(blanks)] + [[line]]
            prev, blanks = line[-TAIL:], 0
            continue
        listing = listing and not blanks
        # Blank lines from a page break can fall inside a sentence: then the next line is in
        # lower case, and only then is it joined across them.
        if prev and _continues(prev, line) and (not blanks or line[0].islower()):
            if re.search(r"[A-Za-z]-$", prev) and line[0].islower():
                stem = re.split(r"[\s-]", prev[:-1])[-1].lower()
                if stem not in KEEP_HYPHEN:
                    out[-1][-1] = out[-1][-1][:-1]
                    prev = prev[:-1]
                out[-1].append(line)
                prev = (prev + line)[-TAIL:]
            else:
                out[-1] += [" ", line]
                prev = (prev + " " + line)[-TAIL:]
        else:
            out += [[""] for _ in range(blanks)] + [[line]]
            prev = line[-TAIL:]
        blanks = 0
    out += [[""] for _ in range(blanks)]
    return ["".join(pieces) for pieces in out]


def _continues(prev: str, line: str) -> bool:
    if BULLET.match(line) or re.search(r"[.!?:;]['’\"”)]*$|;\s*(?:and|or)$", prev):
        return False
    return line[0].islower() or prev.endswith((",", "-")) or bool(CONNECTOR_END.search(prev))


def _split_inline_lead_ins(lines: list[str], item_start: str) -> list[str]:
    """Split "... the report made these areas for improvement: The force should ..." after the
    colon, so the lead-in and the run-together items that follow are read separately."""
    pattern = re.compile(rf":\s+(?={item_start})")
    out = []
    for line in lines:
        match = pattern.search(line)
        if match and len(line[: match.start()].split()) > 12:
            out += [line[: match.start() + 1], line[match.end() :]]
        else:
            out.append(line)
    return out


SOURCE_TITLES = {
    "coroner": "Coroner's report to prevent future deaths",
    "iopc": "IOPC learning recommendations",
}

# --- Metadata --------------------------------------------------------------------------------


def _find_title(
    lines: list[str], source_type: str = "hmicfrs", published: datetime.date | None = None
) -> str | None:
    """The first heading-like line naming PEEL or an inspection; a following PEEL pillar line
    ("Effectiveness") is part of the title on HMICFRS force pages. A coroner's or the IOPC's
    headings are the same on every report, so their title is the kind of report and its date
    (a force's titles tell its reports apart: see InspectionQuerySet.same_report)."""
    if source_type in SOURCE_TITLES:
        dated = f" of {published:%-d %B %Y}" if published else ""
        return f"{SOURCE_TITLES[source_type]}{dated}"
    for i, line in enumerate(lines):
        if line and heading_like(line, max_words=20) and TITLE_WORDS.search(line):
            line = re.sub(r"(?i)^title:\s*", "", line)
            following = next((nxt for nxt in lines[i + 1 :] if nxt), "")
            return f"{line}: {following}" if following.lower() in PILLARS else line
    return None


def _find_force(text: str) -> str | None:
    for match in FORCE_RE.finditer(text):
        name = NOT_NAME.sub("", match.group(1))
        if len(name.split()) >= 2:
            return name
    return None


def _find_published(text: str) -> datetime.date | None:
    for pattern in (SOURCE_DATE, PUBLISHED, DATE_LINE, LAST_UPDATED):
        for match in pattern.finditer(text):
            if parsed := _parse_date(match.group(match.lastindex)):
                return parsed
    return None


def _parse_date(text: str) -> datetime.date | None:
    """UK formats: "16th October 2024", "29 Sept 2022", "02/05/2019" (day first), ISO."""
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|[.,]", "", text)
    text = re.sub(r"([A-Za-z]{3})[a-z]*", r"\1", text)  # month names shortened to "Oct"
    for layout in ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y"):
        with contextlib.suppress(ValueError):
            return datetime.datetime.strptime(text, layout).date()
    return None


# --- Findings ----------------------------------------------------------------------------------


def _number_findings(items: list[dict]) -> list[Finding]:
    """Drop sentence-introduced summaries that a formal list repeats, and findings restated
    later in the text; number per kind (or label) in order."""
    formal = {item["kind"] for item in items if not item["summary"]}
    items = [item for item in items if not item["summary"] or item["kind"] not in formal]
    items, same_as = _without_restatements(items)
    counts, refs, findings = Counter(), {}, []
    for item in items:
        kind = item["kind"]
        label = item["label"] or ("AFI" if kind == "afi" else kind.replace("_", " ").capitalize())
        counts[label] += 1
        reference = item["ref"] or f"{label} {counts[label]}"
        refs[id(item)] = reference
        cause = item["cause"] and same_as.get(id(item["cause"]), id(item["cause"]))
        parent = refs.get(cause) if cause else None
        findings.append(Finding(kind, reference, item["area"], parent, item["text"]))
    return findings


def _without_restatements(items: list[dict]) -> tuple[list[dict], dict[int, int]]:
    """The items less any that repeats an earlier one (same kind, words and parent), and which
    kept item each dropped one stood for. A restatement's printed reference is kept."""
    kept, first, same_as = [], {}, {}
    for item in items:
        cause = item["cause"] and same_as.get(id(item["cause"]), id(item["cause"]))
        key = (item["kind"], _words(item["text"]), cause)
        if key in first:
            original = first[key]
            original["ref"] = original["ref"] or item["ref"]
            same_as[id(item)] = id(original)
            continue
        first[key] = item
        kept.append(item)
    return kept, same_as


def _words(text: str) -> str:
    """A finding's words for comparison: case, punctuation and spacing aside."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _source_type(text: str, items: list[dict]) -> str:
    """Inspection.SourceType of the text: from where its findings came, else from its opening
    (a PEEL report may mention the IOPC or coroners in passing, further in)."""
    sources = {item["source"] for item in items} - {None}
    if sources:
        return "coroner" if "coroner" in sources else "iopc"
    opening = text[:3000]
    for source in ("coroner", "iopc"):
        if SOURCE_MARKERS[source].search(opening):
            return source
    if items or SOURCE_MARKERS["hmicfrs"].search(opening):
        return "hmicfrs"
    return "other"


REASONS = {
    "coroner": "This looks like a coroner's report to prevent future deaths, but its matters of "
    "concern were not found (they are read from the list after “The MATTERS OF CONCERN are as "
    "follows”).",
    "iopc": "This looks like an IOPC text, but no learning recommendations were found in it "
    "(they are read from paragraphs starting “The IOPC recommends that” and from lists under a "
    "“Recommendations” heading).",
    "hmicfrs": "This looks like an inspection text, but no causes of concern, recommendations or "
    "areas for improvement were found in it (they are read from lists under headings such as "
    "“Areas for improvement”, after a lead-in ending with a colon, or from sentences such as "
    "“The force should ...”).",
    "other": "The text was not recognised as an HMICFRS report, an IOPC learning recommendation "
    "or a coroner's report to prevent future deaths, and no findings were found in it.",
}


def _reason(source_type: str, findings: list[Finding], areas: list[GradedArea]) -> str | None:
    """Why nothing was found, in words an officer can act on; None when findings were."""
    if findings:
        return None
    grades = f" Graded areas found: {len(areas)}." if areas else ""
    return f"{REASONS[source_type]}{grades} Add the findings by hand; the text is kept."
