"""The demo data: what `make run` loads, and that loading it again changes nothing."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from actions.models import Action, Evidence, Finding, FindingKind, Inspection, Status
from reports.models import Meeting
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
    for username in ("opcc", "owner", "panel", "admin"):
        assert f"  {username}\n" in demo
    assert f"Password for every demo user: {settings.DEMO_PASSWORD}" in demo


def test_one_demo_user_per_role_who_can_sign_in(demo, client):
    expected = {
        "opcc": roles.OPCC_STAFF,
        "owner": roles.ACTION_OWNER,
        "panel": roles.PANEL_MEMBER,
        "admin": roles.ADMINISTRATOR,
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
