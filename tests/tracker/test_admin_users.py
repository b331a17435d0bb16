"""The user admin: two-factor secrets hidden, roles given and taken by the rule in tracker.roles,
every change to a user in their history (who, when, why) and in the security event log."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tracker import roles
from tracker.models import SecurityEvent, User

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def officer_devices(opcc_officer):
    totp = TOTPDevice.objects.create(user=opcc_officer, name="Authenticator app", confirmed=True)
    codes = StaticDevice.objects.create(user=opcc_officer, name="Recovery codes")
    StaticToken.objects.create(device=codes, token="a1b2c3-d4e5f6")
    return totp, codes


# Item 1: authenticator secrets


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_nobody_reads_an_authenticator_secret_or_recovery_code_in_the_admin(
    who, officer_devices, request, client
):
    totp, codes = officer_devices
    client.force_login(request.getfixturevalue(who))
    pages = [
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[totp.pk]),
        reverse("admin:otp_static_staticdevice_change", args=[codes.pk]),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert totp.key not in text and "a1b2c3-d4e5f6" not in text, url
        assert "qrcode" not in text.lower(), url
    for name in ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"):
        assert client.get(reverse(f"admin:{name}", args=[totp.pk])).status_code == 403


def test_an_administrator_can_only_delete_a_device_and_the_reset_is_logged(
    officer_devices, administrator, opcc_officer, client
):
    totp, _ = officer_devices
    client.force_login(administrator)
    change = reverse("admin:otp_totp_totpdevice_change", args=[totp.pk])
    client.post(change, {"user": administrator.pk, "name": "mine", "confirmed": "on"})
    totp.refresh_from_db()
    assert (totp.user, totp.name) == (opcc_officer, "Authenticator app")
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403

    delete = reverse("admin:otp_totp_totpdevice_delete", args=[totp.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=totp.pk).exists()
    event = SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_RESET)
    assert event.user == administrator and "opcc" in event.detail


# Item 2: superuser status, groups, permissions and roles


def change_url(user):
    return reverse("admin:tracker_user_change", args=[user.pk])


def form_data(user, **changes):
    """The user change form as the admin shows it, with `changes` made."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "roles": list(user.groups.values_list("name", flat=True)),
        "office": user.office_id or "",
        "force": user.force_id or "",
        "role_title": user.role_title,
        "weekly_digest": "on",
        "change_reason": "",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_administrator_cannot_make_themselves_superuser_or_add_groups_or_permissions(
    administrator, client
):
    client.force_login(administrator)
    page = client.get(change_url(administrator)).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page and 'name="user_permissions"' not in page
    opcc_group = Group.objects.get(name=roles.OPCC_STAFF)
    client.post(
        change_url(administrator),
        form_data(
            administrator,
            is_superuser="on",
            groups=[opcc_group.pk],
            user_permissions=["1", "2"],
            change_reason="Trying it on",
        ),
    )
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert set(administrator.groups.values_list("name", flat=True)) == {roles.ADMINISTRATOR}
    assert not administrator.user_permissions.exists()


def test_an_administrator_gives_and_takes_the_owner_and_panel_roles_with_a_reason(
    administrator, panel_member, force, client
):
    client.force_login(administrator)
    response = client.post(
        change_url(panel_member),
        form_data(
            panel_member,
            roles=[roles.ACTION_OWNER],
            force=force.pk,
            change_reason="Joined the force's improvement team",
        ),
    )
    assert response.status_code == 302
    panel_member = User.objects.get(pk=panel_member.pk)
    assert roles.role_names(panel_member) == {roles.ACTION_OWNER}
    details = sorted(
        SecurityEvent.objects.filter(kind=Kind.ROLE_CHANGED).values_list("detail", flat=True)
    )
    assert details == [
        "Gave Action owner to panel. Reason: Joined the force's improvement team",
        "Took Panel member from panel. Reason: Joined the force's improvement team",
    ]
    assert set(SecurityEvent.objects.values_list("user", flat=True)) == {administrator.pk}


@pytest.mark.parametrize("role", [roles.OPCC_STAFF, roles.ADMINISTRATOR])
def test_an_administrator_cannot_give_opcc_staff_or_administrator(
    role, administrator, panel_member, client
):
    client.force_login(administrator)
    response = client.post(
        change_url(panel_member),
        form_data(panel_member, roles=[roles.PANEL_MEMBER, role], change_reason="Promotion"),
    )
    assert response.status_code == 200
    assert "Only a superuser can give or take" in response.content.decode()
    assert roles.role_names(User.objects.get(pk=panel_member.pk)) == {roles.PANEL_MEMBER}
    assert not SecurityEvent.objects.filter(kind=Kind.ROLE_CHANGED).exists()


def test_a_role_change_needs_a_reason(administrator, panel_member, client):
    client.force_login(administrator)
    response = client.post(change_url(panel_member), form_data(panel_member, roles=[]))
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert roles.role_names(User.objects.get(pk=panel_member.pk)) == {roles.PANEL_MEMBER}


@pytest.mark.parametrize("target", ["opcc_officer", "superuser"])
def test_an_administrator_cannot_change_a_more_powerful_account(
    target, administrator, request, client
):
    user = request.getfixturevalue(target)
    client.force_login(administrator)
    assert client.get(change_url(user)).status_code == 200  # read only
    client.post(change_url(user), form_data(user, email="me@example.org", change_reason="x"))
    assert User.objects.get(pk=user.pk).email == user.email
    password = reverse("admin:auth_user_password_change", args=[user.pk])
    assert client.get(password).status_code == 403
    assert client.post(password, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403


def test_a_superuser_gives_opcc_staff_and_admin_access_follows_the_administrator_role(
    superuser, panel_member, client
):
    client.force_login(superuser)
    response = client.post(
        change_url(panel_member),
        form_data(
            panel_member, roles=[roles.OPCC_STAFF, roles.ADMINISTRATOR], change_reason="New post"
        ),
    )
    assert response.status_code == 302
    user = User.objects.get(pk=panel_member.pk)
    assert roles.role_names(user) == {roles.OPCC_STAFF, roles.ADMINISTRATOR}
    assert user.is_staff
    assert SecurityEvent.objects.filter(kind=Kind.ROLE_CHANGED).count() == 3


def test_a_superuser_is_not_opcc_staff_unless_given_the_role(superuser, client):
    assert not roles.is_opcc_staff(superuser)
    client.force_login(superuser)
    assert client.get(reverse("actions:dashboard")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200


# Issue 24 item 10: the user's history


def test_role_force_email_and_active_changes_are_in_the_history_with_who_and_why(
    administrator, panel_member, force, client
):
    client.force_login(administrator)
    client.post(
        change_url(panel_member),
        form_data(
            panel_member,
            roles=[roles.ACTION_OWNER],
            force=force.pk,
            email="p.member@example.org",
            change_reason="Moved to the force",
        ),
    )
    newest = panel_member.history.order_by("-history_id").first()
    assert (newest.history_user, newest.history_change_reason) == (
        administrator,
        "Moved to the force",
    )
    assert (newest.force_id, newest.email, newest.roles_held) == (
        force.pk,
        "p.member@example.org",
        roles.ACTION_OWNER,
    )
    page = client.get(reverse("admin:tracker_user_history", args=[panel_member.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Moved to the force" in text and roles.ACTION_OWNER in text

    client.post(
        change_url(panel_member),
        form_data(
            User.objects.get(pk=panel_member.pk), is_active=None, change_reason="Left the force"
        ),
    )
    newest = panel_member.history.order_by("-history_id").first()
    assert (newest.is_active, newest.history_change_reason) == (False, "Left the force")


def test_signing_in_adds_no_history_and_no_password_hash_is_kept(owner, client):
    before = owner.history.count()
    assert (
        client.post(
            reverse("login"), {"username": owner.username, "password": "correct horse battery"}
        ).status_code
        == 302
    )
    assert owner.history.count() == before
    assert not any(f.name == "password" for f in User.history.model._meta.fields)


def test_deactivating_from_the_command_is_in_the_history(owner, administrator):
    call_command("deactivate_user", owner.username, by=administrator.username, reason="Retired")
    newest = owner.history.order_by("-history_id").first()
    assert (newest.is_active, newest.history_user) == (False, administrator)
    assert newest.history_change_reason == "Deactivated: Retired"


def test_roles_given_from_the_groups_side_are_in_each_users_history(owner, panel_member):
    group = Group.objects.get(name=roles.OPCC_STAFF)
    group.user_set.add(owner, panel_member)
    for user in (owner, panel_member):
        assert roles.OPCC_STAFF in user.history.order_by("-history_id").first().roles_held
    group.user_set.clear()
    for user in (owner, panel_member):
        assert roles.OPCC_STAFF not in user.history.order_by("-history_id").first().roles_held


def test_loading_a_user_from_a_backup_adds_no_history_of_its_own(owner):
    from django.core import serializers

    from tracker.models import HistoricalUser_groups

    dumped = serializers.serialize("json", [owner])
    owner.delete()  # restore loads into an empty database
    rows = User.history.model.objects.count()
    links = HistoricalUser_groups.objects.count()
    for loaded in serializers.deserialize("json", dumped):
        loaded.save()  # as loaddata and restore do: the row raw, then its group links
    assert User.history.model.objects.count() == rows
    assert HistoricalUser_groups.objects.count() == links


@pytest.mark.parametrize("rows", [10, 60])
def test_the_user_list_and_a_users_history_use_a_constant_number_of_queries(
    rows, administrator, force, client, django_assert_max_num_queries
):
    from tests.factories import persona

    people = [persona(roles.ACTION_OWNER, force=force) for _ in range(rows)]
    target = people[0]
    for n in range(rows):
        target.role_title = f"Title {n}"
        target._change_reason = f"Change {n}"
        target.save()
    client.force_login(administrator)
    # 15: the list's filters read the offices, the forces and the role groups once each.
    with django_assert_max_num_queries(15):
        listed = client.get(reverse("admin:tracker_user_changelist"))
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == rows + 1
    with django_assert_max_num_queries(14):
        history = client.get(reverse("admin:tracker_user_history", args=[target.pk]))
    assert history.status_code == 200
    assert f"Change {rows - 1}" in history.content.decode()


def test_a_superuser_makes_another_superuser_with_a_reason_and_an_event(
    superuser, panel_member, client
):
    client.force_login(superuser)
    response = client.post(
        change_url(panel_member),
        form_data(panel_member, is_superuser="on", change_reason="Second system owner"),
    )
    assert response.status_code == 302
    user = User.objects.get(pk=panel_member.pk)
    assert user.is_superuser and user.is_staff
    event = SecurityEvent.objects.get(kind=Kind.SUPERUSER_CHANGED)
    assert (event.user, event.detail) == (
        superuser,
        "Made panel superuser. Reason: Second system owner",
    )
