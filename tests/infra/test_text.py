"""The one sanitizer: Markdown with raw HTML off, then nh3; bleach as the oracle."""

import bleach
import pytest
from bs4 import BeautifulSoup

from consult.infra.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    render_markdown,
    sanitize_html,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg/onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<p style="position:fixed;top:0">overlay</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<form action="https://evil.example"><input name=password></form>',
    "<object data=evil.swf></object><embed src=evil.swf>",
    '<a href="https://ok.example" onclick="steal()">ok</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<table><tr><td><script>x</script></td></tr></table>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "<details open ontoggle=alert(1)>",
    "<blockquote cite=javascript:alert(1)>q</blockquote>",
]


def normal(html: str) -> str:
    """Compare structure, not serialisation details (attribute order, quoting)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        tag.attrs = {k: v for k, v in sorted(tag.attrs.items()) if k != "rel"}
    return str(soup)


def oracle(html: str) -> str:
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={tag: list(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        protocols=["http", "https", "mailto"],
        strip=True,
        strip_comments=True,
    )


@pytest.mark.parametrize("html", HOSTILE)
def test_nothing_executable_survives(html):
    cleaned = sanitize_html(html)
    soup = BeautifulSoup(cleaned, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS
        for attribute, value in tag.attrs.items():
            assert not attribute.startswith("on")
            assert attribute in ALLOWED_ATTRIBUTES.get(tag.name, set()) | {"rel"}
            if attribute == "href":
                assert (
                    value.split(":")[0].lower() in {"http", "https", "mailto"} or ":" not in value
                )


@pytest.mark.parametrize("html", HOSTILE)
def test_nh3_keeps_no_element_or_attribute_that_bleach_would_remove(html):
    ours = BeautifulSoup(sanitize_html(html), "html.parser")
    theirs = BeautifulSoup(oracle(html), "html.parser")
    ours_set = {
        (t.name, tuple(sorted(k for k in t.attrs if k != "rel"))) for t in ours.find_all(True)
    }
    theirs_set = {(t.name, tuple(sorted(t.attrs))) for t in theirs.find_all(True)}
    assert ours_set <= theirs_set


SAFE = [
    "<p>Plain <strong>bold</strong> and <em>italic</em>.</p>",
    '<p><a href="https://consult.example/x" title="t">link</a></p>',
    "<ul><li>one</li><li>two</li></ul>",
    "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
    "<blockquote><p>quoted</p></blockquote>",
]


@pytest.mark.parametrize("html", SAFE)
def test_nh3_and_bleach_agree_on_ordinary_markup(html):
    assert normal(sanitize_html(html)) == normal(oracle(html))


def test_links_are_marked_as_user_content():
    html = render_markdown("[site](https://example.org)")
    link = BeautifulSoup(html, "html.parser").a
    assert set(link["rel"]) == set(LINK_REL.split())


def test_markdown_renders_with_raw_html_off_and_headings_below_the_page():
    html = render_markdown("# Title\n\nHello <b onclick=x>there</b>\n\n- a\n- b")
    assert "<h3>Title</h3>" in html
    assert "&lt;b onclick=x&gt;" in html
    assert "<ul>" in html
    assert "onclick=" not in html.replace("&lt;b onclick=x&gt;", "")


def test_chinese_text_passes_through_untouched():
    assert render_markdown("**公交专用道**：全天") == "<p><strong>公交专用道</strong>：全天</p>\n"
