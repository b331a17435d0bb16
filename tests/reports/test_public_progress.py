"""The live public progress page of an inspection, its public history and its Atom feed: switched
on by OPCC staff, read by anyone, following the work as it moves, and showing nothing that was
not written for the public."""

import pytest
from django.urls import reverse

from actions import finding_services
from actions import services as action_services
from actions.models import ExternalStatus, Rag, Status
from reports import progress, services
from tests.factories import UpdateFactory, actions_for
from tests.reports.conftest import at, fresh

pytestmark = pytest.mark.django_db

SECRET_NARRATIVE = "Two analysts left for Operation Nightjar."
PUBLIC_NARRATIVE = "Recruitment has been delayed; a new campaign starts in April."


@pytest.fixture
def live(world, owner, opcc_officer, signed_in):
    """The world's inspection with its live page switched on through the page, an update with
    a public narrative, and a draft pack holding a draft narrative."""
    client = signed_in(opcc_officer)
    url = reverse("reports:inspection_public_progress", args=[world["inspection"].pk])
    response = client.post(
        url, {"public_progress": "on", "inspector_summary": "I have concerns about recording."}
    )
    assert response.status_code == 302
    with at(2025, 3, 20):
        action_services.action_post_update(
            by=owner,
            action=fresh(world["actions"]["a4"]),
            narrative=SECRET_NARRATIVE,
            public_narrative=PUBLIC_NARRATIVE,
            status=Status.IN_PROGRESS,
            rag=Rag.AMBER,
            percent_complete=40,
        )
    with at(2025, 3, 25):
        draft = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    services.pack_save_narratives(
        by=opcc_officer, pack=draft, narratives={"overall": "Draft: not for the public."}
    )
    client.logout()
    world["inspection"].refresh_from_db()
    return world


def pages(client, inspection):
    return {
        name: client.get(
            reverse(f"reports:{name}", args=[inspection.force.office.slug, inspection.pk])
        )
        for name in ("public_progress", "public_progress_history", "public_progress_feed")
    }


def test_opcc_staff_switch_the_page_on_and_the_switch_is_audited(live, opcc_officer):
    inspection = live["inspection"]
    assert inspection.public_progress is True
    assert inspection.inspector_summary == "I have concerns about recording."
    record = inspection.history.first()
    assert record.history_user == opcc_officer
    assert record.history_change_reason == (
        "Public progress page switched on; HM Inspector's summary edited"
    )


def test_anyone_reads_the_page_history_and_feed_with_only_public_words(live, owner, client):
    responses = pages(client, live["inspection"])
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    assert responses["public_progress_feed"]["Content-Type"].startswith("application/atom+xml")
    for name, response in responses.items():
        text = response.content.decode()
        assert PUBLIC_NARRATIVE in text, name
        assert "ACC Crime" in text, name
        for secret in [
            SECRET_NARRATIVE,
            "Supervise every investigation.",  # Recommendation 1's own text: it has a public one
            "Audit started.",  # an update with no public narrative
            "No trainers available.",
            "Plan not followed.",  # a change reason
            "Supervision audit",  # action titles are the force's wording
            "Draft: not for the public.",
            str(owner),
            owner.email,
            "Priya Shah",
        ]:
            assert secret not in text, (name, secret)
    page = responses["public_progress"].content.decode()
    assert "Improve supervision of investigations." in page


def test_the_page_shows_each_findings_public_status_and_follows_the_work(
    live, owner, opcc_officer, client
):
    statuses = {f["reference"]: f for f in progress.progress_page(live["inspection"])["findings"]}
    assert statuses["AFI 1"]["status"] == progress.IN_PROGRESS  # audit in progress
    assert statuses["AFI 1"]["percent"] == 15  # 30% and 0%
    assert statuses["Recommendation 1"]["status"] == progress.NOT_STARTED
    assert statuses["Recommendation 1"]["percent"] is None  # no actions: no "0%"
    finding = live["actions"]["a1"].finding
    finding_services.finding_set_external_status(
        by=opcc_officer,
        finding=finding,
        status=ExternalStatus.DISCHARGED,
        on=finding.inspection.published_on,
        note="Signed off.",
    )
    with at(2025, 4, 2):
        action_services.action_post_update(
            by=owner,
            action=fresh(live["actions"]["a2"]),
            narrative="Trainers found.",
            public_narrative="Training has restarted.",
            status=Status.IN_PROGRESS,
            rag=Rag.GREEN,
            percent_complete=60,
        )
    page = client.get(
        reverse(
            "reports:public_progress",
            args=[live["inspection"].force.office.slug, live["inspection"].pk],
        )
    )
    html = page.content.decode()
    assert "Training has restarted." in html  # no regenerating: the page reads the work now
    assert "Discharged by HMICFRS" in html
    assert "No actions yet" in html
    history = client.get(
        reverse(
            "reports:public_progress_history",
            args=[live["inspection"].force.office.slug, live["inspection"].pk],
        )
    )
    text = history.content.decode()
    assert text.index("Training has restarted.") < text.index(PUBLIC_NARRATIVE)  # newest first


def test_the_page_is_not_found_until_it_is_switched_on(world, client):
    for response in pages(client, world["inspection"]).values():
        assert response.status_code == 404


def test_only_opcc_staff_switch_the_page(
    world, owner, panel_member, administrator, opcc_officer, client
):
    url = reverse("reports:inspection_public_progress", args=[world["inspection"].pk])
    assert client.get(url).status_code == 302
    for user, code in [
        (owner, 403),
        (panel_member, 403),
        (administrator, 403),
        (opcc_officer, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == code, user
        assert client.post(url, {"public_progress": "on"}).status_code in (code, 302), user
    world["inspection"].refresh_from_db()
    assert world["inspection"].history.filter(history_user=owner).count() == 0


@pytest.mark.parametrize("count", [10, 500])
def test_the_public_pages_run_a_fixed_number_of_queries(
    count, force, owner, opcc_officer, client, django_assert_max_num_queries
):
    actions = actions_for(force, count, owner=owner, owner_role_title="ACC Crime")
    for action in actions[::2]:
        UpdateFactory(action=action, author=owner, public_narrative="Public words.")
    inspection = actions[0].finding.inspection
    services.inspection_edit_for_public(
        by=opcc_officer, inspection=inspection, public_progress=True, inspector_summary=""
    )
    args = [force.office.slug, inspection.pk]
    for name in ("public_progress", "public_progress_history", "public_progress_feed"):
        with django_assert_max_num_queries(5):
            assert client.get(reverse(f"reports:{name}", args=args)).status_code == 200
