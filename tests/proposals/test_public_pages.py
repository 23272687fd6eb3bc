"""The public pages of a consultation: sections with contents, versions and
their differences, a section's own page, follow."""

import pytest
from bs4 import BeautifulSoup

from proposals import diff
from proposals.models import Follow
from proposals.services import drafts, lifecycle, versions

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def revise(proposal, people):
    purpose, limits = proposal.sections.order_by("order")
    drafts.section_update(
        actor=people.official, section=purpose, heading="Purpose", body="Calmer and safer streets."
    )
    drafts.section_remove(actor=people.official, section=limits)
    drafts.section_add(
        actor=people.official, proposal=proposal, heading="Review", body="After one year."
    )
    versions.version_publish(actor=people.official, proposal=proposal, change_note="Reworked")


def test_proposal_page_has_contents_sections_window_and_versions(client, open_proposal):
    page = soup(client.get(open_proposal.get_absolute_url()))
    toc = [
        a.get_text()
        for a in page.find("nav", class_="toc").find_all("a")
        if a["href"].startswith("#section-")
    ]
    assert toc == ["Purpose", "Limits"]
    for section in open_proposal.sections.all():
        assert page.find(id=f"section-{section.pk}")
        assert page.find("a", href=f"{open_proposal.get_absolute_url()}sections/{section.pk}/")
    assert "left" in page.find(class_="time-left").get_text()
    assert page.find(id="versions").find("a").get_text() == "Version 1"
    assert "Would this change how you travel?" in page.get_text()


def test_the_public_sees_every_version_and_a_readable_diff(client, open_proposal, people):
    revise(open_proposal, people)
    page = soup(client.get(f"{open_proposal.get_absolute_url()}changes/?from=1&to=2"))
    sections = {
        s.h2.contents[0].get_text(strip=True) if s.h2.contents else "": s
        for s in page.find_all("section", class_="diff")
    }
    kinds = sorted(s["class"][1] for s in page.find_all("section", class_="diff"))
    assert kinds == ["diff-added", "diff-changed", "diff-removed"]
    changed = page.find("section", class_="diff-changed")
    inserted = changed.find("ins")
    # Screen readers hear what kind of change it is; everyone sees the words.
    assert inserted.find(class_="visually-hidden").get_text() == "added: "
    inserted.find(class_="visually-hidden").decompose()
    assert inserted.get_text() == "and safer"
    assert sections  # headings rendered
    old = soup(client.get(f"{open_proposal.get_absolute_url()}versions/1/"))
    assert "Limits" in old.get_text() and "Review" not in old.get_text()
    for bad in ("?from=1&to=99", "?from=abc&to=2"):
        assert client.get(f"{open_proposal.get_absolute_url()}changes/{bad}").status_code == 404
    assert client.get(f"{open_proposal.get_absolute_url()}versions/9/").status_code == 404


def test_with_one_version_the_changes_page_says_there_is_nothing_to_compare(client, open_proposal):
    page = soup(client.get(f"{open_proposal.get_absolute_url()}changes/"))
    assert "only one version" in page.get_text()


def visible(html) -> str:
    soup = BeautifulSoup(str(html), "html.parser")
    for label in soup.find_all(class_="visually-hidden"):
        label.decompose()
    return str(soup)


def test_diff_escapes_markup_and_works_per_character_in_chinese():
    assert visible(diff.highlight("a &lt;b&gt;", "a &lt;i&gt;")) == (
        "a &lt;<del>b</del><ins>i</ins>&gt;"
    )
    assert visible(diff.highlight("<p>全天公交专用道</p>", "<p>高峰公交专用道</p>")) == (
        "<p><del>全天</del><ins>高峰</ins>公交专用道</p>"
    )


def test_a_long_section_is_compared_word_by_word_only_where_lines_changed(monkeypatch):
    words = [f"word{n}" for n in range(4000)]
    old = "\n".join(" ".join(words[i : i + 20]) for i in range(0, 4000, 20))
    new = old.replace("word100 ", "changed ").replace("word3000 ", "edited ")
    compared: list[int] = []
    real = diff._words
    monkeypatch.setattr(diff, "_words", lambda a, b: compared.append(len(a) + len(b)) or real(a, b))
    html = visible(diff.highlight(old, new))
    assert "<del>word100</del><ins>changed</ins>" in html
    assert "<del>word3000</del><ins>edited</ins>" in html
    # Two changed lines of about 80 tokens each, not 16,000 tokens of text.
    assert len(compared) == 2 and max(compared) < 200


def test_a_huge_rewrite_falls_back_to_removed_then_added():
    old, new = "a " * 3000, "b " * 3000
    assert visible(diff._words(diff.tokens(old), diff.tokens(new))) == (
        f"<del>{old.strip()}</del> <ins>{new.strip()}</ins> "
    )


MARKDOWN = """# Speed

Cars **must** keep to 30 km/h near schools.

- from 7:00
- until 19:00

Cyclists *may* use the bus lane.
"""


def changes_page(client, proposal, people, old_body, new_body):
    section = proposal.sections.order_by("order").first()
    for body, note in ((old_body, "Before"), (new_body, "After")):
        drafts.section_update(actor=people.official, section=section, heading="Purpose", body=body)
        versions.version_publish(actor=people.official, proposal=proposal, change_note=note)
    last = proposal.versions.count()
    page = soup(client.get(f"{proposal.get_absolute_url()}changes/?from={last - 1}&to={last}"))
    return page.find("section", class_="diff-changed")


def test_one_changed_word_is_the_only_thing_marked(client, open_proposal, people):
    changed = changes_page(
        client, open_proposal, people, MARKDOWN, MARKDOWN.replace("30 km/h", "20 km/h")
    )
    body = changed.find(class_="diff-body")
    assert [d.get_text() for d in body.find_all("del")] == ["removed: 30"]
    assert [i.get_text() for i in body.find_all("ins")] == ["added: 20"]
    # Each mark is told to screen readers, and only to them.
    for mark in (body.find("del"), body.find("ins")):
        assert mark.find(class_="visually-hidden").get_text() in ("removed: ", "added: ")


def test_the_diff_shows_the_rendered_text_not_its_markdown(client, open_proposal, people):
    changed = changes_page(
        client, open_proposal, people, MARKDOWN, MARKDOWN.replace("*may*", "*may not*")
    )
    body = changed.find(class_="diff-body")
    text = body.get_text()
    for syntax in ("**", "# ", "- from", "*may"):
        assert syntax not in text, syntax
    assert body.find("strong").get_text() == "must"
    assert [li.get_text() for li in body.find_all("li")] == ["from 7:00", "until 19:00"]
    assert body.find("h3").get_text() == "Speed"
    em = body.find("em")
    assert em.find("ins").get_text() == "added: not"
    assert body.find("del") is None


def test_text_that_renders_the_same_is_unchanged(client, open_proposal, people):
    """Markdown written another way that reads the same is no change: nothing is marked."""
    assert changes_page(client, open_proposal, people, "Keep *left*.", "Keep _left_.") is None
    last = open_proposal.versions.count()
    page = soup(client.get(f"{open_proposal.get_absolute_url()}changes/?from={last - 1}&to={last}"))
    assert page.find("section", class_="diff-unchanged")
    assert not any(s.find(["del", "ins"]) for s in page.find_all("section", class_="diff"))


def test_removed_and_added_sections_keep_their_structure():
    class Snapshot:
        def __init__(self, section_id, heading, body):
            self.section_id, self.heading, self.body = section_id, heading, body

    changes = diff.compare(
        [Snapshot(1, "Old <rule>", "- first\n- second")], [Snapshot(2, "New", "**Bold** move")]
    )
    removed, added = changes
    assert removed.kind == "removed" and added.kind == "added"
    assert visible(removed.heading) == "<del>Old &lt;rule&gt;</del>"
    assert visible(removed.body) == (
        "<ul>\n<li><del>first</del></li>\n<li><del>second</del></li>\n</ul>\n"
    )
    assert visible(added.body) == "<p><strong><ins>Bold</ins></strong> <ins>move</ins></p>\n"


def test_the_section_page_is_the_way_into_its_discussion(client, open_proposal, people):
    section = open_proposal.sections.first()
    client.force_login(people.citizen)
    page = soup(client.get(f"{open_proposal.get_absolute_url()}sections/{section.pk}/"))
    assert page.h1.get_text() == "Purpose"
    assert page.find("form", class_="stance-form")
    assert page.find(id="discussion-title")
    assert client.get(f"{open_proposal.get_absolute_url()}sections/999999/").status_code == 404


def test_follow_and_unfollow(client, open_proposal, people):
    url = f"{open_proposal.get_absolute_url()}follow/"
    assert client.post(url, {"follow": "1"})["Location"].startswith("/accounts/login/")
    client.force_login(people.citizen)
    client.post(url, {"follow": "1"})
    client.post(url, {"follow": "1"})
    assert Follow.objects.filter(user=people.citizen).count() == 1
    page = soup(client.get(open_proposal.get_absolute_url()))
    assert page.find("form", class_="follow-form").button["aria-pressed"] == "true"
    client.post(url, {"follow": "0"})
    assert not Follow.objects.exists()


def test_section_text_is_sanitized_on_the_page(client, published, people):
    section = published.sections.first()
    drafts.section_update(
        actor=people.official,
        section=section,
        heading="<img src=x onerror=alert(1)>",
        body="<script>alert(1)</script> [x](javascript:alert(1))",
    )
    versions.version_publish(actor=people.official, proposal=published, change_note="xss")
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=people.official, proposal=published, opens_at=now, closes_at=now + timedelta(days=1)
    )
    html = client.get(published.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
