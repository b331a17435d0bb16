"""The report parser on the shapes offices receive: each shape's rule, and the labelled corpus in
tests/actions/corpus/ measured per shape (recall and precision at least 95%)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse

from actions.inspection_import.draft import SESSION_KEY
from actions.inspection_import.parser import parse_report
from actions.models import Inspection

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def labels():
    return [json.loads(path.read_text()) for path in sorted(CORPUS.glob("*.json"))]


def texts(result, kind=None):
    return [f.text for f in result.findings if kind is None or f.kind == kind]


def words(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


# --- Plain paragraphs after a lead-in --------------------------------------------------------


def test_plain_paragraphs_after_a_lead_in_are_items_until_a_quotation():
    text = """Recommendations
Within six months, the force needs to ensure that:

supervisors check every investigation plan;

Victims are told when their case is closed; and

Officers record why a suspect was not arrested.

“It was a long wait,” one victim told us.

Investigators are still hard to recruit.
"""
    assert texts(parse_report(text)) == [
        "Within six months, the force needs to ensure that supervisors check every "
        "investigation plan.",
        "Within six months, the force needs to ensure that victims are told when their case is "
        "closed.",
        "Within six months, the force needs to ensure that officers record why a suspect was "
        "not arrested.",
    ]


def test_plain_paragraphs_end_where_ordinary_prose_begins():
    text = """Areas for improvement
The report set out two areas for improvement:

The force should publish its stop and search data.

Officers should explain the grounds for every search.

We will check progress at our next inspection.
"""
    assert texts(parse_report(text)) == [
        "The force should publish its stop and search data.",
        "Officers should explain the grounds for every search.",
    ]


def test_unpunctuated_paragraphs_after_what_the_inspectorate_says_are_recommendations():
    text = """What does the report call for ?

The HMICFRS says Kent Police needs to ensure that:

call handlers record risk assessments

repeat callers are identified

Her Majesty's Inspector of Constabulary said:

“We have serious concerns.”
"""
    result = parse_report(text)
    assert [(f.kind, f.text) for f in result.findings] == [
        (
            "recommendation",
            "Kent Police needs to ensure that call handlers record risk assessments",
        ),
        ("recommendation", "Kent Police needs to ensure that repeat callers are identified"),
    ]


def test_the_met_by_its_short_name_in_a_lead_in_broken_across_lines():
    text = """HMICFRS has made 11 recommendations, including that the Met
should:
- provide effective training to all officers;
- challenge victim-blaming language.
"""
    result = parse_report(text, "Metropolitan Police Service")
    assert texts(result) == [
        "The Met should provide effective training to all officers.",
        "The Met should challenge victim-blaming language.",
    ]


def test_a_progress_summary_after_a_lead_in_naming_the_findings_is_not_a_list():
    text = """Progress against the areas for improvement:

Call handling times have improved since March.

A new vetting team is in place.
"""
    assert parse_report(text).findings == []


def test_a_lead_in_without_a_kind_still_starts_no_list():
    text = "However, the force needs to ensure that:\n\nVictims are kept informed.\n"
    assert parse_report(text).findings == []


# --- Causes of concern quoted in revisit letters ---------------------------------------------


def test_a_cause_of_concern_quoted_in_a_revisit_letter_and_its_recommendations():
    text = """In 2022 we gave the force a cause of concern about its control room.

Our inspection found:

‘The force doesn’t answer calls quickly enough.’

We made the following recommendations:

The force should recruit more call handlers.

We found that the force has made progress.
"""
    result = parse_report(text)
    assert [(f.kind, f.reference, f.parent, f.text) for f in result.findings] == [
        (
            "cause_of_concern",
            "Cause of concern 1",
            None,
            "The force doesn’t answer calls quickly enough.",
        ),
        (
            "recommendation",
            "Recommendation 1",
            "Cause of concern 1",
            "The force should recruit more call handlers.",
        ),
    ]


def test_recommendations_after_a_restated_cause_belong_to_it_not_to_the_last_listed():
    text = """We identified two causes of concern, which were that the force:
- was failing to identify and assess vulnerability at first point of contact; and
- wasn't supervising its investigations.
Responding to the public
We found that the force wasn't identifying vulnerability at the first point of contact.
We made the following recommendations, stating that the force should make sure that:
- call handlers record a structured risk assessment;
Investigating crime
We reviewed 90 case files.
We made the following recommendations, stating that the force should make sure that:
- supervisors review every investigation plan.
"""
    result = parse_report(text)
    assert [(f.kind, f.parent) for f in result.findings] == [
        ("cause_of_concern", None),
        ("cause_of_concern", None),
        ("recommendation", "Cause of concern 1"),
        ("recommendation", "Cause of concern 2"),
    ]


def test_a_victims_words_quoted_in_a_report_with_causes_of_concern_are_not_one():
    text = """Cause of concern
The force doesn't answer calls quickly enough.
In one case we found:
“I waited two hours for an answer.”
"""
    assert texts(parse_report(text)) == ["The force doesn't answer calls quickly enough."]


def test_a_quotation_after_our_inspection_found_is_no_cause_without_one_in_the_text():
    text = "Our inspection found:\n\n“Victims were mostly satisfied.”\n"
    assert parse_report(text).findings == []


# --- Areas for improvement carried over ------------------------------------------------------


def test_an_afi_carried_over_is_introduced_by_a_sentence():
    text = """We raised four areas for improvement in 2019. One area for improvement remained.

The force should improve how it records equality data.

The force has a plan to do so.
"""
    result = parse_report(text)
    assert [(f.kind, f.text) for f in result.findings] == [
        ("afi", "The force should improve how it records equality data.")
    ]


def test_several_afis_carried_over_need_their_own_sentences():
    text = """Two areas for improvement were carried over from our last inspection.
The force should review its missing persons policy.
The force should train supervisors in case file quality.
"""
    assert texts(parse_report(text), "afi") == [
        "The force should review its missing persons policy.",
        "The force should train supervisors in case file quality.",
    ]


# --- The force by name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "force_name"),
    [
        ("City of Westvale Police needs to review its vetting.", None),
        ("Westvale should review its vetting.", "Westvale Constabulary"),
        ("The WMP should review its vetting.", "West Midlands Police"),
        ("GMP needs to review its vetting.", "Greater Manchester Police"),
    ],
)
def test_findings_naming_the_force_by_name_short_name_or_initials(line, force_name):
    result = parse_report(f"Areas for improvement\n{line}\n", force_name)
    assert texts(result, "afi") == [line]


def test_a_trackers_recommendations_each_with_its_own_lead_in_need_no_heading():
    text = """1
Completed
HMIC recommends that the force should immediately: conduct a review of its workload; and
West Mercia Police
2
Superseded
HMIC recommends that within six months the force should: ensure active supervision.
West Mercia Police
"""
    assert texts(parse_report(text)) == [
        "The force should immediately conduct a review of its workload.",
        "Within six months the force should ensure active supervision.",
    ]


def test_inspectorate_of_constabulary_is_not_a_force():
    text = "His Majesty's Inspectorate of Constabulary published its report on Kent Police."
    assert parse_report(text).inspection.force == "Kent Police"


def test_tracker_updates_between_findings_are_skipped_not_taken_as_the_end_of_the_list():
    text = """Areas for improvement
The force should publish its data.
Update: published in March.
Status: green
The force should audit its use of force forms.
RAG: amber
The Board noted the report.
"""
    assert texts(parse_report(text)) == [
        "The force should publish its data.",
        "The force should audit its use of force forms.",
    ]


# --- Restatements -----------------------------------------------------------------------------


def test_a_recommendation_restated_later_is_imported_once_with_its_printed_reference():
    text = """Recommendations
We made one recommendation:
Within three months, the force should audit its crime records.

Crime recording
Recommendation 4
Within three months, the force should audit its crime records!
"""
    result = parse_report(text)
    assert [(f.reference, f.text) for f in result.findings] == [
        ("Recommendation 4", "Within three months, the force should audit its crime records.")
    ]


def test_the_same_words_under_two_causes_of_concern_are_two_findings():
    text = """Cause of concern
The force is slow to answer calls.
Recommendation
Within one month, the force should publish a plan.
Cause of concern
The force is slow to investigate.
Recommendation
Within one month, the force should publish a plan.
"""
    result = parse_report(text)
    assert [(f.reference, f.parent) for f in result.findings if f.kind == "recommendation"] == [
        ("Recommendation 1", "Cause of concern 1"),
        ("Recommendation 2", "Cause of concern 2"),
    ]


# --- IOPC and coroners ------------------------------------------------------------------------


def test_an_iopc_learning_recommendation_with_its_date():
    text = """Learning recommendation
Date recommendation made: 4 March 2024
The IOPC recommends that Westvale Police reminds officers to switch on body-worn video.
This follows an investigation into a stop and search.
"""
    result = parse_report(text)
    assert result.source_type == "iopc"
    assert str(result.inspection.published) == "2024-03-04"
    assert [(f.kind, f.text) for f in result.findings] == [
        (
            "recommendation",
            "The IOPC recommends that Westvale Police reminds officers to switch on body-worn "
            "video.",
        )
    ]


def test_a_coroners_matters_of_concern_each_become_a_finding_with_the_report_date():
    text = """Regulation 28: Report to prevent future deaths
5 CORONER'S CONCERNS
The MATTERS OF CONCERN are as follows:
(1) Cell checks were not recorded.
(2) Staff were not trained.
6 ACTION SHOULD BE TAKEN
In my opinion action should be taken to prevent future deaths.
9 Dated: 3 May 2024
"""
    result = parse_report(text)
    assert result.source_type == "coroner"
    assert str(result.inspection.published) == "2024-05-03"
    assert [(f.kind, f.reference, f.text) for f in result.findings] == [
        ("matter_of_concern", "Matter of concern 1", "Cell checks were not recorded."),
        ("matter_of_concern", "Matter of concern 2", "Staff were not trained."),
    ]
    assert result.recognised and result.reason is None


def test_matters_of_concern_outside_a_coroners_report_are_not_read_as_one():
    text = "The matters of concern are as follows:\n(1) Parking at the station.\n"
    assert parse_report(text).findings == []


@pytest.mark.parametrize(
    ("text", "source_type", "says"),
    [
        ("Minutes of the Panel. Members discussed the budget.", "other", "was not recognised"),
        ("HMICFRS PEEL inspection\nThe force is good at preventing crime.", "hmicfrs", "Areas"),
        ("The IOPC investigated a complaint and found no case to answer.", "iopc", "IOPC"),
        ("Regulation 28 report to prevent future deaths. No concerns.", "coroner", "MATTERS"),
    ],
)
def test_text_without_findings_says_what_it_looks_like_and_why_nothing_was_found(
    text, source_type, says
):
    result = parse_report(text)
    assert (result.recognised, result.source_type) == (False, source_type)
    assert says in result.reason and result.reason.endswith(
        "Add the findings by hand; the text is kept."
    )


@pytest.mark.django_db
def test_a_pasted_coroners_report_gives_a_draft_of_its_matters_of_concern(opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    text = (CORPUS / "constructed_coroner-pfd-report.txt").read_text()
    response = client.post(reverse("actions:import_start"), {"text": text})
    assert response.status_code == 302
    draft = client.session[SESSION_KEY]
    assert [f["reference"] for f in draft["findings"]] == [
        "Matter of concern 1",
        "Matter of concern 2",
        "Matter of concern 3",
    ]
    assert draft["inspection"]["published"] == "2024-07-22"
    assert Inspection.objects.count() == 0


# --- The labelled corpus ----------------------------------------------------------------------


def test_every_corpus_text_has_a_label_and_the_readme_names_it():
    readme = (CORPUS / "README.md").read_text()
    stems = {path.stem for path in CORPUS.glob("*.txt")}
    assert stems == {path.stem for path in CORPUS.glob("*.json")}
    assert all(f"`{stem}.txt`" in readme for stem in stems)


def finding_keys(findings):
    return Counter((f["kind"], words(f["text"]), f["parent"]) for f in findings)


def ratio(hits, total):
    return hits / total if total else 1.0


def test_corpus_recall_and_precision_per_shape():
    totals = Counter()
    shapes = sorted({label["shape"] for label in labels()})
    for label in labels():
        result = parse_report((CORPUS / label["source"]).read_text())
        found = [{"kind": f.kind, "text": f.text, "parent": f.parent} for f in result.findings]
        expected, got = finding_keys(label["findings"]), finding_keys(found)
        for shape in (label["shape"], "all"):
            totals[shape, "texts"] += 1
            totals[shape, "real"] += not label.get("constructed", False)
            totals[shape, "expected"] += expected.total()
            totals[shape, "found"] += got.total()
            totals[shape, "hits"] += (expected & got).total()

    print(f"\n\n{'shape':14} {'texts':>5} {'real':>4} {'expected':>8} {'found':>6} {'matched':>7} "
          f"{'precision':>9} {'recall':>7}")  # fmt: skip
    failing = []
    for shape in (*shapes, "all"):
        txt, real, exp, fnd, hit = (
            totals[shape, part] for part in ("texts", "real", "expected", "found", "hits")
        )
        precision, recall = ratio(hit, fnd), ratio(hit, exp)
        print(f"{shape:14} {txt:5} {real:4} {exp:8} {fnd:6} {hit:7} {precision:9.3f} {recall:7.3f}")
        if precision < 0.95 or recall < 0.95:
            failing.append(shape)
    assert not failing, f"below 95% precision or recall: {failing}"


@pytest.mark.parametrize("label", labels(), ids=lambda label: label["source"])
def test_corpus_source_type_date_and_force(label):
    result = parse_report((CORPUS / label["source"]).read_text())
    published = result.inspection.published
    assert {
        "source_type": result.source_type,
        "published": published and published.isoformat(),
        "force": result.inspection.force,
    } == label["expected"]
