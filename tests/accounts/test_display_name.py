"""A person changes their display name: under "Your account", through one
service, the new name shown wherever the old one was, and refused with a
clear message (the typed name kept, nothing written) when it is blank, too
long, hides characters, passes for a role or is another person's name."""

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consult.accounts import services
from consult.accounts.forms import DISPLAY_NAME_ROLE, DISPLAY_NAME_TAKEN
from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, AuditEntry, User
from discussion.comments import services as discussion_services
from discussion.models import Event
from tests.conftest import PASSWORD
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

pytestmark = pytest.mark.django_db

PAGE = "/accounts/name/"


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_page_is_in_the_account_menu_and_its_box_agrees_with_the_rule(client, make_user):
    person = make_user(display_name="Ada")
    page = BeautifulSoup(signed_in(client, person).get(PAGE).content, "html.parser")
    box = page.select_one("input[name=display_name]")
    assert box["value"] == "Ada"
    assert box["maxlength"] == str(DISPLAY_NAME_MAX_LENGTH)
    assert page.select_one(f'nav.subnav a[href="{PAGE}"]')["aria-current"] == "page"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_new_name_shows_on_every_comment_and_in_the_live_event_log(
    client,
    make_user,
    open_proposal,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    person = make_user(display_name="Ada")
    comment = discussion_services.comment_create(actor=person, proposal=open_proposal, body="Hi")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, person).post(PAGE, {"display_name": "  Ada   Lovelace "})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Ada Lovelace"

    html = client.get(comment.get_absolute_url()).content.decode()
    assert "Ada Lovelace" in html
    # A page that missed the live events is sent the new name, never the old one.
    events = Event.objects.filter(type__startswith="comment.", payload__id=comment.pk)
    assert events.exists()
    for event in events:
        assert "Ada Lovelace" in event.payload["html"]["en"]
        assert ">Ada<" not in event.payload["html"]["en"]

    entry = AuditEntry.objects.get(action="user.display_name")
    assert entry.before == {"display_name": "Ada"}
    assert entry.after == {"display_name": "Ada Lovelace"}
    assert entry.actor_id == person.pk


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("   ", "Please choose a display name."),
        ("x" * (DISPLAY_NAME_MAX_LENGTH + 1), f"at most {DISPLAY_NAME_MAX_LENGTH}"),
        ("Evil\u202eeman", "ordinary punctuation"),
        ("Official", "cannot look like a role"),
        ("City moderator", "cannot look like a role"),
        ("ＡＤＭＩＮ", "cannot look like a role"),  # full width, any case
        ("Site Staff", "cannot look like a role"),
        ("市政府官员", "cannot look like a role"),
        ("官方回复", "cannot look like a role"),
        ("版主小王", "cannot look like a role"),
        ("管理员", "cannot look like a role"),
        # The Chinese pages' own names for the roles.
        ("审核员", "cannot look like a role"),
        ("审核员小李", "cannot look like a role"),
        ("政府工作人员", "cannot look like a role"),
        ("ＳＴＡＦＦ", "cannot look like a role"),
        ("grace HOPPER", "Someone else is already called"),
        ("Ｇｒａｃｅ Ｈｏｐｐｅｒ", "Someone else is already called"),
    ],
)
def test_a_refused_name_keeps_what_was_typed_and_writes_nothing(client, make_user, typed, message):
    make_user(display_name="Grace Hopper")
    person = make_user(display_name="Ada")
    response = signed_in(client, person).post(PAGE, {"display_name": typed})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    errors = page.select_one(".form-error-summary").get_text()
    assert message in errors
    if typed.strip() and len(typed) <= DISPLAY_NAME_MAX_LENGTH:
        assert page.select_one("input[name=display_name]")["value"] == typed.strip()
    person.refresh_from_db()
    assert person.display_name == "Ada"
    assert not AuditEntry.objects.filter(action="user.display_name").exists()


def test_ordinary_names_near_role_words_pass(make_user):
    person = make_user(display_name="Ada")
    for name in ["Badminton fan", "Stafford Smith", "Modesto", "官小员"]:
        assert services.display_name_change(actor=person, name=name).display_name == name


def test_a_deleted_persons_old_name_is_free_and_ones_own_name_is_no_clash(make_user):
    gone = make_user(display_name="Grace Hopper")
    gone.deleted_at = timezone.now()
    gone.save()
    person = make_user(display_name="Ada")
    assert services.display_name_change(actor=person, name="Grace Hopper")
    assert services.display_name_change(actor=person, name="GRACE hopper")
    assert User.objects.get(pk=person.pk).display_name == "GRACE hopper"


def test_the_service_refuses_with_its_messages(make_user):
    make_user(display_name="Grace Hopper")
    person = make_user(display_name="Ada")
    with pytest.raises(forms.ValidationError) as refused:
        services.display_name_change(actor=person, name="Moderator")
    assert refused.value.messages == [str(DISPLAY_NAME_ROLE)]
    with pytest.raises(forms.ValidationError) as refused:
        services.display_name_change(actor=person, name="grace hopper")
    assert refused.value.messages == [str(DISPLAY_NAME_TAKEN) % {"name": "grace hopper"}]
    assert User.objects.get(pk=person.pk).display_name == "Ada"


def test_a_suspended_person_keeps_their_name(make_user):
    person = make_user(display_name="Ada")
    person.suspended_until = timezone.now() + timezone.timedelta(days=1)
    person.save()
    with pytest.raises(PermissionDenied, match="suspended"):
        services.display_name_change(actor=person, name="Someone New")
    assert User.objects.get(pk=person.pk).display_name == "Ada"


def test_a_quarter_sign_name_that_fits_the_box_is_taken_as_typed(client, make_user):
    person = make_user(display_name="Ada")
    typed = "¼" * DISPLAY_NAME_MAX_LENGTH
    response = signed_in(client, person).post(PAGE, {"display_name": typed})
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).display_name == typed


def test_sign_up_applies_the_same_rule(client, make_user):
    make_user(display_name="Grace Hopper")
    for name, message in [("Admin", "cannot look like a role"), ("grace hopper", "already")]:
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new@example.org",
                "display_name": name,
                "password1": PASSWORD + "-long enough",
                "password2": PASSWORD + "-long enough",
            },
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()


def test_renames_are_limited_to_a_few_a_day(client, make_user):
    person = make_user(display_name="Ada")
    for n in range(services.RENAMES.count):
        services.display_name_change(actor=person, name=f"Ada {n}")
    response = signed_in(client, person).post(PAGE, {"display_name": "Ada again"})
    assert response.status_code == 400
    assert "You are doing that too often." in response.content.decode()
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("input[name=display_name]")["value"] == "Ada again"
    assert User.objects.get(pk=person.pk).display_name == f"Ada {services.RENAMES.count - 1}"


def test_every_name_the_site_gives_a_role_is_refused_in_every_language(make_user):
    from django.conf import settings
    from django.utils import translation

    from consult.accounts.forms import looks_like_a_role
    from consult.accounts.models import Role

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for role in (Role.MODERATOR, Role.OFFICIAL):
                label = str(role.label)
                assert looks_like_a_role(label), (language, label)
                assert looks_like_a_role(f"{label} 2"), (language, label)
