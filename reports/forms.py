"""Forms for meetings, questions and packs; the services in reports/services.py make the change."""

from django import forms
from django.core.exceptions import ValidationError

from actions.forms import UserChoiceField
from actions.models import Inspection
from reports.models import Meeting, Question
from tracker.forms import GovukDateField, GovukDateTimeField, WorkspaceForm
from tracker.models import User


class InspectionsField(forms.ModelMultipleChoiceField):
    """Inspections ticked by id; a number past the database's ids is refused, not looked up
    (SQLite cannot even compare it)."""

    def clean(self, value):
        for pk in value or []:
            text = str(pk).strip().lstrip("+-")
            if text.isascii() and text.isdigit() and int(text) > 2**63 - 1:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class MeetingForm(WorkspaceForm):
    kind = forms.ChoiceField(
        label="Type of meeting", choices=Meeting.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(max_length=300, error_messages={"required": "Enter a title."})
    starts_at = GovukDateTimeField(
        label="Date and time",
        error_messages={
            "required": "Enter the date and time.",
            "invalid": "Enter a real date and time, for example 14 11 2024 and 10:00.",
        },
    )
    location = forms.CharField(max_length=200, required=False)
    webcast_url = forms.URLField(
        label="Webcast link", max_length=500, required=False, assume_scheme="https"
    )
    inspections = InspectionsField(
        label="Inspections on the agenda",
        queryset=Inspection.objects.select_related("force").order_by("-published_on", "title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The briefing pack reports the actions of these inspections",
    )
    opcc_lead = UserChoiceField(
        label="OPCC lead (optional)",
        empty_label="No lead",
        queryset=None,
        required=False,
        help_text="Reminded of questions and commitments with nobody named to answer them",
    )

    def __init__(self, *args, office_id, **kwargs):
        """`office_id`: the meeting's office (a new meeting's: its author's), whose OPCC staff
        may lead it (roles.can_lead_meeting)."""
        super().__init__(*args, **kwargs)
        staff = User.objects.opcc_staff(office_id)
        self.fields["opcc_lead"].queryset = staff.order_by("last_name", "first_name")


def question_owners(office_id):
    """Who can be asked to answer at the office's meetings: the action owners of the forces it
    oversees and its OPCC staff."""
    owners = User.objects.action_owners().filter(force__office_id=office_id)
    return (
        (owners | User.objects.opcc_staff(office_id)).distinct().order_by("last_name", "first_name")
    )


class QuestionForm(WorkspaceForm):
    kind = forms.ChoiceField(label="Type", choices=Question.Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Question or commitment",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the question or commitment."},
    )
    owner = UserChoiceField(
        label="Who must answer", queryset=None, required=False, empty_label="Not yet assigned"
    )
    owner_role_title = forms.CharField(
        label="Their role title",
        max_length=120,
        required=False,
        help_text='Shown to the Panel and the public instead of a name, e.g. "ACC Crime". Leave '
        "blank to use the person's own title",
    )
    due_on = GovukDateField(label="Answer due by", required=False)

    def __init__(self, *args, office_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = question_owners(office_id)


class QuestionEditForm(QuestionForm):
    answer = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Saving an answer records the date it was answered",
    )


# The Panel paper's own words, in the order the paper prints them: (name, label, hint, rows).
PAPER_TEXT = [
    (
        "office_name",
        "Office",
        "The office's name as it publishes, e.g. \"Office of the Police "
        'and Crime Commissioner for Hertfordshire"',
        0,
    ),
    ("report_of", "Report of", 'For example "Police & Crime Commissioner"', 0),
    ("contact_name", "Contact officer", "Their name", 0),
    ("contact_role", "Contact officer's role", 'For example "Deputy Chief Executive"', 0),
    ("contact_email", "Contact officer's email address", "", 0),
    ("purpose", "Purpose of the report", "One or two sentences", 2),
    ("overall", "Summary", "The headline for the Panel, before the grades and figures", 5),
    ("response", "The Commissioner's response", "", 8),
    ("next_steps", "Next steps", "", 5),
    (
        "recommendation",
        "Recommendation to the Panel",
        'For example "to note ... and make any observations"',
        3,
    ),
]


class NarrativesForm(WorkspaceForm):
    """The Panel paper: front matter, summary, response, next steps, recommendation, and a
    narrative per area of the pack."""

    def __init__(self, *args, pack, **kwargs):
        super().__init__(*args, **kwargs)
        narratives = pack.narratives or {}
        for name, label, hint, rows in PAPER_TEXT:
            initial = narratives.get(name, "") if name == "overall" else getattr(pack, name)
            field_class = forms.EmailField if name == "contact_email" else forms.CharField
            self.fields[name] = field_class(
                label=label,
                help_text=hint,
                required=False,
                initial=initial,
                widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
            )
        for area in pack.snapshot["areas"]:
            self.fields[area["key"]] = forms.CharField(
                label=area["area"],
                help_text=area["inspection"],
                required=False,
                initial=narratives.get(area["key"], ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # Set after super().__init__ added the classes, so add them for the new fields too.
        for name, field in self.fields.items():
            textarea = isinstance(field.widget, forms.Textarea)
            field.widget.attrs["class"] = "govuk-textarea" if textarea else "govuk-input"
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{name}-hint"

    def split(self):
        """The area narratives (with "overall") and the paper's fields, as
        services.pack_save_narratives takes them."""
        narratives = dict(self.cleaned_data)
        paper = {name: narratives.pop(name) for name, *_ in PAPER_TEXT if name != "overall"}
        return {"narratives": narratives, "paper": paper}


class PublishForm(WorkspaceForm):
    public = forms.BooleanField(
        label="Also publish it on the public pages, for anyone to read", required=False
    )


class PublicForm(WorkspaceForm):
    public = forms.BooleanField(label="Show it on the public pages", required=False)
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter a reason for the change."},
    )


class PublicProgressForm(WorkspaceForm):
    public_progress = forms.BooleanField(
        label="Publish a live progress page for this inspection",
        required=False,
        help_text="Anyone can then read each finding's public wording, its public status and "
        "percent complete, and the public narratives of its updates, with role titles only",
    )
    inspector_summary = forms.CharField(
        label="HM Inspector's summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="As published in the report: the Panel paper prints it as an appendix",
    )
