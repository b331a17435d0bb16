"""Administration from the command line: the first administrator, and deactivating a user."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tracker import roles
from tracker.models import User

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-lantern-42"


@pytest.fixture
def admin_env(monkeypatch):
    monkeypatch.setenv("TRACKER_ADMIN_USERNAME", "it.admin")
    monkeypatch.setenv("TRACKER_ADMIN_EMAIL", "it.admin@example.org")
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", STRONG)


def test_the_first_administrator_is_created_from_the_environment(admin_env, capsys, client):
    call_command("create_admin_from_env")
    assert capsys.readouterr().out.strip() == "Administrator it.admin created."
    user = User.objects.get(username="it.admin")
    assert (user.email, user.is_staff, user.is_superuser, user.is_active) == (
        "it.admin@example.org",
        True,
        False,
        True,
    )
    assert roles.primary_role(user) == roles.ADMINISTRATOR
    # They can sign in with the password and reach Django admin's user list.
    response = client.post(reverse("login"), {"username": "it.admin", "password": STRONG})
    assert response.status_code == 302
    assert client.get(reverse("admin:tracker_user_changelist")).status_code == 200


def test_rerunning_changes_nothing_not_even_the_password(admin_env, monkeypatch, capsys):
    call_command("create_admin_from_env")
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "another-long-passphrase-99")
    monkeypatch.setenv("TRACKER_ADMIN_EMAIL", "someone.else@example.org")
    call_command("create_admin_from_env")
    assert "already exists; nothing changed" in capsys.readouterr().out
    user = User.objects.get(username="it.admin")
    assert user.check_password(STRONG) and user.email == "it.admin@example.org"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRACKER_ADMIN_PASSWORD", "", "Set TRACKER_ADMIN_PASSWORD to create"),
        ("TRACKER_ADMIN_USERNAME", "", "Set TRACKER_ADMIN_USERNAME to create"),
        ("TRACKER_ADMIN_PASSWORD", "short", "This password is too short"),
        ("TRACKER_ADMIN_PASSWORD", "password1234", "This password is too common"),
        ("TRACKER_ADMIN_EMAIL", "not-an-address", "'not-an-address' is not a valid email"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_saves_nothing(
    admin_env, monkeypatch, variable, value, message
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(CommandError, match=message):
        call_command("create_admin_from_env")
    assert not User.objects.exists()


@pytest.fixture
def signed_in_owner(owner, client):
    owner.set_password(STRONG)
    owner.save()
    assert client.login(username=owner.username, password=STRONG)
    assert client.get(reverse("actions:dashboard")).status_code == 200
    return client


def test_deactivating_a_user_ends_their_sessions_and_is_recorded(
    signed_in_owner, owner, opcc_officer, administrator, capsys
):
    other = Client()
    other.force_login(opcc_officer)
    call_command("deactivate_user", owner.username, by=administrator.username, reason="Retired")
    assert capsys.readouterr().out.strip() == "owner deactivated; 1 session(s) ended."
    owner.refresh_from_db()
    assert owner.is_active is False
    # Their browser is signed out at once; a colleague's session is untouched.
    response = signed_in_owner.get(reverse("actions:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert other.get(reverse("actions:dashboard")).status_code == 200
    assert Session.objects.count() == 1
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.action_flag) == (administrator, str(owner.pk), 2)
    assert entry.change_message == "Deactivated; 1 session(s) ended. Reason: Retired"
    # They cannot sign in again.
    response = signed_in_owner.post(
        reverse("login"), {"username": owner.username, "password": STRONG}
    )
    assert response.status_code == 200 and "_auth_user_id" not in signed_in_owner.session


def test_deactivating_twice_changes_nothing(owner, administrator, capsys):
    call_command("deactivate_user", owner.username, by=administrator.username, reason="Left")
    call_command("deactivate_user", owner.username, by=administrator.username, reason="Left")
    assert "already deactivated; nothing changed" in capsys.readouterr().out
    assert LogEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("username", "by", "reason", "message"),
    [
        ("nobody", "sysadmin", "Left", "No user with the username 'nobody'"),
        ("owner", "nobody", "Left", "No administrator with the username 'nobody'"),
        ("owner", "opcc", "Left", "opcc is not an administrator"),
        ("owner", "sysadmin", "  ", "A reason is required"),
        ("sysadmin", "sysadmin", "Left", "Administrators cannot deactivate themselves"),
    ],
)
def test_bad_deactivation_is_refused_and_changes_nothing(
    owner, opcc_officer, administrator, username, by, reason, message
):
    with pytest.raises(CommandError, match=message):
        call_command("deactivate_user", username, by=by, reason=reason)
    assert User.objects.filter(is_active=False).count() == 0
    assert LogEntry.objects.count() == 0


def test_the_first_account_of_an_installation_can_be_a_superuser(admin_env, capsys):
    call_command("create_admin_from_env", superuser=True)
    assert capsys.readouterr().out.strip() == "Superuser and administrator it.admin created."
    user = User.objects.get(username="it.admin")
    assert user.is_superuser and user.is_staff
    # The one who may give the roles an administrator cannot.
    assert roles.can_grant_role(user, roles.OPCC_STAFF)
    assert roles.primary_role(user) == roles.ADMINISTRATOR
