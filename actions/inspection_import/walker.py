"""The walk over a report's cleaned lines: headings, lists and paragraphs become findings and
grades, in order (parser.py prepares the lines and numbers what the walk finds)."""

import re

from actions.inspection_import.patterns import (
    ANNOTATION,
    BULLET,
    CARRIED_OVER,
    CONCERNS_END,
    CONCERNS_LEAD_IN,
    FRAGMENT_END,
    GRADE_WORDS,
    HEADLINE_GRADE,
    INLINE_COLON,
    INSPECTORATE_RECOMMENDS,
    INSPECTORATE_SAYS,
    IOPC_RECOMMENDS,
    MODAL,
    NAMED_KINDS,
    NO_GRADE,
    NOT_INSPECTED,
    PROGRESS_LEAD_IN,
    PROSE_START,
    QUOTE_LEAD_IN,
    QUOTES,
    RECOMMENDATIONS_HEADING,
    REF_PREFIX,
    SECTION,
    SENTENCE_END,
    TIMESCALE,
    TIMESCALE_ANY,
    TIMESCALE_START,
    capitalise,
    heading_like,
    label_kind,
    sentences,
)


class Walker:
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
        # Heading and prose read since the last cause of concern, outside any list: a letter may
        # restate the cause there before its recommendations ("we found that the force ...").
        self.context: list[str] = []
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
            self.kind, self.style, self.label = "matter_of_concern", "concern", "Matter of concern"
            self.seen_section, self.source = True, "coroner"
            return
        if body.endswith(":"):
            self._lead_in(body)
            return
        if self.kind and not bullet and ANNOTATION.match(body):
            self._flush()  # a tracker's response or update between two findings
            return
        starts = bool(self.item_start.match(body))
        if not bullet and not starts and not self.lenient and heading_like(body):
            self.close()
            self.fresh, self.topic, self.context = (body, False), None, [body]
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
            kind = label_kind(match["label"])
            if kind == "cause_of_concern" or self.item_start.match(match["rest"]):
                if self.kind != kind or self.style != "sentence":
                    self.close()
                    self.kind, self.seen_section = kind, True
                self._flush()
                self.ref = f"{match['label']} {match['num']}"
                self._start(capitalise(match["rest"]), bullet=False)
                return True
        match = SECTION.fullmatch(body)
        if match and not (match["topic"] and label_kind(match["label"]) == "recommendation"):
            self._section(match)
            return True
        if RECOMMENDATIONS_HEADING.match(body) and heading_like(body):
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
        kind = label_kind(match["label"])
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
        sentence = sentences(body)[-1]
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
        said = clause and not self.kind and INSPECTORATE_SAYS.search(sentence, 0, clause.start())
        if timescale or (clause and (self.kind or said) and MODAL.search(clause[1])):
            # "Within six months, the force should:" – each fragment that follows is one item.
            self._flush()
            self.kind = "afi" if self.kind == "afi" and not timescale else "recommendation"
            self.style, self.lenient, self.single = "fragment", False, False
            prefix = sentence[timescale.start() : -1] if timescale else clause and clause[1]
            self.prefix = capitalise(prefix.strip()) if prefix else None
            self.led = True
            self._restated_cause()
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
            self.prefix = capitalise(clause[1]) if clause else None
            if self.kind == "recommendation":
                self._restated_cause()
        self.led = self.style == "fragment"

    def _text(self, body: str, bullet: bool, starts: bool, after_blank: bool = False):
        if not bullet:
            self._paragraph_grades(body)
        led, self.led = self.led, False
        last = sentences(body)[-1]
        if not bullet and last.endswith(".") and (carried := CARRIED_OVER.search(last)):
            # "One area for improvement remained from that inspection." – it follows.
            self.close()
            self.kind, self.seen_section = "afi", True
            self.lenient = self.single = carried["number"].lower() in ("one", "an", "the", "1")
            return
        if (said := INSPECTORATE_RECOMMENDS.match(body)) and self.item_start.match(
            rest := capitalise(INLINE_COLON.sub(r"\1 ", said["rest"], count=1))
        ):
            # "HMIC recommends that the force should immediately: conduct ..." on a tracker.
            self.close()
            self.kind, self.style, self.seen_section = "recommendation", "paragraph", True
            self._start(rest, bullet)
            self.close()
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
            self.context.append(body)
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
            self.context.append(body)

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
            self.cause, self.context = item, []
        self.parts, self.ref = [], None
        self.count += 1

    def _restated_cause(self):
        """Recommendations that follow a paragraph restating an earlier cause of concern belong
        to that cause, not to the last one listed: a letter's background may list every cause
        ("which were that the force: ...; and ...") before taking them one at a time."""
        causes = [item for item in self.items if item["kind"] == "cause_of_concern"]
        if len(causes) < 2 or not self.context or self.cause not in causes:
            return
        self.cause = causes[-1]  # by default, as with no restatement: the last cause listed
        said = _stems(" ".join(self.context))
        scores = [len(said & _stems(cause["text"])) for cause in causes]
        best = max(scores)
        if best >= 3 and scores.count(best) == 1 and best > scores[-1]:
            self.cause = causes[scores.index(best)]

    def _paragraph_grades(self, body: str):
        """Grades stated in prose: the first paragraph under a heading, or "X is good at Y"."""
        fresh, self.fresh = self.fresh, None
        if self.skip:
            return
        if fresh:
            name, is_question = fresh
            if NO_GRADE.search(body):
                self.grades.setdefault(name, "ungraded")
            elif is_question and (match := HEADLINE_GRADE.search(sentences(body)[0])):
                grade = GRADE_WORDS[(match[1] or "requires improvement").lower()]
                self.grades.setdefault(name, grade)
        elif self.sentence_grades and self.area is None and self.kind is None:
            for match in self.free_grade.finditer(body):
                grade = GRADE_WORDS[(match["grade"] or "requires improvement").lower()]
                self.grades.setdefault(capitalise(match["area"].strip()), grade)


# Words too common in findings to tell one cause of concern from another.
COMMON_WORDS = frozenset(
    {
        "that",
        "this",
        "with",
        "from",
        "their",
        "they",
        "have",
        "force",
        "forces",
        "police",
        "constabulary",
        "should",
        "needs",
        "wasn",
        "doesn",
        "didn",
        "were",
        "been",
        "being",
        "which",
        "when",
        "where",
        "about",
        "into",
        "make",
        "sure",
    }
)


def _stems(text: str) -> set[str]:
    """A text's distinctive words, cut to five letters so that "identify" meets "identifying"."""
    words = re.findall(r"[a-z]+", text.lower())
    return {word[:5] for word in words if len(word) >= 4 and word not in COMMON_WORDS}
