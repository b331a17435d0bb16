"""People and offices in the admin: a user's office (required for OPCC staff and Panel members
once there are several, an action owner's their force's, each change with a reason in the user's
history), roles given without one, and the offices themselves (superusers only, audited)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import ForceFactory, OfficeFactory, UserFactory, home_office, persona
from tests.tracker.test_admin_users import change_url, form_data
from tracker import roles, services
from tracker.models import Office, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def bravo(db):
    return OfficeFactory(name="Office of the PCC for Bravoshire", slug="bravoshire")


def newest(user):
    return user.history.order_by("-history_id").first()


def test_moving_a_panel_member_to_another_office_needs_a_reason_kept_in_their_history(
    superuser, panel_member, bravo, client
):
    client.force_login(superuser)
    refused = client.post(change_url(panel_member), form_data(panel_member, office=bravo.pk))
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert User.objects.get(pk=panel_member.pk).office == home_office()

    moved = client.post(
        change_url(panel_member),
        form_data(panel_member, office=bravo.pk, change_reason="Now sits on Bravoshire's Panel"),
    )
    assert moved.status_code == 302
    assert User.objects.get(pk=panel_member.pk).office == bravo
    row = newest(panel_member)
    assert (row.office_id, row.history_user, row.history_change_reason) == (
        bravo.pk,
        superuser,
        "Now sits on Bravoshire's Panel",
    )
    page = client.get(reverse("admin:tracker_user_history", args=[panel_member.pk]))
    assert "Now sits on Bravoshire&#x27;s Panel" in page.content.decode()


def test_an_unchanged_office_needs_no_reason(administrator, panel_member, client):
    client.force_login(administrator)
    response = client.post(
        change_url(panel_member), form_data(panel_member, role_title="Independent member")
    )
    assert response.status_code == 302
    assert User.objects.get(pk=panel_member.pk).role_title == "Independent member"


def test_the_office_field_starts_at_the_only_office_and_a_blank_one_is_filled_in(superuser, client):
    office = home_office()
    newcomer = UserFactory(username="newcomer", office=None)
    client.force_login(superuser)
    page = client.get(change_url(newcomer))
    assert page.context["adminform"].form.fields["office"].initial == office
    response = client.post(
        change_url(newcomer),
        form_data(newcomer, office="", roles=[roles.OPCC_STAFF], change_reason="Joined the OPCC"),
    )
    assert response.status_code == 302
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.office == office and roles.is_opcc_staff(newcomer)


@pytest.mark.parametrize("role", [roles.OPCC_STAFF, roles.PANEL_MEMBER])
def test_with_several_offices_opcc_staff_and_panel_members_must_have_one(
    role, superuser, bravo, client
):
    newcomer = UserFactory(username="newcomer", office=None)
    client.force_login(superuser)
    response = client.post(
        change_url(newcomer),
        form_data(newcomer, office="", roles=[role], change_reason="Joined"),
    )
    assert response.status_code == 200
    assert "Choose their office" in response.content.decode()
    assert not roles.role_names(User.objects.get(pk=newcomer.pk))

    response = client.post(
        change_url(newcomer),
        form_data(newcomer, office=bravo.pk, roles=[role], change_reason="Joined"),
    )
    assert response.status_code == 302
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.office == bravo and roles.role_names(newcomer) == {role}


def test_an_action_owners_office_is_their_forces(superuser, owner, bravo, client):
    client.force_login(superuser)
    response = client.post(
        change_url(owner), form_data(owner, office=bravo.pk, change_reason="Wrong office")
    )
    assert response.status_code == 200
    assert "is in its office" in response.content.decode()
    assert User.objects.get(pk=owner.pk).office == owner.force.office

    bravo_force = ForceFactory(name="Bravoshire Police", office=bravo)
    moved = client.post(
        change_url(owner),
        form_data(owner, office="", force=bravo_force.pk, change_reason="Moved force"),
    )
    assert moved.status_code == 302
    owner = User.objects.get(pk=owner.pk)
    assert (owner.force, owner.office) == (bravo_force, bravo)


def test_the_user_list_shows_and_filters_by_office(superuser, panel_member, bravo, client):
    persona(roles.PANEL_MEMBER, username="bravo-panel", office=bravo)
    client.force_login(superuser)
    listed = client.get(reverse("admin:tracker_user_changelist"), {"office__id__exact": bravo.pk})
    assert [user.username for user in listed.context["cl"].result_list] == ["bravo-panel"]
    assert bravo.name in listed.content.decode()


# tracker.services.user_roles_set


def test_giving_opcc_staff_to_someone_without_an_office_puts_them_in_the_only_one(superuser):
    office = home_office()
    newcomer = UserFactory(username="newcomer", office=None)
    services.user_roles_set(
        user=newcomer, role_names=[roles.OPCC_STAFF], by=superuser, reason="Joined the OPCC"
    )
    newcomer.refresh_from_db()
    assert newcomer.office == office
    row = newest(newcomer)
    assert (row.office_id, row.roles_held, row.history_change_reason) == (
        office.pk,
        roles.OPCC_STAFF,
        "Joined the OPCC",
    )


def test_giving_a_panel_role_without_an_office_is_refused_when_there_are_several(superuser, bravo):
    home_office()
    newcomer = UserFactory(username="newcomer", office=None)
    with pytest.raises(ValidationError, match="Set newcomer's office before giving them"):
        services.user_roles_set(
            user=newcomer, role_names=[roles.PANEL_MEMBER], by=superuser, reason="Joined"
        )
    assert not roles.role_names(User.objects.get(pk=newcomer.pk))


def test_giving_an_owner_or_administrator_role_needs_no_office(superuser, bravo):
    newcomer = UserFactory(username="newcomer", office=None)
    services.user_roles_set(
        user=newcomer, role_names=[roles.ADMINISTRATOR], by=superuser, reason="Runs the system"
    )
    assert User.objects.get(pk=newcomer.pk).office is None


# The offices


def test_a_superuser_edits_an_office_with_its_forces_listed_and_the_change_in_its_history(
    superuser, force, client
):
    office = force.office
    client.force_login(superuser)
    url = reverse("admin:tracker_office_change", args=[office.pk])
    page = client.get(url)
    assert page.status_code == 200 and force.name in page.content.decode()
    data = {
        "name": office.name,
        "slug": office.slug,
        "panel_name": "Testshire Police and Crime Panel",
        "report_of": "Police and Crime Commissioner",
        "contact_name": "Sam Jones",
        "contact_role": "Chief Executive",
        "contact_email": "sam.jones@example.org",
        "forces-TOTAL_FORMS": "1",
        "forces-INITIAL_FORMS": "1",
        "forces-MIN_NUM_FORMS": "0",
        "forces-MAX_NUM_FORMS": "1000",
        "forces-0-id": force.pk,
        "forces-0-office": office.pk,
    }
    assert client.post(url, data).status_code == 302
    office.refresh_from_db()
    assert office.paper_defaults()["contact_name"] == "Sam Jones"
    row = office.history.order_by("-history_id").first()
    assert (row.history_user, row.history_change_reason, row.panel_name) == (
        superuser,
        "Changed in the admin site",
        "Testshire Police and Crime Panel",
    )
    assert client.get(reverse("admin:tracker_office_changelist")).status_code == 200
    assert client.get(reverse("admin:tracker_office_history", args=[office.pk])).status_code == 200


def test_an_administrator_cannot_see_or_change_offices(administrator, force, client):
    office = force.office
    client.force_login(administrator)
    assert client.get(reverse("admin:tracker_office_changelist")).status_code == 403
    url = reverse("admin:tracker_office_change", args=[office.pk])
    assert client.post(url, {"name": "Taken over", "slug": "taken"}).status_code == 403
    assert Office.objects.get(pk=office.pk).name == office.name
    assert "tracker/office" not in client.get(reverse("admin:index")).content.decode()


def test_an_office_is_never_deleted(superuser, force, client):
    client.force_login(superuser)
    url = reverse("admin:tracker_office_delete", args=[force.office.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Office.objects.filter(pk=force.office.pk).exists()


def test_a_user_added_in_the_admin_is_in_the_only_office(superuser, client):
    office = home_office()
    client.force_login(superuser)
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
    assert User.objects.get(username="newcomer").office == office
