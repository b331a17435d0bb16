"""The office (a PCC's office, which oversees one or more forces); the user: a person with one of
the roles in tracker.roles, in an office, and for action owners, a force; and their calendar-feed
and API tokens."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.db import models
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from tracker import roles


class UserHistory(HistoricalRecords):
    """The user's history, less the last-login stamp: signing in is in the security event log,
    and a row per sign-in would bury the changes an administrator made."""

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw"):
            # Loaded from a backup or fixture, whose history rows are loaded as well: the group
            # links the loader sets next on this same object must not add rows of their own.
            instance.skip_history_when_saving = True
            return
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        # From the group's side (group.user_set.add(user)) the instance is the group, which
        # simple-history does not expect: record the change on each user concerned instead.
        if action == "pre_clear":
            instance._history_cleared_user_ids = list(
                instance.user_set.values_list("pk", flat=True)
            )
            return None
        if action == "post_clear":
            pk_set = instance.__dict__.pop("_history_cleared_user_ids", [])
        elif action not in ("post_add", "post_remove"):
            return None
        for user in kwargs["model"].objects.filter(pk__in=pk_set or []):
            super().m2m_changed(user, action, attr, pk_set, False)
        return None


class UserHistoryRoles(models.Model):
    """The roles held at each point of a user's history (the groups copied with each row)."""

    class Meta:
        abstract = True

    @property
    def roles_held(self):
        links = self.historicaluser_groups_set.all()
        return ", ".join(sorted(link.group.name for link in links)) or "-"


class OfficeQuerySet(models.QuerySet):
    def sole_id(self, create=True):
        """The deployment's office when it has exactly one (with `create`, making it from the
        Panel paper's settings when there is none yet); None when there are several, so whoever
        creates a force, a meeting or a user must say which."""
        ids = list(self.values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            return ids[0]
        if ids or not create:
            return None
        name = settings.PANEL_PAPER["office_name"]
        # get_or_create: two first writers at once make one office between them.
        office, _ = self.get_or_create(slug=slugify(name)[:60] or "office", defaults={"name": name})
        return office.pk


class Office(models.Model):
    """A Police and Crime Commissioner's office (or a mayor's office with PCC functions): the
    forces it oversees (Force.office), its Panel, and its defaults for the papers it publishes.
    OPCC staff and Panel members belong to one; every scope rule in tracker.roles follows it."""

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text='As published, e.g. "Office of the Police and Crime Commissioner for '
        'Hertfordshire".',
    )
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Its public address: /public/<slug>/."
    )
    panel_name = models.CharField(
        max_length=200, blank=True, help_text='e.g. "Hertfordshire Police and Crime Panel".'
    )
    # The Panel paper's defaults for this office (each new pack starts from them; blank: the
    # deployment's settings.PANEL_PAPER).
    report_of = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_role = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    history = HistoricalRecords()

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def paper_defaults(self):
        """The front matter a new Panel paper starts from: the deployment's defaults, with this
        office's own name, author and contact officer over them."""
        defaults = dict(settings.PANEL_PAPER, office_name=self.name)
        for field in ("report_of", "contact_name", "contact_role", "contact_email"):
            if getattr(self, field):
                defaults[field] = getattr(self, field)
        return defaults


class UserQuerySet(models.QuerySet):
    """Who holds a role, and who can be emailed, in SQL: each the twin of a Python rule."""

    def opcc_staff(self, office_id=None):
        """roles.is_opcc_staff: active members of the group (a superuser is not, by default);
        given an office, its staff only."""
        staff = self.filter(groups__name=roles.OPCC_STAFF, is_active=True)
        return staff if office_id is None else staff.filter(office_id=office_id)

    def action_owners(self, force_id=None):
        """roles.is_action_owner (and can_own_in_force, given a force): active members of the
        group who work for a force."""
        owners = self.filter(groups__name=roles.ACTION_OWNER, is_active=True, force__isnull=False)
        return owners if force_id is None else owners.filter(force_id=force_id)

    def reachable(self):
        """User.is_reachable: active, with an email address, so a reminder can reach them."""
        return self.filter(is_active=True).exclude(email="")


class UserManager(AuthUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="The office whose forces OPCC staff work on and whose papers Panel members "
        "read. An action owner's is their force's.",
    )
    force = models.ForeignKey(
        "actions.Force",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="The force an action owner works for; owners see only their force's actions.",
    )
    role_title = models.CharField(
        max_length=120, blank=True, help_text='Job title shown on public pages, e.g. "ACC Crime".'
    )
    # Reminder preferences (actions/reminders/). Deadline, overdue and escalation reminders
    # cannot be turned off; only the weekly summary can.
    weekly_digest = models.BooleanField(
        default=True,
        help_text="Send the weekly summary of open actions. Escalations are always sent.",
    )
    notify_changes_at_once = models.BooleanField(
        default=False,
        help_text="Email changes to my actions at once, instead of in the next daily digest.",
    )

    # Who changed a user's roles, force, email or active flag, when and why (issue 24). The
    # password hash and the last sign-in are left out: one is secret, the other is noise.
    history = UserHistory(
        excluded_fields=["password", "last_login"],
        m2m_fields=["groups"],
        bases=[UserHistoryRoles],
    )

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_reachable(self):
        """UserQuerySet.reachable in Python: an email can be sent to them."""
        return self.is_active and bool(self.email)


class SecurityEvent(models.Model):
    """Who signed in, failed, was locked out or refused, and what they exported or downloaded.

    Kept apart from the data history (django-simple-history): this is about access, not records.
    Written by tracker.security.record only; read-only in the admin, for administrators.
    """

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        EXPORT = "export", "Exported data"
        EVIDENCE_DOWNLOAD = "evidence_download", "Downloaded evidence"
        ROLE_CHANGED = "role_changed", "Role changed"
        SUPERUSER_CHANGED = "superuser_changed", "Superuser status changed"
        TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="security_events"
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="As typed at sign-in, or the user's username."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.username or 'anonymous'}"


class AccessTokenQuerySet(models.QuerySet):
    def for_secret(self, kind, secret):
        """The active user's token of this kind matching `secret`, or None. Only hashes are
        stored and compared, so a database copy holds no usable secret."""
        if not secret:
            return None
        return (
            self.select_related("user")
            .filter(kind=kind, token_hash=AccessToken.hash(secret), user__is_active=True)
            .first()
        )


class AccessToken(models.Model):
    """A user's secret for the calendar feed or the JSON API: one of each kind, revocable.

    The secret is shown once when it is made; only its SHA-256 hash is kept.
    """

    class Kind(models.TextChoices):
        CALENDAR = "calendar", "Calendar feed"
        API = "api", "JSON API"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="access_token_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["calendar", "api"]), name="access_token_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} token for {self.user}"

    @staticmethod
    def hash(secret):
        return hashlib.sha256(secret.encode()).hexdigest()


class Heartbeat(models.Model):
    """When a scheduled job last finished, so /health/ and administrators see it stop.

    Bookkeeping, not audited. `alerted_at` records the stale alert already sent for the current
    silence, so an hourly check emails once per episode, not once an hour.
    """

    REMINDER_SWEEP = "reminder-sweep"
    # The last weekly summaries run, so a daily sweep later in the week catches up a missed one.
    WEEKLY_DIGEST = "weekly-digest"
    # The last digest the relay accepted; alerted_at marks the failure incident already emailed.
    REMINDER_DELIVERY = "reminder-delivery"

    name = models.CharField(max_length=50, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name
