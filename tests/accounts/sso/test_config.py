"""OIDC_* variables: good values configure allauth, bad ones name the variable."""

import pytest

from consult.infra import config

GOOD = {
    "OIDC_SERVER_URL": "https://id.example.gov/realms/citizens/",
    "OIDC_CLIENT_ID": "consult",
    "OIDC_CLIENT_SECRET": "s3cret-value",
}
VARIABLES = (
    "OIDC_SERVER_URL",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_PROVIDER_ID",
    "OIDC_NAME",
    "OIDC_SCOPES",
    "OIDC_TOKEN_AUTH_METHOD",
)


@pytest.fixture
def env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_env


def the_app(providers: dict) -> dict:
    (app,) = providers["openid_connect"]["APPS"]
    return app


def test_single_sign_on_is_off_without_a_server_url(env):
    assert config.oidc_providers() == {}


@pytest.mark.parametrize("name", ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"])
def test_client_settings_without_a_server_url_are_a_mistake(env, name):
    env(**{name: "something"})
    with pytest.raises(config.ConfigError) as caught:
        config.oidc_providers()
    assert str(caught.value).startswith(f"{name}: ")
    assert "OIDC_SERVER_URL" in str(caught.value)


def test_defaults(env):
    env(**GOOD)
    providers = config.oidc_providers()
    app = the_app(providers)
    assert providers["openid_connect"]["SCOPE"] == ["openid", "profile", "email"]
    assert app["provider_id"] == "government"
    assert app["name"] == "Government ID"
    assert (app["client_id"], app["secret"]) == ("consult", "s3cret-value")
    assert app["settings"] == {
        "server_url": "https://id.example.gov/realms/citizens",
        "token_auth_method": "client_secret_basic",
        "oauth_pkce_enabled": True,
        "fetch_userinfo": True,
        "verified_email": False,
    }


def test_every_variable_is_read(env):
    env(
        **GOOD,
        OIDC_PROVIDER_ID="gov-id",
        OIDC_NAME="National Digital Identity",
        OIDC_SCOPES="openid, email  openid profile",
        OIDC_TOKEN_AUTH_METHOD="client_secret_post",
    )
    providers = config.oidc_providers()
    app = the_app(providers)
    assert providers["openid_connect"]["SCOPE"] == ["openid", "email", "profile"]
    assert (app["provider_id"], app["name"]) == ("gov-id", "National Digital Identity")
    assert app["settings"]["token_auth_method"] == "client_secret_post"


def test_a_public_client_has_no_secret(env):
    env(**{**GOOD, "OIDC_CLIENT_SECRET": ""}, OIDC_TOKEN_AUTH_METHOD="none")
    assert the_app(config.oidc_providers())["secret"] == ""


def test_a_full_discovery_address_is_kept(env):
    url = "https://id.example.gov/.well-known/openid-configuration"
    env(**{**GOOD, "OIDC_SERVER_URL": url})
    assert the_app(config.oidc_providers())["settings"]["server_url"] == url


def test_plain_http_is_accepted_on_this_machine_only(env):
    env(**{**GOOD, "OIDC_SERVER_URL": "http://127.0.0.1:8080"})
    assert the_app(config.oidc_providers())["settings"]["server_url"] == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "consult\u00e9"}, "OIDC_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "urn:consult"}, "OIDC_CLIENT_ID"),  # a colon breaks HTTP Basic
        ({"OIDC_SERVER_URL": "id.example.gov"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "ftp://id.example.gov"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "https://"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "http://id.example.gov"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "https://id.example.gov:port"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "https://id.example.gov/?realm=x"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "https://admin:pw@id.example.gov"}, "OIDC_SERVER_URL"),
        ({"OIDC_SERVER_URL": "https://[::1"}, "OIDC_SERVER_URL"),
        ({"OIDC_SCOPES": "profile email"}, "OIDC_SCOPES"),
        ({"OIDC_SCOPES": ""}, "OIDC_SCOPES"),
        ({"OIDC_SCOPES": 'openid "email"'}, "OIDC_SCOPES"),
        ({"OIDC_TOKEN_AUTH_METHOD": "private_key_jwt"}, "OIDC_TOKEN_AUTH_METHOD"),
        ({"OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET"),
        ({"OIDC_TOKEN_AUTH_METHOD": "none"}, "OIDC_CLIENT_SECRET"),
        ({"OIDC_PROVIDER_ID": ""}, "OIDC_PROVIDER_ID"),
        ({"OIDC_PROVIDER_ID": "Government"}, "OIDC_PROVIDER_ID"),
        ({"OIDC_PROVIDER_ID": "gov_id"}, "OIDC_PROVIDER_ID"),
        ({"OIDC_PROVIDER_ID": "../admin"}, "OIDC_PROVIDER_ID"),
        ({"OIDC_PROVIDER_ID": "g" * 31}, "OIDC_PROVIDER_ID"),
        ({"OIDC_NAME": "x" * 61}, "OIDC_NAME"),
        ({"OIDC_NAME": "Gov\nID"}, "OIDC_NAME"),
    ],
)
def test_a_bad_value_names_its_variable(env, values, setting):
    env(**{**GOOD, **values})
    with pytest.raises(config.ConfigError) as caught:
        config.oidc_providers()
    message = str(caught.value)
    assert message.startswith(f"{setting}: ")
    assert "\n" not in message
    assert GOOD["OIDC_CLIENT_SECRET"] not in message
