"""Published papers know who they are (office, force, report, when, what changed since the last
published paper, the office's other papers), and action owners read their own force's."""

import pytest
from django.urls import reverse

from reports import services
from tests.factories import ActionFactory, InspectionFactory
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db

OFFICE = "Office of the Police and Crime Commissioner for Hertfordshire"


@pytest.fixture
def papers(world, opcc_officer):
    """February's paper, then April's, both published to the public."""
    world["inspection"].link = "https://example.org/peel-2023-25"
    world["inspection"].save()
    world["previous"].inspections.add(world["inspection"])
    published = []
    for meeting, day in ((world["previous"], 31), (world["meeting"], 25)):
        with at(2025, 1 if day == 31 else 3, day):
            pack = services.pack_generate(by=opcc_officer, meeting=meeting, pdf=False)
        services.pack_save_narratives(
            by=opcc_officer, pack=pack, narratives={}, paper={"office_name": OFFICE}
        )
        with at(2025, 2 if day == 31 else 3, 1 if day == 31 else 27):
            published.append(services.pack_publish(by=opcc_officer, pack=pack, public=True))
    return published


def test_the_public_page_names_the_office_force_report_date_changes_and_other_papers(
    papers, client
):
    february, april = papers
    html = client.get(april.get_public_url()).content.decode()
    assert f"Published by {OFFICE} on 27 March 2025, about Hertfordshire Constabulary." in html
    assert 'href="https://example.org/peel-2023-25">Read HMICFRS\'s report' in html
    assert (
        "PEEL 2023-25, since the paper published for APM February (1 February 2025): open actions "
        "5 &rarr; 5, closed 0 &rarr; 0, overdue 0 &rarr; 1, average complete 26% &rarr; 26%."
    ) in html
    others = html[html.index('id="other-papers-heading"') :]
    assert f"Other papers published by {OFFICE}" in others
    assert february.get_public_url() in others
    assert april.get_public_url() not in others
    first = client.get(february.get_public_url()).content.decode()
    assert "This is the first published paper on PEEL 2023-25." in first


def test_an_action_owner_reads_the_published_papers_of_their_own_forces_meetings(
    papers, owner, signed_in
):
    client = signed_in(owner)
    _february, april = papers
    listing = client.get(reverse("reports:meetings"))
    assert listing.status_code == 200
    assert reverse("reports:pack", args=[april.pk]) in listing.content.decode()
    page = client.get(reverse("reports:pack", args=[april.pk]))
    assert page.status_code == 200
    paper = page.content.decode().split('id="front"')[1]  # the paper, not the menu
    assert "ACC Crime" in paper and str(owner) not in paper  # role titles, as the Panel reads
    assert client.get(reverse("reports:pack_csv", args=[april.pk])).status_code == 200


def test_an_owner_cannot_read_another_forces_papers_or_a_mixed_agenda_or_a_draft(
    papers, world, owner, other_force_owner, opcc_officer, signed_in
):
    _february, april = papers
    other = signed_in(other_force_owner)
    assert other.get(reverse("reports:pack", args=[april.pk])).status_code == 404
    assert reverse("reports:pack", args=[april.pk]) not in (
        other.get(reverse("reports:meetings")).content.decode()
    )
    # A later meeting with another force's inspection on the agenda too: its paper holds that
    # force's actions, so neither force's owners read it there.
    beds = InspectionFactory(force=other_force_owner.force, title="Beds custody")
    ActionFactory(finding__inspection=beds, title="Bedfordshire custody review")
    world["meeting"].inspections.add(beds)
    with at(2025, 3, 28):
        mixed = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    client = signed_in(owner)
    assert client.get(reverse("reports:pack", args=[mixed.pk])).status_code == 404  # a draft
    services.pack_publish(by=opcc_officer, pack=mixed, public=False)
    assert client.get(reverse("reports:pack", args=[mixed.pk])).status_code == 404
    assert client.get(reverse("reports:pack", args=[april.pk])).status_code == 404
