"""Briefing packs in a real browser: generated, summarised and published by OPCC staff, read by
the Panel and (when public) by anyone signed out, never as a draft."""

from django.conf import settings

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

    staff.get_by_role("link", name="Write the Panel summary").click()
    staff.get_by_label("Overall summary").fill("Good progress; two actions are overdue.")
    staff.get_by_role("button", name="Save the Panel summary").click()
    staff.get_by_text("Panel summary saved.").wait_for()
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
    visitor.goto("/public/packs/")
    found["public-packs"] = axe_violations(visitor)
    screenshot(visitor, "public-packs")
    visitor.get_by_role("link", name=meeting.title).first.click()
    text = visitor.locator("main").inner_text()
    assert "Good progress; two actions are overdue." in text
    assert owner_name not in text
    found["public-pack"] = axe_violations(visitor)
    screenshot(visitor, "public-pack")
    assert visitor.goto(f"/public/packs/{draft.uuid}/").status == 404
    visitor.goto(f"/packs/{pack.pk}/")  # the signed-in address of the same pack
    assert "/accounts/login/" in visitor.url

    assert {name: v for name, v in found.items() if v} == {}
