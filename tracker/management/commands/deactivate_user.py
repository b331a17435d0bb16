"""`manage.py deactivate_user USERNAME --by ADMIN --reason TEXT`: stop a user and end sessions."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.models import User
from tracker.services import user_deactivate


def _user(username, what):
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No {what} with the username {username!r}.") from None


class Command(BaseCommand):
    help = (
        "Deactivate a user: they can no longer sign in and every session they have is ended at "
        "once. Recorded in the user's history in Django admin under the administrator given "
        "with --by, with the --reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user to deactivate.")
        parser.add_argument("--by", required=True, help="Your own administrator username.")
        parser.add_argument("--reason", required=True, help='Why, e.g. "Left the force".')

    def handle(self, *args, username, by, reason, **options):
        user = _user(username, "user")
        admin = _user(by, "administrator")
        if not user.is_active:
            self.stdout.write(f"{user.username} is already deactivated; nothing changed.")
            return
        try:
            ended = user_deactivate(user=user, by=admin, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{user.username} deactivated; {ended} session(s) ended.")
