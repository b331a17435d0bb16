"""Sign-in, sign-out and password reset by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_signed_out_user_is_sent_to_sign_in_and_back_afterwards(owner, client):
    dashboard = reverse("actions:dashboard")
    response = client.get(dashboard)
    assert response["Location"] == f"{reverse('login')}?next={dashboard}"
    response = client.post(
        reverse("login"),
        {"username": "owner", "password": "correct horse battery", "next": dashboard},
    )
    assert response["Location"] == dashboard


def test_wrong_password_shows_an_error_summary_and_does_not_sign_in(owner, client):
    response = client.post(reverse("login"), {"username": "owner", "password": "wrong"})
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_username"' in html
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(owner, client):
    client.force_login(owner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_emails_a_link_that_sets_a_new_password(owner, client):
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.subject == "Reset your password for the OPCC action tracker"
    link = re.search(r"https?://\S+", message.body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )
    assert response["Location"] == reverse("password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password("a-long-new-passphrase")


def test_password_reset_for_an_unknown_address_sends_nothing_but_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_pages_carry_a_skip_link_and_no_inline_script_or_style(owner, client):
    client.force_login(owner)
    html = client.get(reverse("actions:list")).content.decode()
    assert 'href="#main-content" class="govuk-skip-link"' in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
