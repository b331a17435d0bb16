"""Forms for the spreadsheet plan import: the upload and the choice of columns."""

from django import forms
from django.conf import settings
from openpyxl.utils import get_column_letter

from actions.models import Inspection
from actions.plan_import import columns, files
from tracker.forms import WorkspaceForm


class ImportUploadForm(WorkspaceForm):
    file = forms.FileField(
        label="Action plan spreadsheet",
        error_messages={"required": "Select a spreadsheet to upload."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"An Excel workbook (.xlsx) or a CSV file, smaller than {settings.PLAN_MAX_UPLOAD_MB} "
            "MB. The first sheet is read"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_data["file_name"] = files.validate_upload(upload)
        return upload


class ImportColumnsForm(WorkspaceForm):
    """One choice per column of the file: which field it holds, or ignore it."""

    inspection = forms.ModelChoiceField(
        label="Inspection for rows that do not name one",
        queryset=None,
        required=False,
        empty_label="Every row names its inspection",
        help_text="Use this when the spreadsheet is the plan for one inspection",
    )

    def __init__(self, *args, headings, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = Inspection.objects.visible_to(user).select_related(
            "force"
        )
        choices = [("", "Ignore this column")] + [
            (name, label) for name, label in columns.FIELD_LABELS.items()
        ]
        self.column_names = []
        for index, heading in enumerate(headings):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=f"Column {get_column_letter(index + 1)}: {heading or '(no heading)'}",
                choices=choices,
                required=False,
            )
            self.fields[name].widget.attrs["class"] = "govuk-select"
            self.column_names.append(name)

    def mapping(self):
        return {
            int(name.removeprefix("column_")): self.cleaned_data[name]
            for name in self.column_names
            if self.cleaned_data.get(name)
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for problem in columns.mapping_problems(
                self.mapping(), default_inspection=cleaned.get("inspection")
            ):
                self.add_error(None, problem)
        return cleaned


# Importing a report
