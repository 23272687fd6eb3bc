from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from discussion.comments import keys, limits
from discussion.comments.selectors import SORTS
from discussion.models import COMMENT_MAX_LENGTH, VoteValue


class FillTokenInput(forms.HiddenInput):
    """Always drawn with the time it is drawn, also when a refused form comes back."""

    def format_value(self, value):
        return limits.fill_token()


class PostKeyInput(forms.HiddenInput):
    """A new key each time the form is drawn: the page's draft. A refused
    form comes back with a new one (nothing was stored under the old)."""

    def format_value(self, value):
        return keys.post_key_new()


class EmptyTextInput(forms.TextInput):
    """Always drawn empty: a refused form must not come back with the honeypot
    still filled, where a person cannot reach it to empty it."""

    def format_value(self, value):
        return None


class CommentBodyField(forms.CharField):
    """The text of a comment. Whether it is there, its length and its characters
    (NUL, half a character) are checked by the comment service, as for the
    socket and the API, so that every way in refuses the same text with the
    same words (discussion.comments.services.clean_body). The browser still asks for
    some text before sending."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.widget.attrs["required"] = True
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class CommentForm(forms.Form):
    # The service enforces the limit with a message that gives both numbers.
    body = CommentBodyField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=_("Markdown: **bold**, *italic*, lists, links. Disagree with ideas, not people."),
    )
    section = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    question = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # Sent again after a lost answer (a double click, a dropped connection),
    # the same post is stored once. Its form is checked by the service.
    key = forms.CharField(required=False, strip=False, widget=PostKeyInput)
    # For people: nothing. For scripts that fill every field and post at once: a refusal.
    started = forms.CharField(required=False, widget=FillTokenInput)
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=EmptyTextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        template_name="discussion/_honeypot_field.html",
    )


class EditForm(forms.Form):
    body = CommentBodyField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 6}))


# The vote form's fourth button: takes one's vote back.
VOTE_WITHDRAW = "withdraw"


class VoteForm(forms.Form):
    value = forms.ChoiceField(choices=VoteValue.choices)


class SortForm(forms.Form):
    sort = forms.ChoiceField(
        label=_("Sort comments"),
        required=False,
        choices=[
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
            ("agreed", _("Most agreed")),
            ("discussed", _("Most discussed")),
            ("controversial", _("Most controversial")),
        ],
    )

    def clean_sort(self) -> str:
        value = self.cleaned_data["sort"]
        return value if value in SORTS else "oldest"
