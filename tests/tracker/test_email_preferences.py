"""A user's email preferences page, and the administrator's view of the reminder outbox."""

import datetime

import pytest
from django.urls import reverse

from actions.models import Reminder
from actions.reminders.due import weekly_digests_due

pytestmark = pytest.mark.django_db

URL = reverse("email_preferences")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["opcc_officer", "owner", "other_force_owner", "panel_member", "administrator"]
)
def test_every_role_sees_its_own_preferences(persona, request, signed_in):
    user = request.getfixturevalue(persona)
    response = signed_in(user).get(URL)
    assert response.status_code == 200
    assert b'name="weekly_digest"' in response.content
    assert user.email.encode() in response.content


def test_owner_opts_out_of_the_weekly_digest_and_asks_for_changes_at_once(owner, signed_in):
    client = signed_in(owner)
    response = client.post(URL, {"notify_changes_at_once": "on"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert b"Your email preferences have been saved." in response.content
    owner.refresh_from_db()
    assert owner.weekly_digest is False
    assert owner.notify_changes_at_once is True


def test_a_user_changes_only_their_own_preferences(owner, other_force_owner, signed_in):
    signed_in(owner).post(URL, {"id": other_force_owner.pk, "username": "taken"})
    other_force_owner.refresh_from_db()
    owner.refresh_from_db()
    assert other_force_owner.weekly_digest is True
    assert owner.weekly_digest is False
    assert owner.username == "owner"


def test_the_weekly_digest_respects_the_opt_out(owner, action, signed_in):
    monday = datetime.date(2026, 11, 23)
    assert owner.pk in {reminder.recipient_id for reminder in weekly_digests_due(monday)}
    signed_in(owner).post(URL, {})
    assert owner.pk not in {reminder.recipient_id for reminder in weekly_digests_due(monday)}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("administrator", 200), ("opcc_officer", 403), ("owner", 403), ("panel_member", 403)],
)
def test_only_administrators_read_the_reminder_outbox(persona, status, request, signed_in):
    user = request.getfixturevalue(persona)
    user.is_staff = True  # even with admin-site access, the outbox needs the role's permission
    user.save()
    response = signed_in(user).get(reverse("admin:actions_reminder_changelist"))
    assert response.status_code == status
    assert Reminder.objects.count() == 0


ACCOUNT = reverse("account")


def test_account_page_needs_sign_in(client):
    assert client.get(ACCOUNT)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "calendar"),
    [
        ("opcc_officer", True),
        ("owner", True),
        ("other_force_owner", True),
        ("panel_member", True),
        ("administrator", False),
    ],
)
def test_every_role_has_an_account_page_linking_its_settings(persona, calendar, request, signed_in):
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    html = client.get(ACCOUNT).content.decode()
    assert reverse("email_preferences") in html
    assert reverse("two_factor_setup") in html
    assert reverse("password_change") in html
    assert (reverse("api:access") in html) is calendar
    assert client.get(reverse("password_change")).status_code == 200


def test_a_user_changes_their_password(owner, signed_in):
    owner.set_password("the old passphrase 2026")
    owner.save()
    client = signed_in(owner)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "the old passphrase 2026",
            "new_password1": "a new and longer passphrase",
            "new_password2": "a new and longer passphrase",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password("a new and longer passphrase")


def test_a_mismatched_new_password_is_refused_with_the_error_by_its_field(owner, signed_in):
    owner.set_password("the old passphrase 2026")
    owner.save()
    response = signed_in(owner).post(
        reverse("password_change"),
        {
            "old_password": "the old passphrase 2026",
            "new_password1": "a new and longer passphrase",
            "new_password2": "something else entirely 99",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_new_password2"' in html
    assert 'id="new_password2-error"' in html
    owner.refresh_from_db()
    assert owner.check_password("the old passphrase 2026")
