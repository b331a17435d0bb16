"""The named user the history records for work no person started: scheduled commands and tasks."""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

from tracker.models import User

SYSTEM_USERNAME = "system"


def system_user():
    """The system user, created on first use. Inactive, with no password, no role and no staff
    flag, so nobody can sign in as it, see through it, or be sent its reminders."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "System", "is_active": False, "password": make_password(None)},
    )
    if not created and _can_sign_in(user):
        # A person with this name would have the scheduled jobs' changes put down to them.
        raise ImproperlyConfigured(
            f'The user "{SYSTEM_USERNAME}" is reserved for scheduled jobs, but a user of that '
            "name can sign in: rename that user in the admin site."
        )
    return user


def is_system_user(user):
    return user is not None and user.username == SYSTEM_USERNAME and not _can_sign_in(user)


def _can_sign_in(user):
    return user.is_active or user.is_staff or user.is_superuser or user.has_usable_password()
