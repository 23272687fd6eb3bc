"""Forms parse input only; the services validate the rules and write."""

import copy

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Department, Jurisdiction
from consult.infra.translations import translated
from proposals.models import (
    CHANGE_NOTE_MAX_LENGTH,
    HEADING_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    StanceValue,
)
from proposals.selectors import SORTS, STATUS_FILTERS
from proposals.services.common import other_languages, translation_key

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


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class TranslatedFields:
    """A form whose texts may also be written in the consultation's other
    languages: beside each translatable field, one more per language, labelled
    with it, its input marked with `lang`, never required (empty: not yet
    translated). Their names are services.common.translation_key, the names
    a service's refusal gives, so a message shows at the right field."""

    TRANSLATED: tuple[str, ...] = ()

    def add_translations(self, language: str | None) -> None:
        self.translation_languages = other_languages(language) if language else []
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name not in self.TRANSLATED:
                continue
            for code in self.translation_languages:
                fields[translation_key(name, code)] = self._translated_field(field, code)
        self.fields = fields

    @staticmethod
    def _translated_field(field: forms.Field, code: str) -> forms.Field:
        other = copy.deepcopy(field)
        other.required = False
        other.label = _("%(label)s (%(language)s)") % {
            "label": field.label,
            "language": language_name(code),
        }
        other.help_text = _("Leave empty until it is translated: readers then see the original.")
        other.widget.attrs["lang"] = code
        return other

    def translations(self, names: tuple[str, ...] | None = None) -> dict[str, dict[str, str]]:
        """{language: {field: text}} as typed, for a service."""
        data = self.cleaned_data
        return {
            code: {
                name: data.get(translation_key(name, code)) or ""
                for name in (names or self.TRANSLATED)
            }
            for code in self.translation_languages
        }

    def translation_initial(self, obj, names: tuple[str, ...] | None = None) -> dict[str, str]:
        return {
            translation_key(name, code): translated(obj, name, code)
            for code in self.translation_languages
            for name in (names or self.TRANSLATED)
        }


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


class ProposalForm(TranslatedFields, forms.Form):
    TRANSLATED = ("title", "summary", "questions")

    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    language = forms.ChoiceField(
        label=_("Written in"),
        choices=settings.LANGUAGES,
        # Left out: the official's own language for a new draft, unchanged for one.
        required=False,
        help_text=_(
            "The language of the title, summary and text below. It can be changed only while "
            "the draft was never published; the other language's texts can be added at any time."
        ),
    )
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

    def __init__(self, *args, departments=None, language=None, language_fixed=False, **kwargs):
        """`language`: the draft's, to edit its texts in the others too (a new
        draft has none yet); `language_fixed`: it was published."""
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments
        if language_fixed:
            del self.fields["language"]
        self.add_translations(language)
        for code in self.translation_languages:
            self.fields[translation_key("questions", code)].help_text = _(
                "One line per question, in the same order as the questions above. "
                "An empty line: that question is not yet translated."
            )

    def service_data(self) -> dict:
        """The cleaned data as the draft services take it."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self.base_fields and name != "language"
        }
        if "language" in self.fields:
            data["language"] = self.cleaned_data["language"] or None
        if self.translation_languages:
            data["translations"] = self.translations(("title", "summary"))
            data["question_translations"] = {
                code: (self.cleaned_data.get(translation_key("questions", code)) or "").split("\n")
                for code in self.translation_languages
            }
        return data

    def clean_tags(self) -> list[str]:
        return [
            t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()
        ]

    def clean_questions(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()
        ]


class SectionForm(TranslatedFields, forms.Form):
    TRANSLATED = ("heading", "body")

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

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.add_translations(language)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in ("heading", "body", "revision")}
        return {**data, "translations": self.translations()}

    def bodies(self) -> dict[str, str]:
        """{language: text} for each language the text is written in, the
        consultation's own first (valid forms only)."""
        texts = {self.language: self.cleaned_data.get("body")}
        for code in self.translation_languages:
            texts[code] = self.cleaned_data.get(translation_key("body", code))
        return {code: text for code, text in texts.items() if text and text.strip()}


class VersionForm(TranslatedFields, forms.Form):
    TRANSLATED = ("change_note",)

    change_note = forms.CharField(
        label=_("What changed"),
        max_length=CHANGE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translations(language)


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


class AttachmentForm(TranslatedFields, forms.Form):
    TRANSLATED = ("title", "alt_text")

    file = forms.FileField(label=_("File"), help_text=_("PDF, image or office document."))
    title = forms.CharField(label=_("Title"), max_length=200)
    alt_text = forms.CharField(
        label=_("Text alternative"),
        required=False,
        max_length=500,
        help_text=_("Required for images: describe what the image shows."),
    )

    def __init__(self, *args, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translations(language)


class AttachmentTranslationForm(TranslatedFields, forms.Form):
    """An attachment's title and text alternative in the other languages."""

    TRANSLATED = ("title", "alt_text")

    title = AttachmentForm.base_fields["title"]
    alt_text = AttachmentForm.base_fields["alt_text"]

    def __init__(self, *args, attachment, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translations(attachment.language)
        # Only the other languages: the attachment's own texts stay as uploaded.
        del self.fields["title"], self.fields["alt_text"]
        self.initial.update(self.translation_initial(attachment))
