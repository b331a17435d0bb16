"""The system user the history records for scheduled work: made on demand, and nobody's login."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.factories import UserFactory
from tracker.models import User
from tracker.system import is_system_user, system_user

pytestmark = pytest.mark.django_db


def test_the_system_user_is_made_once_and_cannot_sign_in(client):
    user = system_user()
    assert system_user() == user
    assert User.objects.filter(username="system").count() == 1
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, False, False)
    assert not user.has_usable_password()
    assert not user.groups.exists()
    assert is_system_user(user)
    assert str(user) == "System"
    assert not client.login(username="system", password="")


def test_a_person_called_system_is_not_taken_for_the_system_user():
    person = UserFactory(username="system")
    assert not is_system_user(person)
    with pytest.raises(ImproperlyConfigured, match="rename that user"):
        system_user()
