"""Forms for adding and editing a source of findings and recording its response."""

from django import forms

from actions.models import Force, Inspection, InspectionKind
from tracker.forms import GovukDateField, WorkspaceForm

SourceType = Inspection.SourceType


class PreviousInspectionField(forms.ModelChoiceField):
    """An earlier inspection, named with its force (when several may be offered) and date."""

    def __init__(self, *args, with_force=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_force = with_force

    def label_from_instance(self, obj):
        label = f"{obj.force}: {obj.title}" if self.with_force else obj.title
        on = obj.published_on
        return f"{label} (published {on.day} {on:%B %Y})" if on else label


class InspectionForm(WorkspaceForm):
    """A source's details and its response clock's dates. The force is chosen when the source
    is added; the previous inspection from the inspections the user may see when it is added
    (the model refuses another force's or a later one), and from the force's earlier ones when
    it is edited."""

    title = forms.CharField(
        max_length=300,
        help_text="As the report or letter names it",
        error_messages={"required": "Enter the source's title."},
    )
    force = forms.ModelChoiceField(
        queryset=Force.objects.all(),
        empty_label="Choose a force",
        error_messages={"required": "Choose the force the source is about."},
    )
    source_type = forms.ChoiceField(
        label="Source",
        choices=SourceType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the source came from."},
    )
    kind = forms.ChoiceField(
        label="Kind of inspection",
        choices=InspectionKind.choices,
        widget=forms.RadioSelect,
        help_text='For a source that is not an HMICFRS inspection, choose "Other"',
        error_messages={"required": "Choose the kind of inspection."},
    )
    published_on = GovukDateField(
        label="Published, made or sent on",
        required=False,
        help_text="An HMICFRS report's publication day, the day an IOPC recommendation was "
        "made, or the day a coroner's report was sent: the response clock starts here",
    )
    fieldwork_start = GovukDateField(label="Fieldwork began", required=False)
    fieldwork_end = GovukDateField(label="Fieldwork ended", required=False)
    link = forms.URLField(
        label="Link to the report", max_length=500, required=False, assume_scheme="https"
    )
    previous = PreviousInspectionField(
        label="Previous inspection",
        queryset=Inspection.objects.none(),
        required=False,
        empty_label="None chosen: the latest earlier one of the same force and kind",
        help_text="The same force's earlier inspection whose grades give the direction of travel",
    )
    inspector_summary = forms.CharField(
        label="HM Inspector's summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Printed as an appendix to the Panel paper",
    )
    response_due_on = GovukDateField(
        label="Response due on",
        required=False,
        help_text="Only for an internal audit, a super-complaint or another source: HMICFRS, "
        "IOPC and coroners' dates are worked out from the date above",
    )
    response_extended_to = GovukDateField(
        label="Extended to",
        required=False,
        help_text="Only if the IOPC or the coroner allowed more time",
    )
    response_extension_reason = forms.CharField(
        label="Extension: who allowed it and why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    response_published_on = GovukDateField(label="Response published or sent on", required=False)
    response_link = forms.URLField(
        label="Link to the response", max_length=500, required=False, assume_scheme="https"
    )
    revisit_on = GovukDateField(label="HMICFRS revisit on", required=False)
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history",
    )

    def __init__(self, *args, inspection=None, user=None, suggested_previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inspection is None:
            del self.fields["reason"]
            self.fields["force"].queryset = Force.objects.visible_to(user)
            previous = self.fields["previous"]
            previous.with_force = True
            if suggested_previous is not None:
                # Suggested, not preselected: an IOPC, coroner's or audit source added here
                # follows no PEEL inspection, and "None chosen" gives a new PEEL this one.
                suggestion = previous.label_from_instance(suggested_previous)
                previous.help_text = (
                    f'{previous.help_text}. Left as "None chosen", a PEEL inspection follows '
                    f"the force's latest earlier one: {suggestion}"
                )
            previous.queryset = (
                Inspection.objects.visible_to(user)
                .select_related("force")
                .order_by("force__name", "-published_on", "title")
            )
        else:
            # The force stays as it was added: its findings' actions have owners in that force.
            del self.fields["force"]
            earlier = Inspection.objects.filter(force_id=inspection.force_id).exclude(
                pk=inspection.pk
            )
            if inspection.published_on:
                earlier = earlier.filter(published_on__lt=inspection.published_on)
            self.fields["previous"].queryset = earlier.order_by("-published_on", "title")

    def clean(self):
        cleaned = super().clean()
        source, kind = cleaned.get("source_type"), cleaned.get("kind")
        if source and kind and source != SourceType.HMICFRS and kind != InspectionKind.OTHER:
            self.add_error("kind", 'Choose "Other": only an HMICFRS inspection has a kind.')
        return cleaned


class ResponseForm(WorkspaceForm):
    published_on = GovukDateField(label="Response published or sent on")
    link = forms.URLField(
        label="Link to the response",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Where the published response can be read",
    )
