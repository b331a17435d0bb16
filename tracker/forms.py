"""Forms for a user's own account settings."""

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
