"""Migrations tracker 0008, actions 0021-0022 and reports 0006-0007: a deployment from before
offices keeps its data and ends up in one office, named as its Panel papers name it (and actions
0025 gives each action its copy of its force)."""

import datetime
import importlib

import pytest
from django.apps import apps as current_apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tracker.models import Office

BEFORE_OFFICES = [
    ("actions", "0020_finding_kind_matter_of_concern"),
    ("reports", "0005_meeting_opcc_lead"),
    ("tracker", "0007_user_queryset"),
]


def migrate(targets):
    """Migrate the test database to `targets`; the apps (historical models) of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_offices():
    """The database as it stood before offices; put back to the latest state afterwards."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield migrate(BEFORE_OFFICES)
    finally:
        migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_a_deployment_from_before_offices_migrates_into_one_office(before_offices):
    apps = before_offices
    Force = apps.get_model("actions", "Force")
    Inspection = apps.get_model("actions", "Inspection")
    Meeting = apps.get_model("reports", "Meeting")
    User = apps.get_model("tracker", "User")
    Group = apps.get_model("auth", "Group")
    herts = Force.objects.create(name="Hertfordshire Constabulary")
    beds = Force.objects.create(name="Bedfordshire Police")
    inspection = Inspection.objects.create(
        force=herts, title="PEEL 2023-25", published_on=datetime.date(2024, 10, 16)
    )
    meeting = Meeting.objects.create(
        title="Accountability & Performance Meeting",
        starts_at=datetime.datetime(2024, 11, 14, 10, tzinfo=datetime.UTC),
    )
    meeting.inspections.add(inspection)
    Finding = apps.get_model("actions", "Finding")
    Action = apps.get_model("actions", "Action")
    finding = Finding.objects.create(inspection=inspection, reference="AFI 1", text="Custody")
    deadline = datetime.date(2025, 3, 31)
    action = Action.objects.create(
        finding=finding, title="Audit", deadline=deadline, original_deadline=deadline
    )
    officer = User.objects.create(username="opcc")
    officer.groups.add(Group.objects.get_or_create(name="OPCC staff")[0])
    owner = User.objects.create(username="owner", force=beds)
    panel = User.objects.create(username="panel")

    after = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Office = after.get_model("tracker", "Office")
    (office,) = Office.objects.all()
    assert office.name == settings.PANEL_PAPER["office_name"]
    assert office.slug
    Force = after.get_model("actions", "Force")
    assert set(Force.objects.values_list("name", "office")) == {
        ("Hertfordshire Constabulary", office.pk),
        ("Bedfordshire Police", office.pk),
    }
    Meeting = after.get_model("reports", "Meeting")
    assert list(Meeting.objects.values_list("pk", "office")) == [(meeting.pk, office.pk)]
    assert list(Meeting.objects.get().inspections.values_list("pk", flat=True)) == [inspection.pk]
    User = after.get_model("tracker", "User")
    assert set(User.objects.values_list("pk", "office")) == {
        (officer.pk, office.pk),
        (owner.pk, office.pk),
        (panel.pk, office.pk),
    }
    assert User.objects.get(pk=owner.pk).force_id == beds.pk
    # actions 0025: each action's copy of its force, which the scope filters on.
    Action = after.get_model("actions", "Action")
    assert Action.objects.get(pk=action.pk).owning_force_id == herts.pk


@pytest.mark.django_db
def test_an_empty_deployment_gets_no_office_until_it_needs_one():
    # The migration's data step on a database with no forces, meetings or users (a new
    # deployment): no office yet; the first force, meeting or demo makes it.
    migration = importlib.import_module("actions.migrations.0021_force_office")
    migration.one_office(current_apps, None)
    assert not Office.objects.exists()
    assert Office.objects.sole_id(create=True) == Office.objects.get().pk
