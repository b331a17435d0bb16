"""Briefing packs in a real browser: generated, summarised and published by OPCC staff, read by
the Panel and (when public) by anyone signed out, never as a draft."""

import io

from django.conf import settings
from pypdf import PdfReader

from actions.models import Action
from reports.models import BriefingPack, Meeting
from tests.browser.conftest import axe_violations, screenshot, sign_in


def test_a_pack_goes_from_generation_to_the_panel_and_the_public(demo, new_page):
    password = settings.DEMO_PASSWORD
    meeting = Meeting.objects.upcoming().order_by("starts_at").first()
    owner_name = str(Action.objects.filter(owner__username="owner").first().owner)
    found = {}

    staff = new_page()
    sign_in(staff, "opcc", password)
    staff.goto(f"/meetings/{meeting.pk}/")
    staff.get_by_role("button", name="Generate a new briefing pack").click()
    staff.get_by_text("generated.").first.wait_for()
    pack = BriefingPack.objects.filter(meeting=meeting).latest("version")
    assert owner_name in staff.locator("main").inner_text()  # staff see names
    found["pack-staff"] = axe_violations(staff)
    screenshot(staff, "pack-staff")

    staff.get_by_role("link", name="Write the Panel paper").click()
    staff.get_by_label("Summary", exact=True).fill("Good progress; two actions are overdue.")
    staff.get_by_role("button", name="Save the Panel paper").click()
    staff.get_by_text("Panel paper saved.").wait_for()
    staff.get_by_role("link", name="Publish this pack").click()
    staff.get_by_label("Also publish it on the public pages, for anyone to read").check()
    staff.get_by_role("button", name="Publish").click()
    staff.get_by_text("Briefing pack published.").wait_for()
    pack.refresh_from_db()
    assert pack.is_published and pack.is_public

    # A second version stays a draft: nobody outside the office may read it.
    staff.goto(f"/meetings/{meeting.pk}/")
    staff.get_by_role("button", name="Generate a new briefing pack").click()
    staff.get_by_text("generated.").first.wait_for()
    draft = BriefingPack.objects.filter(meeting=meeting).latest("version")
    assert not draft.is_published

    panel = new_page()
    sign_in(panel, "panel", password)
    panel.goto("/")
    panel.get_by_role("link", name=meeting.title).first.click()
    text = panel.locator("main").inner_text()
    assert "Good progress; two actions are overdue." in text
    assert owner_name not in text  # the Panel sees role titles, not names
    found["pack-panel"] = axe_violations(panel)
    screenshot(panel, "pack-panel")
    assert panel.goto(f"/packs/{draft.pk}/").status == 404

    visitor = new_page()
    visitor.goto(f"/public/{meeting.office.slug}/")
    found["public-packs"] = axe_violations(visitor)
    screenshot(visitor, "public-packs")
    visitor.get_by_role("link", name=meeting.title).first.click()
    text = visitor.locator("main").inner_text()
    assert "Good progress; two actions are overdue." in text
    assert owner_name not in text
    found["public-pack"] = axe_violations(visitor)
    screenshot(visitor, "public-pack")
    assert visitor.goto(f"/public/{meeting.office.slug}/packs/{draft.uuid}/").status == 404
    visitor.goto(f"/packs/{pack.pk}/")  # the signed-in address of the same pack
    assert "/accounts/login/" in visitor.url

    assert {name: v for name, v in found.items() if v} == {}


def test_the_panel_paper_and_the_live_progress_page_as_the_public_reads_them(demo, new_page):
    """The demo's latest public paper: its structure on the page and in its PDF; the live
    progress page switched on by OPCC staff; axe on both; screenshots for the README."""
    staff = new_page()
    sign_in(staff, "opcc", settings.DEMO_PASSWORD)
    staff.goto(f"/inspections/{demo.pk}/")
    staff.get_by_role("link", name="Change the live public progress page").click()
    staff.get_by_label("Publish a live progress page for this inspection").check()
    staff.get_by_role("button", name="Save").click()
    staff.get_by_text("Saved.").wait_for()

    pack = BriefingPack.objects.public().order_by("-meeting__starts_at").first()
    visitor = new_page()
    visitor.goto(f"/public/packs/{pack.uuid}/")  # the older address: redirected to the office's
    assert visitor.url.endswith(pack.get_public_url())
    main = visitor.locator("main")
    text = main.inner_text()
    parts = [
        "Report of",
        "Contact officer",
        "Summary",
        "Grades and direction of travel",
        "The Commissioner's response",
        "Progress against the action plan",
        "Next steps",
        "Recommendation",
        "Appendix A: every action",
        "Appendix B: HM Inspector's summary",
    ]
    headings = main.locator("h2, dt").all_inner_texts()
    assert [part for part in parts if part in headings] == parts
    grid = main.locator("table.app-grid th").all_inner_texts()
    assert grid == ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
    assert "Office of the Police and Crime Commissioner for Hertfordshire" in text
    found = {"panel-paper": axe_violations(visitor)}
    screenshot(visitor, "panel-paper")

    pdf = visitor.request.get(f"{pack.get_public_url()}pack.pdf")
    assert pdf.status == 200
    pdf_text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages).split()
    )
    for part in ["Report of", "Recommendation", "Appendix A: every action", "Inadequate"]:
        assert part in pdf_text, part

    visitor.goto(f"/public/{demo.force.office.slug}/progress/{demo.pk}/")
    assert "Each finding" in visitor.locator("main").inner_text()
    found["public-progress"] = axe_violations(visitor)
    screenshot(visitor, "public-progress")
    assert {name: v for name, v in found.items() if v} == {}
