"""Forces, inspections, graded areas, findings, actions, updates and evidence, all audited."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from actions.working_days import working_days_before
from tracker import roles

# The migrations name the storage as actions.models.private_storage: keep the name importable here.
from tracker.files import private_storage

# Each source's response clock (docs/design.md, "Response clocks"); Inspection.response_due and
# InspectionQuerySet.with_response_due say the same in Python and SQL.
# s.55 Police Act 1996 (HMICFRS) and Police Reform Act 2002 Sch. 3 para 28B (IOPC): the response
# is due before the end of the 56 days *beginning with* the publication (or, for the IOPC, the
# making) day, so that day is day 1 and the last day is day 56: published_on + 55 days.
# Coroners (Investigations) Regulations 2013 reg. 29: the response is due within 56 days *of*
# the date the report was sent (published_on), so the last day is published_on + 56 days.
RESPONSE_PERIOD_DAYS = 56


class InspectionKind(models.TextChoices):
    PEEL = "peel", "PEEL"
    THEMATIC = "thematic", "Thematic"
    CRIME_DATA_INTEGRITY = "crime_data_integrity", "Crime data integrity"
    REVISIT = "revisit", "Revisit"
    OTHER = "other", "Other"


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    UNGRADED = "ungraded", "Ungraded"


class FindingKind(models.TextChoices):
    CAUSE_OF_CONCERN = "cause_of_concern", "Cause of concern"
    RECOMMENDATION = "recommendation", "Recommendation"
    AFI = "afi", "Area for improvement"
    # A coroner's prevention of future deaths report lists "matters of concern"; like a
    # recommendation, each needs a response saying what will be done (reg. 29).
    MATTER_OF_CONCERN = "matter_of_concern", "Matter of concern"


# The kinds that need a response saying what action will be taken or why none will be: what
# `Finding.objects.needing_response()` looks for. An area for improvement does not.
RESPONSE_KINDS = (
    FindingKind.CAUSE_OF_CONCERN,
    FindingKind.RECOMMENDATION,
    FindingKind.MATTER_OF_CONCERN,
)


class ExternalStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISCHARGED = "discharged", "Discharged by HMICFRS"
    SUPERSEDED = "superseded", "Superseded by a later inspection"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class ForceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The forces whose records the user may see (tracker.roles.force_scope)."""
        return self.filter(roles.force_scope(user, "pk"))


class Force(models.Model):
    class MonitoringPhase(models.TextChoices):
        SCAN = "scan", "Scan"
        ENGAGE = "engage", "Engage"

    name = models.CharField(max_length=120, unique=True)
    office = models.ForeignKey(
        "tracker.Office",
        on_delete=models.PROTECT,
        related_name="forces",
        help_text="The PCC's office that oversees the force.",
    )
    monitoring_phase = models.CharField(
        max_length=10, choices=MonitoringPhase.choices, default=MonitoringPhase.SCAN
    )
    monitoring_phase_since = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ForceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monitoring_phase__in=["scan", "engage"]), name="force_phase_valid"
            )
        ]

    def __str__(self):
        return self.name


class DaysAfter(models.Func):
    """The date `days` days after a date column, as a date on SQLite and PostgreSQL alike
    (PostgreSQL's date + interval is a timestamp; date + integer is a date)."""

    output_field = models.DateField()

    def __init__(self, expression, *, days):
        super().__init__(expression, days=int(days))

    def as_sql(self, compiler, connection, **extra):
        template = f"(%(expressions)s + {self.extra['days']})"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = f"date(%(expressions)s, '+{self.extra['days']} days')"
        return super().as_sql(compiler, connection, template=template, **extra)


class InspectionQuerySet(models.QuerySet):
    def latest_earlier(self, *, force_id, kind, published_on=None):
        """The force's latest inspection of `kind` (published before `published_on`, if given):
        the one an inspection follows when none is recorded, and the one the add page suggests."""
        earlier = self.filter(force_id=force_id, kind=kind, published_on__isnull=False)
        if published_on is not None:
            earlier = earlier.filter(published_on__lt=published_on)
        return earlier.order_by("-published_on").first()

    def with_previous(self):
        """Annotate previous_pk, the inspection each one follows, as previous_inspection()
        finds it: for many inspections in the same query, not one query each."""
        earlier = (
            Inspection.objects.filter(
                force_id=OuterRef("force_id"),
                kind=OuterRef("kind"),
                published_on__lt=OuterRef("published_on"),
            )
            .order_by("-published_on")
            .values("pk")[:1]
        )
        return self.annotate(previous_pk=Coalesce("previous_id", Subquery(earlier)))

    def with_response_due(self):
        """Annotate response_due_db, the day each source's response is due, as response_due
        works it out (None when the date it counts from is not known yet)."""

        extended = Q(
            source_type__in=Inspection.EXTENDABLE_SOURCES, response_extended_to__isnull=False
        )
        clocks = [
            When(source_type=source, then=DaysAfter("published_on", days=days))
            for source, days in Inspection.STATUTORY_CLOCKS.items()
        ]
        return self.annotate(
            response_due_db=Case(
                When(extended, then=F("response_extended_to")),
                *clocks,
                default=F("response_due_on"),
                output_field=models.DateField(),
            )
        )

    def response_unrecorded_due_by(self, day):
        """Sources whose response is due on or before `day` (overdue ones too) with none
        recorded: the dashboard's "Responses due" and the response reminders."""
        return self.with_response_due().filter(
            response_published_on__isnull=True, response_due_db__lte=day
        )

    def same_report(self, *, force, title, sha256=""):
        """An import of this report already made: the same text, or the same force and title
        (a report without a force or title yet is matched by its text alone)."""
        title = (title or "").strip()
        same = Q(force=force, title__iexact=title) if force is not None and title else Q(pk=None)
        if sha256:
            same |= Q(source_sha256=sha256)
        return self.filter(same)

    def visible_to(self, user):
        return self.filter(roles.force_scope(user, "force_id"))


class Inspection(models.Model):
    Kind = InspectionKind

    class SourceType(models.TextChoices):
        HMICFRS = "hmicfrs", "HMICFRS"
        IOPC = "iopc", "IOPC learning recommendation"
        CORONER = "coroner", "Coroner's prevention of future deaths report"
        INTERNAL_AUDIT = "internal_audit", "Internal audit"
        SUPER_COMPLAINT = "super_complaint", "Super-complaint"
        OTHER = "other", "Other"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="inspections")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.PEEL)
    source_type = models.CharField(
        max_length=30, choices=SourceType.choices, default=SourceType.HMICFRS
    )
    published_on = models.DateField(null=True, blank=True)
    fieldwork_start = models.DateField(null=True, blank=True)
    fieldwork_end = models.DateField(null=True, blank=True)
    link = models.URLField(max_length=500, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_inspections",
        help_text="The earlier inspection whose grades give the direction of travel.",
    )
    response_published_on = models.DateField(
        null=True, blank=True, help_text="When the PCC's response was published or sent."
    )
    response_link = models.URLField(
        max_length=500, blank=True, help_text="Where the published response can be read."
    )
    response_due_on = models.DateField(
        null=True,
        blank=True,
        help_text="The date the office sets, for a source without a statutory response clock.",
    )
    response_extended_to = models.DateField(
        null=True, blank=True, help_text="A later date the IOPC or the coroner allowed."
    )
    response_extension_reason = models.TextField(blank=True)
    revisit_on = models.DateField(null=True, blank=True, help_text="HMICFRS revisit date.")
    inspector_summary = models.TextField(
        blank=True, help_text="HM Inspector's summary, printed as an appendix to the Panel paper."
    )
    public_progress = models.BooleanField(
        default=False,
        help_text="Publish a live progress page for this inspection (public wording only).",
    )
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="SHA-256 of the imported report's text: the same report is not imported twice.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [models.Index(fields=["force", "-published_on"])]
        constraints = [
            models.UniqueConstraint(fields=["force", "title"], name="inspection_unique_title"),
            models.CheckConstraint(
                condition=Q(kind__in=InspectionKind.values), name="inspection_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(fieldwork_start__isnull=True)
                | Q(fieldwork_end__isnull=True)
                | Q(fieldwork_end__gte=models.F("fieldwork_start")),
                name="inspection_fieldwork_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Its actions keep a copy of its force (Action.owning_force): a move to another force
        # moves them too. Derived, not audited, so an update without history is right.
        if getattr(self, "_saved_force_id", None) not in (None, self.force_id):
            for finding in self.findings.all():
                finding.inspection = self
                finding.update_action_copies()
        self._saved_force_id = self.force_id

    @classmethod
    def from_db(cls, db, field_names, values):
        inspection = super().from_db(db, field_names, values)
        inspection._saved_force_id = inspection.__dict__.get("force_id")
        return inspection

    def previous_inspection(self):
        """The inspection this one follows: the one recorded as previous, or else the force's
        latest earlier inspection of the same kind (for grades' direction of travel)."""
        if self.previous_id:
            return self.previous
        if self.published_on is None:
            return None
        return Inspection.objects.latest_earlier(
            force_id=self.force_id, kind=self.kind, published_on=self.published_on
        )

    def previous_problem(self, previous):
        """Why `previous` cannot be the inspection this one follows, or "" if it can: it must be
        another of the same force's, published before this one."""
        if self.pk is not None and previous.pk == self.pk:
            return "An inspection cannot follow itself: choose an earlier one."
        if previous.force_id != self.force_id:
            return (
                f'Choose one of {self.force}\'s inspections: "{previous.title}" is about '
                f"{previous.force}."
            )
        on = previous.published_on
        if on and self.published_on and on >= self.published_on:
            return (
                f'Choose an inspection published before this one: "{previous.title}" was '
                f"published on {on.day} {on:%B %Y}."
            )
        return ""

    # Days from published_on to the last day of a statutory clock (see RESPONSE_PERIOD_DAYS).
    STATUTORY_CLOCKS = {
        SourceType.HMICFRS: RESPONSE_PERIOD_DAYS - 1,
        SourceType.IOPC: RESPONSE_PERIOD_DAYS - 1,
        SourceType.CORONER: RESPONSE_PERIOD_DAYS,
    }
    # The IOPC and a coroner may allow more time; s.55 has no extension.
    EXTENDABLE_SOURCES = [SourceType.IOPC, SourceType.CORONER]
    RESPONSE_RULES = {
        SourceType.HMICFRS: "s.55 Police Act 1996: the PCC publishes comments by the end of the "
        "56 days beginning with the publication day",
        SourceType.IOPC: "Police Reform Act 2002, Sch. 3 para 28B: a response before the end of "
        "the 56 days beginning with the day the recommendation was made",
        SourceType.CORONER: "Coroners (Investigations) Regulations 2013, reg. 29: a response "
        "within 56 days of the date the report was sent",
    }

    # What the response's due date is called where it is listed (the Panel's pack): each
    # source's own. A coroner's report is made under reg. 28; the response is due under reg. 29.
    RESPONSE_DUE_LABELS = {
        SourceType.HMICFRS: "PCC's s.55 response due",
        SourceType.IOPC: "Response to the IOPC recommendation due",
        SourceType.CORONER: "Response to the coroner's regulation 28 report due",
    }

    def clean(self):
        errors = {}
        if self.previous_id is not None:
            problem = self.previous_problem(self.previous)
            if problem:
                errors["previous"] = problem
        if self.has_statutory_clock and self.response_due_on is not None:
            errors["response_due_on"] = (
                "This source's due date is worked out from its publication date: leave it blank."
            )
        if self.response_extended_to is not None:
            statutory = self.statutory_response_due
            if self.source_type not in self.EXTENDABLE_SOURCES:
                errors["response_extended_to"] = (
                    "Only an IOPC recommendation or a coroner's report can be given more time."
                )
            elif statutory is not None and self.response_extended_to <= statutory:
                errors["response_extended_to"] = (
                    f"An extension must be later than the statutory date, "
                    f"{statutory.day} {statutory:%B %Y}."
                )
            if not self.response_extension_reason.strip():
                errors["response_extension_reason"] = "Say who allowed the extension, and why."
        if errors:
            raise ValidationError(errors)

    @property
    def response_rule(self):
        return self.RESPONSE_RULES.get(self.source_type, "A date the office sets")

    @property
    def response_due_label(self):
        return self.RESPONSE_DUE_LABELS.get(
            self.source_type, "Response due (a date the office set)"
        )

    @property
    def has_statutory_clock(self):
        return self.source_type in self.STATUTORY_CLOCKS

    @property
    def statutory_response_due(self):
        """The last day of the statutory period, before any extension, or None."""
        days = self.STATUTORY_CLOCKS.get(self.source_type)
        if days is None or self.published_on is None:
            return None
        return self.published_on + datetime.timedelta(days=days)

    @property
    def response_due(self):
        """The day the response is due: the extended date where one was allowed, else the
        statutory clock's last day, else the date the office set (None if not known yet)."""
        if self.source_type in self.EXTENDABLE_SOURCES and self.response_extended_to:
            return self.response_extended_to
        if self.has_statutory_clock:
            return self.statutory_response_due
        return self.response_due_on

    @property
    def response_state(self):
        """ "recorded", "overdue" (none recorded, the due date has passed), "due", or None
        when no due date is known yet. Neutral words: the tracker records, it does not judge."""
        return self.response_state_on(timezone.localdate())

    def response_state_on(self, today):
        """response_state as at `today` (the pack's day)."""
        if self.response_published_on is not None:
            return "recorded"
        due = self.response_due
        if due is None:
            return None
        return "overdue" if today > due else "due"

    @property
    def response_met(self):
        """True if published on time, False if late (or overdue now), None if not yet due."""
        due = self.response_due
        if due is None:
            return None
        if self.response_published_on is not None:
            return self.response_published_on <= due
        return False if timezone.localdate() > due else None

    def findings_needing_response(self):
        """Recommendations and causes of concern with neither an action nor a reason for none."""
        return self.findings.needing_response()


class GradedAreaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever may see the inspection may see its graded areas."""
        return self.filter(roles.force_scope(user, "inspection__force_id"))


class GradedArea(models.Model):
    Grade = Grade

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="graded_areas"
    )
    name = models.CharField(max_length=200)
    grade = models.CharField(max_length=30, choices=Grade.choices, default=Grade.UNGRADED)
    position = models.PositiveSmallIntegerField(default=0)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The area this one follows in the previous inspection (PEEL renames areas).",
    )
    history = HistoricalRecords()

    objects = GradedAreaQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "name"], name="graded_area_unique_name"),
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values), name="graded_area_grade_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.get_grade_display()}"

    def clean(self):
        if self.predecessor_id is None:
            return
        if self.predecessor.inspection_id == self.inspection_id:
            raise ValidationError(
                {"predecessor": "An area cannot follow one of its own inspection."}
            )
        if self.predecessor.inspection.force_id != self.inspection.force_id:
            raise ValidationError({"predecessor": "An area can only follow its force's areas."})

    def predecessor_among(self, previous_areas):
        """The area this one follows among the previous inspection's: the recorded predecessor,
        or else (none recorded, or recorded against another inspection) the one of its name."""
        for area in previous_areas:
            if area.pk == self.predecessor_id:
                return area
        return next((area for area in previous_areas if area.name == self.name), None)


class FindingQuerySet(models.QuerySet):
    def needing_response(self):
        """Findings that need a response (s.55's recommendations and causes of concern, and a
        coroner's matters of concern under reg. 29) with no action and no reason for none.

        A cause of concern is answered through its recommendations too.
        """
        answered_recommendation = Finding.objects.filter(parent=OuterRef("pk")).filter(
            Q(actions__isnull=False) | ~Q(no_action_reason="")
        )
        return self.filter(
            kind__in=RESPONSE_KINDS,
            no_action_reason="",
            actions__isnull=True,
        ).exclude(Q(kind=FindingKind.CAUSE_OF_CONCERN) & Exists(answered_recommendation))

    def visible_to(self, user):
        """roles.can_see_finding: the user's forces' findings and those shared with them."""
        return self.filter(roles.finding_scope(user))

    def managed_by(self, user):
        """roles.can_change_finding: the findings of the forces the user's office oversees."""
        if not roles.can_manage_actions(user):
            return self.none()
        return self.filter(roles.force_scope(user, "inspection__force_id"))


class Finding(models.Model):
    Kind = FindingKind

    ExternalStatus = ExternalStatus

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    area = models.ForeignKey(
        GradedArea, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.AFI)
    reference = models.CharField(max_length=40, help_text='As printed, e.g. "AFI 3".')
    text = models.TextField()
    public_text = models.TextField(
        blank=True,
        help_text="Wording for Panel and public pages when the text is operationally sensitive.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The cause of concern a recommendation belongs to.",
    )
    repeats = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="repeated_by",
        help_text="Earlier findings that raised much the same thing.",
    )
    due_on = models.DateField(null=True, blank=True, help_text="Date set by the inspectorate.")
    external_status = models.CharField(
        max_length=30, choices=ExternalStatus.choices, default=ExternalStatus.OPEN
    )
    external_status_on = models.DateField(null=True, blank=True)
    external_status_note = models.TextField(blank=True)
    no_action_reason = models.TextField(
        blank=True, help_text="Why no action will be taken (s.55 requires a reason)."
    )
    position = models.PositiveIntegerField(default=0)
    # Linking or unlinking a repeat writes a history row holding the links at that time.
    history = HistoricalRecords(m2m_fields=[repeats])

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "position", "reference"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["external_status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "reference"], name="finding_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FindingKind.values), name="finding_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(external_status__in=ExternalStatus.values),
                name="finding_external_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.text[:80]}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.update_action_copies()

    def update_action_copies(self):
        """Each action keeps a copy of what the list filters on (Action.FINDING_COPIES). The
        copy is derived, not audited (Action's history leaves it out), so an update without
        history is right."""
        copies = self.copies_for_actions()
        stale = Q()
        for name, value in copies.items():
            stale |= ~Q(**{name: value})
        self.actions.filter(stale).update(**copies)

    @property
    def heading(self):
        """Its reference and kind ("AFI 3: area for improvement"); the reference alone when it
        already names the kind ("Cause of concern 1", "Recommendation 2")."""
        kind = self.get_kind_display().lower()
        if self.reference.lower().startswith(kind):
            return self.reference
        return f"{self.reference}: {kind}"

    def copies_for_actions(self):
        """What each of this finding's actions keeps a copy of: the words the list's text
        search matches, the finding's type and its inspection's force."""
        return {
            "finding_search_text": f"{self.reference} {self.text}",
            "finding_kind": self.kind,
            "owning_force_id": self.inspection.force_id,
        }

    @property
    def published_text(self):
        """What Panel and public pages show."""
        return self.public_text or self.text


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PROPOSED = "proposed", "Proposed for closure"
    SUSTAINING = "sustaining", "Sustaining"
    CLOSED = "closed", "Closed"
    BLOCKED = "blocked", "Blocked"
    REOPENED = "reopened", "Reopened"


# Statuses in which work is still owed; overdue, stale and reminders apply only to these.
OPEN_STATUSES = [
    Status.NOT_STARTED,
    Status.IN_PROGRESS,
    Status.PROPOSED,
    Status.BLOCKED,
    Status.REOPENED,
]


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


# The RAG ratings from most to least severe: what sorting by RAG means (not the alphabet).
RAG_SEVERITY = [Rag.RED, Rag.AMBER, Rag.GREEN]


def _today(as_of):
    return as_of or timezone.localdate()


def stale_cutoff(as_of=None, days=None):
    """The moment before which the last update makes an open action stale on `as_of`.

    Counted in working days (actions/working_days.py: no weekends, no bank holidays), by
    Europe/London calendar day: last updated (or, with no update, created) on day D, the action
    is stale once STALE_DAYS working days, D included, have passed without an update. The
    dashboard, the list filter, the stale reminder and the pack all use this one rule.
    """
    days = settings.STALE_DAYS if days is None else days
    # The latest day whose update is that many working days old by `as_of`.
    last_stale_day = working_days_before(_today(as_of), days)
    start = last_stale_day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


# Who an action is "mine" for. The owner and the delegate do the work: it is theirs to do (the
# dashboard, the list's "mine" filter, the owner's counts). The OPCC lead follows it as well: it
# is theirs to follow (calendar feeds, the weekly summary).
ASSIGNEE_FIELDS = ("owner", "delegate")
FOLLOWER_FIELDS = (*ASSIGNEE_FIELDS, "opcc_lead")


def _anyone_of(fields, user, path):
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{path}{field}": user})
    return condition


# Two rules as conditions, for a query that reaches actions through a join (`path`, e.g.
# "findings__actions__" from an inspection); the queryset methods below use them too.
def overdue_condition(as_of=None, path=""):
    return Q(**{f"{path}status__in": OPEN_STATUSES, f"{path}deadline__lt": _today(as_of)})


def due_within_condition(days, as_of=None, path=""):
    today = _today(as_of)
    return Q(
        **{
            f"{path}status__in": OPEN_STATUSES,
            f"{path}deadline__gte": today,
            f"{path}deadline__lte": today + datetime.timedelta(days=days),
        }
    )


def assigned_condition(user, path=""):
    return _anyone_of(ASSIGNEE_FIELDS, user, path)


# The rules about one action, in SQL. Each has its twin on Action (is_overdue, is_due_soon,
# is_stale, has_slipped, effective_rag, is_assigned_to, is_followed_by); tests/actions/
# test_rules.py pins both at their edges. `as_of` is the Europe/London day the rule is applied on
# (default today): the sweep and the pack pass theirs.
class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, as_of=None):
        """Open, and the deadline has passed: the day after the deadline is the first overdue."""
        return self.filter(overdue_condition(as_of))

    def not_overdue(self, as_of=None):
        return self.exclude(overdue_condition(as_of))

    def due_within(self, days, as_of=None):
        """Open, with the deadline from `as_of` to `days` days later, both included."""
        return self.filter(due_within_condition(days, as_of))

    def due_soon(self, as_of=None):
        """due_within settings.DUE_SOON_DAYS."""
        return self.due_within(settings.DUE_SOON_DAYS, as_of)

    def stale(self, as_of=None, days=None):
        """Open, with no update for settings.STALE_DAYS days (or none since it was created)."""
        cutoff = stale_cutoff(as_of, days)
        return self.open().filter(
            Q(last_update_at__lt=cutoff) | Q(last_update_at__isnull=True, created_at__lt=cutoff)
        )

    def slipped(self):
        """The deadline has moved later than the first one set (earlier is not a slip)."""
        return self.filter(deadline__gt=models.F("original_deadline"))

    def with_effective_rag(self, as_of=None):
        """Annotate effective_rag_db, Action.effective_rag in SQL, for filtering and sorting:
        red whenever overdue, otherwise the RAG last set. Templates show action.effective_rag."""
        return self.annotate(
            effective_rag_db=Case(
                When(overdue_condition(as_of), then=Value(Rag.RED)),
                default=models.F("rag"),
                output_field=models.CharField(),
            )
        )

    def with_rag_severity(self, as_of=None):
        """with_effective_rag, and rag_severity to sort by it: most severe (red, overdue
        included) first, in RAG_SEVERITY's order. The list's RAG sort and the exports use it."""
        return self.with_effective_rag(as_of).annotate(
            rag_severity=Case(
                *(When(effective_rag_db=rag, then=rank) for rank, rag in enumerate(RAG_SEVERITY)),
                output_field=models.IntegerField(),
            )
        )

    def assigned_to(self, user):
        """Mine to do: the user owns it or is its delegate."""
        return self.filter(assigned_condition(user))

    def followed_by(self, user):
        """Mine to follow: the user owns it, is its delegate or is its OPCC lead."""
        return self.filter(_anyone_of(FOLLOWER_FIELDS, user, ""))

    def with_latest_updates(self):
        """Each action's latest update, and its latest update with a public narrative, read as
        subqueries of the actions' own query (the index on Update(action, -created_at) serves
        them): the briefing pack's rows."""
        updates = Update.objects.filter(action_id=OuterRef("pk")).order_by("-created_at", "-pk")
        public = updates.exclude(public_narrative="")
        return self.annotate(
            latest_narrative=Subquery(updates.values("narrative")[:1]),
            latest_update_on=Subquery(updates.values("created_at")[:1]),
            latest_public_narrative=Subquery(public.values("public_narrative")[:1]),
            latest_public_on=Subquery(public.values("created_at")[:1]),
        )

    def bulk_create(self, objs, *args, **kwargs):
        """As save() does for one action, fill each action's copies of its finding."""
        objs = list(objs)
        copies = {}
        for action in objs:
            if action.finding_id not in copies:
                copies[action.finding_id] = action.finding.copies_for_actions()
            for name, value in copies[action.finding_id].items():
                setattr(action, name, value)
        return super().bulk_create(objs, *args, **kwargs)

    def visible_to(self, user):
        """roles.can_see_action: the user's forces' actions and those shared with them."""
        return self.filter(roles.action_scope(user))

    def managed_by(self, user):
        """roles.can_change_action: the actions of the forces the user's office oversees."""
        if not roles.can_manage_actions(user):
            return self.none()
        return self.filter(roles.force_scope(user, "owning_force_id"))

    def with_partners(self):
        """Each action's partner forces (prefetched, one query per chunk of rows) and its owning
        force's office joined in: what Action.collaboration reads."""
        partners = ActionPartner.objects.select_related("force").order_by("force__name")
        return self.select_related("owning_force__office").prefetch_related(
            models.Prefetch("partners", queryset=partners)
        )

    def with_collaboration(self, user):
        """Annotate collaboration_of: "" for an action of the user's own forces, else (a
        collaboration shared with them) the name of the office that manages it; and
        partner_count, the forces it is shared with (0 when not shared), in the same query."""
        partners = (
            ActionPartner.objects.filter(action_id=OuterRef("pk"))
            .order_by()
            .values("action_id")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(
            collaboration_of=Case(
                When(roles.force_scope(user, "owning_force_id"), then=Value("")),
                default=F("owning_force__office__name"),
                output_field=models.CharField(),
            ),
            partner_count=Coalesce(Subquery(partners), 0),
        )


class Action(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
    )
    owner_role_title = models.CharField(
        max_length=120, blank=True, help_text='Shown publicly instead of a name, e.g. "ACC Crime".'
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_actions",
        help_text="May update the action on the owner's behalf.",
    )
    opcc_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    deadline = models.DateField()
    original_deadline = models.DateField(editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    rag = models.CharField(max_length=10, choices=Rag.choices, default=Rag.GREEN)
    percent_complete = models.PositiveSmallIntegerField(default=0)
    closure_summary = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sustain_until = models.DateField(null=True, blank=True)
    # Bookkeeping for the stale query: the last update, or the last time OPCC staff sent the
    # action back for more evidence (the owner's clock starts again from the return). Written
    # by the update service and evidence_services._send_back.
    last_update_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Copies of the finding's reference and text, and of its type, so the list filters one
    # table: a search uses one trigram index per column (PostgreSQL) and a type filter an index
    # in list order, instead of matching findings through a join or subquery. Kept in step by
    # save() here and on Finding; derived, so not part of the audit history.
    finding_search_text = models.TextField(blank=True, default="", editable=False)
    finding_kind = models.CharField(
        max_length=30, choices=FindingKind.choices, blank=True, default="", editable=False
    )
    # A copy of the finding's inspection's force, the force whose office manages the action:
    # the scope rule (roles.action_scope) filters on it with an index, as search and list do,
    # instead of joining three tables. Kept in step by save() here, Finding.save() and
    # Inspection.save().
    owning_force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    FINDING_COPIES = ["finding_search_text", "finding_kind", "owning_force"]
    history = HistoricalRecords(excluded_fields=FINDING_COPIES)
    # A collaboration: other forces answering the same finding with this action (a unit shared
    # by several forces). The owning office (the finding's force's) manages it; the partners'
    # offices read it and their owners may be assigned it. Changed by collaboration_services.
    partner_forces = models.ManyToManyField(
        Force, through="ActionPartner", related_name="shared_actions", blank=True
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            # The action list's default order, so a page (a deep one too) is read in order.
            models.Index(fields=["deadline", "id"], name="action_deadline_id_idx"),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["opcc_lead", "status"]),
            models.Index(fields=["rag"]),
            models.Index(fields=["last_update_at"]),
            # The list filtered on the finding's type, in its default order.
            models.Index(
                fields=["finding_kind", "deadline", "id"], name="action_kind_deadline_idx"
            ),
            # One office's list in its default order.
            models.Index(
                fields=["owning_force", "deadline", "id"], name="action_force_deadline_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="action_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="action_status_valid"
            ),
            models.CheckConstraint(condition=Q(rag__in=Rag.values), name="action_rag_valid"),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | ~Q(closure_summary=""),
                name="action_closed_has_summary",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The first deadline is kept so slippage stays visible; later moves go through a service.
        if self.original_deadline is None:
            self.original_deadline = self.deadline
        if self.finding_id != getattr(self, "_saved_finding_id", None):
            for name, value in self.finding.copies_for_actions().items():
                setattr(self, name, value)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *self.FINDING_COPIES}
        super().save(*args, **kwargs)
        self._saved_finding_id = self.finding_id

    @classmethod
    def from_db(cls, db, field_names, values):
        action = super().from_db(db, field_names, values)
        action._saved_finding_id = action.__dict__.get("finding_id")
        return action

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, as_of):
        return self.is_open and self.deadline < as_of

    @property
    def is_overdue(self):
        return self.is_overdue_on(timezone.localdate())

    def is_due_within(self, days, as_of=None):
        today = _today(as_of)
        return self.is_open and today <= self.deadline <= today + datetime.timedelta(days=days)

    @property
    def is_due_soon(self):
        return self.is_due_within(settings.DUE_SOON_DAYS)

    def is_stale_on(self, as_of, days=None):
        return self.is_open and (self.last_update_at or self.created_at) < stale_cutoff(as_of, days)

    @property
    def is_stale(self):
        return self.is_stale_on(timezone.localdate())

    @property
    def has_slipped(self):
        return self.deadline > self.original_deadline

    def effective_rag_on(self, as_of):
        """Red whenever overdue (derived from the deadline, never typed in), else the RAG set."""
        return Rag.RED if self.is_overdue_on(as_of) else self.rag

    @property
    def effective_rag(self):
        return self.effective_rag_on(timezone.localdate())

    @property
    def collaboration(self):
        """None for an action not shared; for a collaboration, the office that manages it and
        the partner forces' names (ActionQuerySet.with_partners reads them in advance)."""
        partners = self.partners.all() if self.pk else []
        if not partners:
            return None
        return {
            "managed_by": self.owning_force.office.name,
            "shared_with": sorted(partner.force.name for partner in partners),
        }

    def is_assigned_to(self, user):
        return user.pk is not None and user.pk in (
            getattr(self, f"{field}_id") for field in ASSIGNEE_FIELDS
        )

    def is_followed_by(self, user):
        return user.pk is not None and user.pk in (
            getattr(self, f"{field}_id") for field in FOLLOWER_FIELDS
        )

    def get_effective_rag_display(self):
        return Rag(self.effective_rag).label

    @cached_property
    def has_assured_evidence(self):
        return self.evidence.assured().exists()

    def acceptance_refusal(self, user):
        """Why `user` may not close this action or start its sustaining period on the evidence
        assured so far ("" if they may): it needs assured evidence, and some of it assured by
        someone else, so nobody closes an action on their own word (docs/design.md,
        "Workflow"). Evidence.objects.assured_by_someone_else says the same in SQL."""
        if not self.evidence.assured().exists():
            return "At least one evidence item must be assured first."
        if not self.evidence.assured_by_someone_else(user).exists():
            return (
                "You assured all of this action's assured evidence yourself: someone else must "
                "assure evidence, or close the action."
            )
        return ""

    # Changing a deadline this soon after it was set corrects a typing mistake: not a slip.
    DEADLINE_CORRECTION_WINDOW = datetime.timedelta(days=1)

    def deadline_refusal(self, deadline, *, entering_history=False, today=None):
        """Why `deadline` cannot be this action's deadline ("" if it can): never before the
        source was published, and never in the past unless the change records history."""
        published_on = self.finding.inspection.published_on
        if published_on is not None and deadline < published_on:
            return (
                f"The deadline cannot be before the report was published on "
                f"{published_on:%-d %B %Y}."
            )
        if deadline < (today or timezone.localdate()) and not entering_history:
            return (
                "The deadline must be today or later. To record a deadline that has already "
                "passed, tick that this records a past deadline and give the reason."
            )
        return ""

    def deadline_is_a_correction(self, now=None):
        """A deadline changed within a day of the action being created, before it ever moved,
        corrects the first one: the original deadline moves too, so no slip is shown."""
        now = now or timezone.now()
        return (
            self.deadline == self.original_deadline
            and self.created_at is not None
            and now - self.created_at < self.DEADLINE_CORRECTION_WINDOW
        )


class Update(models.Model):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_updates"
    )
    narrative = models.TextField()
    public_narrative = models.TextField(
        blank=True, help_text="Wording for Panel and public pages when the narrative is sensitive."
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    rag = models.CharField(max_length=10, choices=Rag.choices)
    percent_complete = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="update_percent_0_100",
            ),
        ]

    def __str__(self):
        return f"Update on {self.action_id} by {self.author} at {self.created_at:%d %b %Y}"


def evidence_upload_to(instance, filename):
    # A generated name: the uploader's file name is kept only as data, never as a path.
    suffix = Path(filename).suffix.lower()[:10]
    return f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """roles.can_see_evidence: a collaboration's evidence is its partner offices' to read,
        and a partner force's owner's only while they own the action or are its delegate."""
        return self.filter(roles.evidence_scope(user))

    def assured(self):
        return self.filter(assured_at__isnull=False)

    def assured_by_someone_else(self, user):
        """Assured evidence `user` did not assure: what lets them close an action
        (Action.acceptance_refusal)."""
        return self.assured().exclude(assured_by=user)


class Evidence(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document"
        LINK = "link", "Link"
        NOTE = "note", "Data note"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_upload_to, storage=private_storage, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    url = models.URLField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_evidence"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    assured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assured_evidence",
    )
    assured_at = models.DateTimeField(null=True, blank=True)
    assurance_note = models.TextField(blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sent it back to the owner as not enough.",
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["action", "assured_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["document", "link", "note"]), name="evidence_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="document") | ~Q(file=""), name="evidence_document_has_file"
            ),
            models.CheckConstraint(
                condition=~Q(kind="link") | ~Q(url=""), name="evidence_link_has_url"
            ),
            models.CheckConstraint(
                condition=~Q(kind="note") | ~Q(note=""), name="evidence_note_has_text"
            ),
            models.CheckConstraint(
                condition=Q(assured_at__isnull=True, assured_by__isnull=True)
                | Q(assured_at__isnull=False, assured_by__isnull=False),
                name="evidence_assured_by_and_at",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_assured(self):
        return self.assured_at is not None

    @property
    def is_returned(self):
        return self.returned_at is not None

    def assurance_refusal(self, user):
        """Why `user` may not assure this evidence ("" if they may), for the service and the
        page alike. Assurance is independent: never by whoever added it, nor (when the office
        sets ASSURANCE_ASSURER_NOT_LEAD) by the action's OPCC lead."""
        if self.is_assured:
            return "This evidence has already been assured."
        if self.is_returned:
            return "This evidence was returned to the owner as not enough; it cannot be assured."
        if self.submitted_by_id == user.pk:
            return "You added this evidence, so someone else must assure it."
        if settings.ASSURANCE_ASSURER_NOT_LEAD and self.action.opcc_lead_id == user.pk:
            return "You are this action's OPCC lead, so someone else must assure its evidence."
        return ""


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ExtensionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ExtensionStatus.PENDING)

    def visible_to(self, user):
        return self.filter(roles.action_scope(user, "action__"))


class ExtensionRequest(models.Model):
    """An owner's (or delegate's) request for a later deadline, which OPCC staff approve (the
    deadline moves through action_change_deadline) or decline; one pending per action."""

    Status = ExtensionStatus

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_deadline = models.DateField()
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ExtensionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_action",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExtensionStatus.values), name="extension_status_valid"
            ),
        ]

    def __str__(self):
        return f"Extension to {self.requested_deadline:%d %b %Y} for {self.action}"

    @property
    def is_pending(self):
        return self.status == ExtensionStatus.PENDING

    def decision_refusal(self, user):
        """Why `user` may not decide this request ("" if they may): OPCC staff only, never the
        person who asked, and only while it waits."""
        if not self.is_pending:
            return "This extension request has already been decided."
        if not roles.is_opcc_staff(user):
            return "Only OPCC staff can decide an extension request."
        if self.requested_by_id == user.pk:
            return "You asked for this extension, so someone else must decide it."
        return ""


# Reminders: the outbox and the record of every reminder and change notification sent
# (actions/reminders/; docs/design.md, "Reminder policy").


class ReminderKind(models.TextChoices):
    # Scheduled, decided by the daily sweep.
    ESCALATION = "escalation", "Escalated: overdue"
    OVERDUE = "overdue", "Overdue"
    DEADLINE = "deadline", "Deadline approaching"
    STALE = "stale", "No recent update"
    MEETING_UPDATE = "meeting_update", "Update wanted before a meeting"
    PACK_READY = "pack_ready", "Briefing pack ready to prepare"
    WEEKLY_DIGEST = "weekly_digest", "Weekly summary"
    QUESTION_DUE = "question_due", "Meeting question or commitment due"
    RESPONSE_DUE = "response_due", "Response due"
    RESPONSE_PASSED = "response_passed", "No response recorded by the due date"
    REVISIT = "revisit", "Revisit coming up"
    # Change notifications, written by actions.services in the same transaction as the change.
    UPDATE_POSTED = "update_posted", "Update posted"
    CLOSURE_PROPOSED = "closure_proposed", "Proposed for closure"
    EVIDENCE_ASSURED = "evidence_assured", "Evidence assured"
    ACTION_CLOSED = "action_closed", "Closed"
    ACTION_REOPENED = "action_reopened", "Reopened"
    DEADLINE_MOVED = "deadline_moved", "Deadline moved"
    # Written by reports.services.pack_publish for the Panel members told of a published paper.
    PAPER_PUBLISHED = "paper_published", "Panel paper published"
    ACTION_RETURNED = "action_returned", "Returned for more evidence"
    EXTENSION_REQUESTED = "extension_requested", "Deadline extension requested"
    EXTENSION_DECIDED = "extension_decided", "Deadline extension decided"
    # Written by actions.bulk_services when OPCC staff ask owners for an update.
    UPDATE_REQUESTED = "update_requested", "Update requested"
    # Scheduled: a closure proposal waiting for OPCC assurance (the lead, then all OPCC staff).
    CLOSURE_WAITING = "closure_waiting", "Closure waiting for assurance"
    CLOSURE_ESCALATION = "closure_escalation", "Closure still waiting for assurance"
    # Scheduled: a sustaining period about to end (the lead, or all OPCC staff with none).
    SUSTAIN_ENDING = "sustain_ending", "Sustaining period ends"
    # Scheduled: an extension request waiting for an OPCC decision (the lead, then all OPCC staff).
    EXTENSION_WAITING = "extension_waiting", "Extension request waiting for a decision"
    EXTENSION_ESCALATION = "extension_escalation", "Extension request still waiting for a decision"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    # Claimed by a digest send and handed to the mail relay; sent_at is written the moment the
    # relay accepts. A row left here (worker killed, database gone mid-send) is in doubt: the
    # stranded task resends it after REMINDER_SENDING_STUCK_MINUTES, with the same Message-ID.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent: no longer applies"
    FAILED = "failed", "Failed: gave up"


class ReminderQuerySet(models.QuerySet):
    def failing(self):
        """Rows whose last send attempt failed: given up on, or waiting for a retry."""
        return self.filter(
            Q(status=ReminderStatus.FAILED) | Q(status=ReminderStatus.PENDING, attempts__gt=0)
        ).exclude(last_error="")

    def stuck(self, *, now):
        """Rows handed to the relay longer ago than REMINDER_SENDING_STUCK_MINUTES, no answer
        recorded: the worker or the database went away mid-send."""
        cutoff = now - datetime.timedelta(minutes=settings.REMINDER_SENDING_STUCK_MINUTES)
        return self.filter(status=ReminderStatus.SENDING, sending_at__lt=cutoff)


class Reminder(models.Model):
    """One reminder or notification for one recipient, recorded under a unique key.

    The key is (recipient, action, meeting or inspection, kind, period). The sweep inserts the
    rows it decides are due and the database drops any it has already recorded, so a rerun, a
    retried task or a second beat process adds nothing; the digest task claims a recipient's
    pending rows ("sending"), sends them and marks them sent the moment the relay accepts
    (actions/reminders/digest.py).
    """

    Kind = ReminderKind
    Status = ReminderStatus

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders"
    )
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders"
    )
    meeting = models.ForeignKey(
        "reports.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # A source's response date or revisit (to OPCC staff): no action and no meeting.
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # With `meeting` set too, so the meeting key keeps these unique.
    question = models.ForeignKey(
        "reports.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    pack = models.ForeignKey(
        "reports.BriefingPack",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # An extension request waiting for a decision, with `action` set too (the action key keeps
    # these unique): the digest drops the line once the request is decided.
    extension_request = models.ForeignKey(
        ExtensionRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    period = models.CharField(
        max_length=80,
        help_text="Which occurrence this is, e.g. the deadline and the threshold it passed.",
    )
    detail = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the last send attempt handed the row to the mail relay: a failure's time, or how long
    # a row has been "sending".
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # For /health/, the administrators' banner and alert, and the stranded task: rows
            # failed, failing or in flight. Small, as sent and skipped rows leave it.
            models.Index(
                fields=["sending_at"],
                condition=Q(status__in=["pending", "sending", "failed"]),
                name="reminder_attempted_idx",
            ),
            # For send_due_reminders: who has reminders waiting. Small, as sent rows leave it.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(status="pending"),
                name="reminder_pending_idx",
            ),
            # For the sweep: the keys recorded in the last few weeks.
            models.Index(fields=["created_at"], name="reminder_created_idx"),
        ]
        constraints = [
            # The exactly-once key. NULLs never clash in a unique index, so each shape of
            # subject (action, meeting only, inspection only, none) has its own constraint.
            models.UniqueConstraint(
                fields=["recipient", "action", "kind", "period"],
                condition=Q(action__isnull=False),
                name="reminder_unique_action_key",
            ),
            models.UniqueConstraint(
                fields=["recipient", "meeting", "kind", "period"],
                condition=Q(action__isnull=True, meeting__isnull=False),
                name="reminder_unique_meeting_key",
            ),
            models.UniqueConstraint(
                fields=["recipient", "inspection", "kind", "period"],
                condition=Q(action__isnull=True, meeting__isnull=True, inspection__isnull=False),
                name="reminder_unique_inspection_key",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"],
                condition=Q(action__isnull=True, meeting__isnull=True, inspection__isnull=True),
                name="reminder_unique_recipient_key",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient} ({self.period})"


class ImportColumnMapping(models.Model):
    """Which field a spreadsheet column heading means, remembered per user for the next import.

    A preference, not domain data, so it is not audited. An empty field means "ignore".
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_column_mappings"
    )
    heading = models.CharField(max_length=200, help_text="The column heading, normalised.")
    field = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "heading"], name="import_mapping_unique")
        ]

    def __str__(self):
        return f"{self.heading} -> {self.field or 'ignored'} ({self.user})"


class Partnership(models.Model):
    """A partner force something is shared with: who shared it, when and why. Unsharing deletes
    the row; its history (simple-history, on each subclass) keeps who unshared it, when and why
    (the deletion row's `reason` is the ending's, set before the delete)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        abstract = True
        ordering = ["force__name"]


class ActionPartner(Partnership):
    """One partner force an action is shared with: these rows decide who sees an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partners")
    history = HistoricalRecords()

    class Meta(Partnership.Meta):
        constraints = [
            models.UniqueConstraint(fields=["action", "force"], name="action_partner_unique")
        ]

    def __str__(self):
        return f"{self.action} shared with {self.force}"


class FindingPartner(Partnership):
    """One partner force a finding is shared with (a unit several forces run answering one
    recommendation). Its actions are shared with the force too, each by an ActionPartner row."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="partners")
    history = HistoricalRecords()

    class Meta(Partnership.Meta):
        constraints = [
            models.UniqueConstraint(fields=["finding", "force"], name="finding_partner_unique")
        ]

    def __str__(self):
        return f"{self.finding} shared with {self.force}"
