"""The action list's filter panel in a real browser: GOV.UK controls that never overlap at a
phone's, a tablet's and a desktop's width, and the removable tags of the filters in use."""

from django.conf import settings

from tests.browser.conftest import axe_violations, screenshot, sign_in

WIDTHS = [320, 768, 1280]

# Every visible piece of the open panel whose box another must not cross, and each that runs
# past the panel's right edge. A GOV.UK checkbox's own input is transparent and sits under its
# drawn box, so it is checked for that instead: a native checkbox drawn over its label fails.
LAYOUT_PROBLEMS = """() => {
  const panel = document.querySelector('.app-filters');
  const edge = panel.getBoundingClientRect();
  const parts = [...panel.querySelectorAll(
    'label, legend, .govuk-hint, select, input:not([type=hidden]):not([type=checkbox]), button'
  )].filter(e => e.offsetParent !== null);
  const name = e => `${e.tagName.toLowerCase()} ${
    e.id || e.getAttribute('for') || e.textContent.trim().slice(0, 20)}`;
  const problems = [];
  const boxes = parts.map(e => [e, e.getBoundingClientRect()]);
  for (const [e, r] of boxes) {
    if (r.right > edge.right + 0.5 || r.left < edge.left - 0.5) {
      problems.push(`${name(e)} leaves the panel`);
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, r] = boxes[i], [b, s] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (w > 1 && h > 1) problems.push(`${name(a)} overlaps ${name(b)}`);
    }
  }
  for (const box of panel.querySelectorAll('input[type=checkbox]')) {
    if (getComputedStyle(box).opacity !== '0') problems.push(`${box.id} is a native checkbox`);
  }
  return problems;
}"""


def tag_texts(page):
    """The tags' words, without the "Remove this filter: " that only screen readers hear."""
    texts = page.locator(".app-filter-tag").all_text_contents()
    return [text.removeprefix("Remove this filter: ") for text in texts]


def test_apply_two_filters_see_their_tags_remove_one_at_every_width(demo, new_page):
    page = new_page()
    sign_in(page, "opcc", settings.DEMO_PASSWORD)
    page.goto("/actions/")
    panel = page.locator(".app-filters").first
    panel.get_by_label("In progress").check()
    panel.get_by_label("Overdue").select_option("yes")
    panel.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    assert tag_texts(page) == ["Status: In progress", "Overdue: Yes"]

    page.get_by_role("link", name="Remove this filter: Overdue: Yes").click()
    page.wait_for_load_state()
    assert "overdue" not in page.url and "status=in_progress" in page.url
    assert tag_texts(page) == ["Status: In progress"]

    # Two filters again, one a date range typed in the GOV.UK date input, with the panel open.
    page.get_by_text("Filter actions").click()
    start = page.get_by_role("group", name="Deadline from")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("1")
    start.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert tag_texts(page) == ["Status: In progress", "Deadline from: 1 January 2024"]
    page.get_by_text("Filter actions").click()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(LAYOUT_PROBLEMS) == [], f"at {width} px"
        # The results table scrolls in its own region: nothing widens the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"at {width} px"
        assert axe_violations(page) == [], f"at {width} px"
        screenshot(page, f"action-list-filters-{width}")
