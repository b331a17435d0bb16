"""The user: a person with one of the roles in tracker.roles, and for action owners, a force."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
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
    # Reminder preferences (actions/reminders.py). Deadline, overdue and escalation reminders
    # cannot be turned off; only the weekly summary can.
    weekly_digest = models.BooleanField(
        default=True,
        help_text="Send the weekly summary of open actions. Escalations are always sent.",
    )
    notify_changes_at_once = models.BooleanField(
        default=False,
        help_text="Email changes to my actions at once, instead of in the next daily digest.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username
