"""Base pages: landmarks, a Content Security Policy with nonces, both languages."""

import re

import pytest
from bs4 import BeautifulSoup

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/consultations/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_landmarks_and_a_skip_link(client, path):
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.find("header") and soup.find("nav") and soup.find("footer")
    main = soup.find("main", id="main")
    assert main is not None
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#main"
    assert soup.find("h1") is not None


@pytest.mark.parametrize("path", PAGES)
def test_every_form_control_has_a_label(client, path):
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    for control in soup.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
        control_id = control.get("id")
        labelled = control.get("aria-label") or (
            control_id and soup.find("label", attrs={"for": control_id})
        )
        assert labelled, f"unlabelled control on {path}: {control}"


@pytest.mark.parametrize("path", PAGES)
def test_csp_header_with_a_fresh_nonce_on_every_script(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    scripts = BeautifulSoup(response.content, "html.parser").find_all("script")
    assert scripts, "the page loads its script"
    for script in scripts:
        assert script.get("nonce") == nonce, script
    assert (
        re.search(r"'nonce-([^']+)'", client.get(path)["Content-Security-Policy"]).group(1) != nonce
    )


def test_no_inline_event_handlers_or_javascript_urls(client):
    for path in PAGES:
        html = client.get(path).content.decode()
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


def test_switching_language_without_javascript(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/consultations/"})
    assert response.status_code == 302
    assert response["Location"] == "/consultations/"
    soup = BeautifulSoup(client.get("/consultations/").content, "html.parser")
    assert soup.html["lang"] == "zh-hans"
    assert soup.find("h1").get_text(strip=True) == "公众咨询"
    assert "跳到主要内容" in soup.find("a", class_="skip-link").get_text()


def test_browser_language_is_honoured(client):
    html = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"}).content.decode()
    assert "发表您对公共政策的意见" in html


def test_allauth_pages_are_translated_too(client):
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    html = client.get("/accounts/login/").content.decode()
    assert "登录" in html


def test_the_signed_in_person_sees_their_name_and_a_sign_out_button(client, make_user):
    make_user("reader@example.org", display_name="Reader")
    client.post("/accounts/login/", {"login": "reader@example.org", "password": PASSWORD})
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    assert "Signed in as Reader" in soup.get_text()
    assert soup.find("form", action="/accounts/logout/").find("button")


def test_empty_list_says_so(client):
    html = client.get("/consultations/").content.decode()
    assert "There are no public consultations yet" in html
