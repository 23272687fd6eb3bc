from __future__ import annotations

import functools
import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, Jurisdiction, Role, User
from consult.infra import names, translations

DISPLAY_NAME_INVALID = _("Use letters, numbers, spaces and ordinary punctuation only.")
DISPLAY_NAME_BLANK = _("Please choose a display name.")
DISPLAY_NAME_TOO_LONG = _("A display name can be at most %(limit)d characters.")
DISPLAY_NAME_ROLE = _(
    "A display name cannot look like a role on this site (official, moderator, admin, "
    "staff): people would take your words for the site's. Choose a name of your own."
)
DISPLAY_NAME_TAKEN = _(
    "Someone else is already called “%(name)s”. Choose a name that tells you apart."
)

# Words that would pass a person off as the site or one of its roles, in the
# languages of the site. Matched in the folded form (any case, full-width
# letters as plain ones); the Latin ones as whole words, so "Badminton" passes.
# Beside them, the names the site itself gives its roles in every language it
# speaks (ROLE_LABELS), as its catalogue has them: "审核员" is how the Chinese
# pages say "Moderator".
ROLE_WORDS = re.compile(
    r"(?<![a-z])(?:officials?|moderators?|admins?|administrators?|staff)(?![a-z])"
    r"|官员|官員|官方|版主|管理员|管理員|审核员|審核員|工作人员|工作人員"
)
ROLE_LABELS = (Role.MODERATOR, Role.OFFICIAL)


def clean_display_name(value: str) -> str:
    """The name as typed, spaces tidied (it is not rewritten: what fits the
    box is what is kept), refused when blank, too long or holding a hidden
    character (see consult.infra.names)."""
    name = names.tidy(value)
    if not name:
        raise forms.ValidationError(DISPLAY_NAME_BLANK)
    # Counted as the box counts, so a name the box takes is never too long.
    if names.box_length(name) > DISPLAY_NAME_MAX_LENGTH:
        raise forms.ValidationError(
            DISPLAY_NAME_TOO_LONG, params={"limit": DISPLAY_NAME_MAX_LENGTH}
        )
    if not names.is_clean(name):
        raise forms.ValidationError(DISPLAY_NAME_INVALID)
    return name


def _folded(text: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(char for char in folded if char not in names.JOINERS)


@functools.cache
def _role_labels(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The roles' own names in each language, folded. Names in Latin letters
    are left to ROLE_WORDS, which matches them as whole words."""
    labels = set()
    for language in languages:
        with translation.override(language):
            labels.update(_folded(str(role.label)) for role in ROLE_LABELS)
    return tuple(sorted(label for label in labels if not label.isascii()))


def looks_like_a_role(name: str) -> bool:
    folded = _folded(name)
    if ROLE_WORDS.search(folded) is not None:
        return True
    languages = tuple(code for code, _name in settings.LANGUAGES)
    return any(label in folded for label in _role_labels(languages))


def check_display_name_free(name: str, *, user: User | None = None) -> None:
    """Refuse a name that passes for a role, or is another person's current
    name (compared folded: "ＡＤＡ" is "Ada")."""
    if looks_like_a_role(name):
        raise forms.ValidationError(DISPLAY_NAME_ROLE)
    others = User.objects.filter(display_name_key=names.comparable(name), deleted_at__isnull=True)
    if user is not None and user.pk:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise forms.ValidationError(DISPLAY_NAME_TAKEN, params={"name": name})


class SignupForm(forms.Form):
    """Extra fields for allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("Shown publicly next to what you write. You can use your real name or not."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    home_jurisdiction = forms.ModelChoiceField(
        label=_("Where you live (optional)"),
        queryset=Jurisdiction.objects.order_by("path"),
        required=False,
        help_text=_("Only used to count how many people from each place took part."),
    )

    def clean_display_name(self) -> str:
        name = clean_display_name(self.cleaned_data["display_name"])
        check_display_name_free(name)
        return name

    def signup(self, request, user) -> None:
        # The adapter already set the name before the first save.
        place = self.cleaned_data.get("home_jurisdiction")
        if place is not None:
            user.home_jurisdiction = place
            user.save(update_fields=["home_jurisdiction"])


NAME_IN_LANGUAGE = _("Name in %(language)s")
NAME_IN_LANGUAGE_HELP = _("Shown to readers of that language; leave empty to show the name above.")


def translated_name_field(code: str) -> str:
    return f"name_{code.replace('-', '_')}"


class NamesInLanguagesForm(forms.ModelForm):
    """A name in the site's other languages, beside the name itself: one box
    per language, under the same rule as the name (consult.infra.names).
    Use `in_languages()`, the form with those boxes."""

    @classmethod
    def in_languages(cls) -> type[NamesInLanguagesForm]:
        # Built when asked for, not at import: the site's languages are settings.
        limit = cls._meta.model._meta.get_field("name").max_length
        boxes = {
            translated_name_field(code): forms.CharField(
                label=gettext(NAME_IN_LANGUAGE) % {"language": gettext(label)},
                help_text=NAME_IN_LANGUAGE_HELP,
                required=False,
                max_length=limit,
            )
            for code, label in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE
        }
        return type(cls.__name__, (cls,), boxes)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        row = self.translated_row()
        for code in translations.languages():
            field = translated_name_field(code)
            if field in self.fields and field not in self.initial:
                self.initial[field] = translations.translated(row, "name", code)

    def translated_row(self):
        """The row whose `translations` hold the names (the instance itself)."""
        return self.instance

    def clean(self) -> dict:
        data = super().clean()
        row = self.translated_row()
        for code in translations.languages():
            field = translated_name_field(code)
            if field not in self.fields:
                continue
            name = names.tidy(data.get(field))
            if name and not names.is_clean(name):
                self.add_error(field, names.LABEL_CHARACTERS)
                continue
            data[field] = name
            translations.set_translation(row, code, name=name)
        return data
