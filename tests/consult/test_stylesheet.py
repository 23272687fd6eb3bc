"""The stylesheet's rules that pages rely on: hidden means hidden, one badge
style for statuses, and buttons drawn as links keep a readable colour. The
browser audit (tests/e2e/test_pages_audit.py) checks the pages themselves."""

import re
from pathlib import Path

from django.conf import settings

SOURCE = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text(encoding="utf-8")
CSS = re.sub(r"/\*.*?\*/", "", SOURCE, flags=re.DOTALL)


def rules_for(selector: str) -> list[str]:
    """The declarations of every rule whose selector list names exactly `selector`."""
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        names = [name.strip() for name in selectors.split(",")]
        if selector in names:
            found.append(body)
    return found


def test_the_hidden_attribute_beats_every_display_rule():
    assert any(re.search(r"display:\s*none\s*!important", body) for body in rules_for("[hidden]"))


def test_badge_is_defined_once_and_the_unread_count_has_its_own_class():
    assert len(rules_for(".badge")) == 1
    assert "background" not in rules_for(".badge")[0]
    assert rules_for(".count-badge")


def test_buttons_drawn_as_links_have_a_colour_of_their_own():
    # Without it they inherit the buttons' white text, on a white page.
    assert any(
        re.search(r"(^|;)\s*color:\s*var\(--brand\)", body) for body in rules_for(".link-button")
    )
