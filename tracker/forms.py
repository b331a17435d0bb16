"""Account settings forms, and the base form and date input that every workspace form uses."""

from django import forms

from tracker.models import User


class EmailPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["weekly_digest", "notify_changes_at_once"]
        labels = {
            "weekly_digest": "Send me the weekly summary of my open actions",
            "notify_changes_at_once": "Email me about changes to my actions as they happen",
        }
        help_texts = {
            "weekly_digest": "Deadline, overdue and escalation reminders are always sent.",
            "notify_changes_at_once": (
                "Otherwise updates, closure proposals, assurance and deadline moves on your "
                "actions come in the next daily email."
            ),
        }
        widgets = {
            "weekly_digest": forms.CheckboxInput(
                attrs={"class": "govuk-checkboxes__input", "aria-describedby": "weekly_digest-hint"}
            ),
            "notify_changes_at_once": forms.CheckboxInput(
                attrs={
                    "class": "govuk-checkboxes__input",
                    "aria-describedby": "notify_changes_at_once-hint",
                }
            ),
        }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now, or a recovery code",
        error_messages={"required": "Enter the code from your authenticator app."},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "aria-describedby": "code-hint",
            }
        ),
    )


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkspaceForm(forms.Form):
    """GOV.UK Design System classes on widgets, and hints and errors tied to their fields."""

    WIDGET_CLASSES = {
        forms.Textarea: "govuk-textarea",
        forms.Select: "govuk-select",
        forms.RadioSelect: "govuk-radios__input",
        forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
        forms.CheckboxInput: "govuk-checkboxes__input",
        forms.ClearableFileInput: "govuk-file-upload",
        forms.FileInput: "govuk-file-upload",
    }

    ERROR_CLASSES = {"govuk-input", "govuk-select", "govuk-textarea", "govuk-file-upload"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.id_base = self.id_base(name)
            widget = field.widget
            css = self.WIDGET_CLASSES.get(type(widget), "govuk-input")
            if isinstance(widget, forms.NumberInput):
                css = "govuk-input govuk-input--width-3"
            elif isinstance(widget, forms.DateInput):
                css = "govuk-input govuk-input--width-10"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            # A group of radios or checkboxes is described on its fieldset, in the template.
            if field.help_text and not isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                widget.attrs["aria-describedby"] = f"{field.id_base}-hint"

    def id_base(self, name):
        """The stem of a field's hint and error ids."""
        # Default ids keep the bare field name; a form given its own auto_id (a second form on
        # the same page) carries it into its hint and error ids too, so no id repeats.
        if isinstance(self.auto_id, str) and "%s" in self.auto_id and self.auto_id != "id_%s":
            return self.auto_id % name
        return name

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            self.mark_error(name)

    def mark_error(self, name):
        """Tie a field's error message to its input, and give the input its error style."""
        if name in self.fields and not isinstance(
            self.fields[name].widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            widget = self.fields[name].widget
            described = widget.attrs.get("aria-describedby", "")
            widget.attrs["aria-describedby"] = f"{described} {self.id_base(name)}-error".strip()
            base = widget.attrs["class"].split()[0]
            if base in self.ERROR_CLASSES:
                widget.attrs["class"] += f" {base}--error"

    def add_service_error(self, error):
        """Show a service's refusal (a WorkflowError or model validation): at the field it names
        when the form has that field, else above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            field = name if name in self.fields else None
            self.add_error(field, messages)
            if field:
                self.mark_error(field)
