"""Named personas shared by every test: OPCC officer, owners of two forces, Panel member."""

import os

import pytest

from tests.factories import ActionFactory, FindingFactory, ForceFactory, persona
from tracker import roles


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the heartbeat banner's answer is cached)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def force(db):
    return ForceFactory(name="Hertfordshire Constabulary")


@pytest.fixture
def other_force(db):
    return ForceFactory(name="Bedfordshire Police")


@pytest.fixture
def opcc_officer(db):
    return persona(roles.OPCC_STAFF, username="opcc", first_name="Priya", last_name="Shah")


@pytest.fixture
def second_opcc_officer(db):
    return persona(roles.OPCC_STAFF, username="opcc2", first_name="Ben", last_name="Cole")


@pytest.fixture
def owner(force):
    return persona(roles.ACTION_OWNER, username="owner", force=force, role_title="ACC Crime")


@pytest.fixture
def other_force_owner(other_force):
    return persona(roles.ACTION_OWNER, username="owner-beds", force=other_force)


@pytest.fixture
def panel_member(db):
    return persona(roles.PANEL_MEMBER, username="panel")


@pytest.fixture
def administrator(db):
    return persona(roles.ADMINISTRATOR, username="sysadmin", is_staff=True)


@pytest.fixture
def finding(force):
    return FindingFactory(inspection__force=force)


@pytest.fixture
def action(finding, owner, opcc_officer):
    return ActionFactory(finding=finding, owner=owner, opcc_lead=opcc_officer)


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# The PostgreSQL layer of `make test` (tests/run_layers.py sets TEST_LAYER) runs only the tests
# that use the database: a test without one (the parser, settings checks, lint-like checks,
# SQLite's own locking) cannot reach it, since pytest-django blocks database access outside a
# django_db test, so it would only repeat the SQLite layer's run of it.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client"}


def uses_database(item):
    names = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(names & DATABASE_FIXTURES)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TEST_LAYER") != "postgresql":
        return
    kept = [item for item in items if uses_database(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not uses_database(item)])
        items[:] = kept
