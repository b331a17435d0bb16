"""`manage.py rotate_tokens USERNAME [--kind calendar|api|all] [--issue]`: end a user's secrets."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tracker.models import AccessToken, User
from tracker.services import access_token_issue, access_token_revoke

logger = logging.getLogger("tracker.audit")
KINDS = {"calendar": [AccessToken.Kind.CALENDAR], "api": [AccessToken.Kind.API]}
KINDS["all"] = KINDS["calendar"] + KINDS["api"]


class Command(BaseCommand):
    help = (
        "Rotate a user's calendar-feed and API secrets, e.g. after one has leaked: the old ones "
        "stop working at once. The user makes new ones on their Calendar and API access page, "
        "or --issue makes them here and prints them once, to hand over securely."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--kind", choices=sorted(KINDS), default="all")
        parser.add_argument("--issue", action="store_true", help="Make new secrets and print them.")

    def handle(self, *args, username, kind, issue, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user with the username {username!r}.")
        for token_kind in KINDS[kind]:
            label = AccessToken.Kind(token_kind).label
            revoked = access_token_revoke(user=user, kind=token_kind)
            logger.info(
                "Access token rotated",
                extra={"user_id": user.pk, "kind": token_kind, "revoked": revoked},
            )
            self.stdout.write(f"{label}: {'old secret revoked' if revoked else 'there was none'}.")
            if issue:
                try:
                    secret = access_token_issue(user=user, kind=token_kind)
                except PermissionDenied:
                    raise CommandError(f"{user.username}'s role cannot have a {label}.") from None
                self.stdout.write(f"{label}: new secret {secret}")
