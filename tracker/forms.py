"""Account settings forms, and the base form and date input that every workspace form uses."""

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join

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


# The GOV.UK date input (https://design-system.service.gov.uk/components/date-input/): a day, a
# month and a year box, named <name>_day, <name>_month and <name>_year. One value sent under the
# field's own name ("2025-06-01" from the API, links and older clients) is read as a whole date,
# and so is a whole date typed by hand into the day box ("1/6/2025", "1 June 2025").
DATE_PARTS = ("day", "month", "year")
MONTHS = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
} | {"sept": 9}
ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
WRITTEN_DATE = re.compile(
    r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?[\s/.-]+(?P<month>[0-9]{1,2}|[a-z]+)[\s/.,-]+"
    r"(?P<year>[0-9]+)",
    re.IGNORECASE,
)


def date_parts(text):
    """The (day, month, year) strings of a whole date typed as one value, or None."""
    text = text.strip()
    match = ISO_DATE.fullmatch(text) or WRITTEN_DATE.fullmatch(text)
    return match and (match["day"], match["month"], match["year"])


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes in GOV.UK markup; the legend, hint and error are the fieldset's
    (templates/components/field.html)."""

    PARTS = DATE_PARTS
    WIDTHS = {"day": 2, "month": 2, "year": 4, "time": 4}

    def __init__(self, attrs=None):
        super().__init__(dict.fromkeys(self.PARTS, forms.TextInput), attrs)
        # Set by GovukDateField when it refuses a value: the boxes to outline in red, and the
        # first of them is where the error summary's link goes.
        self.error_parts = ()

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        # An initial value kept as text, as the report import's draft keeps "2025-03-04".
        parts = date_parts(value) if isinstance(value, str) else None
        if not parts:
            return ["", "", ""]
        return [str(int(part)) if part.isdigit() else part for part in parts]

    def value_from_datadict(self, data, files, name):
        whole = data.get(name)
        if whole:
            return [whole, *("" for _ in self.PARTS[1:])]
        return [data.get(f"{name}_{part}", "") for part in self.PARTS]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{part}" in data for part in self.PARTS)

    def id_for_label(self, id_):
        return f"{id_}_{(self.error_parts or self.PARTS)[0]}" if id_ else ""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        attrs = self.build_attrs(self.attrs, attrs)
        id_ = attrs.get("id") or name
        items = []
        for part, part_value in zip(self.PARTS, values, strict=True):
            error = " govuk-input--error" if part in self.error_parts else ""
            items.append(
                format_html(
                    '<div class="govuk-date-input__item"><div class="govuk-form-group">'
                    '<label class="govuk-label govuk-date-input__label" for="{id}">{label}</label>'
                    '<input class="govuk-input govuk-date-input__input govuk-input--width-{width}'
                    '{error}" id="{id}" name="{name}" type="text" inputmode="numeric"'
                    ' value="{value}">'
                    "</div></div>",
                    id=f"{id_}_{part}",
                    label=part.capitalize(),
                    width=self.WIDTHS[part],
                    error=error,
                    name=f"{name}_{part}",
                    value=part_value or "",
                )
            )
        return format_html(
            '<div class="govuk-date-input" id="{}">{}</div>',
            id_,
            format_html_join("", "{}", ((item,) for item in items)),
        )


class GovukDateField(forms.Field):
    """A date from the GOV.UK date input, with errors that name the part to fix."""

    widget = GovukDateInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(*args, **kwargs)
        # Unless the form words its own, "Enter the deadline" is built from the label.
        own = kwargs.get("error_messages") or {}
        self.required_message, self.invalid_message = own.get("required"), own.get("invalid")

    def refuse(self, message, parts):
        self.widget.error_parts = tuple(parts)
        if message.startswith("must be a real") and self.invalid_message:
            return ValidationError(self.invalid_message, code="invalid")
        return ValidationError(f"{self.label or 'Date'} {message}", code="invalid")

    def prepare_value(self, value):
        # A valid date typed as one value shows again in the three boxes.
        if isinstance(value, list | tuple):
            try:
                return self.to_python(value) or value
            except ValidationError:
                pass
        return value

    def to_python(self, value):
        if isinstance(value, datetime.date) or value is None:
            return value
        if isinstance(value, str):
            value = [value, "", ""]
        day, month, year = (str(part or "").strip() for part in value[:3])
        if not (day or month or year):
            return None
        if day and not month and not year and not day.isdigit():
            whole = date_parts(day)
            if not whole:
                raise self.refuse("must be a real date", ["day"])
            day, month, year = whole
        missing = [
            part for part, text in zip(DATE_PARTS, (day, month, year), strict=True) if not text
        ]
        if missing:
            raise self.refuse(f"must include a {' and '.join(missing)}", missing)
        month = str(MONTHS.get(month.lower(), month))
        bad = [
            part
            for part, text, pattern in zip(
                DATE_PARTS, (day, month, year), ("[0-9]{1,2}", "[0-9]{1,2}", "[0-9]+"), strict=True
            )
            if not re.fullmatch(pattern, text)
        ]
        if bad:
            raise self.refuse("must be a real date", bad)
        if len(year) != 4:
            raise self.refuse("year must include 4 numbers", ["year"])
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise self.refuse(
                "must be a real date", ["day"] if 1 <= int(month) <= 12 else ["month"]
            ) from None

    def validate(self, value):
        if value is None and self.required:
            self.widget.error_parts = self.widget.PARTS
            label = self.label or "date"
            raise ValidationError(
                self.required_message or f"Enter the {label[0].lower()}{label[1:]}.",
                code="required",
            )

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2}))?\s*(?P<half>am|pm)?", re.I)


class GovukDateTimeInput(GovukDateInput):
    """The GOV.UK date input and a time box ("10:00", "2pm")."""

    PARTS = (*DATE_PARTS, "time")

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            return [*super().decompress(local.date()), f"{local:%H:%M}"]
        return [*super().decompress(value), ""]


class GovukDateTimeField(GovukDateField):
    """An aware datetime in UK time from the date input and a time box; one ISO value
    ("2024-11-14T10:00") under the field's name works too."""

    widget = GovukDateTimeInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "For example, 27 3 2026 and 10:00, in UK time")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.datetime) or value is None:
            return value
        if isinstance(value, str):
            value = [value, "", "", ""]
        whole = str(value[0] or "").strip()
        if whole and not any(value[1:]):
            for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"):
                try:
                    return timezone.make_aware(datetime.datetime.strptime(whole, pattern))
                except ValueError:
                    pass
        date = super().to_python(value[:3])
        time = str(value[3] or "").strip()
        if date is None:
            if time:
                raise self.refuse("must include a day, month and year", DATE_PARTS)
            return None
        if not time:
            raise self.refuse("must include a time", ["time"])
        match = TIME.fullmatch(time)
        hour, minute = (int(match["hour"]), int(match["minute"] or 0)) if match else (99, 0)
        if match and match["half"]:
            hour = hour % 12 + (12 if match["half"].lower() == "pm" else 0) if hour <= 12 else 99
        if hour > 23 or minute > 59:
            raise self.refuse("must be a real time", ["time"])
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour, minute)))


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

    # Widgets that are a group of inputs: described on their fieldset, in the template.
    GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple, GovukDateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.id_base = self.id_base(name)
            widget = field.widget
            if isinstance(widget, GovukDateInput):
                continue  # it draws its own GOV.UK classes, part by part
            # The nearest class in WIDGET_CLASSES: a Select subclass is still a govuk-select.
            css = next(
                (
                    self.WIDGET_CLASSES[kind]
                    for kind in type(widget).__mro__
                    if kind in self.WIDGET_CLASSES
                ),
                "govuk-input",
            )
            if isinstance(widget, forms.NumberInput):
                css = "govuk-input govuk-input--width-3"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if field.help_text and not isinstance(widget, self.GROUPS):
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
        if name in self.fields and not isinstance(self.fields[name].widget, self.GROUPS):
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
