"""The privacy page says what is kept and why, with the site's own figures."""

import pytest
from django.utils import translation

from consult.accounts.models import User
from consult.privacy import selectors

pytestmark = pytest.mark.django_db


def test_the_privacy_page_explains_what_is_kept_with_the_configured_figures(client, settings):
    settings.CONSULT_SESSION_IDLE_TIMEOUT = 30 * 60
    settings.CONSULT_SESSION_MAX_AGE = 14 * 24 * 3600

    response = client.get("/privacy/")

    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Your account",
        "What you contribute",
        "Stances",
        "Identity verification",
        "API tokens",
        "Sessions and cookies",
        "Network (IP) addresses and logs",
        "Download your data",
        "Delete your account",
    ):
        assert heading in page
    assert "after 30 minutes without activity, and after 14 days in any case" in page
    assert "discarded after 1 hour at most" in page
    assert "for 7 days" in page
    assert "deleted participant" in page
    # Signed out: the way to the account page goes through signing in.
    assert "/accounts/login/?next=/accounts/privacy/" in page


def test_the_privacy_page_names_the_controller_contact_legal_basis_and_complaints(client, settings):
    settings.CONSULT_PRIVACY = {
        "placeholders": [],
        "controller": "City of Riverside, Town Hall, 1 Market Square",
        "contact": "dpo@riverside.example.gov",
        "legal_basis": "A task in the public interest (Local Government Act, s. 12)",
        "complaints": "The Information Commissioner, https://ico.example.gov/complain",
    }

    page = client.get("/privacy/").content.decode()

    assert "Who is responsible for your data" in page
    assert "City of Riverside, Town Hall, 1 Market Square" in page
    assert 'href="mailto:dpo@riverside.example.gov"' in page
    assert "A task in the public interest (Local Government Act, s. 12)" in page
    assert 'href="https://ico.example.gov/complain"' in page
    assert "placeholders" not in page


def test_a_demo_privacy_page_says_its_details_are_placeholders(client, settings, monkeypatch):
    from consult.infra import config

    for name in config.PRIVACY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings.CONSULT_PRIVACY = config.privacy_notice(debug=True)

    page = client.get("/privacy/").content.decode()

    assert "the details below are placeholders, not a real organisation" in page
    assert config.PRIVACY_PLACEHOLDERS["PRIVACY_CONTROLLER"] in page


def test_the_privacy_page_links_a_signed_in_person_to_their_data(client, make_user):
    client.force_login(make_user())
    page = client.get("/privacy/").content.decode()
    assert 'href="/accounts/privacy/"' in page


def test_every_page_links_to_the_privacy_page(client):
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_the_address_window_is_the_longest_configured_for_addresses(settings):
    settings.CONSULT_RATE_LIMITS = {"comment": {"user": ["1/86400"], "ip": ["5/120"]}}
    settings.CONSULT_API_RATES = {"anonymous": ["1/60"], "token": ["1/99999"], "ip": ["9/7200"]}
    settings.CONSULT_OPENDATA_DOWNLOAD_RATES = ["1/30"]
    # Per person and per token windows count no address.
    assert selectors.address_window_seconds() == 7200


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(7200, "2 hours"), (86400, "1 day"), (90, "90 seconds"), (1800, "30 minutes")],
)
def test_durations_in_words(seconds, text):
    with translation.override("en"):
        assert selectors.duration_text(seconds) == text


def test_the_public_name_of_a_deleted_account(make_user):
    person = make_user(display_name="Ada Lovelace")
    assert person.public_name == "Ada Lovelace"
    person.deleted_at = person.date_joined
    assert person.public_name == "deleted participant"
    assert str(person) == f"deleted participant #{person.pk}"
    assert User.objects.get(pk=person.pk).public_name == "Ada Lovelace"  # not saved
