"""Meetings where the PCC and the Panel scrutinise progress."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tracker import roles


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now()).order_by("-starts_at")

    def visible_to(self, user):
        """OPCC staff: all. Owners: meetings with their force's inspections on the agenda.
        Panel members: the meetings held in public (APMs and Panel meetings)."""
        if roles.is_opcc_staff(user):
            return self
        if roles.is_action_owner(user):
            agenda = Meeting.inspections.through.objects.filter(
                meeting_id=models.OuterRef("pk"), inspection__force_id=user.force_id
            )
            return self.filter(models.Exists(agenda))
        if roles.is_panel_member(user):
            return self.filter(kind__in=[Meeting.Kind.APM, Meeting.Kind.PANEL])
        return self.none()


class Meeting(models.Model):
    class Kind(models.TextChoices):
        APM = "apm", "Accountability & Performance Meeting"
        PANEL = "panel", "Police & Crime Panel"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.APM)
    title = models.CharField(max_length=300)
    starts_at = models.DateTimeField(help_text="Date and time, Europe/London.")
    location = models.CharField(max_length=200, blank=True)
    webcast_url = models.URLField(max_length=500, blank=True)
    inspections = models.ManyToManyField(
        "actions.Inspection", blank=True, related_name="meetings", help_text="On the agenda."
    )
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["kind", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["apm", "panel", "other"]), name="meeting_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y})"
