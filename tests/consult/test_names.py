"""One rule for the invisible characters in names and short labels: display
names, theme and topic names, token names and department names agree."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from consult.accounts.forms import clean_display_name
from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, User
from consult.api import tokens
from consult.infra import names
from discussion.moderation.curation import clean_theme
from tests.proposals.conftest import draft, people  # noqa: F401

ZWNJ, ZWJ = "\u200c", "\u200d"

# Real names and words, written as their own spelling writes them.
ACCEPTED = [
    f"مریم حسین{ZWNJ}زاده",  # Persian: ZWNJ between the parts of a surname
    f"می{ZWNJ}خواهم",  # Persian verb prefix
    f"क्{ZWJ}ष",  # Hindi: half form with ZWJ
    f"क्{ZWNJ}ष",  # Hindi: explicit virama with ZWNJ
    f"अवन्{ZWJ}",  # a ZWJ after a virama may end a word
    f"ന്{ZWJ}",  # Malayalam chillu (old encoding) at the end of a word
    f"അവന്{ZWJ} മേനോന്{ZWJ}",  # chillu letters ending two Malayalam words
    f"ශ්{ZWJ}රී ලංකා",  # Sinhala "Sri Lanka": the rakaransaya takes a ZWJ
    "王小明",
    "محمد علي",
    "דוד לוי",
    "देवनागरी नाम",
    "สมชาย ใจดี",
    "김민준",
    "山田 太郎",
    "Иван Петров",
    "Γιώργος Παπαδόπουλος",
    "O'Brien",
    "Jean-Luc Picard",
    f"Sam \U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467",  # an emoji family
]

REFUSED = [
    "Evil\u202eeman",  # right-to-left override
    "\u202dLeft override",  # left-to-right override
    "Isolated \u2066name\u2069",  # bidi isolates
    "Embedded \u202aname\u202c",  # bidi embedding and pop
    "Zero\u200bwidth",  # zero-width space
    "\ufeffByte order",  # byte-order mark
    "Nul\x00l",  # NUL
    "Bell\x07",  # a control character
    "Lone \ud800 surrogate",
    "Soft\u00adhyphen",
    "Word\u2060joiner",
    f"{ZWNJ}Leading joiner",  # a joiner outside a word hides only itself
    f"Trailing joiner {ZWJ}",
    f"Doubled{ZWNJ}{ZWNJ}joiner",
    "Private \ue000 use",
]


@pytest.mark.parametrize("name", ACCEPTED)
def test_real_names_in_many_scripts_are_welcome_as_display_names(name):
    assert clean_display_name(name) == name


@pytest.mark.parametrize("name", ACCEPTED)
def test_real_names_in_many_scripts_are_welcome_as_theme_names(name):
    assert clean_theme(name) == name


@pytest.mark.parametrize("name", REFUSED)
def test_hidden_and_direction_changing_characters_are_refused_as_display_names(name):
    with pytest.raises(forms.ValidationError, match="ordinary punctuation"):
        clean_display_name(name)


@pytest.mark.parametrize("name", REFUSED)
def test_hidden_and_direction_changing_characters_are_refused_as_theme_names(name):
    with pytest.raises(ValidationError, match="letters, digits"):
        clean_theme(name)


@pytest.mark.django_db
def test_token_and_department_names_follow_the_same_rule(make_user, tree):
    owner = make_user()
    token, _raw = tokens.token_create(actor=owner, name=ACCEPTED[0], can_write=False)
    assert token.name == ACCEPTED[0]
    with pytest.raises(ValidationError, match="ordinary punctuation"):
        tokens.token_create(actor=owner, name="Evil\u202eeman", can_write=False)
    owner.display_name = ACCEPTED[0]
    owner.full_clean()  # as the admin's form checks it
    owner.display_name = "Nul\x00l"
    with pytest.raises(ValidationError, match="ordinary punctuation"):
        owner.full_clean()
    tree.city_office.name = ACCEPTED[7]
    tree.city_office.full_clean()
    tree.city_office.name = "Zero\u200bwidth office"
    with pytest.raises(ValidationError, match="ordinary punctuation"):
        tree.city_office.full_clean()


@pytest.mark.django_db
def test_a_persian_name_with_its_non_joiner_signs_up(client):
    name = f"مریم حسین{ZWNJ}زاده"
    response = client.post(
        "/accounts/signup/",
        {
            "email": "maryam@example.org",
            "display_name": name,
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="maryam@example.org").display_name == name


def test_a_name_that_fits_the_box_is_not_too_long_after_normalising():
    """ "¼" is one character in the box; NFKC would make it three ("1⁄4")."""
    name = "¼" * DISPLAY_NAME_MAX_LENGTH
    assert clean_display_name(name) == name  # kept as typed, counted as typed
    with pytest.raises(forms.ValidationError, match=f"at most {DISPLAY_NAME_MAX_LENGTH}"):
        clean_display_name("¼" * (DISPLAY_NAME_MAX_LENGTH + 1))


def test_the_rule_counts_as_the_box_counts():
    # A browser's maxlength counts UTF-16 code units: an emoji fills two.
    assert names.box_length("¼" * 60) == 60
    assert names.box_length("\U0001f600" * 30) == 60
    assert clean_display_name("\U0001f600" * 30) == "\U0001f600" * 30
    with pytest.raises(forms.ValidationError, match="at most"):
        clean_display_name("\U0001f600" * 30 + "a")
    assert names.box_cut("ab\U0001f600", 3) == "ab"


@pytest.mark.django_db
def test_consultation_topics_follow_the_same_rule(draft, people):  # noqa: F811
    from proposals.services import drafts

    def save(tags):
        return drafts.proposal_update(
            actor=people.official,
            proposal=draft,
            title=draft.title,
            summary=draft.summary,
            jurisdiction=draft.jurisdiction,
            tags=tags,
        )

    save([ACCEPTED[0], ACCEPTED[7], "Parking"])
    assert sorted(draft.tags.names()) == sorted([ACCEPTED[0], ACCEPTED[7], "Parking"])
    with pytest.raises(ValidationError, match="hidden or direction-changing"):
        save(["Parking", "Evil\u202eeman"])
    assert "Parking" in draft.tags.names()
