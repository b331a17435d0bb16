"""Recurring findings on the demo data (loaded once for the module): suggestions, confirmed on
the review screen and the finding page, and shown on the action and inspection pages."""

import pytest
from django.urls import reverse

from actions import finding_selectors
from actions.inspection_import.draft import SESSION_KEY
from actions.models import Finding, Force, Inspection
from actions.repeats import similarity
from actions.sample_data.demo import FORCE_NAME, PEEL_2015_TITLE, PEEL_2023_TITLE, load_demo
from tests.actions.inspection_import.test_views import form_data
from tests.factories import kept_for_the_module
from tracker.models import User

pytestmark = pytest.mark.django_db

INVESTIGATION_2023 = (
    "The constabulary should make sure it investigates crime thoroughly, and that victims get "
    "the support they need and the most appropriate outcomes."
)


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (10-25 s a load); each test's writes are undone."""
    with kept_for_the_module(django_db_blocker):
        load_demo()
        yield


@pytest.fixture
def demo(loaded_once, db):
    force = Force.objects.get(name=FORCE_NAME)
    return (
        force,
        Inspection.objects.get(force=force, title=PEEL_2015_TITLE),
        Inspection.objects.get(force=force, title=PEEL_2023_TITLE),
    )


@pytest.fixture
def demo_opcc(demo):
    return User.objects.get(username="opcc")


def test_on_the_demo_the_2023_investigation_finding_is_suggested_as_a_2015_repeat(demo, settings):
    force, peel_2015, peel_2023 = demo
    findings_2023 = list(peel_2023.findings.order_by("position"))
    rows = finding_selectors.repeat_suggestions(
        force_id=force.pk,
        texts=[f.text for f in findings_2023],
        exclude_inspection_id=peel_2023.pk,
    )
    suggested = {
        finding.text: [(item["finding"].reference, item["score"]) for item in row]
        for finding, row in zip(findings_2023, rows, strict=True)
    }
    (match,) = suggested.pop(INVESTIGATION_2023)
    earlier = peel_2015.findings.get(reference=match[0])
    assert "investigations" in earlier.text and "investigating crime" in earlier.area.name
    assert match[1] >= settings.REPEAT_SUGGESTION_THRESHOLD
    # Nothing unrelated reaches the threshold.
    assert all(row == [] for row in suggested.values())


def test_unrelated_demo_findings_score_below_the_threshold(demo, settings):
    _, peel_2015, peel_2023 = demo
    scores = [
        similarity(new.text, old.text)
        for new in peel_2023.findings.exclude(text=INVESTIGATION_2023)
        for old in peel_2015.findings.all()
    ]
    assert len(scores) == 9 * 7
    assert max(scores) < settings.REPEAT_SUGGESTION_THRESHOLD


def test_the_review_screen_shows_the_suggestion_and_a_confirmed_link_is_saved(
    demo, signed_in, demo_opcc
):
    force, peel_2015, peel_2023 = demo
    client = signed_in(demo_opcc)
    text = (
        f"PEEL 2027: An inspection of {FORCE_NAME}\nAreas for improvement\n{INVESTIGATION_2023}\n"
        "The constabulary should publish its stop and search data every month."
    )
    client.post(reverse("actions:import_start"), {"text": text, "force": force.pk})
    page = client.get(reverse("actions:import_review"))
    html = page.content.decode()
    first, second = page.context["finding_forms"]
    # The same words in PEEL 2023-25 (score 100), then the 2015 investigation finding.
    same, suggestion = first.suggestions
    assert (same["finding"].inspection, same["score"]) == (peel_2023, 100)
    earlier = suggestion["finding"]
    assert earlier.inspection == peel_2015
    assert f"similarity {suggestion['score']} out of 100" in html
    assert second.suggestions == []
    draft = client.session[SESSION_KEY]
    client.post(
        reverse("actions:import_review"),
        form_data(draft, do="accept", **{"finding-0-repeats": [earlier.pk]}),
    )
    new = Finding.objects.get(inspection__title__startswith="PEEL 2027", reference="AFI 1")
    assert list(new.repeats.all()) == [earlier]
    row = new.history.order_by("-history_id").first()
    assert row.history_user == demo_opcc
    assert row.history_change_reason == "Imported from pasted text: repeat linked"
    assert [link.to_finding_id for link in row.repeats.all()] == [earlier.pk]
    # Shown on both findings' pages.
    later_page = client.get(reverse("actions:finding", args=[new.pk])).content.decode()
    assert f'Also raised in <a class="govuk-link" href="/findings/{earlier.pk}/">' in later_page
    earlier_page = client.get(reverse("actions:finding", args=[earlier.pk])).content.decode()
    assert "Raised again in" in earlier_page and "PEEL 2027" in earlier_page


def test_an_unticked_suggestion_is_not_linked(demo, signed_in, demo_opcc):
    force, _, _ = demo
    client = signed_in(demo_opcc)
    text = f"PEEL 2027: {FORCE_NAME}\nAreas for improvement\n{INVESTIGATION_2023}"
    client.post(reverse("actions:import_start"), {"text": text, "force": force.pk})
    client.post(
        reverse("actions:import_review"), form_data(client.session[SESSION_KEY], do="accept")
    )
    assert not Finding.objects.get(inspection__title="PEEL 2027: " + FORCE_NAME).repeats.exists()


def test_officer_confirms_a_suggestion_on_the_finding_page_and_the_action_page_shows_it(
    demo, signed_in, demo_opcc
):
    _, peel_2015, peel_2023 = demo
    client = signed_in(demo_opcc)
    new = peel_2023.findings.get(text=INVESTIGATION_2023)
    page = client.get(reverse("actions:finding", args=[new.pk]))
    (suggestion,) = page.context["suggestions"]
    earlier = suggestion["finding"]
    assert earlier.inspection == peel_2015
    response = client.post(
        reverse("actions:finding_repeat", args=[new.pk]), {"earlier": earlier.pk, "do": "link"}
    )
    assert response.status_code == 302
    assert list(new.repeats.all()) == [earlier]
    row = new.history.order_by("-history_id").first()
    assert row.history_type == "~" and row.history_user == demo_opcc
    assert row.history_change_reason.startswith(f"Linked as a repeat of {earlier.reference}")
    action = new.actions.first()
    html = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert "Also raised in" in html and PEEL_2015_TITLE in html
    inspection_html = client.get(
        reverse("actions:inspection", args=[peel_2023.pk])
    ).content.decode()
    assert f"{PEEL_2015_TITLE} ({earlier.reference})" in inspection_html
    # Confirmed links are no longer offered as suggestions.
    assert client.get(reverse("actions:finding", args=[new.pk])).context["suggestions"] == []
