"""Reading settings from the environment: good values pass, bad ones name the setting."""

from pathlib import Path

import pytest

from consult.infra import config


def test_unset_database_url_means_sqlite_in_wal_mode(tmp_path):
    db = config.database("", default_path=tmp_path / "site.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == tmp_path / "site.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_urls_relative_and_absolute(tmp_path):
    assert config.database("sqlite:///var/x.sqlite3", default_path=tmp_path)["NAME"] == Path(
        "var/x.sqlite3"
    )
    assert config.database("sqlite:////srv/x.sqlite3", default_path=tmp_path)["NAME"] == Path(
        "/srv/x.sqlite3"
    )


def test_postgres_url_is_parsed():
    db = config.database("postgres://app:s3cret@db.internal:5433/consult", default_path=Path())
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == (
        "consult",
        "app",
        "db.internal",
        5433,
    )


@pytest.mark.parametrize(
    "url",
    [
        "consult.sqlite3",
        "mysql://root@localhost/consult",
        "postgres://app@localhost:5432",
        "postgres://app@localhost:notaport/consult",
        "sqlite://",
        "sqlite:///:memory:",
    ],
)
def test_malformed_database_url_names_the_setting(url):
    with pytest.raises(config.ConfigError) as caught:
        config.database(url, default_path=Path())
    assert str(caught.value).startswith("DATABASE_URL: ")
    assert "\n" not in str(caught.value)


def test_database_url_password_never_appears_in_the_message():
    with pytest.raises(config.ConfigError) as caught:
        config.database("mysql://root:hunter2@db/consult", default_path=Path())
    assert "hunter2" not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "localhost:6379",
        "http://localhost:6379",
        "redis://:6379/0",
        "redis://h:port/0",
        "redis://h:6379/zero",
    ],
)
def test_malformed_redis_url_names_the_setting(url):
    with pytest.raises(config.ConfigError) as caught:
        config.redis_url(url)
    assert str(caught.value).startswith("REDIS_URL: ")


@pytest.mark.parametrize(
    "url",
    ["", "redis://localhost:6379/0", "rediss://cache.internal:6380/2", "unix:///run/redis.sock"],
)
def test_good_redis_urls_pass(url):
    assert config.redis_url(url) == url


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes")
    assert config.env_bool("DEBUG", False) is True
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(config.ConfigError, match=r"^DEBUG: "):
        config.env_bool("DEBUG", False)


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) >= 50
    assert config.secret_key(tmp_path) == first
    assert (tmp_path / ".secret_key").stat().st_mode & 0o077 == 0


def test_short_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(config.ConfigError, match=r"^SECRET_KEY: "):
        config.secret_key(tmp_path)


@pytest.mark.parametrize(
    ("setting", "url"),
    [("DATABASE_URL", "postgres://u@[::1/db"), ("REDIS_URL", "redis://:x@[::1")],
)
def test_unparseable_urls_name_the_setting(setting, url):
    with pytest.raises(config.ConfigError) as caught:
        if setting == "DATABASE_URL":
            config.database(url, default_path=Path())
        else:
            config.redis_url(url)
    assert str(caught.value).startswith(f"{setting}: ")


def test_sqlite_file_in_a_missing_folder_is_refused_up_front():
    with pytest.raises(config.ConfigError, match=r"^DATABASE_URL: the folder"):
        config.database("sqlite:////nonexistent/dir/x.sqlite3", default_path=Path())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://consult.example.gov", "https://consult.example.gov"),
        ("https://consult.example.gov/", "https://consult.example.gov"),
        ("http://localhost:8000", "http://localhost:8000"),
    ],
)
def test_site_url_is_the_sites_root(url, expected):
    assert config.site_url(url) == expected


@pytest.mark.parametrize(
    "url", ["consult.example.gov", "ftp://consult.example.gov", "https://x.gov/consult", "https://"]
)
def test_a_site_url_that_cannot_make_links_names_the_setting(url):
    with pytest.raises(config.ConfigError) as error:
        config.site_url(url)
    assert error.value.setting == "SITE_URL"


def test_the_privacy_notice_is_required_outside_debug(monkeypatch):
    values = {
        "PRIVACY_CONTROLLER": "City of Riverside",
        "PRIVACY_CONTACT": "dpo@riverside.example.gov",
        "PRIVACY_LEGAL_BASIS": "Public task",
        "PRIVACY_COMPLAINTS": "The Information Commissioner",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    notice = config.privacy_notice(debug=False)
    assert notice["controller"] == "City of Riverside" and notice["complaints"].startswith("The I")
    assert notice["placeholders"] == []
    for name in values:
        monkeypatch.setenv(name, "  ")
        with pytest.raises(config.ConfigError) as caught:
            config.privacy_notice(debug=False)
        assert str(caught.value).startswith(f"{name}: is required when DEBUG is off")
        assert "\n" not in str(caught.value)
        monkeypatch.setenv(name, values[name])


def test_a_demo_shows_placeholders_for_the_privacy_notice(monkeypatch):
    for name in config.PRIVACY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    notice = config.privacy_notice(debug=True)
    assert notice["placeholders"] == list(config.PRIVACY_SETTINGS)
    assert notice["contact"] == config.PRIVACY_PLACEHOLDERS["PRIVACY_CONTACT"]
