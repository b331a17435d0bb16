"""axe-core's WCAG 2.2 A and AA rules on every main page, for every role: zero violations.

Each page is also saved as a screenshot in docs/screenshots/ for the README.
"""

from django.conf import settings

from actions.models import Action, GradedArea, Inspection, Status
from actions.sample_data.demo import HERTFORDSHIRE_PAPER
from tests.browser.conftest import axe_violations, screenshot, sign_in
from tracker.models import Office


def audit(page, pages):
    """Visit each (name, path, step) and return {name: violations} for pages that have any."""
    found = {}
    for name, path, step in pages:
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        if step:
            step(page)
        violations = axe_violations(page)
        if violations:
            found[name] = violations
        screenshot(page, name)
    return found


def submit_empty(page):
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.get_by_text("There is a problem").wait_for()


def _demo_office_slug():
    return Office.objects.get(name=HERTFORDSHIRE_PAPER["office_name"]).slug


def test_signed_out_pages(demo, new_page):
    page = new_page()

    def wrong_password(page):
        page.get_by_label("Username").fill("opcc")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        page.locator(".govuk-error-summary").wait_for()

    found = audit(
        page,
        [
            ("home-signed-out", "/", None),
            ("sign-in", "/accounts/login/", None),
            ("sign-in-error", "/accounts/login/", wrong_password),
            ("password-reset", "/accounts/password_reset/", None),
            # The offices' list, or with one office its page (where /public/ goes).
            ("public-papers", "/public/", None),
            ("public-office", f"/public/{_demo_office_slug()}/", None),
        ],
    )
    assert found == {}


def test_opcc_staff_pages(demo, new_page):
    page = new_page()
    sign_in(page, "opcc", settings.DEMO_PASSWORD)
    peel = Inspection.objects.get(published_on__year=2024)
    overdue = Action.objects.overdue().order_by("pk").first()
    finding = peel.findings.order_by("pk").first()
    area = GradedArea.objects.filter(inspection=peel).order_by("pk").first()
    found = audit(
        page,
        [
            ("dashboard-opcc", "/dashboard/", None),
            ("action-list", "/actions/?status=in_progress&status=not_started&sort=deadline", None),
            ("inspections", "/inspections/", None),
            ("inspection", f"/inspections/{peel.pk}/", None),
            ("action", f"/actions/{overdue.pk}/", None),
            ("action-history", f"/actions/{overdue.pk}/history/", None),
            ("deadline-form-errors", f"/actions/{overdue.pk}/deadline/", submit_empty),
            ("finding-form-errors", f"/inspections/{peel.pk}/findings/new/", submit_empty),
            ("external-status", f"/findings/{finding.pk}/external-status/", None),
            ("source-add-errors", "/inspections/new/", submit_empty),
            ("source-edit", f"/inspections/{peel.pk}/edit/", None),
            ("source-response", f"/inspections/{peel.pk}/response/", None),
            ("area-predecessor", f"/areas/{area.pk}/predecessor/", None),
            ("share-form-errors", f"/actions/{overdue.pk}/share/", submit_empty),
            ("email-preferences", "/account/email/", None),
            ("account", "/account/", None),
            ("two-factor-setup", "/account/two-factor/", None),
            ("password-change", "/accounts/password_change/", None),
            ("calendar-and-api-access", "/account/access/", None),
        ],
    )
    assert found == {}


def test_second_office_pages(demo, new_page):
    """The invented second office: its force's sources, and the collaboration it reads."""
    page = new_page()
    sign_in(page, "opcc-example", settings.DEMO_PASSWORD)
    # The invented force's sources: a renamed area's direction of travel, a coroner's clock.
    renamed = Inspection.objects.get(title__startswith="Exampleshire", title__endswith="2023-25")
    coroner = Inspection.objects.get(source_type=Inspection.SourceType.CORONER)
    shared = Action.objects.filter(partners__isnull=False).order_by("pk").first()
    found = audit(
        page,
        [
            ("direction-of-travel", f"/inspections/{renamed.pk}/", None),
            ("source-response-clock", f"/inspections/{coroner.pk}/", None),
            ("collaboration-action", f"/actions/{shared.pk}/", None),
            ("collaboration-list", "/actions/", None),
        ],
    )
    assert found == {}


def test_action_owner_pages(demo, new_page):
    page = new_page()
    sign_in(page, "owner", settings.DEMO_PASSWORD)
    mine = Action.objects.filter(owner__username="owner", status=Status.IN_PROGRESS)
    action = mine.order_by("pk").first()
    found = audit(
        page,
        [
            ("dashboard-owner", "/dashboard/", None),
            ("my-actions", "/actions/?mine=on", None),
            ("update-form", f"/actions/{action.pk}/update/", None),
            ("update-form-errors", f"/actions/{action.pk}/update/", submit_empty),
            ("evidence-form-errors", f"/actions/{action.pk}/evidence/add/", submit_empty),
        ],
    )
    assert found == {}


def test_panel_member_pages(demo, new_page):
    page = new_page()
    sign_in(page, "panel", settings.DEMO_PASSWORD)
    assert audit(page, [("home-panel", "/", None)]) == {}


def test_the_check_finds_a_real_violation(live_server, new_page):
    """The audit is not vacuous: an unlabelled field and an image without alt text are caught."""
    page = new_page()
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const f = document.querySelector('main form');"
        " f.insertAdjacentHTML('beforeend', '<input type=text name=x><img src=/x.png>'); }"
    )
    found = " ".join(axe_violations(page))
    assert "label" in found
    assert "image-alt" in found
