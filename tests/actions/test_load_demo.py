"""The demo data: what `make run` loads, and that loading it again changes nothing."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
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
)
from reports.models import Meeting
from tests.factories import kept_for_the_module
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


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (10-25 s a load); each test's writes are undone."""
    with kept_for_the_module(django_db_blocker):
        yield load()


@pytest.fixture
def demo(loaded_once, db):
    return loaded_once


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


def test_the_demo_administrator_manages_hertfordshires_people(demo, client):
    # With two offices, an administrator without one would manage nobody.
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("admin:tracker_user_changelist")).content.decode()
    for username in ("opcc", "assurer", "owner", "panel", "admin"):
        assert f">{username}</a>" in page, username
    for username in ("opcc-example", "owner-example", "panel-example", "national"):
        assert f">{username}</a>" not in page, username


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


def test_the_invented_office_published_its_peel_responses_in_time(demo, client):
    # Its dashboard's "Responses due" holds the two sources still inside their clocks, not PEEL
    # responses years overdue.
    force = Force.objects.get(name__endswith="(invented)")
    for peel in force.inspections.filter(kind=Inspection.Kind.PEEL):
        assert peel.response_published_on is not None
        assert peel.response_published_on <= peel.response_due
        assert peel.history.filter(history_change_reason__startswith="Response recorded").exists()
    client.login(username="opcc-example", password=settings.DEMO_PASSWORD)
    html = client.get(reverse("actions:dashboard")).content.decode()
    assert "Responses due: 2" in html
    assert "the due date has passed: 0" in html


def test_an_invented_second_office_shares_one_collaboration_with_hertfordshire(demo, client):
    invented = Force.objects.get(name__endswith="(invented)")
    assert invented.office.name.endswith("(invented)")
    assert invented.office.slug == "exampleshire"
    herts = Force.objects.get(name="Hertfordshire Constabulary")
    assert invented.office_id != herts.office_id
    shared = Action.objects.get(partner_forces=invented)
    assert shared.finding.inspection.force == herts
    partner = shared.partners.get()
    assert partner.reason.startswith("Invented for the demo")
    # Shared 20 days ago in the story: the partner list and the sharing history agree.
    shared_on = timezone.localdate() - datetime.timedelta(days=20)
    assert timezone.localtime(partner.shared_at).date() == shared_on
    assert timezone.localtime(partner.history.get().shared_at).date() == shared_on
    # Exampleshire's officer reads it, marked as Hertfordshire's; Hertfordshire's inspections
    # stay Hertfordshire's.
    client.login(username="opcc-example", password=settings.DEMO_PASSWORD)
    html = client.get(reverse("actions:detail", args=[shared.pk])).content.decode()
    assert "Collaboration" in html and herts.office.name in html
    assert f"since {shared_on:%-d %B %Y}" in html
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
