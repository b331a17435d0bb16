"""The report parser's patterns and the small text tests built on them: dates, bullets,
force names, section headings, lead-ins, grades and source markers."""

import re

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
# Who a lead-in says the findings come from ("The HMICFRS says Staffordshire Police needs to
# ensure that:", "Inspectors recommended that the force should:"): the list is of recommendations.
INSPECTORATE_SAYS = re.compile(
    r"\b(?:HMICFRS|HMIC|HM Inspector\w*|[Tt]he inspectorate|[Ii]nspectors)"
    r"(?: \w+){0,2}? (?:says?|said|recommends?|recommended|wants?)\b"
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
# A tracker's recommendation with its own lead-in on the line ("HMIC recommends that the force
# should immediately: conduct a review ..."); the colon after the modal clause is dropped.
INSPECTORATE_RECOMMENDS = re.compile(r"^(?:HMICFRS|HMIC) recommends? that,?\s+(?P<rest>.+)$")
INLINE_COLON = re.compile(r"^([^:]{1,80}?\b(?:should|needs? to|must)\b[^:]{0,40}?)\s*:\s*")
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
    # A coroner's report ends "9 Date: 23 January 2025" (the form's section 9).
    # Each run of spaces has one place to match: two runs side by side made a line of spaces
    # quadratic.
    rf"|(?m:^[ \t]*(?:\d{{1,2}}[ \t]+)?Date[ \t]*(?:[:|][ \t]*)?({DATE})[ \t]*$)"
)
PILLARS = {"effectiveness", "efficiency", "legitimacy", "leadership"}


def heading_like(line: str, max_words: int = 12) -> bool:
    return (
        (line[:1].isupper() or line[:1].isdigit())
        and len(line.split()) <= max_words
        and not LINE_END.search(line)
        and not FRAGMENT_END.search(line)  # "...; and" ends a list item, never a heading
    )


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def subject_pattern(force: str | None) -> str:
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
        if short.startswith("Metropolitan"):
            subjects.insert(0, r"[Tt]he Met\b")  # "the Met should ..." in press releases
    return "(?:" + "|".join(subjects) + ")"


def label_kind(label: str) -> str:
    return {"c": "cause_of_concern", "r": "recommendation"}.get(label[0].lower(), "afi")
