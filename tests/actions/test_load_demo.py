"""The demo data: what `make run` loads, and that loading it again changes nothing."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from actions.models import (
    Action,
    Evidence,
    Finding,
    FindingKind,
    Force,
    Inspection,
    Status,
    Update,
)
from reports.models import BriefingPack, Meeting
from tracker import roles
from tracker.models import User


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts():
    """Rows in every table of the project's apps, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("actions", "reports", "tracker")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def demo(db):
    return load()


def test_prints_the_demo_users_and_password(demo):
    for username in ("opcc", "owner", "panel", "admin", "national"):
        assert f"  {username}\n" in demo
    assert f"Password for every demo user: {settings.DEMO_PASSWORD}" in demo


def test_one_demo_user_per_role_who_can_sign_in(demo, client):
    expected = {
        "opcc": roles.OPCC_STAFF,
        "owner": roles.ACTION_OWNER,
        "panel": roles.PANEL_MEMBER,
        "admin": roles.ADMINISTRATOR,
        "national": roles.NATIONAL_READER,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert roles.primary_role(user) == role
        assert client.login(username=username, password=settings.DEMO_PASSWORD)
    assert User.objects.get(username="owner").force.name == "Hertfordshire Constabulary"


def test_peel_2023_has_its_nine_grades_and_response_date(demo):
    peel = Inspection.objects.get(published_on=datetime.date(2024, 10, 16))
    assert peel.graded_areas.count() == 9
    assert peel.response_due == datetime.date(2024, 12, 10)
    assert peel.findings.exists()


def test_peel_2015_has_its_seven_areas_for_improvement(demo):
    peel = Inspection.objects.get(title__startswith="PEEL 2015")
    afis = peel.findings.filter(kind=FindingKind.AFI)
    assert afis.count() == 7
    assert all(" should " in text for text in afis.values_list("text", flat=True))


def test_actions_in_every_status_some_overdue_some_slipped(demo):
    present = set(Action.objects.values_list("status", flat=True))
    assert present == set(Status.values)
    assert Action.objects.overdue().exists()
    assert Action.objects.slipped().exists()
    assert Evidence.objects.filter(assured_at__isnull=False).exists()
    assert Action.objects.filter(updates__isnull=False).exists()


def test_an_invented_force_shows_travel_across_renamed_peel_areas(demo, client):
    force = Force.objects.get(name__endswith="(invented)")
    peel_2021, peel_2023 = force.inspections.filter(kind=Inspection.Kind.PEEL).order_by(
        "published_on"
    )
    assert "(invented)" in peel_2021.title and "(invented)" in peel_2023.title
    assert peel_2023.previous == peel_2021
    renamed = {
        area.name: area.predecessor.name
        for area in peel_2023.graded_areas.select_related("predecessor")
        if area.predecessor.name != area.name
    }
    assert renamed == {
        "Police powers and public treatment": "Treatment of the public",
        "Preventing crime": "Preventing crime and anti-social behaviour",
        "Managing offenders": "Managing offenders and suspects",
        "Developing a positive workplace": "Building, supporting and protecting the workforce",
        "Leadership and force management": (
            "Strategic planning, organisational management and value for money"
        ),
    }
    # The invented force is the invented second office's: its officer reads it.
    client.login(username="opcc-example", password=settings.DEMO_PASSWORD)
    response = client.get(reverse("actions:inspection", args=[peel_2023.pk]))
    labels = {row["area"].name: row["direction"].label for row in response.context["grades"]}
    assert labels["Police powers and public treatment"] == "Declined"
    assert labels["Developing a positive workplace"] == "Improved"
    assert labels["Recording data about crime"] == (
        "Not comparable: not graded in the previous inspection"
    )
    assert "Not graded before" not in response.content.decode()


def test_the_invented_iopc_and_coroner_sources_show_their_response_clocks(demo, client):
    force = Force.objects.get(name__endswith="(invented)")
    iopc = force.inspections.get(source_type=Inspection.SourceType.IOPC)
    coroner = force.inspections.get(source_type=Inspection.SourceType.CORONER)
    assert "(invented)" in iopc.title and "(invented)" in coroner.title
    assert iopc.findings.exists() and coroner.findings.exists()
    assert set(iopc.findings.values_list("kind", flat=True)) == {"recommendation"}
    assert set(coroner.findings.values_list("kind", flat=True)) == {"matter_of_concern"}
    assert coroner.findings.first().reference == "Matter of concern 1"
    client.login(username="opcc-example", password=settings.DEMO_PASSWORD)
    html = client.get(reverse("actions:inspection", args=[iopc.pk])).content.decode()
    assert f"Response due {iopc.response_due.day} {iopc.response_due:%B %Y}." in html
    assert "Police Reform Act 2002, Sch. 3 para 28B" in html
    html = client.get(reverse("actions:inspection", args=[coroner.pk])).content.decode()
    extended_from = coroner.statutory_response_due
    assert f"Extended from {extended_from.day} {extended_from:%B %Y}" in html
    assert "The coroner (invented) allowed more time" in html
    assert "Coroners (Investigations) Regulations 2013" in html


def test_an_invented_second_office_shares_one_collaboration_with_hertfordshire(demo, client):
    invented = Force.objects.get(name__endswith="(invented)")
    assert invented.office.name.endswith("(invented)")
    assert invented.office.slug == "exampleshire"
    herts = Force.objects.get(name="Hertfordshire Constabulary")
    assert invented.office_id != herts.office_id
    shared = Action.objects.get(partner_forces=invented)
    assert shared.finding.inspection.force == herts
    assert shared.partners.get().reason.startswith("Invented for the demo")
    # Exampleshire's officer reads it, marked as Hertfordshire's; Hertfordshire's inspections
    # stay Hertfordshire's.
    client.login(username="opcc-example", password=settings.DEMO_PASSWORD)
    html = client.get(reverse("actions:detail", args=[shared.pk])).content.decode()
    assert "Collaboration" in html and herts.office.name in html
    inspection = shared.finding.inspection_id
    assert client.get(reverse("actions:inspection", args=[inspection])).status_code == 404
    assert client.get(reverse("actions:edit", args=[shared.pk])).status_code == 403
    # Hertfordshire's officer no longer sees the invented force's sources.
    client.login(username="opcc", password=settings.DEMO_PASSWORD)
    peel = invented.inspections.first()
    assert client.get(reverse("actions:inspection", args=[peel.pk])).status_code == 404


def test_meetings_include_the_apm_of_14_november_2024(demo):
    apm = Meeting.objects.get(starts_at__date=datetime.date(2024, 11, 14))
    assert apm.kind == Meeting.Kind.APM
    assert Meeting.objects.upcoming().exists()


def test_every_record_has_history(demo):
    for model in (Inspection, Finding, Action):
        assert model.history.count() >= model.objects.count() > 0


def test_loading_twice_changes_nothing(demo):
    before = row_counts()
    assert before["actions.Action"] > 0
    load()
    assert row_counts() == before


def test_loading_again_moves_an_older_demos_invented_force_into_its_office(demo):
    invented = Force.objects.get(name__endswith="(invented)")
    herts = Force.objects.get(name="Hertfordshire Constabulary")
    Force.objects.filter(pk=invented.pk).update(office=herts.office)  # as an older demo had it
    load()
    invented.refresh_from_db()
    assert invented.office.slug == "exampleshire"
    assert invented.history.latest().history_change_reason == "Demo office (invented)"


def _days(value, today):
    """A date or datetime as days from `today` (London), or None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return (value - today).days


def _history_dates(model, pk, reason_start):
    """The dates of an object's history rows whose reason starts with `reason_start`."""
    return [
        row.history_date
        for row in model.history.filter(id=pk).order_by("history_id")
        if (row.history_change_reason or "").startswith(reason_start)
    ]


def story_as_seen_today():
    """The demo's invented story in days from today, after checking that every history row is
    dated when its event happened."""
    today = timezone.localdate()
    peel_2023 = Inspection.objects.get(published_on=datetime.date(2024, 10, 16))
    actions = Action.objects.filter(finding__inspection=peel_2023).order_by("pk")
    for update in Update.objects.all():
        assert [row.history_date for row in update.history.all()] == [update.created_at]
    for action in Action.objects.all():
        assert action.history.earliest("history_date").history_date == action.created_at
        if action.closed_at:
            assert _history_dates(Action, action.pk, "Closed")[-1] == action.closed_at
    for evidence in Evidence.objects.all():
        assert evidence.submitted_at < evidence.assured_at
        assert _history_dates(Evidence, evidence.pk, "Evidence submitted") == [
            evidence.submitted_at
        ]
        assert _history_dates(Evidence, evidence.pk, "Assured") == [evidence.assured_at]
    packs = BriefingPack.objects.select_related("meeting").order_by("meeting__starts_at")
    for pack in packs:
        assert pack.history.earliest("history_date").history_date == pack.generated_at
        generated = datetime.datetime.fromisoformat(pack.snapshot["generated_at"])
        assert generated == pack.generated_at
        if pack.published_at:
            assert _history_dates(BriefingPack, pack.pk, "Published") == [pack.published_at]
    # Nothing in the story happens today, so no history row is dated today.
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    for model in apps.get_models():
        if any(field.name == "history_date" for field in model._meta.fields):
            assert not model.objects.filter(history_date__gte=start_of_today).exists(), model
    return {
        "actions": [
            (
                action.title,
                action.status,
                _days(action.deadline, today),
                _days(action.original_deadline, today),
                _days(action.created_at, today),
                _days(action.last_update_at, today),
            )
            for action in actions
        ],
        "overdue": [(action.title, (today - action.deadline).days) for action in actions.overdue()],
        "due_soon": sorted(actions.due_soon().values_list("title", flat=True)),
        "stale": sorted(actions.stale().values_list("title", flat=True)),
        "proposed": sorted(actions.filter(status=Status.PROPOSED).values_list("title", flat=True)),
        "updates": sorted(
            (update.action.title, _days(update.created_at, today), update.percent_complete)
            for update in Update.objects.filter(action__in=actions).select_related("action")
        ),
        "evidence": sorted(
            (item.title, _days(item.submitted_at, today), _days(item.assured_at, today))
            for item in Evidence.objects.filter(action__in=actions)
        ),
        "meetings": [
            (meeting.title, _days(meeting.starts_at, today))
            for meeting in Meeting.objects.filter(starts_at__year__gt=2024).order_by("starts_at")
        ],
        "upcoming": [
            _days(meeting.starts_at, today) for meeting in Meeting.objects.upcoming(now=None)
        ],
        "sources": [
            (
                source.get_source_type_display(),
                "(invented)" in source.title,
                _days(source.published_on, today),
                _days(source.statutory_response_due, today),
                _days(source.response_due, today),
                source.response_state,
                source.findings.count(),
                [_days(day, today) for day in _history_dates(Inspection, source.pk, "The coroner")],
            )
            for source in Inspection.objects.exclude(source_type="hmicfrs").order_by("source_type")
        ],
        "packs": [
            (
                pack.meeting.title,
                pack.status,
                _days(pack.generated_at, today),
                _days(pack.published_at, today),
            )
            for pack in packs
            if pack.meeting.starts_at.year > 2024
        ],
    }


def real_events():
    """What the sources date: the same whatever day the demo is loaded."""
    apm = Meeting.objects.get(title__startswith="Accountability & Performance Meeting: HMICFRS")
    (apm_pack,) = apm.packs.all()
    return {
        "peel_2023_published": Inspection.objects.get(title__startswith="PEEL 2023").published_on,
        "peel_2015_published": Inspection.objects.get(title__startswith="PEEL 2015").published_on,
        "apm": timezone.localtime(apm.starts_at).isoformat(),
        "apm_pack": (
            timezone.localtime(apm_pack.generated_at).date(),
            timezone.localtime(apm_pack.published_at).date(),
        ),
    }


def loaded_on(day):
    """Load the demo with `day` as today, and what it shows; then undo the load."""
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    with time_machine.travel(noon, tick=False), transaction.atomic():
        load()
        seen = story_as_seen_today(), real_events()
        transaction.set_rollback(True)
    return seen


@pytest.mark.django_db
def test_the_story_is_dated_from_the_day_the_demo_is_loaded():
    # A winter day and a summer day a year later: the story moves with today, across clock
    # changes, and the real events stay where the sources put them.
    winter_story, winter_real = loaded_on(datetime.date(2026, 3, 2))
    summer_story, summer_real = loaded_on(datetime.date(2027, 7, 15))
    assert winter_story == summer_story
    assert (
        winter_real
        == summer_real
        == {
            "peel_2023_published": datetime.date(2024, 10, 16),
            "peel_2015_published": None,
            "apm": "2024-11-14T10:00:00+00:00",
            "apm_pack": (datetime.date(2024, 11, 7), datetime.date(2024, 11, 7)),
        }
    )
    story = winter_story
    # The other sources: an IOPC response due in 5 days, and a coroner's report whose 56 days
    # ran out 14 days ago, on an extension (recorded 50 days ago) to 28 days ahead.
    assert story["sources"] == [
        ("Coroner's prevention of future deaths report", True, -70, -14, 28, "due", 2, [-50]),
        ("IOPC learning recommendation", True, -50, 5, 5, "due", 1, []),
    ]
    assert story["overdue"] == [("Train call handlers in the crime recording standards", 20)]
    assert story["due_soon"] == ["Introduce monthly investigation quality reviews"]
    assert len(story["stale"]) >= 2
    assert story["proposed"] == ["Audit recording of reasonable grounds for use of force"]
    # Three meetings held with published papers, then one ahead with a draft.
    assert [(status, published is not None) for _title, status, _, published in story["packs"]] == [
        ("published", True),
        ("published", True),
        ("published", True),
        ("draft", False),
    ]
    assert [days for _title, days in story["meetings"]] == [-270, -180, -90, 14]
    assert story["upcoming"] == [14]
    # Each paper is generated and published on its paper date, a week before the meeting.
    assert [generated for _title, _status, generated, _ in story["packs"]][:3] == [-277, -187, -97]


def test_pages_show_the_real_dates_and_no_invented_statutory_outcome(demo, client):
    client.login(username="opcc", password=settings.DEMO_PASSWORD)
    peel_2015 = Inspection.objects.get(title__startswith="PEEL 2015")
    html = client.get(reverse("actions:inspection", args=[peel_2015.pk])).content.decode()
    assert "Not known" in html
    peel_2023 = Inspection.objects.get(title__startswith="PEEL 2023")
    html = client.get(reverse("actions:inspection", args=[peel_2023.pk])).content.decode()
    assert "16 October 2024" in html and "10 December 2024" in html
    assert "Missed" not in html
    # The real office's s.55 response: the demo records none and says so neutrally.
    assert peel_2023.response_published_on is None
    assert "No response recorded; the due date has passed (10 December 2024)." in html
    # The demo's people are plainly invented.
    assert all("(invented)" in user.last_name for user in User.objects.all())


def test_national_demo_user_reads_the_national_view(demo, client):
    assert client.login(username="national", password=settings.DEMO_PASSWORD)
    response = client.get("/national/")
    assert response.status_code == 200
    assert "Officer (invented)" not in response.content.decode()  # no OPCC or owner names
    assert "Owner (invented)" not in response.content.decode()
