"""Parse HMICFRS inspection report text into inspection details, graded areas and findings."""

import contextlib
import datetime
import re
import time
from collections import Counter

from django.core.exceptions import ValidationError

from actions.inspection_import.parsed import Finding, GradedArea, InspectionInfo, ParsedReport

# Bounds on one parse. The longest HMICFRS reports (State of Policing, national thematics) come to
# about 600,000 characters of text; a parse of that takes well under a second, so the time budget
# only stops input built to be slow, which the patterns below are written not to allow.
MAX_CHARACTERS = 1_500_000
TIME_BUDGET_SECONDS = 10.0

GRADES = ("outstanding", "good", "adequate", "requires_improvement", "inadequate", "ungraded")
GRADE_WORDS = {grade.replace("_", " "): grade for grade in GRADES} | {"not graded": "ungraded"}

DATE = (
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?\s+\d{4}"
    r"|\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"
)
PUBLISHED = re.compile(rf"(?i)\bpublished\b[^.\n]{{0,200}}?\b({DATE})")
# [ \t], not \s: in multiline mode \s* runs on over blank lines from every line start (quadratic).
DATE_LINE = re.compile(rf"(?im)^[ \t]*({DATE})[ \t]*$")
LAST_UPDATED = re.compile(rf"(?i)\b(?:last )?updated:?\s*({DATE})")

FURNITURE = re.compile(
    rf"(?i)(?:skip to (?:main )?content|print(?: this (?:document|page))?|share(?: this page)?"
    rf"|back to top|contents|(?:page\s+)?\d{{1,3}}(?:\s*(?:of|/)\s*\d{{1,3}})?"
    rf"|last updated:?.*|published(?: on)?:?\s*(?:{DATE})|{DATE})"
)
BULLET = re.compile(r"(?:[•·▪◦●*\-–—]|\(?\d{1,2}[.)]|\([a-z]\)|[a-z]\))\s+")
NUMBERED_PARAGRAPH = re.compile(r"(?<!\s)\s+(?=\d{1,2}\.\d{1,2}\s+[A-Z])")
SENTENCE_END = re.compile(r"[.!?]['’\"”)]*$")
LINE_END = re.compile(r"[.!?:;,]['’\"”)]*$")
FRAGMENT_END = re.compile(r"\s*;(?:\s*(?:and|or))?\s*$")
# Words a sentence does not end on: a line ending with one was wrapped mid-sentence.
CONNECTOR_END = re.compile(
    r"(?i)\b(?:a|an|the|of|to|and|or|in|for|with|its|their|by|on|that|at|from|as|is|are|be|was"
    r"|were|which|it|but)$"
)
# Prefixes whose hyphen is part of the word ("co-ordinated"), kept when a line break splits it.
# How much of a line's end the reflow keeps for its end-of-line tests.
TAIL = 80
KEEP_HYPHEN = {"co", "non", "multi", "anti", "self", "well", "cross", "pre", "post", "re", "sub"}

WITHIN_BY = (
    r"(?:[Ww]ithin (?:the next )?(?:\w+\s+){1,2}(?:days?|weeks?|months?|years?)"
    r"|[Bb]y (?:the end of )?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Z][a-z]+\s+\d{4})"
)
TIMESCALE = rf"(?:{WITHIN_BY}|Immediately)"
# A timescale anywhere in a lead-in ("We recommend that, within six months, the force:").
TIMESCALE_ANY = re.compile(rf"\b{WITHIN_BY}\b")
TIMESCALE_START = re.compile(rf"(?:{WITHIN_BY}|Immediately),")
# Every repetition in a force name is bounded and its pieces cannot overlap (a word, then the
# spaces after it): these patterns are tried at every position of every paragraph, so unbounded or
# overlapping repeats made matching quadratic, or exponential ("Police Service of " followed by a
# long capitalised run took seconds per character). At most four words of at most 30 characters.
NAME_WORD = r"(?!(?:Police|Constabulary)\b)[A-Z][\w'’.-]{0,30}+"
# "of" only between two name words ("City of London Police"), never before the last word, so
# "Inspectorate of Constabulary" is not a force.
FORCE_NAME = (
    rf"(?:{NAME_WORD} +(?:(?:and|&) +|of +(?={NAME_WORD} ))?){{1,4}}"
    r"(?:Constabulary|Police(?: Service)?)"
    r"|Police Service of [A-Z]\w{0,30}+(?: [A-Z]\w{0,30}+){0,2}|Police Scotland"
)
FORCE_RE = re.compile(rf"\b({FORCE_NAME})\b(?! *(?:and|&) *Crime\b)")
# Leading words that are not part of a force's name ("The Police Efficiency ...", "Report to ...").
NOT_NAME = re.compile(
    r"^(?:(?:The|A|An|His|Her|HM|HMI|Report|Office|Our|This|However) +"
    r"|(?:Chief +Constable|Commissioner|Constable) +of +)+"
)
MODAL = re.compile(r"\b(?:should|needs? to|must)\b")
NAMED_KINDS = {
    "afi": re.compile(r"(?i)\bareas? for improvement\b|\bAFIs?\b"),
    "cause_of_concern": re.compile(r"(?i)\bcauses? of concern\b"),
    "recommendation": re.compile(r"(?i)\brecommend\w*"),
}
SECTION = re.compile(
    r"(?i)(?P<label>areas? for improvement|afis?|causes? of concern|recommendations?)"
    r"(?:\s+(?P<num>\d+))?(?:\s*\(\d+\))?(?:\s*[:–—-]\s*(?P<topic>[^.:]{1,120}?))?\s*:?"
)
REF_PREFIX = re.compile(
    r"(?i)(?P<label>AFI|Area for improvement|Recommendation|Cause of concern)\s+(?P<num>\d+)"
    r"\s*[:–—.-]\s*(?P<rest>.+)"
)
NOT_INSPECTED = re.compile(r"(?i)\bnot (?:been )?inspected\b")
NO_GRADE = re.compile(
    r"(?i)\b(?:do(?:es)?n['’]t|do(?:es)? not|did(?:n['’]t| not)) (?:make|give|assign) (?:a )?"
    r"grad(?:ed|ing) judge?ments?\b|\b(?:not|isn['’]t|aren['’]t) graded\b|\bungraded\b"
    r"|\bdo(?:es)?(?:n['’]t| not) grade\b"
)
HEADLINE_GRADE = re.compile(
    r"(?i)\b(?:is|are|remains?)\s+(?:(?:generally|currently|now|still|also)\s+)?"
    r"(outstanding|good|adequate|inadequate)\b(?=\s+(?:at|in)\b|\s*[.,;]|\s*$)"
    r"|\b(?:requires?|requiring)\s+improvement\b"
)
TITLE_WORDS = re.compile(
    r"(?i)\bPEEL\b|inspection|assessment|cause of concern|report to prevent future deaths"
    r"|learning recommendation"
)

# Tracker annotations between findings ("MPS response: ...", "Update: ..."): not findings, and
# not the prose that ends a list either.
ANNOTATION = re.compile(
    r"(?i)^(?:[\w&’'-]+ +){0,3}(?:response|update|status|progress|comments?|position|rag)\s*[:–—-]"
)
# A heading naming who made the recommendations ("IOPC recommendations to the MPS").
RECOMMENDATIONS_HEADING = re.compile(
    r"(?i)^(?:(?:IOPC|IPCC|HMICFRS|HMIC|learning|our|key|the) +){1,2}recommendations?"
    r"(?: +(?:to|for|made to) +[^.:]{1,60})?$"
)
# Where a list of plain paragraphs stops: a quotation, or ordinary prose about the findings.
PROSE_START = re.compile(
    r"^(?:[\"“‘'(]|(?:We|Our|This|These|Those|That|There|It|Its|In|However|HMICFRS|HMIC|HMI"
    r"|Next|Since|Overall|The (?:force|constabulary|report|inspection|Panel|Committee|Board)"
    r" +(?:has|have|had|is|was|were|did|does|noted|agreed|asked))\b)"
)
# A lead-in to what was done about the findings ("Progress against the areas for improvement:").
PROGRESS_LEAD_IN = re.compile(
    r"(?i)\b(?:progress|updates?|achieved|achievements|completed|closed|discharged|strengths"
    r"|effective practice|innovative practice)\b"
)
# "Our inspection found:" before a cause of concern quoted in a revisit letter.
QUOTE_LEAD_IN = re.compile(
    r"(?i)\b(?:our|the|that|this) (?:\w+ ){0,3}(?:inspection|report|review|letter) "
    r"(?:found|said|stated|concluded|identified)\b[^:]*:$|\bwe (?:said|concluded)\b[^:]*:$"
)
QUOTES = "\"“”‘’'"
# "One area for improvement remained from that inspection." – a carried-over AFI follows.
CARRIED_OVER = re.compile(
    r"(?i)\b(?P<number>one|an|the|two|three|four|five|\d+) (?:\w+ )?"
    r"(?:areas? for improvement|AFIs?) (?:\w+ )?(?:remained|remains|remain"
    r"|(?:was|were|is|are|has been|have been)"
    r" (?:carried (?:over|forward)|outstanding|still open))\b"
)
# IOPC learning recommendations, stated as a paragraph of their own.
IOPC_RECOMMENDS = re.compile(r"^(?:The )?(?:IOPC|IPCC)(?: therefore)? recommends? that\b")
# A coroner's report to prevent future deaths: its matters of concern, and where they end.
CONCERNS_LEAD_IN = re.compile(
    r"(?i)\bmatters? of concern\b[^.]{0,40}?(?:as follows|below)?[\s.:;,–—-]*$"
)
CONCERNS_END = re.compile(
    r"(?i)^(?:\d{1,2}\.? +)?(?:action should be taken|your response|copies and publication)"
    r"|^in my opinion,? (?:urgent )?action should be taken"
)
SOURCE_MARKERS = {
    "coroner": re.compile(
        r"(?i)\bregulation 28\b|\breports? to prevent future deaths\b"
        r"|\bprevention of future deaths? report"
    ),
    "iopc": re.compile(
        r"\bIOPC\b|\bIPCC\b|(?i:independent office for police conduct|paragraph 28A)"
    ),
    "hmicfrs": re.compile(
        r"\bHMICFRS\b|\bHMIC\b|\bPEEL\b|(?i:inspectorate of constabulary|areas? for improvement)"
    ),
}
# The date a recommendation or coroner's report was made, as IOPC and coroners' pages give it.
SOURCE_DATE = re.compile(
    rf"(?i)\b(?:date of (?:the )?(?:report|recommendation)|date (?:recommendation )?made"
    rf"|recommendation made on|dated)\b\s*:?\s*({DATE})"
)
PILLARS = {"effectiveness", "efficiency", "legitimacy", "leadership"}


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
    text: str, force_name: str | None = None, *, time_budget: float | None = TIME_BUDGET_SECONDS
) -> ParsedReport:
    """The report's details, grades and findings. Raises ReportParseError for text over
    MAX_CHARACTERS or a parse over its time budget (seconds; None for no limit)."""
    text = text or ""
    if len(text) > MAX_CHARACTERS:
        raise ReportParseError(
            f"The text is too long to read: {len(text):,} characters, and the limit is "
            f"{MAX_CHARACTERS:,}. Paste only the part of the report that lists its findings.",
            code="too_long",
        )
    budget = _Budget(time_budget)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    tables, lines = _take_grade_tables(_clean_lines(text, budget))
    lines = _reflow([" ".join(line.split()) for line in lines], budget)
    force = force_name or _find_force(text)
    subject = _subject_pattern(force)
    item_start = rf"(?:{TIMESCALE},?\s+)?{subject}\s+(?:should|needs? to|must)\b(?!\s+also\b)"
    lines = _split_inline_lead_ins(lines, item_start)

    coroner = bool(SOURCE_MARKERS["coroner"].search(text))
    walker = _Walker(subject, item_start, sentence_grades=not tables, coroner=coroner)
    for line in lines:
        budget.check()
        walker.feed(line)
    walker.close()

    areas = list(tables)
    seen = {area.name.lower() for area in areas}
    areas += [GradedArea(n, g) for n, g in walker.grades.items() if n.lower() not in seen]
    findings = _number_findings(walker.items)
    source_type = _source_type(text, walker.items)
    info = InspectionInfo(_find_title(lines), force, _find_published(text))
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
        if counts[line] >= 3 and TITLE_WORDS.search(line) and _heading_like(line, max_words=20):
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
    for line in lines:
        budget.check()
        if not line:
            blanks += 1
            continue
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


def _heading_like(line: str, max_words: int = 12) -> bool:
    return (
        (line[:1].isupper() or line[:1].isdigit())
        and len(line.split()) <= max_words
        and not LINE_END.search(line)
        and not FRAGMENT_END.search(line)  # "...; and" ends a list item, never a heading
    )


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def _subject_pattern(force: str | None) -> str:
    """Who findings are addressed to: the force, a named force, chief constables; and the
    report's own force by its name, its name without "Police" ("Hertfordshire should ...") and
    its initials ("The MPS should ..."), as trackers and letters write it."""
    subjects = [
        r"[Tt]he (?i:force|constabulary|service)",
        r"(?:[Aa]ll |[Tt]he )?[Cc]hief [Cc]onstables?",
        r"(?:[Aa]ll )?forces",
        rf"(?:{FORCE_NAME})",
    ]
    if force:
        short = re.sub(r"\s+(?:Constabulary|Police(?: Service)?)$", "", force)
        initials = "".join(word[0] for word in force.split() if word[0].isupper())
        subjects[:0] = [re.escape(force)] + ([re.escape(short)] if short != force else [])
        if len(initials) >= 2:
            subjects.insert(0, rf"(?:[Tt]he )?{initials}\b")
    return "(?:" + "|".join(subjects) + ")"


# --- Metadata --------------------------------------------------------------------------------


def _find_title(lines: list[str]) -> str | None:
    """The first heading-like line naming PEEL or an inspection; a following PEEL pillar line
    ("Effectiveness") is part of the title on HMICFRS force pages."""
    for i, line in enumerate(lines):
        if line and _heading_like(line, max_words=20) and TITLE_WORDS.search(line):
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
            if parsed := _parse_date(match.group(1)):
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


# --- Findings and grades ---------------------------------------------------------------------


class _Walker:
    """Reads the cleaned lines in order, keeping track of the current heading and open list."""

    def __init__(self, subject: str, item_start: str, sentence_grades: bool, coroner: bool):
        self.item_start = re.compile(item_start)
        self.coroner = coroner  # read "The MATTERS OF CONCERN are as follows" lists
        self.lead_in_clause = re.compile(rf"((?:{TIMESCALE},?\s+)?{subject}\b[^:]*):$")
        # A run-together PDF paragraph: split before each new "The force should ...".
        self.split_items = re.compile(
            rf"(?<=[.!?])\s+(?={item_start})"
            r"|(?<=[a-z])\s+(?=The (?:force|constabulary) (?:should|needs to|must)\b(?!\s+also\b))"
        )
        self.free_grade = re.compile(
            rf"{subject}\s+(?:is\s+(?P<grade>outstanding|good|adequate|inadequate)"
            r"|requires improvement)\s+(?:at|in)\s+(?P<area>[^.,;:]+)"
        )
        self.sentence_grades = sentence_grades
        self.grades: dict[str, str] = {}
        self.items: list[dict] = []
        self.area: str | None = None
        self.fresh: tuple[str, bool] | None = None  # (heading, is_question) awaiting 1st paragraph
        self.cause: dict | None = None
        self.skip = False  # "This question was not inspected"
        self.seen_section = False
        self.topic: str | None = None  # "Cause of concern: <topic>", kept for its recommendations
        self.concern_named = False  # the text has spoken of a cause of concern
        self.blank = False  # a blank line came before the current one
        self._reset()

    def _reset(self):
        self.kind = self.style = self.prefix = self.ref = self.label = self.source = None
        self.lenient = self.single = self.summary = self.bulleted = self.led = False
        self.count = 0
        self.parts: list[str] = []

    def feed(self, line: str):
        if not line:
            # A statement's explanation, or a concern's second paragraph, may follow a blank line.
            if self.style not in ("statement", "concern"):
                self._flush()
            self.blank = True
            return
        after_blank, self.blank = self.blank, False
        bullet = BULLET.match(line)
        body = line[bullet.end() :] if bullet else line
        if NAMED_KINDS["cause_of_concern"].search(body):
            self.concern_named = True
        if NOT_INSPECTED.search(body):
            self.close()
            self.skip, self.fresh = True, None
            return
        if not bullet and self._structural(body):
            return
        if self.skip:
            return
        if self.style == "concern" and CONCERNS_END.search(body):
            self.close()
            return
        if self.coroner and not bullet and len(body) <= 200 and CONCERNS_LEAD_IN.search(body):
            # "The MATTERS OF CONCERN are as follows. –": each numbered paragraph is a concern.
            self.close()
            self.kind, self.style, self.label = "cause_of_concern", "concern", "Matter of concern"
            self.seen_section, self.source = True, "coroner"
            return
        if body.endswith(":"):
            self._lead_in(body)
            return
        if self.kind and not bullet and ANNOTATION.match(body):
            self._flush()  # a tracker's response or update between two findings
            return
        starts = bool(self.item_start.match(body))
        if not bullet and not starts and not self.lenient and _heading_like(body):
            self.close()
            self.fresh, self.topic = (body, False), None
            return
        self._text(body, bool(bullet), starts, after_blank)

    def close(self):
        self._flush()
        self._reset()

    def _structural(self, body: str) -> bool:
        """Grade lines, section headings, numbered findings and question headings."""
        label = re.sub(r"(?i)^(?:grade|rating)\s*:\s*", "", body).rstrip(".").lower()
        if grade := GRADE_WORDS.get(label):
            self.close()
            name = self.fresh[0] if self.fresh else self.area
            if name and not self.skip:
                self.grades.setdefault(name, grade)
                self.area = name
            self.fresh = None
            return True
        if (match := REF_PREFIX.fullmatch(body)) and not self.skip:
            kind = _label_kind(match["label"])
            if kind == "cause_of_concern" or self.item_start.match(match["rest"]):
                if self.kind != kind or self.style != "sentence":
                    self.close()
                    self.kind, self.seen_section = kind, True
                self._flush()
                self.ref = f"{match['label']} {match['num']}"
                self._start(_capitalise(match["rest"]), bullet=False)
                return True
        match = SECTION.fullmatch(body)
        if match and not (match["topic"] and _label_kind(match["label"]) == "recommendation"):
            self._section(match)
            return True
        if RECOMMENDATIONS_HEADING.match(body) and _heading_like(body):
            self.close()
            self.kind, self.seen_section = "recommendation", True
            self.source = "iopc" if re.search(r"IOPC|IPCC|(?i:learning)", body) else None
            return True
        if body.endswith("?") and len(body) <= 300:
            self.close()
            self.area, self.fresh, self.cause, self.skip = body, (body, True), None, False
            self.topic = None
            return True
        return False

    def _section(self, match: re.Match):
        self.close()
        kind = _label_kind(match["label"])
        plural = match["label"].split()[0].lower().endswith("s")
        self.kind, self.seen_section = kind, True
        if kind != "recommendation":
            self.topic = match["topic"]
        # A singular label ("AFI", "Cause of concern") introduces one item in any wording; but
        # "Recommendation" headings are common in committee papers, so their items must read as
        # recommendations ("Within three months, the force should ...").
        self.lenient = self.single = not plural and kind != "recommendation"
        if match["num"] and not plural:
            self.ref = f"{match['label']} {match['num']}"

    def _lead_in(self, body: str):
        sentence = _sentences(body)[-1]
        # The clause holds no colon: searching only after the last one keeps this linear.
        start = sentence.rfind(":", 0, -1) + 1
        clause = self.lead_in_clause.search(sentence, start)
        timescale = TIMESCALE_ANY.search(sentence)
        names_kind = any(rx.search(sentence) for rx in NAMED_KINDS.values())
        if self.concern_named and not names_kind and QUOTE_LEAD_IN.search(sentence, start):
            # A revisit letter quoting the cause of concern it follows up: "Our inspection
            # found:" and then the cause of concern in quotation marks.
            self.close()
            self.kind, self.style, self.seen_section = "cause_of_concern", "quote", True
            return
        if timescale or (clause and self.kind and MODAL.search(clause[1])):
            # "Within six months, the force should:" – each fragment that follows is one item.
            self._flush()
            self.kind = "afi" if self.kind == "afi" and not timescale else "recommendation"
            self.style, self.lenient, self.single = "fragment", False, False
            prefix = sentence[timescale.start() : -1] if timescale else clause and clause[1]
            self.prefix = _capitalise(prefix.strip()) if prefix else None
            self.led = True
            return
        self.close()
        # The list is of the kind named last ("This cause of concern had two recommendations:"),
        # leaving out kinds it is contrasted with ("AFIs rather than recommendations:").
        named = re.sub(r"(?i)\b(?:rather than|instead of)\b.*", "", sentence)
        if PROGRESS_LEAD_IN.search(named):
            return  # what was done about the findings, not the findings
        hits = [(m.end(), kind) for kind, rx in NAMED_KINDS.items() for m in rx.finditer(named)]
        if hits:
            # "two causes of concern, which were that the force:" – a list in a sentence. Before
            # any formal heading it may only summarise the formal list, so it is marked as such.
            self.kind, self.style = max(hits)[1], "fragment"
            self.summary = not self.seen_section
            self.prefix = _capitalise(clause[1]) if clause else None
        self.led = self.style == "fragment"

    def _text(self, body: str, bullet: bool, starts: bool, after_blank: bool = False):
        if not bullet:
            self._paragraph_grades(body)
        led, self.led = self.led, False
        last = _sentences(body)[-1]
        if not bullet and last.endswith(".") and (carried := CARRIED_OVER.search(last)):
            # "One area for improvement remained from that inspection." – it follows.
            self.close()
            self.kind, self.seen_section = "afi", True
            self.lenient = self.single = carried["number"].lower() in ("one", "an", "the", "1")
            return
        if IOPC_RECOMMENDS.match(body):
            self.close()
            self.kind, self.style, self.source = "recommendation", "paragraph", "iopc"
            self.seen_section = True
            self._start(body, bullet)
            self.close()
            return
        if self.kind is None and starts and TIMESCALE_START.match(body):
            # "By 31 August 2015, all chief constables should ..." on a tracker's page: only a
            # recommendation is written with a deadline, so it needs no heading.
            self.kind, self.style = "recommendation", "paragraph"
            self._start(body, bullet)
            self.close()
            return
        if self.kind is None:
            return
        if self.lenient:
            self.lenient = False
            self._start(body, bullet)
        elif self.style == "quote":
            self._quoted(body)
        elif self.style == "concern":
            if bullet or not self.parts or (after_blank and not self.bulleted):
                self._start(body, bullet)
            else:
                self.parts.append(body)  # a concern's second paragraph
        elif (
            self.style == "fragment"
            and not bullet
            and (after_blank or led)
            and not self.bulleted
            and not PROSE_START.match(body)
        ):
            # Plain paragraphs after a lead-in, each an item, until a quotation or prose.
            self._start(body, bullet)
        elif self.style == "statement":
            if starts and not bullet and not SENTENCE_END.search(body):
                self._start(body, bullet)  # the next statement line
            else:
                self.parts.append(body)  # explanatory paragraph of the current statement
        elif (
            (bullet and self.style == "fragment")
            or (bullet and self.style != "sentence" and (starts or self.kind != "recommendation"))
            or (self.style == "fragment" and body[0].islower())
            or (starts and self.style != "bullet")
        ):
            self._start(body, bullet)
        else:
            self.close()  # a narrative paragraph ends the list

    def _quoted(self, body: str):
        """A cause of concern in quotation marks, over one or more paragraphs."""
        if not self.parts and body[0] not in QUOTES:
            self.close()  # no quotation after all
            return
        if not self.parts:
            self._start(body.lstrip(QUOTES), bullet=False)
        else:
            self.parts.append(body)
        if body.rstrip(".").endswith(tuple(QUOTES)):
            self.parts[-1] = self.parts[-1].rstrip(QUOTES + ".") + "."
            self.close()

    def _start(self, body: str, bullet: bool):
        self._flush()
        self.bulleted = self.bulleted or bullet
        if self.single and self.count and self.kind == "cause_of_concern":
            self.kind = "recommendation"  # what follows a cause of concern's statement
        if self.style is None:
            statement = not bullet and not SENTENCE_END.search(body)
            self.style = "bullet" if bullet else "statement" if statement else "sentence"
        whole = bullet or self.style in ("statement", "paragraph", "concern", "quote")
        pieces = [body] if whole else self.split_items.split(body)
        for piece in pieces:
            self._flush()
            if self.prefix and not self.item_start.match(piece):
                # The lead-in's words make each fragment stand alone; keep acronyms' capitals.
                first = piece[:1].lower() if piece[1:2].islower() else piece[:1]
                piece = f"{self.prefix} {first}{piece[1:]}"
            self.parts = [piece]

    def _flush(self):
        if not self.parts:
            return
        first, *rest = self.parts
        if rest and not SENTENCE_END.search(first):
            first += "."
        text = " ".join(" ".join([first, *rest]).split())
        if FRAGMENT_END.search(text):
            text = FRAGMENT_END.sub("", text) + "."
        item = {
            "kind": self.kind,
            "label": self.label,
            "source": self.source,
            "ref": self.ref,
            "area": self.area or self.topic,
            "cause": self.cause if self.kind == "recommendation" else None,
            "summary": self.summary,
            "text": text,
        }
        self.items.append(item)
        if self.kind == "cause_of_concern":
            self.cause = item
        self.parts, self.ref = [], None
        self.count += 1

    def _paragraph_grades(self, body: str):
        """Grades stated in prose: the first paragraph under a heading, or "X is good at Y"."""
        fresh, self.fresh = self.fresh, None
        if self.skip:
            return
        if fresh:
            name, is_question = fresh
            if NO_GRADE.search(body):
                self.grades.setdefault(name, "ungraded")
            elif is_question and (match := HEADLINE_GRADE.search(_sentences(body)[0])):
                grade = GRADE_WORDS[(match[1] or "requires improvement").lower()]
                self.grades.setdefault(name, grade)
        elif self.sentence_grades and self.area is None and self.kind is None:
            for match in self.free_grade.finditer(body):
                grade = GRADE_WORDS[(match["grade"] or "requires improvement").lower()]
                self.grades.setdefault(_capitalise(match["area"].strip()), grade)


def _label_kind(label: str) -> str:
    return {"c": "cause_of_concern", "r": "recommendation"}.get(label[0].lower(), "afi")


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
