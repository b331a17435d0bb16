"""An administrator (not a superuser) manages the people of their own office only
(tracker.roles.can_change_user, administers_office, administered_users): they list and change
them, another office's people are not found, and the office field offers their own office only.
A superuser manages everyone. Office A is the factories' home office; B is Bravoshire."""

import pytest
from django.urls import reverse

from tests.factories import ForceFactory, OfficeFactory, UserFactory, home_office, persona
from tests.tracker.test_admin_users import change_url, form_data
from tracker import roles
from tracker.models import User

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:tracker_user_changelist"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def bravo(db):
    home_office()  # office A exists first
    return OfficeFactory(name="Office of the PCC for Bravoshire", slug="bravoshire")


@pytest.fixture
def bravo_panel(bravo):
    return persona(roles.PANEL_MEMBER, username="bravo-panel", office=bravo)


def listed(client):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return {user.username for user in response.context["cl"].result_list}


def test_an_administrator_lists_only_their_offices_people(
    administrator, panel_member, bravo_panel, superuser, client
):
    nobody = UserFactory(username="no-office", office=None)
    client.force_login(administrator)
    seen = listed(client)
    assert panel_member.username in seen and administrator.username in seen
    assert bravo_panel.username not in seen
    assert nobody.username not in seen  # several offices: an account without one is nobody's

    client.force_login(superuser)
    assert {panel_member.username, bravo_panel.username, nobody.username} <= listed(client)


def test_the_list_filters_name_only_the_administrators_office_and_its_forces(
    administrator, panel_member, owner, bravo, client
):
    bravo_force = ForceFactory(name="Bravoshire Police", office=bravo)
    persona(roles.ACTION_OWNER, username="bravo-owner", office=bravo, force=bravo_force)
    client.force_login(administrator)
    page = client.get(reverse("admin:tracker_user_changelist")).content.decode()
    assert administrator.office.name in page and owner.force.name in page
    assert bravo.name not in page and "Bravoshire Police" not in page


def test_an_administrator_changes_a_user_of_their_office(administrator, panel_member, client):
    client.force_login(administrator)
    response = client.post(
        change_url(panel_member), form_data(panel_member, role_title="Independent member")
    )
    assert response.status_code == 302
    assert User.objects.get(pk=panel_member.pk).role_title == "Independent member"


def test_another_offices_user_is_not_found_by_an_administrator(administrator, bravo_panel, client):
    client.force_login(administrator)
    page = client.get(change_url(bravo_panel))
    # The admin's answer for an object outside get_queryset: back to its index, "doesn't exist".
    assert page.status_code == 302 and page["Location"] == reverse("admin:index")
    posted = client.post(
        change_url(bravo_panel),
        form_data(bravo_panel, role_title="Taken over", email="x@example.org", change_reason="x"),
    )
    assert posted.status_code == 302 and posted["Location"] == reverse("admin:index")
    password = reverse("admin:auth_user_password_change", args=[bravo_panel.pk])
    assert client.get(password).status_code == 404
    history = client.get(reverse("admin:tracker_user_history", args=[bravo_panel.pk]))
    assert history.status_code == 404
    version = bravo_panel.history.first().history_id
    old = reverse("admin:tracker_user_simple_history", args=[bravo_panel.pk, version])
    assert client.get(old).status_code == 404
    unchanged = User.objects.get(pk=bravo_panel.pk)
    assert (unchanged.role_title, unchanged.email) == (bravo_panel.role_title, bravo_panel.email)
    assert not roles.can_change_user(administrator, bravo_panel)


def test_an_administrator_cannot_move_someone_to_another_office(
    administrator, panel_member, owner, bravo, client
):
    client.force_login(administrator)
    page = client.get(change_url(panel_member))
    assert list(page.context["adminform"].form.fields["office"].queryset) == [home_office()]
    refused = client.post(
        change_url(panel_member),
        form_data(panel_member, office=bravo.pk, change_reason="Moving to Bravoshire"),
    )
    assert refused.status_code == 200
    assert "office" in refused.context["adminform"].form.errors
    assert User.objects.get(pk=panel_member.pk).office == home_office()

    # Nor through a force of the other office, with the office left blank.
    bravo_force = ForceFactory(name="Bravoshire Police", office=bravo)
    refused = client.post(
        change_url(owner),
        form_data(owner, office="", force=bravo_force.pk, change_reason="Moved force"),
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors
    owner = User.objects.get(pk=owner.pk)
    assert (owner.force.office, owner.office) == (home_office(), home_office())


def test_a_superuser_changes_and_moves_anyone(superuser, panel_member, bravo_panel, bravo, client):
    client.force_login(superuser)
    assert client.get(change_url(bravo_panel)).status_code == 200
    moved = client.post(
        change_url(panel_member),
        form_data(panel_member, office=bravo.pk, change_reason="Now on Bravoshire's Panel"),
    )
    assert moved.status_code == 302
    assert User.objects.get(pk=panel_member.pk).office == bravo
    changed = client.post(change_url(bravo_panel), form_data(bravo_panel, role_title="Vice chair"))
    assert changed.status_code == 302
    assert User.objects.get(pk=bravo_panel.pk).role_title == "Vice chair"


def test_with_one_office_an_administrator_manages_accounts_without_an_office(administrator, client):
    office = home_office()
    nobody = UserFactory(username="no-office", office=None)
    assert roles.can_change_user(administrator, nobody)
    client.force_login(administrator)
    assert nobody.username in listed(client)
    response = client.post(
        change_url(nobody), form_data(nobody, role_title="Analyst", change_reason="Set up")
    )
    assert response.status_code == 302
    nobody = User.objects.get(pk=nobody.pk)
    assert (nobody.role_title, nobody.office) == ("Analyst", office)


def test_an_administrator_of_another_office_manages_only_theirs(
    panel_member, bravo, bravo_panel, client
):
    bravo_admin = persona(roles.ADMINISTRATOR, username="bravo-admin", office=bravo, is_staff=True)
    client.force_login(bravo_admin)
    seen = listed(client)
    assert bravo_panel.username in seen and panel_member.username not in seen
    assert client.get(change_url(panel_member)).status_code == 302
    assert client.get(change_url(bravo_panel)).status_code == 200


def test_a_user_an_administrator_adds_is_in_their_office(administrator, bravo, client):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:tracker_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert User.objects.get(username="newcomer").office == home_office()
