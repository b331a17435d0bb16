"""The report parser's bounds: linear patterns on hostile text, a size limit and a time budget."""

import signal
import time
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from actions.inspection_import import parser as report_parser
from actions.inspection_import.parser import MAX_CHARACTERS, ReportParseError, parse_report
from actions.models import Inspection

# Generous for a 2-core machine running two test layers side by side: the ReDoS this guards
# against took 7 s at 34 letters and grew x1.5 a letter, so the 40-letter example takes minutes.
LIMIT_SECONDS = 5.0
# Hostile text is cut to this length: linear work on it takes a fraction of the limit even on a
# busy machine, while quadratic work (billions of steps) or exponential work overruns it.
HOSTILE_CHARACTERS = 100_000

# Openings that put the parser's force, subject, date and lead-in patterns to work on what
# follows; units repeated into long runs (capitalised words, bullets, hyphen chains, blank
# lines, colons, dates); endings that make the patterns fail late and backtrack.
OPENINGS = [
    "",
    "Police Service of ",
    "Areas for improvement\n",
    "Cause of concern\n",
    "Within three months, the force should:\n",
    "The force should ",
    "Published on ",
    "• ",
    "Recommendation 1: ",
]
UNITS = [
    "A",
    "Ab ",
    "Ab",
    "A.",
    "Westvale ",
    "the force ",
    "• The force should act.\n",
    "• \n",
    "- ",
    "ab-\n",
    "\n",
    " ",
    "\t",
    ":",
    "; and ",
    "1 January 2020 ",
    "1.1 ",
    "Police Service of ",
    "Within six months, ",
    "By March 2024 ",
    "The force should ",
    "Areas for improvement\n",
    "One area for improvement remained ",
    "The matters of concern are as follows ",
    "Regulation 28\n",
    "Status: ",
    "“",
    "Our inspection found ",
    "The IOPC recommends that ",
    "City of ",
]
ENDINGS = ["", "!", ":", "\n", " should", " Police", " and Crime", "?"]


@contextmanager
def time_limit(seconds):
    """Fail the example if the parse runs over; the regex engine checks for signals while it
    backtracks, so even a catastrophic match is stopped (tests run in the main thread)."""

    def expire(signum, frame):
        raise TimeoutError(f"parsing took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


hostile_text = st.builds(
    lambda opening, unit, times, ending, noise: opening + unit * times + ending + noise,
    st.sampled_from(OPENINGS),
    st.sampled_from(UNITS),
    st.integers(min_value=1, max_value=40_000),
    st.sampled_from(ENDINGS),
    st.text(max_size=40),
)
# Runs of letters, capitals and spaces after "Police Service of ": the exponential case.
force_name_runs = st.builds(
    lambda word, times, ending: "Police Service of " + word * times + ending,
    st.text(alphabet="ABab .", min_size=1, max_size=3),
    st.integers(min_value=1, max_value=300),
    st.sampled_from(ENDINGS),
)


# The reproduction: 34 letters after "Police Service of " took 7 s, x1.5 per letter.
@example("Police Service of " + "A" * 34 + "!")
@example("Police Service of " + "A" * 40 + "!")
@example("Areas for improvement\n" + "\n" * 50_000)
@example("We found that " + "the force " * 9_000 + ": so:")
@example("Areas for improvement\n• The force should a-\n" + "bc-\n" * 20_000)
@example("A cause of concern.\nOur inspection found " + "the inspection found " * 4_000 + ":")
@example("Regulation 28\nThe MATTERS OF CONCERN are as follows" + "." * 90_000)
@given(st.one_of(hostile_text, force_name_runs))
@settings(
    max_examples=25,
    deadline=None,  # time_limit is the deadline: hypothesis's cannot stop a runaway match
    derandomize=True,
    database=None,
    # A failing example is already short to read, and each shrinking step on slow input costs
    # the full limit: shrinking would only make a failure slow to report.
    phases=[Phase.explicit, Phase.generate],
)
def test_parser_finishes_quickly_on_hostile_text(text):
    with time_limit(LIMIT_SECONDS):
        started = time.monotonic()
        parse_report(text[:HOSTILE_CHARACTERS])
    assert time.monotonic() - started < LIMIT_SECONDS


def test_text_over_the_size_limit_is_refused_with_its_length_and_the_limit():
    with pytest.raises(ReportParseError) as raised:
        parse_report("x" * (MAX_CHARACTERS + 1))
    assert raised.value.code == "too_long"
    assert f"{MAX_CHARACTERS + 1:,} characters, and the limit is {MAX_CHARACTERS:,}" in (
        raised.value.message
    )


def test_text_at_the_size_limit_is_read():
    text = "Areas for improvement\n• The force should act.\n"
    padded = text + " " * (MAX_CHARACTERS - len(text))
    assert [f.text for f in parse_report(padded).findings] == ["The force should act."]


def test_a_parse_over_its_time_budget_stops_with_a_clear_message(monkeypatch):
    ticks = iter(range(0, 10_000, 3))  # each look at the clock is three seconds later
    monkeypatch.setattr(report_parser.time, "monotonic", lambda: next(ticks))
    items = "".join(f"• The force should act on {n}.\n" for n in range(10))
    text = "Areas for improvement\n" + items
    with pytest.raises(ReportParseError, match="took too long to read") as raised:
        parse_report(text, time_budget=10)
    assert raised.value.code == "too_slow"
    monkeypatch.undo()
    assert len(parse_report(text, time_budget=10).findings) == 10


@pytest.mark.django_db
def test_import_command_refuses_text_over_the_limit(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("The force should act.\n" * (MAX_CHARACTERS // 20))
    with pytest.raises(CommandError, match=f"the importer reads at most {MAX_CHARACTERS:,}"):
        call_command("import_report", str(path), "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_import_page_refuses_text_over_the_limit(opcc_officer, signed_in):
    client = signed_in(opcc_officer)
    text = "Areas for improvement\n" + "• The force should act.\n" * (MAX_CHARACTERS // 20)
    response = client.post(reverse("actions:import_start"), {"text": text})
    assert response.status_code == 200
    assert (
        f"This report has {len(text):,} characters of text; the importer reads at most "
        f"{MAX_CHARACTERS:,}." in response.content.decode()
    )
    assert Inspection.objects.count() == 0
