"""A briefing pack's content against a known dataset built through the services, with the clock
moved by time-machine so the history (and so "what changed since the last meeting") is real."""

import datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from actions import services as action_services
from actions.models import Action, Inspection, Status
from reports import charts as pack_charts
from reports import services
from reports.models import BriefingPack
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


def generate(world, by):
    with at(2025, 3, 25):
        return services.pack_generate(by=by, meeting=world["meeting"], pdf=False)


def titles(rows, snapshot):
    by_id = {row["id"]: row["title"] for row in snapshot["actions"]}
    return [by_id[row["action_id"]] for row in rows]


def test_pack_compares_with_the_previous_meeting_of_the_same_kind(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    assert snapshot["previous_meeting"]["title"] == "APM February"  # not the Panel in March
    assert snapshot["as_at"] == "2025-03-25"


def test_pack_totals_and_progress_by_area(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    totals = snapshot["totals"]
    assert (totals["actions"], totals["open"], totals["closed"]) == (5, 5, 0)
    assert (totals["overdue"], totals["slipped"], totals["blocked"]) == (1, 1, 1)
    assert totals["rag"] == {"green": 3, "amber": 0, "red": 2}
    areas = {area["area"]: area for area in snapshot["areas"]}
    assert list(areas) == ["Investigating crime", "Preventing crime"]
    investigating, preventing = areas["Investigating crime"], areas["Preventing crime"]
    assert (investigating["findings"], investigating["actions"]) == (2, 2)
    assert {s["status"]: s["count"] for s in investigating["statuses"] if s["count"]} == {
        "in_progress": 1,
        "blocked": 1,
    }
    assert investigating["percent_complete"] == 15  # (30 + 0) / 2
    assert investigating["rag"] == {"green": 1, "amber": 0, "red": 1}
    assert (preventing["findings"], preventing["actions"]) == (2, 3)
    assert preventing["percent_complete"] == 33  # (100 + 0 + 0) / 3
    assert preventing["rag"] == {"green": 2, "amber": 0, "red": 1}  # a4 overdue -> red


def test_pack_grades_show_previous_grade_and_direction_of_travel(world, opcc_officer):
    (inspection,) = generate(world, opcc_officer).snapshot["inspections"]
    assert inspection["grades"]["previous_title"] == "PEEL 2021-22"
    assert inspection["grades"]["rows"] == [
        {
            "area": "Investigating crime",
            "grade": "Requires improvement",
            "previous_area": "Investigating crime",
            "previous_grade": "Adequate",
            "trend": "declined",
            "trend_label": "Declined",
        },
        {
            "area": "Preventing crime",
            "grade": "Good",
            "previous_area": "Preventing crime",
            "previous_grade": "Adequate",
            "trend": "improved",
            "trend_label": "Improved",
        },
    ]


def test_pack_exceptions(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    exceptions = snapshot["exceptions"]
    assert titles(exceptions["overdue"], snapshot) == ["Analyst recruitment"]
    assert exceptions["overdue"][0]["days_overdue"] == 24
    (slipped,) = exceptions["slipped"]
    assert titles([slipped], snapshot) == ["Supervision audit"]
    assert (slipped["original_deadline"], slipped["deadline"], slipped["moves"]) == (
        "2025-03-01",
        "2025-07-01",
        2,
    )
    assert titles(exceptions["blocked"], snapshot) == ["Investigation training"]
    # a1's last update was before the February meeting; a4 never had one; a5 is newer.
    assert sorted(titles(exceptions["no_update"], snapshot)) == [
        "Analyst recruitment",
        "Supervision audit",
    ]
    assert exceptions["no_update_basis"] == "previous_meeting"


def test_pack_lists_evidence_assured_since_the_last_meeting(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    (evidence,) = snapshot["evidence_assured"]
    assert evidence["title"] == "Adopted plan"
    assert evidence["assured_at"].startswith("2025-02-21")


def test_what_changed_since_the_last_meeting_is_one_line_per_action_from_history(
    world, opcc_officer
):
    snapshot = generate(world, opcc_officer).snapshot
    lines = {line["action_id"]: line for line in snapshot["changes"]}
    by_title = {row["title"]: row["id"] for row in snapshot["actions"]}
    # Analyst recruitment did not change, so it has no line; each other action has one.
    assert titles(snapshot["changes"], snapshot) == [
        "Investigation training",
        "Problem-solving plan",
        "Partnership hub",
        "Supervision audit",
    ]
    audit = lines[by_title["Supervision audit"]]
    # Two moves since the last meeting read as one, from the first deadline to the last; its
    # January update was before the last meeting, so its status did not change since.
    assert (audit["deadline_from"], audit["deadline_to"]) == ("2025-03-01", "2025-07-01")
    assert "status_from" not in audit
    plan = lines[by_title["Problem-solving plan"]]
    assert (plan["status_from"], plan["status_to"]) == ("Not started", "Reopened")
    assert [(e["event"], e["when"][:10], e["reason"]) for e in plan["events"]] == [
        ("closed", "2025-02-22", ""),
        ("reopened", "2025-03-01", "Plan not followed."),
    ]
    assert lines[by_title["Partnership hub"]]["new"] is True
    training = lines[by_title["Investigation training"]]
    assert (training["status_from"], training["status_to"]) == ("Not started", "Blocked")


def test_the_changes_page_says_reopened_once_and_hides_the_reason_from_the_public(
    pack, opcc_officer, signed_in, client
):
    html = signed_in(opcc_officer).get(reverse("reports:pack", args=[pack.pk])).content.decode()
    changes = html[html.index('id="changes-heading"') : html.index('id="questions-heading"')]
    assert changes.count("<li>") == 4
    assert "reopened 1 Mar 2025 (Plan not followed.)" in changes
    assert "Reopened: Reopened" not in html and "Reopened: Plan" not in changes
    services.pack_publish(by=opcc_officer, pack=pack, public=True)
    client.logout()
    public = client.get(pack.get_public_url()).content.decode()
    assert "reopened 1 Mar 2025" in public
    assert "Plan not followed." not in public


def test_pack_tracks_questions_from_earlier_meetings(world, opcc_officer):
    questions = generate(world, opcc_officer).snapshot["questions"]
    assert [(q["text"], q["answered"], q["overdue"]) for q in questions] == [
        ("Will 999 times be reported?", False, True),
        ("Is the plan funded?", True, False),
    ]
    assert questions[0]["owner_role_title"] == "ACC Crime"


def test_pack_statutory_tracking(world, opcc_officer):
    (inspection,) = generate(world, opcc_officer).snapshot["inspections"]
    statutory = inspection["statutory"]
    assert statutory["response_due"] == "2024-12-10"
    assert statutory["response_published_on"] == "2024-12-09"
    assert statutory["response_state"] == "recorded"
    assert statutory["response_due_label"] == "PCC's s.55 response due"
    assert statutory["revisit_on"] == "2025-05-01"
    assert statutory["monitoring_phase"] == "Engage"
    assert [f["reference"] for f in statutory["needing_response"]] == ["Recommendation 1"]


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        # Recorded after the due date: the pack records it and does not judge it.
        (datetime.date(2024, 12, 11), "recorded"),
        (None, "overdue"),
    ],
)
def test_pack_records_the_response_in_neutral_words(world, opcc_officer, published, expected):
    Inspection.objects.update(response_published_on=published)
    (inspection,) = generate(world, opcc_officer).snapshot["inspections"]
    assert inspection["statutory"]["response_state"] == expected
    assert "response" not in inspection["statutory"]


SVG = "{http://www.w3.org/2000/svg}"


def centre_y(marker):
    if marker.tag == f"{SVG}circle":
        return float(marker.get("cy"))
    return float(marker.get("y")) + float(marker.get("height")) / 2


def test_pack_charts_are_svg_without_script_and_with_a_title(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    charts = snapshot["charts"]
    for chart in charts.values():
        root = ElementTree.fromstring(chart["svg"])  # well-formed, or this raises
        assert root.tag == f"{SVG}svg"
        assert (root.get("role"), root.get("aria-labelledby")) == ("img", "t d")
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        title, desc = list(root)[:2]
        assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "t", chart["title"])
        assert (desc.tag, desc.get("id"), desc.text) == (f"{SVG}desc", "d", chart["description"])
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}style"))
        assert not any(element.get("style") for element in root.iter())
    assert (
        "Investigating crime: 1 in progress, 1 blocked" in charts["status_by_area"]["description"]
    )
    # The same figures draw the same bytes.
    assert pack_charts.status_by_area(snapshot["areas"]) == charts["status_by_area"]
    over_time = snapshot["progress_over_time"]
    assert pack_charts.progress_over_time(over_time) == charts["progress_over_time"]


def test_status_chart_has_one_bar_per_area_and_status_as_wide_as_its_count(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    root = ElementTree.fromstring(snapshot["charts"]["status_by_area"]["svg"])
    bars = root.find(f".//{SVG}g[@id='bars']").findall(f"{SVG}rect")
    colours = {status.value: colour for status, colour in pack_charts.STATUS_COLOURS.items()}
    expected = [
        ("Investigating crime", "in_progress", 1),
        ("Investigating crime", "blocked", 1),
        ("Preventing crime", "not_started", 2),
        ("Preventing crime", "reopened", 1),
    ]
    assert [bar.get("fill") for bar in bars] == [colours[status] for _, status, _ in expected]
    widths = [float(bar.get("width")) for bar in bars]
    unit = widths[0]
    assert widths == pytest.approx([count * unit for _, _, count in expected], abs=0.01)
    # Stacked: each area's second bar starts where its first ends, on the same row.
    for first, second in (bars[0:2], bars[2:4]):
        assert first.get("y") == second.get("y")
        end = float(first.get("x")) + float(first.get("width"))
        assert float(second.get("x")) == pytest.approx(end, abs=0.01)
    assert bars[0].get("x") == bars[2].get("x")  # both rows start at the axis
    labels = {text.text: float(text.get("y")) for text in root.iter(f"{SVG}text")}
    for bar, (area, _, _) in zip(bars, expected, strict=True):
        top = float(bar.get("y"))
        assert top < labels[area] < top + float(bar.get("height"))  # on its area's row
    assert "Number of actions" in labels
    legend = root.find(f".//{SVG}g[@id='legend']")
    assert [text.text for text in legend.iter(f"{SVG}text")] == [
        "Not started",
        "In progress",
        "Blocked",
        "Reopened",
    ]


def test_progress_chart_has_a_marker_per_point_for_each_line_at_its_height(world, opcc_officer):
    snapshot = generate(world, opcc_officer).snapshot
    series = snapshot["progress_over_time"]
    assert [point["date"] for point in series] == ["2025-01-31", "2025-02-28", "2025-03-25"]
    root = ElementTree.fromstring(snapshot["charts"]["progress_over_time"]["svg"])
    closed = root.find(f".//{SVG}g[@id='closed']").findall(f"{SVG}circle")
    average = root.find(f".//{SVG}g[@id='average']").findall(f"{SVG}rect")
    assert len(closed) == len(average) == len(series)
    xs = [float(marker.get("cx")) for marker in closed]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # Every marker's height is one straight-line function of its percentage, rising with it.
    heights = [
        (point["closed_percent"], centre_y(m)) for point, m in zip(series, closed, strict=True)
    ]
    heights += [
        (point["average_percent"], centre_y(m)) for point, m in zip(series, average, strict=True)
    ]
    (p0, y0), (p1, y1) = heights[0], next(h for h in heights if h[0] != heights[0][0])
    slope = (y1 - y0) / (p1 - p0)
    assert slope < 0
    assert [y for _, y in heights] == pytest.approx(
        [y0 + slope * (percent - p0) for percent, _ in heights], abs=0.01
    )
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"Jan 2025", "Feb 2025", "Mar 2025", "Per cent"} <= set(texts)
    assert [str(tick) for tick in range(0, 101, 20)] == [t for t in texts if t.isdigit()]
    legend = root.find(f".//{SVG}g[@id='legend']")
    assert [text.text for text in legend.iter(f"{SVG}text")] == [
        "Actions closed (%)",
        "Average percent complete",
    ]


def test_status_chart_escapes_and_shortens_a_long_area_name():
    name = "Vetting, counter-corruption & <professional> standards"
    statuses = [
        {"status": s.value, "label": s.label, "count": 3 if s == Status.CLOSED else 0}
        for s in Status
    ]
    chart = pack_charts.status_by_area([{"area": name, "actions": 3, "statuses": statuses}])
    root = ElementTree.fromstring(chart["svg"])
    assert root.find(f"{SVG}desc").text == f"{name}: 3 closed."
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "Vetting, counter-corruption & <professi…" in texts
    assert len(root.find(f".//{SVG}g[@id='bars']").findall(f"{SVG}rect")) == 1


def test_charts_say_there_is_nothing_to_chart_without_actions():
    assert pack_charts.status_by_area([])["svg"] == ""
    assert pack_charts.progress_over_time([]) == {
        "title": "Progress over time",
        "description": "There are no actions to chart.",
        "svg": "",
    }


def test_a_generated_pack_is_frozen_and_regenerating_makes_a_new_version(
    world, opcc_officer, owner
):
    first = generate(world, opcc_officer)
    before = BriefingPack.objects.get(pk=first.pk).snapshot
    a4 = Action.objects.get(pk=world["actions"]["a4"].pk)
    with at(2025, 3, 26):
        action_services.action_change_deadline(
            by=opcc_officer, action=a4, deadline=datetime.date(2025, 8, 1), reason="Replanned."
        )
        action_services.action_edit(by=opcc_officer, action=a4, title="Renamed", description="")
        second = services.pack_generate(by=opcc_officer, meeting=world["meeting"], pdf=False)
    first.refresh_from_db()
    assert first.snapshot == before
    assert first.snapshot["totals"]["overdue"] == 1
    assert "Analyst recruitment" in {row["title"] for row in first.snapshot["actions"]}
    assert (first.version, second.version) == (1, 2)
    assert second.snapshot["totals"]["overdue"] == 0
    assert "Renamed" in {row["title"] for row in second.snapshot["actions"]}


def test_opcc_staff_generate_a_pack_from_the_meeting_page_and_read_it(
    world, opcc_officer, owner, signed_in, django_capture_on_commit_callbacks
):
    client = signed_in(opcc_officer)
    with at(2025, 3, 25), django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:pack_generate", args=[world["meeting"].pk]))
    pack = BriefingPack.objects.get()
    assert response["Location"] == reverse("reports:pack", args=[pack.pk])
    assert pack.generated_by == opcc_officer
    assert pack.history.first().history_user == opcc_officer
    with at(2025, 3, 25):
        html = client.get(response["Location"]).content.decode()
    assert "The PDF is being generated" in html
    assert "Supervision audit" in html
    assert "Overdue actions: 1" in html
    assert f"owner: {owner} (ACC Crime)" in html  # staff see owners' names
