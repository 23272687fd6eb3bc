import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, Jurisdiction

DISPLAY_NAME_INVALID = _("Use letters, numbers, spaces and ordinary punctuation only.")
DISPLAY_NAME_BLANK = _("Please choose a display name.")
DISPLAY_NAME_TOO_LONG = _("A display name can be at most %(limit)d characters.")

ZERO_WIDTH_JOINER = "\u200d"  # joins emoji sequences such as family emoji
VISIBLE = ("L", "N", "P", "S")


def clean_display_name(value: str) -> str:
    # NFKC folds look-alike forms; control and format characters (including
    # bidirectional overrides) could disguise a name, so they are refused.
    name = " ".join(unicodedata.normalize("NFKC", value).split())
    if not name:
        raise forms.ValidationError(DISPLAY_NAME_BLANK)
    # Normalising can lengthen text (one ligature becomes many letters).
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise forms.ValidationError(
            DISPLAY_NAME_TOO_LONG, params={"limit": DISPLAY_NAME_MAX_LENGTH}
        )
    hidden = {"Cc", "Cf", "Co", "Cs", "Cn"}
    if any(unicodedata.category(c) in hidden and c != ZERO_WIDTH_JOINER for c in name):
        raise forms.ValidationError(DISPLAY_NAME_INVALID)
    if not any(unicodedata.category(c).startswith(VISIBLE) for c in name):
        raise forms.ValidationError(DISPLAY_NAME_INVALID)
    return name


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
        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user) -> None:
        # The adapter already set the name before the first save.
        place = self.cleaned_data.get("home_jurisdiction")
        if place is not None:
            user.home_jurisdiction = place
            user.save(update_fields=["home_jurisdiction"])
