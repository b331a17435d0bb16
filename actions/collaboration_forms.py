"""Forms to share an action or a finding with a partner force and to end the sharing."""

from django import forms

from tracker.forms import WorkspaceForm


class ForceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.office})"


class ShareForm(WorkspaceForm):
    force = ForceChoiceField(
        label="Partner force",
        queryset=None,
        empty_label="Choose a force",
        help_text="Its office will read the action; its action owners may be assigned it",
        error_messages={"required": "Choose the force to share the action with."},
    )
    reason = forms.CharField(
        label="Reason for sharing",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, the unit the forces share. Recorded in the sharing history",
        error_messages={"required": "Enter a reason for sharing the action."},
    )

    def __init__(self, *args, forces, what="action", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces
        if what != "action":
            self.fields["force"].help_text = (
                f"Its office will read the {what} and its actions; its action owners may be "
                "assigned them"
            )
            self.fields["force"].error_messages["required"] = (
                f"Choose the force to share the {what} with."
            )
            self.fields["reason"].error_messages["required"] = (
                f"Enter a reason for sharing the {what}."
            )


class UnshareForm(WorkspaceForm):
    force = ForceChoiceField(
        label="Stop sharing with",
        queryset=None,
        empty_label="Choose a force",
        error_messages={"required": "Choose the force to stop sharing the action with."},
    )
    reason = forms.CharField(
        label="Reason for ending the sharing",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the sharing history",
        error_messages={"required": "Enter a reason for ending the sharing."},
    )

    def __init__(self, *args, forces, what="action", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = forces
        if what != "action":
            self.fields["force"].error_messages["required"] = (
                f"Choose the force to stop sharing the {what} with."
            )
