"""The demo publishes a Panel paper for the APM of 14 November 2024 and for three meetings after
it, loaded once, so the latest paper shows progress across four meetings; the next meeting's
pack is a draft."""

import pytest

from actions.models import Inspection
from actions.sample_data.demo import load_demo
from actions.sample_data.peel_2023_story import LATER_MEETINGS
from reports import progress
from reports.models import BriefingPack

pytestmark = pytest.mark.django_db


def test_demo_publishes_a_paper_for_four_meetings_and_loading_again_adds_none(client):
    load_demo()
    load_demo()
    *packs, draft = BriefingPack.objects.select_related("meeting").order_by("meeting__starts_at")
    assert len(packs) == 1 + len(LATER_MEETINGS) >= 4
    assert packs[0].meeting.starts_at.date().isoformat() == "2024-11-14"
    assert {(p.version, p.status, p.is_public) for p in packs} == {(1, "published", True)}
    assert (draft.status, draft.is_public) == ("draft", False)
    latest = packs[-1]
    (inspection,) = latest.snapshot["inspections"]
    series = inspection["series"]
    assert [point["meeting"] for point in series] == [pack.meeting.title for pack in packs]
    # Work moved on between the meetings, and each point is that meeting's published figures.
    assert series[0]["percent_complete"] < series[-1]["percent_complete"]
    assert [point["percent_complete"] for point in series[:-1]] == [
        pack.figures[str(inspection["id"])]["percent_complete"] for pack in packs[:-1]
    ]
    html = client.get(latest.get_public_url()).content.decode()
    assert "Office of the Police and Crime Commissioner for Hertfordshire" in html
    # The PCC's real contact officer is on the paper quoted from the sources, not on the
    # papers the demo invents.
    assert "Gavin Miles" not in html
    assert "Demo Officer (invented), Head of Performance and Scrutiny (invented)" in html
    first = client.get(packs[0].get_public_url()).content.decode()
    assert "Gavin Miles, Deputy Chief Executive" in first
    assert "I have concerns about the performance of Hertfordshire Constabulary" in html
    assert f"{inspection['title']}: actions at each meeting" in html
    assert "(this paper)" in html
    # Updates written for the public, for the live progress page once OPCC staff switch it on.
    public = progress.public_updates(Inspection.objects.get(pk=inspection["id"]))
    assert {entry["text"] for entry in public} >= {
        f"Work continues; progress was reported to the {title}."
        for _kind, title, _ in LATER_MEETINGS
    }
