"""A section's discussion page is served from each comment's kept fragment:
every kind of change shows on the next view, a vote re-renders nothing, and
what differs per reader is an overlay on the same fragment."""

import pytest
from bs4 import BeautifulSoup

from consult.accounts import services as account_services
from consult.testing.data import bulk_comments
from discussion.comments import fragments, services
from discussion.moderation import curation
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from tests.discussion.conftest import section_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many fragments were rendered (not served from the cache)."""
    count = {"n": 0}
    real = fragments.render

    def counted(comment, language):
        count["n"] += 1
        return real(comment, language)

    monkeypatch.setattr(fragments, "render", counted)
    return count


@pytest.fixture
def earlier(open_proposal, section, people):
    return services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Slow the traffic"
    )


@pytest.fixture
def comment(open_proposal, section, make_user, earlier):
    author = make_user(display_name="Author")
    return services.comment_create(
        actor=author, proposal=open_proposal, section=section, body="Slower cars, please"
    )


def shown(client, proposal, section, comment) -> str:
    response = client.get(section_url(proposal, section))
    assert response.status_code == 200
    article = BeautifulSoup(response.content, "html.parser").find(id=f"comment-{comment.pk}")
    return article.get_text(" ", strip=True)


def _edit(c, people):
    services.comment_edit(actor=c.author, comment=c, body="Changed words entirely")


def _delete(c, people):
    services.comment_delete(actor=c.author, comment=c)


def _hide(c, people):
    moderation.comment_hide(actor=people.moderator, comment=c, reason="Off the subject")


def _restore(c, people):
    moderation.comment_hide(actor=people.moderator, comment=c, reason="Off the subject")
    moderation.comment_restore(actor=people.moderator, comment=c)


def _respond(c, people):
    responses.response_post(
        actor=people.official, comment=c, status="accepted", explanation="We will add a crossing"
    )


def _pin(c, people):
    curation.comment_pin(actor=people.moderator, comment=c)


def _unpin(c, people):
    curation.comment_pin(actor=people.moderator, comment=c)
    curation.comment_unpin(actor=people.moderator, comment=c)


def _highlight(c, people):
    curation.comment_highlight(actor=people.moderator, comment=c)


def _theme(c, people):
    curation.comment_theme_add(actor=people.moderator, comment=c, name="Crossings")


def _duplicate(c, people):
    earlier = c.proposal.comments.exclude(pk=c.pk).get()
    curation.comment_mark_duplicate(actor=people.moderator, comment=c, original=earlier.pk)


def _rename(c, people):
    account_services.display_name_change(actor=c.author, name="Renamed Person")


# (the change, words the page shows after it, words it no longer shows)
CHANGES = {
    "edit": (_edit, "Changed words entirely", "Slower cars"),
    "delete": (_delete, "The author deleted this comment.", "Slower cars"),
    "hide": (_hide, "Removed by a moderator: Off the subject", "Slower cars"),
    "restore": (_restore, "Slower cars, please", "Removed by a moderator"),
    "official response": (_respond, "We will add a crossing", None),
    "pin": (_pin, "Pinned", None),
    "unpin": (_unpin, "Slower cars, please", "Pinned"),
    "highlight": (_highlight, "Highlighted by moderators", None),
    "theme": (_theme, "Crossings", None),
    "similar": (_duplicate, "Similar to an earlier comment", None),
    "author renamed": (_rename, "Renamed Person", "Author"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_kind_of_change_shows_on_the_next_view(
    client, open_proposal, section, people, comment, renders, change
):
    act, now, gone = CHANGES[change]
    before = shown(client, open_proposal, section, comment)
    assert "Slower cars, please" in before
    assert shown(client, open_proposal, section, comment) == before
    comment.refresh_from_db()
    act(comment, people)
    rendered = renders["n"]
    after = shown(client, open_proposal, section, comment)
    assert now in after
    if gone:
        assert gone not in after
    # At most the changed comment is drawn for the page (none when the change
    # sent a live event: the page serves the fragment the event rendered).
    assert renders["n"] - rendered <= 1


def test_a_vote_changes_the_tally_and_renders_nothing(
    client, open_proposal, section, people, comment, renders
):
    shown(client, open_proposal, section, comment)
    rendered = renders["n"]
    services.comment_vote(actor=people.citizen, comment=comment, value="agree")
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    tally = page.find(id=f"comment-{comment.pk}").find(attrs={"data-count": "agree"})
    assert tally.get_text() == "1"
    assert renders["n"] == rendered


def test_the_second_view_is_served_from_the_cache(client, open_proposal, section, people, renders):
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=100)
    client.get(section_url(open_proposal, section))
    assert renders["n"] == 100
    client.force_login(people.citizen)
    client.get(section_url(open_proposal, section))
    assert renders["n"] == 100  # a signed-in reader gets the same fragments


def test_each_language_has_its_own_fragment(client, open_proposal, section, people, comment):
    english = client.get(section_url(open_proposal, section)).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(
        section_url(open_proposal, section), headers={"accept-language": "zh-hans"}
    ).content.decode()
    assert 'data-count="agree"' in chinese
    article = f'id="comment-{comment.pk}"'
    assert article in english and article in chinese
    assert english.split(article)[1][:2000] != chinese.split(article)[1][:2000]


def test_the_live_event_carries_the_fragment_the_page_serves(
    client, open_proposal, section, people, comment
):
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    live = BeautifulSoup(services.comment_fragment(comment)["en"], "html.parser")
    on_page = page.find(id=f"comment-{comment.pk}")
    for part in ("header", ".comment-body", ".comment-curation"):
        assert str(live.select_one(part)) == str(on_page.select_one(part))
    # In the event every reader's part is drawn hidden, for the browser to reveal.
    assert all(
        form.has_attr("hidden") or form.find_parent(attrs={"hidden": True})
        for form in live.select("form")
    )
