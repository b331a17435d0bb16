"""Meetings, the questions and commitments raised at them, and their frozen briefing packs."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tracker import roles
from tracker.files import private_storage


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now()).order_by("-starts_at")

    def visible_to(self, user):
        """tracker.roles.can_see_meeting in SQL: OPCC staff their office's; others only meetings
        held in public, Panel members their office's, owners those with their force's
        inspections on the agenda."""
        if roles.is_opcc_staff(user):
            return self.filter(office_id=roles.office_id_of(user))
        held_in_public = self.filter(kind__in=roles.PUBLIC_MEETING_KINDS)
        if roles.is_panel_member(user):
            return held_in_public.filter(office_id=roles.office_id_of(user))
        if roles.is_action_owner(user):
            agenda = Meeting.inspections.through.objects.filter(
                roles.force_scope(user, "inspection__force_id"), meeting_id=models.OuterRef("pk")
            )
            return held_in_public.filter(models.Exists(agenda))
        return self.none()

    def of_force_only(self, force_id):
        """Meetings with this force's inspections on the agenda and no other force's: their
        papers hold only this force's actions."""
        agenda = Meeting.inspections.through.objects.filter(meeting_id=models.OuterRef("pk"))
        return self.filter(
            models.Exists(agenda.filter(inspection__force_id=force_id)),
            ~models.Exists(agenda.exclude(inspection__force_id=force_id)),
        )


class Meeting(models.Model):
    class Kind(models.TextChoices):
        APM = "apm", "Accountability & Performance Meeting"
        PANEL = "panel", "Police & Crime Panel"
        OTHER = "other", "Other"

    office = models.ForeignKey(
        "tracker.Office",
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="The office holding the meeting (the PCC's, or its Panel's).",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.APM)
    title = models.CharField(max_length=300)
    starts_at = models.DateTimeField(help_text="Date and time, Europe/London.")
    location = models.CharField(max_length=200, blank=True)
    webcast_url = models.URLField(max_length=500, blank=True)
    inspections = models.ManyToManyField(
        "actions.Inspection", blank=True, related_name="meetings", help_text="On the agenda."
    )
    opcc_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_meetings",
        help_text="Chased for the meeting's questions and commitments that have nobody named.",
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

    def previous_of_same_kind(self):
        """The meeting a pack compares with: the office's last one of the same kind before this
        one (another office's meetings are not this one's series)."""
        return (
            Meeting.objects.filter(
                office_id=self.office_id, kind=self.kind, starts_at__lt=self.starts_at
            )
            .order_by("-starts_at")
            .first()
        )


class QuestionQuerySet(models.QuerySet):
    def unanswered(self):
        return self.filter(answered_at__isnull=True)

    def visible_to(self, user):
        """The questions of the meetings the user may see (Meeting.objects.visible_to)."""
        return self.filter(meeting__in=Meeting.objects.visible_to(user))


class Question(models.Model):
    """A question asked or a commitment made at a meeting, tracked until it is answered."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        COMMITMENT = "commitment", "Commitment"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_questions",
        help_text="Who must answer it.",
    )
    owner_role_title = models.CharField(
        max_length=120, blank=True, help_text='Shown publicly instead of a name, e.g. "ACC Crime".'
    )
    due_on = models.DateField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["question", "commitment"]), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="question_answered_has_answer",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def is_answered(self):
        return self.answered_at is not None

    @property
    def is_overdue(self):
        due = self.due_on
        return not self.is_answered and due is not None and due < timezone.localdate()


def pack_pdf_upload_to(instance, filename):
    return f"packs/{instance.uuid.hex}-v{instance.version}.pdf"


class BriefingPackQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=BriefingPack.Status.PUBLISHED)

    def public(self):
        return self.published().filter(is_public=True)

    def of_office(self, office_id):
        return self.filter(meeting__office_id=office_id)


class BriefingPack(models.Model):
    """One version of a meeting's pack. `snapshot` is frozen at generation: the record of what
    was reported. Only the narratives, the publication state and the PDF change afterwards."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class PdfStatus(models.TextChoices):
        NONE = "none", "Not generated"
        PENDING = "pending", "Being generated"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="packs")
    version = models.PositiveIntegerField()
    # The stable public address: /public/<office>/packs/<uuid>/ never changes and reveals no
    # count (the older /public/packs/<uuid>/ redirects to it).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when generated by the scheduled command.",
    )
    snapshot = models.JSONField()
    narratives = models.JSONField(
        default=dict, blank=True, help_text="The Panel summary: a short narrative per area."
    )
    # The Panel paper's front matter and narrative, written by OPCC staff for this version.
    # Each starts from the previous version's text, or from settings.PANEL_PAPER.
    office_name = models.CharField(max_length=200, blank=True)
    report_of = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_role = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    purpose = models.TextField(blank=True)
    response = models.TextField(blank=True, help_text="The Commissioner's response.")
    next_steps = models.TextField(blank=True)
    recommendation = models.TextField(blank=True, help_text="The recommendation to the Panel.")
    carried_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version whose narrative this one started from."
    )
    dropped_narratives = models.JSONField(
        default=dict,
        blank=True,
        help_text="Area narratives of the previous version with no area here, kept to be copied.",
    )
    # Each inspection's headline figures, small enough for later packs to read as a series.
    figures = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_public = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to=pack_pdf_upload_to, storage=private_storage, blank=True)
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, default=PdfStatus.NONE)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["snapshot", "figures"])

    objects = BriefingPackQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="pack_unique_version"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="pack_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(status="published"),
                name="pack_public_only_when_published",
            ),
        ]

    def __str__(self):
        return f"{self.meeting.title}: briefing pack v{self.version}"

    PAPER_FIELDS = [
        "office_name",
        "report_of",
        "contact_name",
        "contact_role",
        "contact_email",
        "purpose",
        "response",
        "next_steps",
        "recommendation",
    ]

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def paper(self):
        return {name: getattr(self, name) for name in self.PAPER_FIELDS}

    def get_public_url(self):
        """Its address on its office's public pages (read with meeting__office selected)."""
        return reverse("reports:public_pack", args=[self.meeting.office.slug, self.uuid])


class NationalFigures(models.Model):
    """The national view's figures across every published inspection (reports/national.py:
    recurring findings, directions of travel), computed by a Celery task and kept here, one row,
    so the page reads them in one query and they survive a cache restart. Derived from published
    data only and replaced whole on each refresh, so it keeps no history."""

    SINGLETON = 1

    computed_at = models.DateTimeField()
    figures = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "national figures"

    def __str__(self):
        return f"National figures as at {self.computed_at:%Y-%m-%d %H:%M}"
