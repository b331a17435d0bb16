"""The flows that matter, in a real browser: from a new finding to a closed action."""

import re

from django.conf import settings

from actions.models import Action, Evidence, Finding, Status
from tests.browser.conftest import screenshot, sign_in
from tests.factories import ActionFactory
from tracker.models import User

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_from_new_finding_to_closed_action(demo, new_page):
    password = settings.DEMO_PASSWORD
    owner = User.objects.get(username="owner")
    opcc = User.objects.get(username="opcc")

    # OPCC staff add a finding to PEEL 2023-25 and an action for it, assigned to the owner.
    staff = new_page()
    sign_in(staff, "opcc", password)
    staff.goto(f"/inspections/{demo.pk}/")
    staff.get_by_role("link", name="Add a finding").click()
    staff.get_by_label("Area for improvement").check()
    staff.get_by_label("Reference").fill("AFI 99")
    staff.get_by_label("Text of the finding").fill(
        "The force should improve how it records the needs of vulnerable victims."
    )
    staff.get_by_role("button", name="Add finding").click()
    staff.get_by_text("Finding added.").wait_for()
    finding = Finding.objects.get(inspection=demo, reference="AFI 99")

    staff.get_by_role("link", name="Add an action to AFI 99").click()
    staff.get_by_label("Title", exact=True).fill("Audit vulnerability records monthly")
    deadline = staff.get_by_role("group", name="Deadline")
    deadline.get_by_label("Day").fill("31")
    deadline.get_by_label("Month").fill("3")
    deadline.get_by_label("Year").fill("2027")
    staff.get_by_role("combobox", name=re.compile("^Owner")).select_option(str(owner.pk))
    staff.get_by_label("OPCC lead").select_option(str(opcc.pk))
    staff.get_by_role("button", name="Add action").click()
    staff.get_by_text("Action added.").wait_for()
    action = Action.objects.get(finding=finding)
    assert action.owner == owner and action.status == Status.NOT_STARTED

    # The owner signs in, posts an update, uploads evidence and proposes closure.
    page = new_page()
    sign_in(page, "owner", password)
    page.goto(f"/actions/{action.pk}/")
    page.get_by_role("link", name="Post an update").click()
    page.get_by_label("Progress since the last update").fill("Monthly audit started in May.")
    page.get_by_label("In progress").check()
    page.get_by_label("Green").check()
    page.get_by_label("Percent complete").fill("80")
    page.get_by_role("button", name="Post update").click()
    page.get_by_text("Update posted.").wait_for()

    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Document").check()
    page.get_by_label("Title", exact=True).fill("First monthly audit report")
    page.locator("input[type=file]").set_input_files(
        {"name": "audit.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_role("link", name=re.compile("First monthly audit report")).wait_for()

    page.get_by_role("link", name="Propose closure").click()
    page.get_by_label("Why the action is complete").fill("Audits run monthly; see the report.")
    page.get_by_role("button", name="Propose closure").click()
    page.get_by_text("Closure proposed.").wait_for()
    action.refresh_from_db()
    assert action.status == Status.PROPOSED
    assert action.updates.count() == 2  # the update and the closure proposal
    screenshot(page, "action-proposed-for-closure")

    # A second OPCC officer assures the evidence (nobody closes on evidence only they assured);
    # then the action's OPCC lead closes it.
    assurer = new_page()
    sign_in(assurer, "assurer", password)
    assurer.goto(f"/actions/{action.pk}/")
    assurer.get_by_role("link", name=re.compile("^Assure")).click()
    assurer.get_by_label("Assurance note").fill("Checked the May audit against the records.")
    assurer.get_by_role("button", name="Assure evidence").click()
    assurer.get_by_text("Evidence assured.").wait_for()
    assert Evidence.objects.get(action=action).assured_by.username == "assurer"
    staff.goto(f"/actions/{action.pk}/")
    staff.get_by_role("link", name="Close", exact=True).click()
    staff.get_by_label("Closure summary").fill("Monthly audits in place and assured.")
    staff.get_by_role("button", name="Close action").click()
    staff.get_by_text("Action closed.").wait_for()
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert action.closed_by == opcc
    assert "Closed" in staff.locator("main").inner_text()
    history = staff.goto(f"/actions/{action.pk}/history/")
    assert history.ok
    assert "Monthly audits in place and assured." in staff.locator("main").inner_text()


def test_owner_cannot_open_another_forces_action(demo, new_page):
    elsewhere = ActionFactory(finding__inspection__force__name="Bedfordshire Police")
    page = new_page()
    sign_in(page, "owner", settings.DEMO_PASSWORD)
    assert page.goto(f"/actions/{elsewhere.pk}/").status == 404
    assert elsewhere.title not in page.content()
    page.goto("/actions/")
    assert elsewhere.title not in page.locator("main").inner_text()


def test_update_form_by_keyboard_alone(demo, new_page):
    action = Action.objects.filter(status=Status.IN_PROGRESS, owner__username="owner").first()
    before = action.updates.count()
    page = new_page()
    sign_in(page, "owner", settings.DEMO_PASSWORD)
    page.goto(f"/actions/{action.pk}/update/")

    def focused():
        return page.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.tagName.toLowerCase(), e.name || e.className || ''].join(':') }"
        )

    order = []
    page.keyboard.press("Tab")
    order.append(focused())
    assert order[0] == "a:govuk-skip-link", order  # the first stop is "Skip to main content"
    page.keyboard.press("Enter")  # skip the header and menu
    for _ in range(30):
        page.keyboard.press("Tab")
        order.append(focused())
        if order[-1] == "textarea:narrative":
            break
    assert order[-1] == "textarea:narrative", order
    page.keyboard.type("Reviewed by keyboard only; on track.")
    page.keyboard.press("Tab")
    assert focused() == "input:status"
    page.keyboard.press("Tab")
    assert focused() == "input:rag"
    page.keyboard.press("Space")  # choose the focused RAG rating
    page.keyboard.press("Tab")
    assert focused() == "input:percent_complete"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("65")
    page.keyboard.press("Tab")
    assert focused().startswith("button:")
    page.keyboard.press("Enter")
    page.get_by_text("Update posted.").wait_for()
    assert action.updates.count() == before + 1
    latest = action.updates.latest("created_at")
    assert latest.percent_complete == 65
    assert latest.narrative == "Reviewed by keyboard only; on track."
