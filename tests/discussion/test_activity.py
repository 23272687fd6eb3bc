"""Your activity: a signed-in person's comments, replies, votes, stances,
form responses, follows and the official responses to what they said, each
linked to where it is; votes and stances taken back from there while the
consultation is open; and the public profile, off unless they turn it on."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, AuditEntry, User
from discussion.activity import selectors
from discussion.comments import services as comments
from discussion.models import Comment, CommentVote, OfficialResponse
from discussion.responses import services as responses
from discussion.submissions.models import FormResponse, Publication, ResponseStatus
from proposals.models import Follow, Proposal, ProposalStance, Section, SectionStance, Status
from proposals.services import followers, lifecycle, stances

pytestmark = pytest.mark.django_db

PAGE = "/accounts/activity/"


def page_of(client, url: str = PAGE) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def shelf(page: BeautifulSoup, slug: str):
    return page.select_one(f"#activity-{slug}")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def stranger(make_user):
    return make_user(display_name="Stranger")


@pytest.fixture
def lived(open_proposal, people, stranger, section):
    """The citizen's part in one open consultation, with a stranger beside them."""
    citizen = people.citizen
    theirs = comments.comment_create(
        actor=stranger, proposal=open_proposal, section=section, body="Wider pavements first"
    )
    unseen = comments.comment_create(
        actor=stranger, proposal=open_proposal, body="The stranger's own opinion"
    )
    mine = comments.comment_create(
        actor=citizen, proposal=open_proposal, section=section, body="Slower cars save lives"
    )
    reply = comments.comment_create(
        actor=citizen, proposal=open_proposal, parent=theirs, body="Both, please"
    )
    comments.comment_vote(actor=citizen, comment=theirs, value="agree")
    comments.comment_vote(actor=stranger, comment=mine, value="disagree")
    stances.stance_cast(actor=citizen, proposal=open_proposal, value="support")
    stances.stance_cast(actor=citizen, proposal=open_proposal, section=section, value="oppose")
    stances.stance_cast(actor=stranger, proposal=open_proposal, value="oppose")
    followers.follow_set(actor=citizen, proposal=open_proposal, following=True)
    FormResponse.objects.create(proposal=open_proposal, respondent=citizen)
    answer = responses.response_post(
        actor=people.official, comment=mine, status="noted", explanation="We will study speeds."
    )
    return {"theirs": theirs, "unseen": unseen, "mine": mine, "reply": reply, "answer": answer}


def test_the_page_lists_each_kind_with_links_and_not_other_peoples(
    client, open_proposal, people, lived, section
):
    client.force_login(people.citizen)
    page = page_of(client)
    text = page.get_text()

    mine = shelf(page, "comments")
    assert "Slower cars save lives" in mine.get_text()
    assert "Both, please" in mine.get_text() and "Reply to Stranger" in mine.get_text()
    assert mine.select_one(f'a[href="{lived["mine"].url_in_context()}"]')
    assert "Wider pavements first" not in mine.get_text()

    answered = shelf(page, "responses")
    assert "We will study speeds." in answered.get_text()
    assert answered.select_one(f'a[href="{lived["mine"].url_in_context()}"]')

    votes = shelf(page, "votes")
    assert "Agree" in votes.get_text() and "a comment by Stranger" in votes.get_text()
    assert votes.select_one(f'a[href="{lived["theirs"].url_in_context()}"]')
    # The stranger's vote on the citizen's comment is the stranger's, not here.
    assert "Disagree" not in votes.get_text()

    assert "Support" in shelf(page, "stances").get_text()
    section_stances = shelf(page, "section-stances")
    assert "Oppose" in section_stances.get_text() and section.heading in section_stances.get_text()
    assert section_stances.select_one(f'a[href$="#section-{section.pk}"]')
    assert "Draft, not yet submitted" in shelf(page, "forms").get_text()
    assert shelf(page, "forms").select_one(
        f'a[href="/discussion/consultations/{open_proposal.slug}/form/"]'
    )
    assert shelf(page, "follows").select_one(f'a[href="{open_proposal.get_absolute_url()}"]')

    assert "The stranger's own opinion" not in text
    assert page.select_one('a[href="/accounts/name/"]'), "the display name page is linked"


def test_the_account_menu_links_the_page_and_signed_out_visitors_sign_in(client, people):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
    client.force_login(people.citizen)
    page = page_of(client)
    assert page.select_one(f'.site-nav a[href="{PAGE}"]')["aria-current"] == "page"


def test_a_newcomer_sees_an_empty_state_for_every_kind(client, make_user):
    client.force_login(make_user(display_name="Newcomer"))
    page = page_of(client)
    for kind in selectors.KINDS.values():
        assert shelf(page, kind.slug).select_one(".empty-state").get_text() == str(kind.empty)
    assert page_of(client, f"{PAGE}votes/").select_one(".empty-state")
    assert client.get(f"{PAGE}nothing-of-that-kind/").status_code == 404


def _many(person, stranger, people, tree, n: int) -> None:
    """n of every kind for `person`, written in bulk."""
    base = Proposal.objects.count()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            department=tree.city_office,
            jurisdiction=tree.city,
            title=f"Consultation {base + i}",
            slug=f"bulk-{base + i}",
            summary="-",
            status=Status.OPEN,
            closes_at=timezone.now() + timedelta(days=9),
        )
        for i in range(n)
    )
    sections = Section.objects.bulk_create(Section(proposal=p, heading="Scope") for p in proposals)
    own = Comment.objects.bulk_create(
        Comment(proposal=p, section=s, author=person, body="Mine", body_html="<p>Mine</p>")
        for p, s in zip(proposals, sections, strict=True)
    )
    others = Comment.objects.bulk_create(
        Comment(proposal=p, author=stranger, body="Theirs", body_html="<p>Theirs</p>")
        for p in proposals
    )
    CommentVote.objects.bulk_create(
        CommentVote(comment=c, user=person, value="pass") for c in others
    )
    ProposalStance.objects.bulk_create(
        ProposalStance(proposal=p, user=person, value="support") for p in proposals
    )
    SectionStance.objects.bulk_create(
        SectionStance(proposal=p, section=s, user=person, value="neutral")
        for p, s in zip(proposals, sections, strict=True)
    )
    Follow.objects.bulk_create(Follow(proposal=p, user=person) for p in proposals)
    FormResponse.objects.bulk_create(
        FormResponse(proposal=p, respondent=person, status=ResponseStatus.SUBMITTED)
        for p in proposals
    )
    answers = OfficialResponse.objects.bulk_create(
        OfficialResponse(
            proposal=p,
            author=people.official,
            department=tree.city_office,
            status="noted",
            explanation="Read",
            explanation_html="<p>Read</p>",
        )
        for p in proposals
    )
    OfficialResponse.comments.through.objects.bulk_create(
        OfficialResponse.comments.through(officialresponse=a, comment=c)
        for a, c in zip(answers, own, strict=True)
    )


def test_the_pages_take_the_same_queries_for_few_and_for_many(
    client, people, stranger, tree, django_assert_num_queries
):
    """Two of each kind, then 150 of each: the overview and a kind's second
    page read with the same number of queries."""
    person = people.citizen
    client.force_login(person)
    # The session, the person, the menu's counts; then two queries a kind (the
    # latest few and how many), and one for the comments responses answer.
    pinned = {
        PAGE: 19,
        f"{PAGE}comments/?page=2": 6,
        f"{PAGE}responses/?page=2": 7,
        f"{PAGE}votes/?page=2": 6,
    }
    for n in (2, 148):
        _many(person, stranger, people, tree, n)
        for url, queries in pinned.items():
            with django_assert_num_queries(queries):
                page = page_of(client, url)
            assert page.select(".activity-item")
    overview = page_of(client)
    assert "(150)" in shelf(overview, "comments").get_text()
    assert len(shelf(overview, "votes").select(".activity-item")) == selectors.SHELF_SIZE
    assert shelf(overview, "votes").select_one(f'a[href="{PAGE}votes/"]')
    second = page_of(client, f"{PAGE}stances/?page=2")
    assert len(second.select(".activity-item")) == selectors.PAGE_SIZE
    assert "Page 2 of 3" in second.get_text()


def test_a_vote_is_withdrawn_from_the_page_while_open(client, people, lived):
    client.force_login(people.citizen)
    theirs = lived["theirs"]
    form = shelf(page_of(client), "votes").select_one("form")
    assert form["action"] == f"{PAGE}votes/{theirs.pk}/withdraw/"
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    response = client.post(form["action"], {"next": PAGE}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    assert "Your vote is withdrawn." in messages_of(response)
    assert not CommentVote.objects.filter(user=people.citizen).exists()
    theirs.refresh_from_db()
    assert theirs.agree_count == 0
    assert "You have not voted on any comment." in response.content.decode()


def test_a_stance_is_withdrawn_from_the_page_while_open(client, people, lived, open_proposal):
    client.force_login(people.citizen)
    page = page_of(client)
    whole = shelf(page, "stances").select_one("form")
    response = client.post(
        whole["action"], {"proposal": whole.select_one("[name=proposal]")["value"]}, follow=True
    )
    assert "Your stance is withdrawn." in messages_of(response)
    part = shelf(page, "section-stances").select_one("form")
    response = client.post(
        part["action"], {"section": part.select_one("[name=section]")["value"]}, follow=True
    )
    assert "Your stance is withdrawn." in messages_of(response)
    assert not ProposalStance.objects.filter(user=people.citizen).exists()
    assert not SectionStance.objects.filter(user=people.citizen).exists()
    # The stranger's stance is theirs to keep.
    assert ProposalStance.objects.filter(proposal=open_proposal).count() == 1


def test_once_closed_the_page_says_so_and_nothing_is_withdrawn(
    client, people, lived, open_proposal, section
):
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    client.force_login(people.citizen)
    page = page_of(client)
    for slug, what in [("votes", "vote"), ("stances", "stance"), ("section-stances", "stance")]:
        box = shelf(page, slug)
        assert box.select_one("form") is None
        assert f"The consultation is closed: your {what} stays as it was." in box.get_text()

    # A form kept from before the close still gets a clear answer, not an error page.
    refused = client.post(f"{PAGE}votes/{lived['theirs'].pk}/withdraw/", follow=True)
    assert refused.status_code == 200
    assert messages_of(refused) == ["The discussion is closed: the consultation is closed."]
    refused = client.post(f"{PAGE}stances/withdraw/", {"section": section.pk}, follow=True)
    assert messages_of(refused) == [
        "Stances can only be taken while the consultation is open; it is closed."
    ]
    assert CommentVote.objects.filter(user=people.citizen).count() == 1
    assert SectionStance.objects.filter(user=people.citizen).count() == 1


@pytest.mark.parametrize(
    "url, data",
    [
        ("votes/{theirs}/withdraw/", {}),  # the citizen's vote, not the outsider's
        ("votes/999999/withdraw/", {}),
        ("stances/withdraw/", {"section": "{section}"}),
        ("stances/withdraw/", {"proposal": "{proposal}"}),
        ("stances/withdraw/", {"proposal": "999999"}),
        ("stances/withdraw/", {"section": "not a number"}),
        ("stances/withdraw/", {}),
    ],
)
def test_what_is_not_yours_or_not_there_is_refused_plainly(
    client, make_user, lived, section, url, data
):
    client.force_login(make_user(display_name="Outsider"))
    counted = (CommentVote, ProposalStance, SectionStance)
    before = [model.objects.count() for model in counted]
    filled = {
        key: value.format(section=section.pk, proposal=section.proposal_id)
        for key, value in data.items()
    }
    response = client.post(PAGE + url.format(theirs=lived["theirs"].pk), filled, follow=True)
    assert response.status_code == 200
    assert messages_of(response) in (
        ["You have no vote on that comment to withdraw."],
        ["You have no such stance to withdraw."],
    )
    assert [model.objects.count() for model in counted] == before


def test_withdrawing_is_post_only_and_goes_back_only_to_the_activity_pages(client, people, lived):
    client.force_login(people.citizen)
    assert client.get(f"{PAGE}stances/withdraw/").status_code == 405
    response = client.post(
        f"{PAGE}votes/{lived['theirs'].pk}/withdraw/", {"next": "https://elsewhere.example/"}
    )
    assert response["Location"] == PAGE
    response = client.post(f"{PAGE}stances/withdraw/", {"next": f"{PAGE}stances/?page=2"})
    assert response["Location"] == f"{PAGE}stances/?page=2"


def test_the_public_profile_is_off_until_chosen_and_shows_only_what_anyone_can_read(
    client, people, lived, open_proposal
):
    citizen = people.citizen
    profile = f"/people/{citizen.pk}/"
    hidden = comments.comment_create(actor=citizen, proposal=open_proposal, body="Removed words")
    Comment.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason="Abuse")
    assert User.objects.get(pk=citizen.pk).profile_public is False
    assert client.get(profile).status_code == 404

    client.force_login(citizen)
    box = page_of(client).select_one("form.profile-form")
    assert box.select_one("input[name=profile_public]").get("checked") is None
    response = client.post(box["action"], {"profile_public": "on", "next": PAGE}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    assert any("Your public profile is on" in message for message in messages_of(response))
    assert AuditEntry.objects.filter(action="user.profile_public", target_id=str(citizen.pk))

    client.logout()
    page = page_of(client, profile)
    text = page.get_text()
    assert "Slower cars save lives" in text and "Both, please" in text
    assert page.select_one(f'a[href="{lived["mine"].url_in_context()}"]')
    assert "Removed words" not in text
    assert "Support" not in text and "Oppose" not in text  # stances are never public
    assert "The stranger's own opinion" not in text and "Stranger" not in page.select_one("h1").text

    # Turned off again, or the person banned or deleted: there is no such page.
    client.force_login(citizen)
    client.post("/accounts/name/profile/", {"next": PAGE})
    assert client.get(profile).status_code == 404
    User.objects.filter(pk=citizen.pk).update(profile_public=True, banned_at=timezone.now())
    assert client.get(profile).status_code == 404
    User.objects.filter(pk=citizen.pk).update(banned_at=None, deleted_at=timezone.now())
    assert client.get(profile).status_code == 404
    assert client.get("/people/999999/").status_code == 404


def test_the_form_responses_shelf_tells_drafts_from_submitted(client, people, open_proposal):
    FormResponse.objects.create(
        proposal=open_proposal,
        respondent=people.citizen,
        status=ResponseStatus.SUBMITTED,
        submitted_at=timezone.now(),
        publication=Publication.ANONYMOUS,
    )
    client.force_login(people.citizen)
    forms = shelf(page_of(client), "forms").get_text()
    assert "Submitted on" in forms and "Publish my response anonymously" in forms
    assert "Draft" not in forms


@pytest.mark.parametrize(
    "name, said",
    [
        ("   ", "Please choose a display name."),
        ("x" * (DISPLAY_NAME_MAX_LENGTH + 1), f"at most {DISPLAY_NAME_MAX_LENGTH}"),
        ("Official", "cannot look like a role"),
        ("Moderator Ann", "cannot look like a role"),
        ("官员小王", "cannot look like a role"),
        ("版主", "cannot look like a role"),
        ("审核员", "cannot look like a role"),
        ("政府工作人员小张", "cannot look like a role"),
        ("stranger", "Someone else is already called"),
    ],
)
def test_a_bad_display_name_is_refused_with_a_reason_and_nothing_written(
    client, people, stranger, name, said
):
    client.force_login(people.citizen)
    link = page_of(client).select_one('a[href="/accounts/name/"]')
    response = client.post(link["href"], {"display_name": name})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert User.objects.get(pk=people.citizen.pk).display_name == "Citizen"
    assert not AuditEntry.objects.filter(action="user.display_name").exists()


def test_a_suspended_person_is_told_why_and_keeps_their_vote_and_stance(client, people, lived):
    User.objects.filter(pk=people.citizen.pk).update(
        suspended_until=timezone.now() + timedelta(days=3), sanction_reason="Spam"
    )
    client.force_login(people.citizen)
    voted = client.post(f"{PAGE}votes/{lived['theirs'].pk}/withdraw/", follow=True)
    stood = client.post(
        f"{PAGE}stances/withdraw/", {"proposal": lived["theirs"].proposal_id}, follow=True
    )
    for response in (voted, stood):
        assert response.status_code == 200
        [said] = messages_of(response)
        assert "suspended" in said
    assert CommentVote.objects.filter(user=people.citizen).exists()
    assert ProposalStance.objects.filter(user=people.citizen).exists()


def test_the_page_reads_in_chinese(client, people, lived):
    client.force_login(people.citizen)
    client.cookies["django_language"] = "zh-hans"
    page = page_of(client)
    assert page.select_one("h1").text == "我的动态"
    assert "您的评论和回复" in shelf(page, "comments").get_text()
    assert "撤回" in shelf(page, "votes").select_one("button").get_text()
    client.logout()
    client.force_login(people.official)
    client.cookies["django_language"] = "zh-hans"
    assert "您还没有对任何评论投票。" in page_of(client).get_text()


def test_a_vote_on_a_comment_no_longer_shown_stays_and_the_page_says_why(client, people, lived):
    Comment.objects.filter(pk=lived["theirs"].pk).update(
        hidden_at=timezone.now(), hidden_reason="Abuse"
    )
    client.force_login(people.citizen)
    votes = shelf(page_of(client), "votes")
    assert votes.select_one("form") is None
    assert "Wider pavements first" not in votes.get_text()
    assert "This comment is no longer shown" in votes.get_text()
