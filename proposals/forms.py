"""Forms parse input only; the services validate the rules and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Department, Jurisdiction
from proposals.models import (
    CHANGE_NOTE_MAX_LENGTH,
    HEADING_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    StanceValue,
)
from proposals.selectors import SORTS, STATUS_FILTERS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


QUERY_NUL_REMOVED = _(
    "Your search held a NUL character, which cannot be searched for. "
    "It was left out and the rest of your search was used."
)


class BrowseForm(forms.Form):
    # Longer queries are cut, not refused (see proposals.search.MAX_QUERY_LENGTH).
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            ("open", _("Open")),
            ("closing_soon", _("Closing soon")),
            ("upcoming", _("Opening soon")),
            ("closed", _("Closed")),
            ("report_published", _("Report published")),
        ],
    )
    topic = forms.CharField(label=_("Topic"), required=False, max_length=100)
    department = forms.CharField(label=_("Department"), required=False, max_length=120)
    jurisdiction = forms.CharField(label=_("Jurisdiction"), required=False, max_length=120)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Relevance or newest")),
            ("deadline", _("Closing date")),
            ("activity", _("Activity")),
            ("newest", _("Newest")),
        ],
    )

    def __init__(self, data=None, *args, **kwargs):
        # A NUL cannot be stored or searched for (Django refuses it in any text
        # field): the query keeps everything else the person typed, and says so.
        self.query_note = ""
        if data is not None and "\x00" in data.get("q", ""):
            data = data.copy()
            data["q"] = data["q"].replace("\x00", "")
            self.query_note = QUERY_NUL_REMOVED
        super().__init__(data, *args, **kwargs)

    def clean_q(self):
        return self.cleaned_data["q"][:200]

    def clean_status(self):
        value = self.cleaned_data["status"]
        return value if value in STATUS_FILTERS else ""

    def clean_sort(self):
        value = self.cleaned_data["sort"]
        return value if value in SORTS else ""


class StanceForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Your stance"), choices=StanceValue.choices, widget=forms.RadioSelect
    )
    section = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ProposalForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    jurisdiction = forms.ModelChoiceField(
        label=_("Applies to"), queryset=Jurisdiction.objects.order_by("path")
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    summary = forms.CharField(
        label=_("Summary"), max_length=SUMMARY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    responsible_office = forms.CharField(
        label=_("Responsible office"), required=False, max_length=200
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_details = forms.CharField(
        label=_("Other contact details"), required=False, max_length=300
    )
    tags = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=500,
        help_text=_("Separate topics with commas."),
    )
    questions = forms.CharField(
        label=_("Consultation questions"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line. Citizens answer them in the discussion."),
    )
    requires_verification = forms.BooleanField(
        label=_("Only verified residents may take a stance"),
        required=False,
        help_text=_(
            "Stances are then limited to people verified as living in the place it applies to "
            "(or a place within it). Reading and commenting stay open to everyone."
        ),
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments

    def clean_tags(self) -> list[str]:
        return [
            t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()
        ]

    def clean_questions(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()
        ]


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=HEADING_MAX_LENGTH)
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    # The service enforces the limit with a message that gives both numbers.
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, lists, links. At most %(limit)s characters.")
        % {"limit": f"{SECTION_MAX_LENGTH:,}"},
    )


class VersionForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=CHANGE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScheduleForm(forms.Form):
    opens_at = datetime_field(_("Opens at"))
    closes_at = datetime_field(_("Closes at"))

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The consultation must close after it opens."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the public)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtendForm(ReasonForm):
    closes_at = datetime_field(_("New closing time"))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, image or office document."))
    title = forms.CharField(label=_("Title"), max_length=200)
    alt_text = forms.CharField(
        label=_("Text alternative"),
        required=False,
        max_length=500,
        help_text=_("Required for images: describe what the image shows."),
    )
