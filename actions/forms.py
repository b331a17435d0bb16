"""Workspace forms for inspections, findings, actions and evidence; the services make the change."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from actions.models import (
    Action,
    Evidence,
    ExternalStatus,
    FindingKind,
    GradedArea,
    Rag,
    Status,
)
from actions.services import OPCC_ONLY, TRANSITIONS
from tracker import files, roles
from tracker.forms import GovukDateField, WorkspaceForm
from tracker.models import User


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.role_title})" if obj.role_title else str(obj)


def owners_of(force_id):
    return User.objects.action_owners(force_id).order_by("last_name", "first_name")


def opcc_staff(office_id):
    """The office's OPCC staff: who may lead its actions (roles.can_lead_in_force)."""
    return User.objects.opcc_staff(office_id).order_by("last_name", "first_name")


def opcc_leads(force_id):
    """Who may lead an action of this force: its office's OPCC staff."""
    return User.objects.opcc_leads(force_id).order_by("last_name", "first_name")


def owners_in(force_ids):
    """Action owners in any of these forces (a collaboration's own and partner forces)."""
    owners = User.objects.action_owners().filter(force_id__in=force_ids)
    return owners.select_related("force").order_by("last_name", "first_name")


class FindingForm(WorkspaceForm):
    kind = forms.ChoiceField(
        label="Type",
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
        help_text="A coroner's prevention of future deaths report lists matters of concern",
    )
    reference = forms.CharField(max_length=40, help_text='As printed in the report, e.g. "AFI 3"')
    text = forms.CharField(label="Text of the finding", widget=forms.Textarea(attrs={"rows": 5}))
    area = forms.ModelChoiceField(
        label="Graded area", queryset=None, required=False, empty_label="Not linked to an area"
    )
    parent = forms.ModelChoiceField(
        label="Cause of concern it belongs to",
        queryset=None,
        required=False,
        empty_label="None",
        help_text="Only for a recommendation made under a cause of concern",
    )
    due_on = GovukDateField(label="Date set by the inspectorate", required=False)
    public_text = forms.CharField(
        label="Public wording",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the Panel and the public instead of the text, if it is sensitive",
    )
    no_action_reason = forms.CharField(
        label="Reason for taking no action",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The s.55 response must say why, if no action will be taken",
    )

    def __init__(self, *args, inspection, finding=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = inspection.graded_areas.all()
        parents = inspection.findings.filter(kind=FindingKind.CAUSE_OF_CONCERN)
        if finding is not None:
            parents = parents.exclude(pk=finding.pk)
        self.fields["parent"].queryset = parents

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("parent") and cleaned.get("kind") != FindingKind.RECOMMENDATION:
            self.add_error("parent", "Only a recommendation can belong to a cause of concern.")
        return cleaned


class ExternalStatusForm(WorkspaceForm):
    status = forms.ChoiceField(
        label="Status with the inspectorate",
        choices=ExternalStatus.choices,
        widget=forms.RadioSelect,
    )
    on = GovukDateField(label="Date of the decision")
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the letter or revisit report that discharged it (kept in history).",
    )


class PredecessorForm(WorkspaceForm):
    predecessor = forms.ModelChoiceField(
        label="The area it follows in the previous inspection",
        queryset=GradedArea.objects.none(),
        required=False,
        empty_label="None: a new area, not compared",
        widget=forms.RadioSelect,
        help_text="PEEL renames areas between rounds; the direction of travel compares with this.",
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in the history."
    )

    def __init__(self, *args, previous_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = GradedArea.objects.filter(
            pk__in=[area.pk for area in previous_areas]
        ).order_by("position", "name")


def past_deadline_field():
    return forms.BooleanField(
        label="This records a past deadline",
        required=False,
        help_text="Only when entering the history of an earlier plan: a deadline that has "
        "already passed is otherwise refused",
    )


class ActionForm(WorkspaceForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = GovukDateField(label="Deadline")
    owner = UserChoiceField(queryset=None, required=False, empty_label="Not yet assigned")
    owner_role_title = forms.CharField(
        label="Owner's role title",
        max_length=120,
        required=False,
        help_text='Shown publicly instead of a name, e.g. "ACC Crime". Leave blank to use the '
        "owner's own title",
    )
    opcc_lead = UserChoiceField(
        label="OPCC lead", queryset=None, required=False, empty_label="Not yet assigned"
    )
    entering_history = past_deadline_field()

    def __init__(self, *args, force_id, partner_force_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A finding shared with partner forces: their owners may own its new action too.
        self.fields["owner"].queryset = (
            owners_in({force_id, *partner_force_ids}) if partner_force_ids else owners_of(force_id)
        )
        self.fields["opcc_lead"].queryset = opcc_leads(force_id)


class ActionEditForm(WorkspaceForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AssignForm(WorkspaceForm):
    owner = UserChoiceField(queryset=None, required=False, empty_label="Not assigned")
    owner_role_title = forms.CharField(label="Owner's role title", max_length=120, required=False)
    delegate = UserChoiceField(
        queryset=None,
        required=False,
        empty_label="No delegate",
        help_text="May post updates and evidence on the owner's behalf",
    )
    opcc_lead = UserChoiceField(
        label="OPCC lead", queryset=None, required=False, empty_label="Not assigned"
    )

    def __init__(self, *args, force_ids, lead_force_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners_in(force_ids)
        self.fields["delegate"].queryset = owners_in(force_ids)
        self.fields["opcc_lead"].queryset = opcc_leads(lead_force_id)


class PersonField(forms.CharField):
    """A person typed as a username or email address (or a user id), found among `queryset`:
    a national deployment has too many people for a dropdown."""

    def __init__(self, *args, queryset=None, missing="", **kwargs):
        kwargs.setdefault("help_text", "Username or email address")
        super().__init__(*args, **kwargs)
        self.queryset, self.missing = queryset, missing

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        match = Q(username__iexact=value) | Q(email__iexact=value)
        if value.isdigit() and len(value) < 19:
            match |= Q(pk=int(value))
        people = list(self.queryset.filter(match)[:2])
        if len(people) != 1:
            raise ValidationError(self.missing.format(value=value))
        return people[0]


class ActionsField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # An id past the database's integer range is no action, not a database error.
        if any(str(pk).strip().isdigit() and int(str(pk).strip()) >= 2**63 for pk in value):
            raise ValidationError("Select actions from the list.", code="invalid_choice")
        return super()._check_values(value)


class BulkForm(WorkspaceForm):
    """The actions ticked on the action list, among those the user may see."""

    actions = ActionsField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one action."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only actions the user may change: a collaboration is its managing office's to change.
        self.fields["actions"].queryset = (
            Action.objects.managed_by(user)
            .select_related("finding__inspection__force", "owner", "opcc_lead", "delegate")
            .order_by("deadline", "pk")
        )


class BulkRequestUpdateForm(BulkForm):
    message = forms.CharField(
        label="What you would like to hear about",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; each owner is sent one notice listing their selected actions",
    )


class BulkDeadlineForm(BulkForm):
    deadline = GovukDateField(
        label="Move the deadlines to",
        error_messages={"required": "Enter the new deadline."},
    )
    reason = forms.CharField(
        label="Reason for moving the deadlines",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in each action's history and shown to the Panel",
        error_messages={"required": "Enter a reason for moving the deadlines."},
    )


class BulkAssignForm(BulkForm):
    owner = PersonField(
        label="New owner",
        required=False,
        missing="There is no active action owner {value}: enter their username or email.",
        help_text="Username or email address; leave blank to keep each action's owner",
    )
    opcc_lead = PersonField(
        label="New OPCC lead",
        required=False,
        missing="There is no active OPCC officer {value}: enter their username or email.",
        help_text="Username or email address; leave blank to keep each action's lead",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["actions"].error_messages["required"] = "Select at least one action to assign."
        self.fields["owner"].queryset = User.objects.action_owners().select_related("force")
        self.fields["opcc_lead"].queryset = opcc_staff(roles.office_id_of(user))

    def clean(self):
        cleaned = super().clean()
        # A typed name that matched no one already has its own error on the field: saying
        # "choose one" as well would wrongly suggest nothing was typed.
        typed = any(
            self.data.get(self.add_prefix(name), "").strip() for name in ("owner", "opcc_lead")
        )
        if not typed and not cleaned.get("owner") and not cleaned.get("opcc_lead"):
            raise ValidationError("Choose an owner, an OPCC lead, or both.")
        return cleaned


class DeadlineForm(WorkspaceForm):
    deadline = GovukDateField(
        label="New deadline",
        help_text="Today or later, and not before the report was published. Changed within a "
        "day of the action being added, it corrects the first deadline rather than moving it",
    )
    entering_history = past_deadline_field()
    reason = forms.CharField(
        label="Reason for moving the deadline",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the action's history and shown to the Panel",
        error_messages={"required": "Enter a reason for moving the deadline."},
    )


class ExtensionRequestForm(WorkspaceForm):
    requested_deadline = GovukDateField(
        label="New deadline you are asking for",
        help_text="Later than the current deadline. OPCC staff approve or decline the request",
        error_messages={"required": "Enter the deadline you are asking for."},
    )
    reason = forms.CharField(
        label="Why more time is needed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the action's history; if approved, it is the reason the deadline moved",
        error_messages={"required": "Enter why more time is needed."},
    )


class ExtensionDecisionForm(WorkspaceForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve: move the deadline"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or decline."},
    )
    decision_reason = forms.CharField(
        label="Reason for the decision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to decline; sent to the owner and kept in the history",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("decision_reason", "").strip():
            self.add_error("decision_reason", "Enter a reason for declining.")
        return cleaned


class UpdateForm(WorkspaceForm):
    narrative = forms.CharField(
        label="Progress since the last update",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the progress made."},
    )
    status = forms.ChoiceField(widget=forms.RadioSelect)
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        help_text="Green: on track. Amber: at risk. Red: off track. An overdue action is always "
        "shown red",
    )
    percent_complete = forms.IntegerField(label="Percent complete", min_value=0, max_value=100)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        # The statuses an update may set from here; closing and reopening have their own pages.
        allowed = {action.status} | set(TRANSITIONS[action.status])
        self.fields["status"].choices = [
            (status.value, status.label)
            for status in Status
            if status in allowed and (status not in OPCC_ONLY or status == action.status)
        ]

    def clean(self):
        if self.action.status == Status.CLOSED:
            raise ValidationError("This action is closed. OPCC staff must reopen it first.")
        return super().clean()


class ProposeClosureForm(WorkspaceForm):
    narrative = forms.CharField(
        label="Why the action is complete",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say what was done and which evidence shows it",
        error_messages={"required": "Enter why the action is complete."},
    )


class EvidenceForm(WorkspaceForm):
    kind = forms.ChoiceField(
        label="Type of evidence", choices=Evidence.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title."})
    file = forms.FileField(required=False, help_text=files.ALLOWED_DESCRIPTION)
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(
        label="Data note", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Named per form, not at import, so the hint follows the configured limit.
        limit = settings.EVIDENCE_MAX_UPLOAD_MB
        self.fields["file"].help_text = f"{files.ALLOWED_DESCRIPTION}, smaller than {limit} MB"

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Evidence.Kind.DOCUMENT:
            upload = cleaned.get("file")
            if not upload and "file" not in self.errors:
                self.add_error("file", "Select a file to upload.")
            elif upload:
                try:
                    cleaned["content_type"] = files.validate_evidence_file(upload)
                except ValidationError as error:
                    self.add_error("file", error)
        elif kind == Evidence.Kind.LINK and not cleaned.get("url") and "url" not in self.errors:
            self.add_error("url", "Enter the link to the evidence.")
        elif kind == Evidence.Kind.NOTE and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Enter the data note.")
        return cleaned


class AssureForm(WorkspaceForm):
    note = forms.CharField(
        label="Assurance note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked and what it shows",
        error_messages={"required": "Enter an assurance note."},
    )


class CloseForm(WorkspaceForm):
    closure_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the finding was addressed; shown to the Panel",
        error_messages={"required": "Enter a closure summary."},
    )


class ReopenForm(WorkspaceForm):
    reason = forms.CharField(
        label="Reason for reopening",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown at the top of the action page and kept in its history for OPCC staff "
        "and owners; not shown to the Panel or the public (say what they should know in the "
        "pack's Panel summary)",
        error_messages={"required": "Enter a reason for reopening."},
    )
    rag = forms.ChoiceField(
        label="RAG rating now",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        help_text="Green: on track. Amber: at risk. Red: off track",
        error_messages={"required": "Choose the RAG rating the reopened action has now."},
    )
    percent_complete = forms.IntegerField(
        label="Percent complete now",
        min_value=0,
        max_value=100,
        help_text="How much of the work still stands as done; the old closure summary is kept "
        "in the history",
    )


class ReturnForm(WorkspaceForm):
    reason = forms.CharField(
        label="What more is needed",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent to the owner and kept in the action's history",
        error_messages={"required": "Enter what more is needed."},
    )


class SustainForm(WorkspaceForm):
    until = GovukDateField(
        label="Watch until", error_messages={"required": "Enter the date to watch until."}
    )
    reason = forms.CharField(
        label="What will show the improvement has lasted",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what will be watched."},
    )
