"""The flows where OPCC staff answer the owner, in a real browser: evidence returned as not
enough, and a deadline extension asked for and approved. axe and the duplicate-id check pass
on every page visited."""

import re

from django.conf import settings

from actions.models import Action, ExtensionRequest, Status
from tests.browser.conftest import axe_violations, screenshot, sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def accessible(page):
    assert axe_violations(page) == [], page.url


def owners_action():
    return (
        Action.objects.filter(status=Status.IN_PROGRESS, owner__username="owner")
        .exclude(extension_requests__status="pending")
        .order_by("pk")
        .first()
    )


def test_owner_proposes_closure_opcc_returns_the_evidence_and_the_owner_sees_why(demo, new_page):
    action = owners_action()
    page = new_page()
    sign_in(page, "owner", settings.DEMO_PASSWORD)
    page.goto(f"/actions/{action.pk}/evidence/add/")
    page.get_by_label("Document").check()
    page.get_by_label("Title", exact=True).fill("Dip-sample of ten cases")
    page.locator("input[type=file]").set_input_files(
        {"name": "sample.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_role("link", name="Propose closure").click()
    accessible(page)
    page.get_by_label("Why the action is complete").fill("The dip-sample shows it is fixed.")
    page.get_by_role("button", name="Propose closure").click()
    page.get_by_text("Closure proposed.").wait_for()

    staff = new_page()
    sign_in(staff, "opcc", settings.DEMO_PASSWORD)
    staff.goto(f"/actions/{action.pk}/")
    staff.get_by_role("link", name=re.compile("^Return as not enough.*Dip-sample")).click()
    accessible(staff)
    staff.get_by_label("What more is needed").fill("Ten cases is too few; sample fifty.")
    staff.get_by_role("button", name="Return to the owner").click()
    staff.get_by_text("Evidence returned to the owner.").wait_for()
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS

    page.goto(f"/actions/{action.pk}/")
    main = page.locator("main").inner_text()
    assert "Returned" in main
    assert "Ten cases is too few; sample fifty." in main
    accessible(page)
    screenshot(page, "evidence-returned")


def test_owner_asks_for_an_extension_and_opcc_approves_it(demo, new_page):
    action = owners_action()
    original = action.deadline
    asked_for = original.replace(year=original.year + 1)
    page = new_page()
    sign_in(page, "owner", settings.DEMO_PASSWORD)
    page.goto(f"/actions/{action.pk}/")
    page.get_by_role("link", name="Ask for a later deadline").click()
    accessible(page)
    deadline = page.get_by_role("group", name=re.compile("^New deadline"))
    deadline.get_by_label("Day").fill(str(asked_for.day))
    deadline.get_by_label("Month").fill(str(asked_for.month))
    deadline.get_by_label("Year").fill(str(asked_for.year))
    page.get_by_label("Why more time is needed").fill("The new system goes live a year late.")
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("Extension requested.").wait_for()
    assert "Waiting for OPCC staff to decide." in page.locator("main").inner_text()
    accessible(page)

    staff = new_page()
    sign_in(staff, "opcc", settings.DEMO_PASSWORD)
    staff.goto(f"/actions/{action.pk}/")
    staff.get_by_role("link", name=re.compile("^Approve or decline")).click()
    accessible(staff)
    screenshot(staff, "extension-request")
    staff.get_by_label("Approve: move the deadline").check()
    staff.get_by_role("button", name="Record the decision").click()
    staff.get_by_text("Extension request approved.").wait_for()

    action.refresh_from_db()
    assert action.deadline == asked_for
    assert ExtensionRequest.objects.get(action=action).status == "approved"
    staff.goto(f"/actions/{action.pk}/")
    main = staff.locator("main").inner_text()
    assert f"{asked_for.day} {asked_for:%B %Y}" in main
    assert "the deadline has slipped" in main
    accessible(staff)
