from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from consult.notifications.models import Delivery, Kind, Preference


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("Email me about"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your notifications page always shows everything, whatever you choose here."),
    )
    delivery = forms.ChoiceField(
        label=_("How to send them"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language of the emails"), required=False)

    def __init__(self, *args, preference: Preference, **kwargs):
        super().__init__(*args, **kwargs)
        last = preference.last_language
        if last in {code for code, _name in settings.LANGUAGES}:
            follow = _("The language I last used on this site (now %(language)s)") % {
                "language": get_language_info(last)["name_translated"]
            }
        else:
            follow = _("The language I last used on this site")
        # Drawn per request, in the reader's language.
        self.fields["language"].choices = [("", follow), *settings.LANGUAGES]
        self.initial = {
            "email_kinds": [kind for kind in Kind.values if preference.kind_on(kind)],
            "delivery": preference.delivery,
            "language": preference.language,
        }
