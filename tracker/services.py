"""Writes to users: the first administrator, roles, deactivation (which ends every session), and
a user's own access tokens (issue or reissue, and revoke)."""

import logging
import secrets

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from tracker import roles, security
from tracker.models import AccessToken, Office, User

# A prefix names the kind, so a leaked secret is recognisable (and secret scanners can find it).
PREFIXES = {AccessToken.Kind.CALENDAR: "cal_", AccessToken.Kind.API: "api_"}


@transaction.atomic
def access_token_issue(*, user, kind):
    """Make a new secret of this kind for user, replacing any old one; returns the secret."""
    if not roles.can_have_access_tokens(user):
        raise PermissionDenied
    secret = PREFIXES[kind] + secrets.token_urlsafe(32)
    AccessToken.objects.filter(user=user, kind=kind).delete()
    AccessToken.objects.create(user=user, kind=kind, token_hash=AccessToken.hash(secret))
    return secret


def access_token_revoke(*, user, kind):
    """Forget the user's secret of this kind: its feed URLs and API calls stop working at once."""
    return AccessToken.objects.filter(user=user, kind=kind).delete()[0] > 0


logger = logging.getLogger("tracker.audit")


def administrator_create(*, username, email, password, superuser=False):
    """Create an administrator (Django admin, users, roles), or leave an existing one alone.

    With `superuser`, the account is also a superuser: the one that can give the OPCC staff and
    Administrator roles (tracker.roles.can_grant_role), so a new installation needs one.

    Returns (user, created). Idempotent: an existing username is not changed, not even its
    password, so rerunning a deployment step cannot undo what an administrator has since done.
    """
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        raise ValidationError("A username is required.")
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing, False
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not a valid email address.") from None
    user = User(username=username, email=email, is_staff=True, is_superuser=superuser)
    validate_password(password or "", user)
    with transaction.atomic():
        user.set_password(password)
        user.full_clean()
        user._change_reason = "First administrator, created from the environment"
        user.save()
        user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    logger.info("Administrator created", extra={"user_id": user.pk})
    return user, True


def _user_sessions(user):
    """Database sessions signed in as `user` (sessions are opaque, so each is decoded)."""
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            yield session.pk


def user_deactivate(*, user, by, reason):
    """Stop `user` signing in and end every session they have; recorded in the admin history.

    Returns how many sessions were ended. The record is the Django admin's history for the user
    (who, when, why), as if `by` had done it in the admin.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A reason is required.")
    if not roles.is_administrator(by):
        raise ValidationError(f"{by.username} is not an administrator.")
    if by.pk == user.pk:
        raise ValidationError("Administrators cannot deactivate themselves.")
    with transaction.atomic():
        user.is_active = False
        user._history_user = by
        user._change_reason = f"Deactivated: {reason}"[:100]
        user.save(update_fields=["is_active"])
        ended = Session.objects.filter(pk__in=list(_user_sessions(user))).delete()[0]
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=f"Deactivated; {ended} session(s) ended. Reason: {reason}",
            single_object=True,
        )
    logger.info(
        "User deactivated", extra={"user_id": user.pk, "by_id": by.pk, "sessions_ended": ended}
    )
    return ended


def user_roles_set(*, user, role_names, by, reason, request=None):
    """Give `user` exactly these roles (of tracker.roles.ROLES); returns (granted, removed).

    Each role given or taken must be one `by` may grant (tracker.roles.can_grant_role), and a
    reason is required. One history row records the roles after the change with who and why, and
    each role given or taken is a security event. Access to the admin site (is_staff) follows the
    Administrator role, so it cannot be given on its own. OPCC staff and Panel members belong to
    an office: given to someone with none, it is the deployment's one office (in the same history
    row), and refused when there are several (set theirs first).
    """
    wanted = set(role_names)
    if not wanted <= set(roles.ROLES):
        raise ValidationError(f"Unknown roles: {', '.join(sorted(wanted - set(roles.ROLES)))}")
    held = set(user.groups.filter(name__in=roles.ROLES).values_list("name", flat=True))
    granted, removed = sorted(wanted - held), sorted(held - wanted)
    if not granted and not removed:
        return [], []
    refused = [role for role in granted + removed if not roles.can_grant_role(by, role)]
    if refused or not roles.can_change_user(by, user):
        raise PermissionDenied(f"{by.username} may not change these roles: {', '.join(refused)}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A reason is required.")
    fields = ["is_staff"]
    if roles.needs_office(granted) and user.office_id is None:
        # OPCC staff work for an office and Panel members read for one: with one office, it.
        user.office_id = Office.objects.sole_id()
        if user.office_id is None:
            raise ValidationError(
                f"Set {user.username}'s office before giving them {', '.join(granted)}: "
                "this deployment has several offices."
            )
        fields.append("office")
    with transaction.atomic():
        groups = {group.name: group for group in Group.objects.filter(name__in=granted + removed)}
        # The group links are written without history rows of their own; the one save below
        # records the roles as they now stand, with the user and the reason.
        user.skip_history_when_saving = True
        try:
            user.groups.add(*(groups[role] for role in granted))
            user.groups.remove(*(groups[role] for role in removed))
        finally:
            del user.skip_history_when_saving
        user.is_staff = user.is_superuser or roles.ADMINISTRATOR in wanted
        user._history_user = by
        user._change_reason = reason[:100]
        user.save(update_fields=fields)
        for verb, changed in (("Gave", granted), ("Took", removed)):
            for role in changed:
                preposition = "to" if verb == "Gave" else "from"
                security.record(
                    security.Kind.ROLE_CHANGED,
                    request=request,
                    user=by,
                    detail=f"{verb} {role} {preposition} {user.username}. Reason: {reason}",
                )
    user.__dict__.pop("_role_names", None)
    return granted, removed
