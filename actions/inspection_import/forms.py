"""Forms for the HMICFRS report import: the upload or pasted text, and the review of the draft."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from actions.inspection_import.source import ALLOWED_DESCRIPTION, read_report
from actions.models import FindingKind, Force, Grade, Inspection, InspectionKind
from tracker.forms import GovukDateField, WorkspaceForm


class ImportStartForm(WorkspaceForm):
    file = forms.FileField(
        label="Report file",
        required=False,
        help_text=f"A {ALLOWED_DESCRIPTION}, smaller than {settings.REPORT_MAX_UPLOAD_MB} MB",
    )
    text = forms.CharField(
        label="Or paste the report's text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    force = forms.ModelChoiceField(
        queryset=Force.objects.none(),
        required=False,
        empty_label="Find it in the report",
        help_text='Helps find findings that name the force, e.g. "Hertfordshire Constabulary '
        'should improve ..."',
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Force.objects.visible_to(user)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise ValidationError("Choose a file or paste text, not both.")
        force = cleaned.get("force")
        try:
            # A text without recognised findings is kept: the officer adds them by hand.
            parsed, source = read_report(
                text=text,
                upload=upload,
                force_name=force.name if force else None,
                require_findings=False,
            )
        except ValidationError as error:
            self.add_error("file" if upload else "text", error)
            return cleaned
        cleaned["parsed"], cleaned["source_text"] = parsed, source
        cleaned["source_name"] = upload.name if upload else "pasted text"
        return cleaned


class ReviewInspectionForm(WorkspaceForm):
    title = forms.CharField(max_length=300, error_messages={"required": "Enter a title."})
    force = forms.ModelChoiceField(
        queryset=Force.objects.none(),
        empty_label="Choose the force",
        error_messages={"required": "Choose the force the report is about."},
    )
    kind = forms.ChoiceField(label="Type of inspection", choices=InspectionKind.choices)
    source_type = forms.ChoiceField(
        label="Where the report came from", choices=Inspection.SourceType.choices
    )
    published = GovukDateField(label="Published", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = Force.objects.visible_to(user)


class PrefixedIdsForm(WorkspaceForm):
    """Hint and error ids carry the form's prefix: a page shows many of these forms."""

    def _prefix_described_by(self):
        prefix = f"{self.prefix}-"
        for field in self.fields.values():
            tokens = field.widget.attrs.pop("aria-describedby", "").split()
            tokens = [t if t.startswith(prefix) else prefix + t for t in tokens]
            if tokens:
                field.widget.attrs["aria-describedby"] = " ".join(dict.fromkeys(tokens))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prefix_described_by()

    def full_clean(self):
        super().full_clean()
        self._prefix_described_by()


class AreaDraftForm(PrefixedIdsForm):
    name = forms.CharField(label="Area", max_length=200, required=False)
    grade = forms.ChoiceField(choices=Grade.choices)


class FindingDraftForm(PrefixedIdsForm):
    selected = forms.BooleanField(label="Select", required=False)
    kind = forms.ChoiceField(label="Type", choices=FindingKind.choices)
    reference = forms.CharField(max_length=40)
    area = forms.ChoiceField(label="Graded area", required=False)
    parent = forms.ChoiceField(label="Cause of concern it belongs to", required=False)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        required=False,
        help_text="To split this finding, put a blank line where it divides and choose Split",
    )
    repeats = forms.TypedMultipleChoiceField(
        label="Earlier findings it repeats",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, areas, causes, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Not linked to an area")] + [(a, a) for a in areas]
        self.fields["parent"].choices = [("", "None")] + [(c, c) for c in causes]
        self.suggestions = suggestions
        self.fields["repeats"].choices = [
            (item["finding"].pk, f"{item['finding'].inspection}, {item['finding'].reference}")
            for item in suggestions
        ]

    def repeat_choices(self):
        """(checkbox, suggestion) pairs: the checkbox and the score and text it stands for."""
        return list(zip(self["repeats"], self.suggestions, strict=True))


def review_formsets(draft, data=None, *, indexes, suggestions):
    """A form per graded area, and one per finding of `indexes` (the page shown), each prefixed
    with the finding's place in the whole draft; `suggestions` follows `indexes`."""
    areas = [area["name"] for area in draft["graded_areas"] if area["name"]]
    causes = [f["reference"] for f in draft["findings"] if f["kind"] == "cause_of_concern"]
    area_forms = [
        AreaDraftForm(data, prefix=f"area-{i}", initial=area)
        for i, area in enumerate(draft["graded_areas"])
    ]
    finding_forms = []
    for i, suggested in zip(indexes, suggestions, strict=True):
        finding = draft["findings"][i]
        form = FindingDraftForm(
            data,
            prefix=f"finding-{i}",
            initial={**finding, "area": finding["area"] or "", "parent": finding["parent"] or ""},
            areas=sorted(set(areas) | ({finding["area"]} - {None})),
            causes=[cause for cause in causes if cause != finding["reference"]],
            suggestions=suggested,
        )
        form.index = i
        finding_forms.append(form)
    return area_forms, finding_forms


def review_forms(draft, data=None, *, user, indexes, suggestions):
    """The review screen's forms: inspection details, one per graded area, one per finding on
    the page shown."""
    info = draft["inspection"]
    inspection_form = ReviewInspectionForm(
        data,
        user=user,
        prefix="inspection",
        initial={
            "title": info["title"],
            "force": info["force_id"],
            "kind": info["kind"],
            "source_type": info.get("source_type", Inspection.SourceType.HMICFRS),
            "published": info["published"],
        },
    )
    if info["force_name"] and not info["force_id"]:
        inspection_form.fields["force"].help_text = (
            f"The report names {info['force_name']}, which is not in the tracker yet: choose "
            "another, or ask an administrator to add it"
        )
        inspection_form.fields["force"].widget.attrs["aria-describedby"] = "force-hint"
    area_forms, finding_forms = review_formsets(
        draft, data, indexes=indexes, suggestions=suggestions
    )
    return inspection_form, area_forms, finding_forms
