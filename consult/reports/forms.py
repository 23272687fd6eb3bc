"""The draft report's form: its introduction, and four fields for each entry.

The words go to `report_save` as they were typed: the service cleans them,
limits their length and says what is wrong, field by field.
"""

from __future__ import annotations

from django import forms

from consult.reports.report.evidence import plain_number

ENTRY_FIELDS = ("you_said", "we_did", "status", "version")
# What officials write again in each of the consultation's other languages.
TRANSLATED_ENTRY_FIELDS = ("title", "you_said", "we_did")


class TypedText(forms.CharField):
    """Text as typed, not required, nothing refused here (the service cleans it)."""

    def __init__(self) -> None:
        super().__init__(required=False, strip=False)
        self.validators = []


class ReportForm(forms.Form):
    revision = TypedText()
    intro = TypedText()

    def __init__(self, data, *, entry_ids: list[int], languages: list[str] = ()) -> None:
        """`languages`: the consultation's other languages, the draft's words
        in which are typed too."""
        super().__init__(data)
        self.entry_ids = entry_ids
        self.languages = list(languages)
        for pk in entry_ids:
            for field in ENTRY_FIELDS:
                self.fields[f"entry-{pk}-{field}"] = TypedText()
        for code in self.languages:
            self.fields[f"intro-{code}"] = TypedText()
            for pk in entry_ids:
                for field in TRANSLATED_ENTRY_FIELDS:
                    self.fields[f"entry-{pk}-{field}-{code}"] = TypedText()

    def clean_revision(self) -> int:
        """The revision the draft was read at; -1 (never current) when unreadable."""
        revision = plain_number(self.cleaned_data["revision"])
        return -1 if revision is None else revision

    def entries(self) -> dict[int, dict]:
        """Each entry's fields by its id; a version as its number when it is one."""
        data = self.cleaned_data
        entries = {}
        for pk in self.entry_ids:
            fields = {field: data[f"entry-{pk}-{field}"] for field in ENTRY_FIELDS}
            number = plain_number(fields["version"])
            if number is not None:
                fields["version"] = number
            entries[pk] = fields
        return entries

    def texts_in(self) -> dict[str, dict]:
        """The words typed in each other language, by language: its "intro"
        and its "entries" (by id). A language whose boxes were not on the
        page sent is left out, so its words are kept as they are."""
        data = self.cleaned_data
        return {
            code: {
                "intro": data[f"intro-{code}"],
                "entries": {
                    pk: {
                        field: data[f"entry-{pk}-{field}-{code}"]
                        for field in TRANSLATED_ENTRY_FIELDS
                    }
                    for pk in self.entry_ids
                },
            }
            for code in self.languages
            if f"intro-{code}" in self.data
        }
