"""Tests for the HMICFRS report parser: synthetic conventions, and accuracy on the corpus."""

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from actions.inspection_import.parser import parse_report

CORPUS = Path(__file__).resolve().parents[1] / "corpus_texts"
LABELS = Path(__file__).resolve().parents[1] / "corpus_labels"
PANEL_REPORT = "pcc-panel-report-peel-2023-25.txt"
KINDS = ("afi", "cause_of_concern", "recommendation")

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus texts not found at {CORPUS}")


def parse(text, force_name=None):
    return parse_report(text, force_name).as_dict()


def texts(result, kind=None):
    return [f["text"] for f in result["findings"] if kind is None or f["kind"] == kind]


def grades(result):
    return {area["name"]: area["grade"] for area in result["graded_areas"]}


def normalise(text):
    """Lower-case, punctuation stripped, whitespace collapsed: how found and expected compare."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


# --- Empty and narrative input ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t\n  ", "The force works well with partners."])
def test_text_without_findings_gives_an_empty_result(text):
    result = parse(text)
    assert result == {
        "inspection": {"title": None, "force": None, "published": None},
        "graded_areas": [],
        "findings": [],
    }


def test_as_dict_is_json_ready_with_the_documented_shape():
    text = (
        "Westvale Police PEEL inspection\nPublished on 3 June 2021\n"
        "How well does the force investigate crime?\nGood\n"
        "Areas for improvement\n• The force should review its case files.\n"
    )
    result = parse_report(text)
    assert result.inspection.published == datetime.date(2021, 6, 3)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["inspection"] == {
        "title": "Westvale Police PEEL inspection",
        "force": "Westvale Police",
        "published": "2021-06-03",
    }
    assert data["graded_areas"] == [
        {"name": "How well does the force investigate crime?", "grade": "good"}
    ]
    assert data["findings"] == [
        {
            "kind": "afi",
            "reference": "AFI 1",
            "area": "How well does the force investigate crime?",
            "parent": None,
            "text": "The force should review its case files.",
        }
    ]


# --- Areas for improvement -------------------------------------------------------------------


def test_bulleted_afis_under_a_question_end_at_the_narrative_paragraph():
    text = """How well does the force understand demand?
Good
Areas for improvement
• The force should improve how it forecasts demand.
· The force should review its shift patterns.
- The force should share good practice between districts.
The force should be proud of its neighbourhood teams.
"""
    result = parse(text)
    assert texts(result) == [
        "The force should improve how it forecasts demand.",
        "The force should review its shift patterns.",
        "The force should share good practice between districts.",
    ]
    assert {f["area"] for f in result["findings"]} == {"How well does the force understand demand?"}
    assert [f["reference"] for f in result["findings"]] == ["AFI 1", "AFI 2", "AFI 3"]


def test_numbered_items_and_a_question_heading_ending_the_list():
    text = """Areas for improvement
1. The constabulary should improve its crime recording.
2) The constabulary should audit its use of force forms.
How effective is the constabulary at protecting vulnerable people?
The constabulary should do more, and we will return next year.
"""
    result = parse(text)
    assert texts(result) == [
        "The constabulary should improve its crime recording.",
        "The constabulary should audit its use of force forms.",
    ]
    assert result["findings"][0]["area"] is None


def test_committee_paper_numbered_afis_keep_their_printed_reference():
    text = """Update on HMICFRS areas for improvement
AFI 7 – the Force should review its missing persons policy.
AFI 12: the Force should train supervisors in case file quality.
The Board noted that AFI 7 is on track and AFI 12 was closed in March.
"""
    result = parse(text)
    assert [(f["reference"], f["text"]) for f in result["findings"]] == [
        ("AFI 7", "The Force should review its missing persons policy."),
        ("AFI 12", "The Force should train supervisors in case file quality."),
    ]


def test_minutes_that_merely_mention_afis_give_no_findings():
    text = """Minutes of the Joint Audit Committee
The committee discussed progress against the areas for improvement.
AFI 3 was closed on the evidence provided. Members asked about AFI 4.
The force should report back on AFI 4 at the next meeting.
"""
    assert parse(text)["findings"] == []


def test_tracker_afi_labels_with_statement_lines_and_explanations():
    text = """Areas for Improvement (2)
AFI
The force needs to improve how it answers non-emergency calls
Callers waited an average of 14 minutes. The force has a plan.

It expects to recruit more call handlers next year.
Northshire Constabulary
AFI
Northshire Constabulary should improve its vetting of new recruits
Some recruits started work before vetting was finished.
"""
    result = parse(text)
    assert texts(result) == [
        "The force needs to improve how it answers non-emergency calls. Callers waited an "
        "average of 14 minutes. The force has a plan. It expects to recruit more call "
        "handlers next year.",
        "Northshire Constabulary should improve its vetting of new recruits. Some recruits "
        "started work before vetting was finished.",
    ]
    assert {f["kind"] for f in result["findings"]} == {"afi"}


def test_2023_style_statements_under_graded_area_headings():
    text = """Investigating crime
Requires improvement
The force is slow to allocate investigations.
Areas for improvement
The force needs to improve the supervision of investigations
Supervisors didn't always review the investigation plan.
The force needs to improve how it keeps victims informed
Victims told us they were not updated.
Preventing crime
Good
"""
    result = parse(text)
    assert texts(result) == [
        "The force needs to improve the supervision of investigations. Supervisors didn't "
        "always review the investigation plan.",
        "The force needs to improve how it keeps victims informed. Victims told us they were "
        "not updated.",
    ]
    assert {f["area"] for f in result["findings"]} == {"Investigating crime"}
    assert grades(result) == {
        "Investigating crime": "requires_improvement",
        "Preventing crime": "good",
    }


def test_run_together_pdf_paragraph_is_split_at_each_the_force_should():
    text = (
        "Areas for improvement\n"
        "The force should map its demand. This will help it plan The force should publish "
        "its workforce plan The force should also consult staff on it. The force should "
        "evaluate its problem solving.\n"
    )
    assert texts(parse(text)) == [
        "The force should map its demand. This will help it plan",
        "The force should publish its workforce plan The force should also consult staff on it.",
        "The force should evaluate its problem solving.",
    ]


def test_afis_introduced_in_a_sentence_are_kept_when_no_formal_list_exists():
    text = (
        "3.1 The efficiency report set out two broad areas for improvement rather than "
        "detailed recommendations: The force should plan for future demand The force should "
        "link its costs to outcomes. 3.2 The Chief Constable has agreed an action plan.\n"
    )
    result = parse(text)
    assert texts(result, "afi") == [
        "The force should plan for future demand",
        "The force should link its costs to outcomes.",
    ]


def test_hard_line_breaks_and_hyphenation_are_repaired():
    text = """Areas for improvement
  • The force should make sure that all investi-
    gations are properly supervised and that
    victims are kept informed.
  • The force should improve its co-
    ordination with the local authority's
    safeguarding team.
"""
    assert texts(parse(text)) == [
        "The force should make sure that all investigations are properly supervised and that "
        "victims are kept informed.",
        "The force should improve its co-ordination with the local authority's safeguarding team.",
    ]


def test_page_furniture_is_ignored():
    text = """Skip to content
Print this document
Areas for improvement
• The force should improve the quality of its
Page 4 of 12
crime investigations.
14
• The force should review its custody
safeguards.
"""
    assert texts(parse(text)) == [
        "The force should improve the quality of its crime investigations.",
        "The force should review its custody safeguards.",
    ]


def test_pdf_page_break_and_running_header_inside_an_item():
    header = "PEEL 2021/22 – Police effectiveness, efficiency and legitimacy – Westvale Police"
    text = f"""{header}
Areas for improvement
• The force should make sure that its officers record
the reasons for every stop and search.
• The force should improve how it

{header}

7

monitors the use of force by its officers.
{header}
How good is the force at investigating crime?
"""
    result = parse(text)
    assert texts(result) == [
        "The force should make sure that its officers record the reasons for every stop and "
        "search.",
        "The force should improve how it monitors the use of force by its officers.",
    ]
    assert result["inspection"]["title"] == header


# --- Causes of concern and recommendations ---------------------------------------------------


def test_bare_cause_of_concern_heading_with_a_recommendations_heading():
    text = """Cause of concern
The force isn't responding to emergency calls quickly enough.

Recommendations
Within three months, the force should review its call handling staffing.
The force should immediately publish its response times.
Within six months, the force should audit its call grading.

Our findings
The force has a new control room.
"""
    result = parse(text)
    assert [(f["kind"], f["reference"], f["parent"]) for f in result["findings"]] == [
        ("cause_of_concern", "Cause of concern 1", None),
        ("recommendation", "Recommendation 1", "Cause of concern 1"),
        ("recommendation", "Recommendation 2", "Cause of concern 1"),
        ("recommendation", "Recommendation 3", "Cause of concern 1"),
    ]
    assert texts(result, "cause_of_concern") == [
        "The force isn't responding to emergency calls quickly enough."
    ]


def test_cause_of_concern_with_topic_and_inline_recommendations_lead_in():
    text = """Cause of concern: Custody
The force needs to improve the safety of detainees in custody
We found risk assessments were often incomplete.
This cause of concern had two accompanying recommendations:
• Within one month, the force should check every cell for ligature points.
• Within three months, the force should retrain custody sergeants.
Cause of concern: Vetting
The force needs to clear its vetting backlog
Recommendation
• By 31 March 2025, the force should have cleared the backlog.
"""
    result = parse(text)
    assert [(f["kind"], f["area"], f["parent"]) for f in result["findings"]] == [
        ("cause_of_concern", "Custody", None),
        ("recommendation", "Custody", "Cause of concern 1"),
        ("recommendation", "Custody", "Cause of concern 1"),
        ("cause_of_concern", "Vetting", None),
        ("recommendation", "Vetting", "Cause of concern 2"),
    ]
    assert result["findings"][0]["text"] == (
        "The force needs to improve the safety of detainees in custody. We found risk "
        "assessments were often incomplete."
    )


def test_lead_in_timescale_is_prefixed_to_each_fragment():
    text = """Cause of concern
Westvale Police is not protecting children at risk of exploitation.
Within six months, Westvale Police should:
• review every open child exploitation case;
• train all response officers to recognise exploitation; and
• agree a joint plan with the local authority.
"""
    result = parse(text)
    assert texts(result, "recommendation") == [
        "Within six months, Westvale Police should review every open child exploitation case.",
        "Within six months, Westvale Police should train all response officers to recognise "
        "exploitation.",
        "Within six months, Westvale Police should agree a joint plan with the local authority.",
    ]
    assert {f["parent"] for f in result["findings"][1:]} == {"Cause of concern 1"}


def test_capitalised_fragments_after_a_lead_in_also_get_it_unless_they_stand_alone():
    text = """Within three months, the force should make sure that:
• Call handlers record a risk assessment for every call;
• DASH forms are checked by a supervisor; and
• Within one month, the force should publish its results.
"""
    assert texts(parse(text)) == [
        "Within three months, the force should make sure that call handlers record a risk "
        "assessment for every call.",
        "Within three months, the force should make sure that DASH forms are checked by a "
        "supervisor.",
        "Within one month, the force should publish its results.",
    ]


def test_unbulleted_lead_in_fragments():
    text = (
        "We made the following recommendations:\n"
        "By 1 April 2026, the chief constable should:\n"
        "publish a vetting policy;\n"
        "check all officers against national databases; and\n"
        "report progress to the commissioner.\n"
        "We will revisit the force in 2026.\n"
    )
    assert texts(parse(text), "recommendation") == [
        "By 1 April 2026, the chief constable should publish a vetting policy.",
        "By 1 April 2026, the chief constable should check all officers against national "
        "databases.",
        "By 1 April 2026, the chief constable should report progress to the commissioner.",
    ]


def test_timescale_inside_a_recommendations_lead_in():
    text = """Cause of concern
The force doesn't understand the demand it faces.
To address this cause of concern, we recommend that, within six months, the force:
• analyses calls for service; and
• sets out how it will meet demand.
"""
    assert texts(parse(text), "recommendation") == [
        "Within six months, the force analyses calls for service.",
        "Within six months, the force sets out how it will meet demand.",
    ]


def test_causes_of_concern_listed_in_a_sentence_with_recommendations():
    text = """We found three causes of concern, which were that the force:
- does not record all crimes reported to it;
- does not supervise investigations well enough; and
- does not give victims the support they need.
These causes of concern had one accompanying recommendation:
- The force should immediately audit its crime records.
Next we describe the force's workforce.
"""
    result = parse(text)
    assert texts(result, "cause_of_concern") == [
        "The force does not record all crimes reported to it.",
        "The force does not supervise investigations well enough.",
        "The force does not give victims the support they need.",
    ]
    assert [(f["reference"], f["parent"]) for f in result["findings"][3:]] == [
        ("Recommendation 1", "Cause of concern 3")
    ]


def test_summary_list_before_the_formal_causes_of_concern_is_not_counted_twice():
    text = """We have issued two causes of concern to the force because of its failure to:
• answer emergency calls on time; and
• investigate crime effectively.
Cause of concern
The force needs to improve how quickly it answers emergency calls.
Cause of concern
The force needs to improve its investigations.
"""
    result = parse(text)
    assert texts(result) == [
        "The force needs to improve how quickly it answers emergency calls.",
        "The force needs to improve its investigations.",
    ]
    assert [f["reference"] for f in result["findings"]] == [
        "Cause of concern 1",
        "Cause of concern 2",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Recommendation\nThe Panel is recommended to note the Commissioner's report.\n",
        "Recommendations\n• That the Panel notes the report.\n• That members comment on it.\n",
        "Recommendation 1: That the Committee notes this report\nThe Committee agreed.\n",
    ],
)
def test_committee_recommendations_are_not_findings(text):
    assert parse(text)["findings"] == []


# --- Decoys and not-inspected questions ------------------------------------------------------


def test_decoy_lists_are_not_findings():
    text = """How effective is the force at protecting vulnerable people?
Northshire Constabulary requires improvement in the way it protects vulnerable people.
Examples of effective practice include:
- a strong partnership hub; and
- good training for call handlers.
Positively, the force:
- has cut its backlog;
- works well with schools.
However, the constabulary needs to ensure that:
- risk assessments are always recorded; and
- the force should improve its supervision.
A brief summary of our findings is as follows:
- The force should review its approach to missing children.
Areas for improvement
- The constabulary should make sure risk assessments are always recorded.
"""
    result = parse(text)
    assert texts(result) == [
        "The constabulary should make sure risk assessments are always recorded."
    ]
    assert grades(result) == {
        "How effective is the force at protecting vulnerable people?": "requires_improvement"
    }


def test_a_question_not_inspected_gives_no_grade_or_findings():
    text = """How effective is the force at preventing crime?
This question was not inspected in 2019. The grade from last year still stands.
Good
Areas for improvement
• The force should improve its problem solving.
How effective is the force at investigating crime?
Inadequate
Areas for improvement
• The force should improve its investigations.
"""
    result = parse(text)
    assert texts(result) == ["The force should improve its investigations."]
    assert grades(result) == {"How effective is the force at investigating crime?": "inadequate"}


# --- Grades ----------------------------------------------------------------------------------


def test_bare_grade_lines_all_five_tiers():
    text = "\n".join(
        f"{area}\n{grade}\nSome text about {area.lower()}."
        for area, grade in [
            ("Engaging with the public", "Outstanding"),
            ("Preventing crime", "Good"),
            ("Responding to the public", "Adequate"),
            ("Investigating crime", "Requires improvement"),
            ("Recording data about crime", "Inadequate"),
        ]
    )
    assert grades(parse(text)) == {
        "Engaging with the public": "outstanding",
        "Preventing crime": "good",
        "Responding to the public": "adequate",
        "Investigating crime": "requires_improvement",
        "Recording data about crime": "inadequate",
    }


def test_grade_grid_reads_each_cell_under_its_grade_column():
    text = (
        "The force was graded as follows:\n\n"
        "Outstanding\tGood\tAdequate\tRequires improvement\tInadequate\n"
        "Leadership\tPreventing crime\t\tInvestigating crime\t\n"
        "\tManaging offenders\t\t\tRecording crime\n"
        "\n"
        "Northshire Police is good at preventing crime.\n"
    )
    result = parse_report(text)
    assert [(a.name, a.grade) for a in result.graded_areas] == [
        ("Leadership", "outstanding"),
        ("Preventing crime", "good"),
        ("Managing offenders", "good"),
        ("Investigating crime", "requires_improvement"),
        ("Recording crime", "inadequate"),
    ]


def test_two_column_grade_table():
    text = "Area\tGrade\nPreventing crime\tGood\nRequires improvement\tInvestigating crime\n"
    assert grades(parse(text)) == {
        "Preventing crime": "good",
        "Investigating crime": "requires_improvement",
    }


def test_grades_stated_in_sentences():
    headed = """How effective is the force at reducing crime?
Eastshire Constabulary is good at reducing crime and keeping people safe.
How effective is the force at protecting vulnerable people?
Eastshire Constabulary requires improvement in the way it protects vulnerable people.
How well does the force support victims?
Eastshire Constabulary generally provides a good service to victims.
"""
    assert grades(parse(headed)) == {
        "How effective is the force at reducing crime?": "good",
        "How effective is the force at protecting vulnerable people?": "requires_improvement",
    }
    free = "Northshire Police is outstanding at preventing crime, and we praise it.\n"
    assert grades(parse(free)) == {"Preventing crime": "outstanding"}
    assert grades(parse("We found the force was good at preventing crime.")) == {}


def test_ungraded_area():
    text = """Preventing crime
Good
Providing a service to victims of crime
We don't make a graded judgement in this area. Victims were mostly satisfied.
"""
    assert grades(parse(text)) == {
        "Preventing crime": "good",
        "Providing a service to victims of crime": "ungraded",
    }


# --- Metadata --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HMICFRS published the report on 16th October 2024.", datetime.date(2024, 10, 16)),
        ("Published on: 29 March 2022", datetime.date(2022, 3, 29)),
        ("The report was published 3 Feb 2020 after fieldwork.", datetime.date(2020, 2, 3)),
        ("Last updated 02/05/2019", datetime.date(2019, 5, 2)),
        # A "published" date wins over "Last updated".
        ("Last updated 02/05/2019\nThis was published on 1 April 2019.", datetime.date(2019, 4, 1)),
        ("It was published on 16 October, and the force responded.", None),
    ],
)
def test_published_date(text, expected):
    assert parse_report(text).inspection.published == expected


def test_title_and_force():
    text = (
        "Skip to content\n\nWestvale PEEL 2017\n\nEfficiency\n\n"
        "The Police Efficiency programme covers Westvale and Crime.\n"
        "Westvale Police and Crime Commissioner welcomed the report on Westvale Constabulary.\n"
    )
    info = parse_report(text).inspection
    assert (info.title, info.force) == ("Westvale PEEL 2017: Efficiency", "Westvale Constabulary")
    assert parse_report(text, force_name="Westvale Police").inspection.force == "Westvale Police"


def test_force_name_argument_is_recognised_as_an_item_subject():
    text = "Areas for improvement\nNorth Vale should improve how it records crime.\n"
    assert texts(parse(text, force_name="North Vale")) == [
        "North Vale should improve how it records crime."
    ]


# --- Accuracy on the corpus ------------------------------------------------------------------


def corpus_cases():
    labels = [json.loads(path.read_text()) for path in sorted(LABELS.glob("*.json"))]
    return {label["source"]: label for label in labels}


def finding_keys(findings):
    return Counter((f["kind"], normalise(f["text"])) for f in findings)


def grade_keys(areas):
    return Counter((" ".join(a["name"].lower().split()), a["grade"]) for a in areas)


def ratio(hits, total):
    return hits / total if total else 1.0


@needs_corpus
def test_every_corpus_text_is_labelled():
    sources = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.txt")}
    assert sources == set(corpus_cases())


@needs_corpus
def test_corpus_precision_and_recall():
    rows, totals = [], Counter()
    for source, label in corpus_cases().items():
        found = parse((CORPUS / source).read_text())
        expected_f, found_f = finding_keys(label["findings"]), finding_keys(found["findings"])
        expected_g, found_g = grade_keys(label["graded_areas"]), grade_keys(found["graded_areas"])
        hits_f, hits_g = expected_f & found_f, expected_g & found_g
        for kind in KINDS:
            totals[kind, "expected"] += sum(n for (k, _), n in expected_f.items() if k == kind)
            totals[kind, "found"] += sum(n for (k, _), n in found_f.items() if k == kind)
            totals[kind, "hits"] += sum(n for (k, _), n in hits_f.items() if k == kind)
        totals["grades", "expected"] += expected_g.total()
        totals["grades", "found"] += found_g.total()
        totals["grades", "hits"] += hits_g.total()
        rows.append(
            (source.split("/")[-1][:58], expected_f.total(), found_f.total(), hits_f.total())
            + (expected_g.total(), found_g.total(), hits_g.total())
        )

    print("\n\nFindings and grades per corpus text (expected / found / matched)")
    print(f"{'file':58} {'find exp':>8} {'found':>5} {'match':>5}   {'grd exp':>7} {'found':>5} "
          f"{'match':>5}")  # fmt: skip
    for row in rows:
        print(f"{row[0]:58} {row[1]:8} {row[2]:5} {row[3]:5}   {row[4]:7} {row[5]:5} {row[6]:5}")
    print(
        f"\n{'kind':18} {'expected':>8} {'found':>6} {'matched':>7} {'precision':>9} {'recall':>7}"
    )
    for kind in (*KINDS, "all findings", "grades"):
        keys = KINDS if kind == "all findings" else (kind,)
        exp, fnd, hit = (
            sum(totals[k, part] for k in keys) for part in ("expected", "found", "hits")
        )
        print(f"{kind:18} {exp:8} {fnd:6} {hit:7} {ratio(hit, fnd):9.3f} {ratio(hit, exp):7.3f}")

    expected = sum(totals[k, "expected"] for k in KINDS)
    found = sum(totals[k, "found"] for k in KINDS)
    hits = sum(totals[k, "hits"] for k in KINDS)
    assert ratio(hits, expected) >= 0.95, "findings recall"
    assert ratio(hits, found) >= 0.95, "findings precision"


@needs_corpus
def test_panel_report_grades_grid_is_exact():
    result = parse((CORPUS / PANEL_REPORT).read_text(), "Hertfordshire Constabulary")
    assert result["graded_areas"] == corpus_cases()[PANEL_REPORT]["graded_areas"]
    assert result["findings"] == []


@needs_corpus
@pytest.mark.parametrize("source", sorted(corpus_cases()) if LABELS.is_dir() else [])
def test_corpus_references_areas_parents_and_metadata(source):
    label = corpus_cases()[source]
    found = parse((CORPUS / source).read_text())
    fields = ("kind", "reference", "area", "parent")
    by_text = {normalise(f["text"]): f for f in found["findings"]}
    for expected in label["findings"]:
        match = by_text.get(normalise(expected["text"]))
        if match is not None:
            assert {k: match[k] for k in fields} == {k: expected[k] for k in fields}
    assert found["inspection"] == label["inspection"]
