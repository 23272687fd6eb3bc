"""Forms of the moderation pages: a consultation's rules, and the audit log's filter."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from discussion.moderation import policy, premoderation

# Room for the longest list clean_terms accepts, one term a line; anything
# longer is refused by the field before it is split.
TERMS_TEXT_LIMIT = premoderation.TERMS_LIMIT * (premoderation.TERM_LIMIT + 2)


def terms_field_name(language: str) -> str:
    return "terms_" + language.replace("-", "_")


class PolicyForm(forms.Form):
    """One consultation's pre-moderation rules; blocked terms one per line,
    one box per language of the site."""

    hold_all = forms.BooleanField(
        label=_("Hold every comment for review"),
        required=False,
        help_text=_("Comments appear only once a moderator approves them."),
    )
    min_account_age_days = forms.IntegerField(
        label=_("Hold comments from accounts younger than (days)"),
        required=False,
        min_value=0,
        max_value=policy.AGE_LIMIT,
        help_text=_("From 0 to 365. Empty or 0: no rule."),
    )
    max_links = forms.IntegerField(
        label=_("Hold comments with more links than"),
        required=False,
        min_value=0,
        max_value=policy.LINKS_LIMIT,
        help_text=_("From 0 to 50. Empty: no limit. 0 holds any comment with a link."),
    )
    reason = forms.CharField(
        label=_("Why you are changing the rules (optional)"),
        required=False,
        max_length=policy.REASON_LIMIT,
        help_text=_("Kept on the moderators' audit log."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[terms_field_name(code)] = forms.CharField(
                label=_("Blocked terms in %(language)s") % {"language": name},
                required=False,
                max_length=TERMS_TEXT_LIMIT,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 6, "lang": code, "spellcheck": "false"}),
                help_text=_(
                    "One term per line. Latin-script terms match whole words; Chinese terms "
                    "match anywhere, also with spaces or punctuation between the characters."
                ),
            )
        # The reason and the version last, after the rules.
        self.order_fields(
            ["hold_all", "min_account_age_days", "max_links"]
            + [terms_field_name(code) for code, _name in settings.LANGUAGES]
        )

    @staticmethod
    def initial_for(policy_row) -> dict:
        state = policy.policy_state(policy_row)
        initial = {
            "hold_all": state["hold_all"],
            "min_account_age_days": state["min_account_age_days"],
            "max_links": state["max_links"],
            "version": policy.policy_version(policy_row),
        }
        for code, _name in settings.LANGUAGES:
            initial[terms_field_name(code)] = "\n".join(state["terms"].get(code, []))
        return initial

    def terms_fields(self) -> list[forms.BoundField]:
        return [self[terms_field_name(code)] for code, _name in settings.LANGUAGES]

    def clean(self):
        data = super().clean()
        terms = {}
        for code, _name in settings.LANGUAGES:
            name = terms_field_name(code)
            if name not in data:
                continue  # already refused by the field
            lines = data[name].splitlines()
            try:
                terms.update(premoderation.clean_terms({code: lines}))
            except ValidationError as error:
                self.add_error(name, error)
        data["blocked_terms"] = terms
        return data


class AuditFilterForm(forms.Form):
    """Narrow the audit log to one kind of action."""

    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args, actions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *actions]

    def chosen(self) -> str:
        return self.cleaned_data["action"] if self.is_valid() else ""
