"""The pack's statutory tracking says each source's own response rule, as at the pack's day, in
neutral words: never met, late or missed (docs/design.md, "Response clocks")."""

import datetime

import pytest
from django.urls import reverse

from reports import services
from tests.factories import FindingFactory, InspectionFactory, MeetingFactory
from tests.reports.conftest import at, when

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def sources(force):
    """Four sources on one APM on 1 April 2025, the pack made on 25 March 2025."""
    hmicfrs = InspectionFactory(force=force, title="PEEL 2023-25", published_on=D(2024, 10, 16))
    iopc = InspectionFactory(
        force=force,
        title="IOPC learning: custody checks",
        kind="other",
        source_type="iopc",
        published_on=D(2025, 1, 6),  # due 2 March 2025, extended
        response_extended_to=D(2025, 4, 30),
        response_extension_reason="The IOPC agreed to wait for the custody review.",
    )
    coroner = InspectionFactory(
        force=force,
        title="Coroner's report: missing person",
        kind="other",
        source_type="coroner",
        published_on=D(2025, 3, 3),  # due 28 April 2025
    )
    audit = InspectionFactory(
        force=force,
        title="Internal audit: evidence storage",
        kind="other",
        source_type="internal_audit",
        published_on=D(2025, 2, 1),
        response_due_on=D(2025, 2, 28),
        response_published_on=D(2025, 3, 7),  # after the date the office set
    )
    meeting = MeetingFactory(kind="apm", title="APM April", starts_at=when(2025, 4, 1))
    for source in (hmicfrs, iopc, coroner, audit):
        FindingFactory(inspection=source, kind="recommendation", reference="Recommendation 1")
        meeting.inspections.add(source)
    return meeting


def statutory_section(html):
    return html[html.index('id="statutory-heading"') : html.index('id="charts-heading"')]


def generated(meeting, by):
    with at(2025, 3, 25):
        return services.pack_generate(by=by, meeting=meeting, pdf=False)


def test_each_source_is_tracked_under_its_own_rule_in_neutral_words(
    sources, opcc_officer, signed_in
):
    pack = generated(sources, opcc_officer)
    page = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk]))
    section = statutory_section(page.content.decode())
    blocks = {
        title: section[section.index(title) :][:3000].split('<h3 class="govuk-heading-s">')[0]
        for title in (
            "PEEL 2023-25",
            "IOPC learning: custody checks",
            "Coroner&#x27;s report: missing person",
            "Internal audit: evidence storage",
        )
    }
    peel = blocks["PEEL 2023-25"]
    assert "PCC&#x27;s s.55 response due" in peel and "10 December 2024" in peel
    assert "s.55 Police Act 1996" in peel
    assert "No response recorded; the due date has passed" in peel
    iopc = blocks["IOPC learning: custody checks"]
    assert "Response to the IOPC recommendation due" in iopc and "30 April 2025" in iopc
    assert "Extended from 2 March 2025: The IOPC agreed to wait" in iopc
    assert "Police Reform Act 2002, Sch. 3 para 28B" in iopc
    assert "Not yet due; no response recorded" in iopc
    coroner = blocks["Coroner&#x27;s report: missing person"]
    assert "Response to the coroner&#x27;s regulation 28 report due" in coroner
    assert "28 April 2025" in coroner and "reg. 29" in coroner
    assert "s.55" not in coroner
    audit = blocks["Internal audit: evidence storage"]
    assert "Response due (a date the office set)" in audit and "28 February 2025" in audit
    assert "A date the office sets" in audit
    assert "Response recorded 7 March 2025" in audit
    for word in ("met", "late", "missed"):
        assert f"({word})" not in section and f" {word}." not in section.lower()


def test_the_panel_sees_an_extension_but_not_its_reason(sources, opcc_officer, client):
    pack = generated(sources, opcc_officer)
    services.pack_publish(by=opcc_officer, pack=pack, public=True)
    client.logout()
    html = client.get(pack.get_public_url()).content.decode()
    section = statutory_section(html)
    assert "Extended from 2 March 2025" in section
    assert "The IOPC agreed to wait" not in section


def test_the_state_is_the_pack_day_s_and_stays_frozen(sources, opcc_officer, signed_in):
    # The coroner's response is due 28 April: on 25 March it is not yet due, and the pack read
    # in May still says what was true on its day.
    pack = generated(sources, opcc_officer)
    coroner = next(i for i in pack.snapshot["inspections"] if i["title"].startswith("Coroner"))
    assert coroner["statutory"]["response_state"] == "due"
    with at(2025, 5, 20):
        html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk]))
    section = statutory_section(html.content.decode())
    block = section[section.index("Coroner&#x27;s report") :]
    assert "Not yet due; no response recorded" in block[: block.index("</dl>")]


def test_a_pack_generated_before_schema_4_reads_in_the_neutral_words(
    sources, opcc_officer, signed_in
):
    pack = generated(sources, opcc_officer)
    snapshot = pack.snapshot
    for inspection in snapshot["inspections"]:
        statutory = inspection["statutory"]
        for key in (
            "source",
            "response_due_label",
            "response_rule",
            "response_extended_from",
            "response_extension_reason",
            "response_state",
        ):
            del statutory[key]
        statutory["response"] = "late" if statutory["response_published_on"] else "not_recorded"
    snapshot["schema"] = 3
    type(pack).objects.filter(pk=pack.pk).update(snapshot=snapshot)
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    section = statutory_section(html)
    assert section.count("PCC&#x27;s s.55 response due") == 4
    assert "Response recorded 7 March 2025" in section
    assert section.count("No response recorded; the due date has passed") == 3
    assert "(late)" not in section
