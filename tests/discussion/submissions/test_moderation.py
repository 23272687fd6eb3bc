"""Moderating the words of free-text answers: the one rule for public words,
who may decide, what each decision records, repeats, held answers, the
moderators' queue without JavaScript, and the public moderation log."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consult.accounts.models import AuditEntry, Role
from discussion.models import ModerationPolicy
from discussion.moderation import log
from discussion.submissions import moderation
from discussion.submissions import services as submissions
from discussion.submissions.models import (
    FormAnswer,
    FormResponse,
    Publication,
    ResponseStatus,
)
from discussion.submissions.services import Respondent
from tests.discussion.submissions.test_services import full_answers

QUEUE = "/discussion/moderation/"
WORDS = "Buses would be slower."


@pytest.fixture
def moderator(make_user, grant, tree):
    """A moderator of the consultation's department."""
    return grant(make_user(display_name="Mod"), tree.ministry, Role.MODERATOR)


def respond(make_user, proposal, q, *, publication=Publication.NAMED, submit=True, words=WORDS):
    """A citizen's response, "why not" answered with `words`."""
    answers = full_answers(q)
    answers[q["why_not"].pk] = words
    return submissions.response_save(
        actor=make_user(display_name="Resident"),
        proposal=proposal,
        respondent=Respondent(kind="individual", publication=publication),
        answers=answers,
        submit=submit,
    )


def why_not(response: FormResponse, q) -> FormAnswer:
    return FormAnswer.objects.get(response=response, question=q["why_not"])


def hold_everything(proposal) -> None:
    ModerationPolicy.objects.update_or_create(proposal=proposal, defaults={"hold_all": True})


def actions_on(answer: FormAnswer) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="discussion.formanswer", target_id=str(answer.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- The rule for public places ----------------------------------------------------


def test_words_are_public_only_when_submitted_published_and_not_hidden_or_held(
    make_user, form_consultation, questions, moderator
):
    named = why_not(respond(make_user, form_consultation, questions), questions)
    anonymous = why_not(
        respond(make_user, form_consultation, questions, publication=Publication.ANONYMOUS),
        questions,
    )
    withheld = why_not(
        respond(make_user, form_consultation, questions, publication=Publication.WITHHELD),
        questions,
    )
    draft = why_not(respond(make_user, form_consultation, questions, submit=False), questions)
    hidden = why_not(respond(make_user, form_consultation, questions), questions)
    moderation.answer_hide(actor=moderator, answer=hidden, reason="Personal details")
    hold_everything(form_consultation)
    held = why_not(respond(make_user, form_consultation, questions), questions)
    assert held.held_at is not None

    public = set(
        moderation.public_answer_words()
        .filter(question=questions["why_not"])
        .values_list("pk", flat=True)
    )
    assert public == {named.pk, anonymous.pk}
    for answer in (named, anonymous, withheld, draft, hidden, held):
        answer.refresh_from_db()
        assert moderation.answer_words_public(answer) is (answer.pk in public)
    # A closed question's answer has no words to show.
    choice = FormAnswer.objects.get(response=named.response, question=questions["agree"])
    assert not moderation.answer_words_public(choice)
    assert not moderation.public_answer_words().filter(pk=choice.pk).exists()
    # The same rule through the response.
    responses = FormResponse.objects.filter(
        moderation.public_words_q("answers__"), answers__question=questions["why_not"]
    )
    assert set(responses) == {named.response, anonymous.response}
    # Narrowing a queryset of one's own keeps the rule.
    mine = FormAnswer.objects.filter(pk__in=[named.pk, hidden.pk])
    assert list(moderation.public_answer_words(mine)) == [named]


# --- Who may decide ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("moderator", True),
        ("moderator_below", False),
        ("moderator_elsewhere", False),
        ("official", False),
        ("citizen", False),
    ],
)
def test_only_moderators_of_the_department_or_above_decide(
    who, allowed, make_user, grant, tree, form_consultation, questions, moderator, official
):
    people = {
        "moderator": moderator,
        "moderator_below": grant(make_user(), tree.city_office, Role.MODERATOR),
        "moderator_elsewhere": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "official": official,
        "citizen": make_user(),
    }
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    actor = people[who]
    if allowed:
        moderation.answer_hide(actor=actor, answer=answer, reason="Rude")
        moderation.answer_restore(actor=actor, answer=answer)
        assert actions_on(answer) == ["answer.hide", "answer.restore"]
        return
    for decide in (
        lambda: moderation.answer_hide(actor=actor, answer=answer, reason="Rude"),
        lambda: moderation.answer_restore(actor=actor, answer=answer),
        lambda: moderation.answer_approve(actor=actor, answer=answer),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    answer.refresh_from_db()
    assert answer.hidden_at is None and actions_on(answer) == []


def test_a_moderator_does_not_decide_on_their_own_answer(
    form_consultation, questions, moderator, make_user, grant, tree
):
    response = submissions.response_save(
        actor=moderator,
        proposal=form_consultation,
        respondent=Respondent(kind="individual", publication=Publication.NAMED),
        answers=full_answers(questions),
        submit=True,
    )
    with pytest.raises(PermissionDenied) as refused:
        moderation.answer_hide(actor=moderator, answer=why_not(response, questions), reason="x")
    assert refused.value.args[0] == moderation.OWN_ANSWER
    other = grant(make_user(), tree.ministry, Role.MODERATOR)
    moderation.answer_hide(actor=other, answer=why_not(response, questions), reason="x")


def test_anonymous_people_are_refused(form_consultation, questions, make_user):
    from django.contrib.auth.models import AnonymousUser

    answer = why_not(respond(make_user, form_consultation, questions), questions)
    with pytest.raises(PermissionDenied):
        moderation.answer_hide(actor=AnonymousUser(), answer=answer, reason="x")


# --- Hiding, restoring, approving ---------------------------------------------------


def test_hiding_takes_the_words_out_and_the_answer_keeps_counting(
    make_user, form_consultation, questions, moderator
):
    response = respond(make_user, form_consultation, questions)
    answer = why_not(response, questions)
    choices_before = list(
        FormAnswer.objects.filter(response=response)
        .order_by("question_id")
        .values_list("question_id", "choices", "number")
    )

    moderation.answer_hide(
        actor=moderator, answer=answer, reason="  Names a  neighbour ", category="personal_data"
    )

    answer.refresh_from_db()
    assert answer.hidden_at is not None and answer.hidden_by == moderator
    assert (answer.hidden_reason, answer.hidden_category) == ("Names a neighbour", "personal_data")
    # The row, its words (for moderators) and every other answer stay.
    assert answer.text == WORDS
    assert (
        list(
            FormAnswer.objects.filter(response=response)
            .order_by("question_id")
            .values_list("question_id", "choices", "number")
        )
        == choices_before
    )
    assert (
        FormResponse.objects.filter(
            proposal=form_consultation, status=ResponseStatus.SUBMITTED
        ).count()
        == 1
    )
    assert not moderation.answer_words_public(answer)
    entry = AuditEntry.objects.get(action="answer.hide")
    assert entry.actor == moderator and entry.department == form_consultation.department
    assert entry.scope == f"proposal:{form_consultation.pk}"
    assert entry.reason == "Names a neighbour"
    assert entry.after == {
        "hidden": True,
        "reason": "Names a neighbour",
        "category": "personal_data",
    }
    assert entry.before["question"] == questions["why_not"].pk
    # The words are not copied into the log.
    assert WORDS not in str(entry.before) + str(entry.after) + entry.reason

    moderation.answer_restore(actor=moderator, answer=answer, reason="Cleared after a check")
    answer.refresh_from_db()
    assert answer.hidden_at is None and answer.hidden_reason == answer.hidden_category == ""
    assert moderation.answer_words_public(answer)
    restore = AuditEntry.objects.get(action="answer.restore")
    assert (
        restore.before["category"] == "personal_data" and restore.reason == "Cleared after a check"
    )


def test_a_repeated_decision_changes_nothing_and_a_different_one_is_refused(
    make_user, form_consultation, questions, moderator, grant, tree
):
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    for _ in range(2):
        moderation.answer_hide(actor=moderator, answer=answer, reason="Rude", category="abuse")
    second = grant(make_user(), tree.ministry, Role.MODERATOR)
    with pytest.raises(ValidationError) as refused:
        moderation.answer_hide(actor=second, answer=answer, reason="Spam", category="spam")
    assert refused.value.messages == [str(moderation.ANSWER_ALREADY_HIDDEN)]
    for _ in range(2):
        moderation.answer_restore(actor=moderator, answer=answer)
    # Approving an answer that was never held is no decision either.
    moderation.answer_approve(actor=moderator, answer=answer)
    assert actions_on(answer) == ["answer.hide", "answer.restore"]
    answer.refresh_from_db()
    assert answer.hidden_at is None and answer.hidden_reason == ""


def test_hiding_needs_a_reason_and_a_known_category(
    make_user, form_consultation, questions, moderator
):
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    with pytest.raises(ValidationError) as refused:
        moderation.answer_hide(actor=moderator, answer=answer, reason="   ")
    assert refused.value.messages == [str(moderation.ANSWER_REASON_NEEDED)]
    with pytest.raises(ValidationError):
        moderation.answer_hide(actor=moderator, answer=answer, reason="x" * 301)
    with pytest.raises(ValidationError) as refused:
        moderation.answer_hide(actor=moderator, answer=answer, reason="Rude", category="nonsense")
    assert "category" in refused.value.message_dict
    answer.refresh_from_db()
    assert answer.hidden_at is None and actions_on(answer) == []


def test_drafts_and_answers_without_words_are_not_moderated(
    make_user, form_consultation, questions, moderator
):
    draft = respond(make_user, form_consultation, questions, submit=False)
    with pytest.raises(ValidationError) as refused:
        moderation.answer_hide(actor=moderator, answer=why_not(draft, questions), reason="x")
    assert refused.value.messages == [str(moderation.DRAFT)]
    submitted = respond(make_user, form_consultation, questions)
    choice = FormAnswer.objects.get(response=submitted, question=questions["agree"])
    with pytest.raises(ValidationError) as refused:
        moderation.answer_hide(actor=moderator, answer=choice, reason="x")
    assert refused.value.messages == [str(moderation.NO_WORDS)]


def test_an_answer_replaced_by_a_resubmission_is_refused_clearly(
    make_user, form_consultation, questions, moderator
):
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    FormAnswer.objects.filter(pk=answer.pk).delete()
    with pytest.raises(ValidationError) as refused:
        moderation.answer_hide(actor=moderator, answer=answer, reason="x")
    assert refused.value.messages == [str(moderation.ANSWER_GONE)]


def test_resubmitting_the_same_words_keeps_them_hidden_with_their_category(
    make_user, form_consultation, questions, moderator
):
    citizen = make_user()
    respondent = Respondent(kind="individual", publication=Publication.NAMED)
    answers = full_answers(questions)
    response = submissions.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=respondent,
        answers=answers,
        submit=True,
    )
    moderation.answer_hide(
        actor=moderator, answer=why_not(response, questions), reason="Rude", category="abuse"
    )
    answers[questions["children"].pk] = "3"
    submissions.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=respondent,
        answers=answers,
        submit=True,
    )
    again = why_not(response, questions)
    assert (again.hidden_reason, again.hidden_category) == ("Rude", "abuse")
    assert not moderation.answer_words_public(again)


def test_held_answers_are_approved_or_rejected_and_a_rejection_restored_approves(
    make_user, form_consultation, questions, moderator
):
    hold_everything(form_consultation)
    first = why_not(respond(make_user, form_consultation, questions), questions)
    second = why_not(respond(make_user, form_consultation, questions), questions)
    assert first.held_reasons == [{"code": "hold_all"}]

    moderation.answer_approve(actor=moderator, answer=first)
    moderation.answer_approve(actor=moderator, answer=first)
    first.refresh_from_db()
    assert first.held_at is None and first.held_reasons == [{"code": "hold_all"}]
    assert moderation.answer_words_public(first)
    assert actions_on(first) == ["answer.approve"]

    moderation.answer_hide(actor=moderator, answer=second, reason="Off topic", category="off_topic")
    second.refresh_from_db()
    assert actions_on(second) == ["answer.reject"]
    assert not moderation.answer_words_public(second)
    with pytest.raises(ValidationError) as refused:
        moderation.answer_approve(actor=moderator, answer=second)
    assert refused.value.messages == [str(moderation.HIDDEN_NOT_HELD)]
    moderation.answer_restore(actor=moderator, answer=second)
    second.refresh_from_db()
    assert second.held_at is None and second.hidden_at is None
    assert moderation.answer_words_public(second)


def test_staff_entries_are_never_held(form_consultation, questions, official):
    import datetime

    hold_everything(form_consultation)
    entered = submissions.response_enter(
        actor=official,
        proposal=form_consultation,
        entry=submissions.Entry(channel="post", received_on=datetime.date.today()),
        respondent=Respondent(kind="individual", publication=Publication.NAMED),
        answers=full_answers(questions),
    )
    assert moderation.answer_words_public(why_not(entered, questions))


# --- The moderators' queue, without JavaScript ------------------------------------


def answer_url(answer: FormAnswer) -> str:
    return f"{QUEUE}answers/{answer.pk}/"


def queue_soup(client, user, query=""):
    client.force_login(user)
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def listed_answers(soup) -> set[int]:
    return {int(li["data-queue-answer"]) for li in soup.select("[data-queue-answer]")}


def test_held_answers_wait_in_the_queue_as_their_own_kind(
    client, make_user, grant, tree, form_consultation, questions, moderator
):
    hold_everything(form_consultation)
    held = respond(make_user, form_consultation, questions)
    withheld = respond(make_user, form_consultation, questions, publication=Publication.WITHHELD)
    draft = respond(make_user, form_consultation, questions, submit=False)
    assert why_not(withheld, questions).held_at and why_not(draft, questions).held_at

    soup = queue_soup(client, moderator)
    texts = set(held.answers.exclude(text="").values_list("pk", flat=True))
    # Answers not to be published, and drafts, are not public: never reviewed.
    assert listed_answers(soup) == texts and len(texts) == 2
    item = soup.select_one(f"#queue-answer-{why_not(held, questions).pk}")
    title = " ".join(item.select_one("h3").get_text().split())
    assert title == (
        "Answer to “If not, why not?” in the response form of Safer streets near schools"
    )
    assert "Answer awaiting approval" in item.get_text()
    assert WORDS in item.select_one("blockquote").get_text()
    assert "reviewed first" in item.select_one(".queue-why").get_text()
    # Each control has a label; each form posts to the answer's own address.
    form = item.select_one("form")
    assert form["action"] == answer_url(why_not(held, questions))
    for field in form.select("input[type=text], select"):
        assert form.select_one(f"label[for={field['id']}]") is not None
    assert {b["value"] for b in form.select("button")} == {"hide", "approve"}
    # Filtered to answers, to comments, or seen by a moderator elsewhere.
    assert listed_answers(queue_soup(client, moderator, "?kind=answers_held")) == texts
    assert listed_answers(queue_soup(client, moderator, "?kind=held")) == set()
    elsewhere = grant(make_user(), tree.other_ministry, Role.MODERATOR)
    assert listed_answers(queue_soup(client, elsewhere)) == set()


def test_approving_and_hiding_from_the_queue(
    client, make_user, form_consultation, questions, moderator
):
    hold_everything(form_consultation)
    response = respond(make_user, form_consultation, questions)
    answer = why_not(response, questions)
    other = FormAnswer.objects.get(response=response, question=questions["comments"])
    client.force_login(moderator)

    done = client.post(answer_url(answer) + "?kind=all", {"action": "approve"})
    assert done.status_code == 302 and done["Location"] == QUEUE + "?kind=all"
    answer.refresh_from_db()
    assert moderation.answer_words_public(answer)
    followed = BeautifulSoup(client.get(done["Location"]).content, "html.parser")
    assert "its words are public" in followed.select_one(".messages").get_text()
    assert listed_answers(followed) == {other.pk}

    done = client.post(
        answer_url(other), {"action": "hide", "reason": "Advertising", "category": "spam"}
    )
    assert done.status_code == 302
    other.refresh_from_db()
    assert (other.hidden_reason, other.hidden_category) == ("Advertising", "spam")
    assert actions_on(other) == ["answer.reject"]


def test_a_refused_decision_says_why_by_the_answer_and_keeps_what_was_typed(
    client, make_user, grant, tree, form_consultation, questions, moderator
):
    hold_everything(form_consultation)
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    client.force_login(moderator)
    too_long = "x" * 301
    refused = client.post(
        answer_url(answer), {"action": "hide", "reason": too_long, "category": "abuse"}
    )
    assert refused.status_code == 400
    soup = BeautifulSoup(refused.content, "html.parser")
    item = soup.select_one(f"#queue-answer-{answer.pk}")
    assert "300 characters" in item.select_one("[role=alert]").get_text()
    assert item.select_one("input[name=reason]")["value"] == too_long
    assert item.select_one("option[selected]")["value"] == "abuse"
    assert soup.select_one("#queue-reason")["value"] == ""  # the bulk bar is left alone
    for data in ({"action": "hide", "reason": " "}, {"action": "delete"}, {}):
        assert client.post(answer_url(answer), data).status_code == 400
    answer.refresh_from_db()
    assert answer.hidden_at is None and answer.held_at is not None

    # A moderator elsewhere: refused, told why, nothing changed.
    client.force_login(grant(make_user(), tree.other_ministry, Role.MODERATOR))
    refused = client.post(answer_url(answer), {"action": "approve"})
    assert refused.status_code == 403
    alert = BeautifulSoup(refused.content, "html.parser").select_one(".form-error-summary")
    assert "Only moderators of this consultation's department" in alert.get_text()
    answer.refresh_from_db()
    assert answer.held_at is not None and actions_on(answer) == []

    # No such answer, or not a moderator at all, or not a POST.
    client.force_login(moderator)
    for pk in ("999999", "9" * 30):
        gone = client.post(f"{QUEUE}answers/{pk}/", {"action": "approve"})
        assert gone.status_code == 302
        assert "no longer there" in client.get(gone["Location"]).content.decode()
    assert client.get(answer_url(answer)).status_code == 405
    client.force_login(make_user())
    assert client.post(answer_url(answer), {"action": "approve"}).status_code == 403


def test_published_answers_are_listed_on_demand_to_hide_and_restore(
    client, make_user, form_consultation, questions, moderator
):
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    withheld = respond(make_user, form_consultation, questions, publication=Publication.WITHHELD)
    # Nothing waits: "Everything" has no answers at all.
    assert listed_answers(queue_soup(client, moderator)) == set()
    soup = queue_soup(client, moderator, "?kind=answers")
    assert answer.pk in listed_answers(soup)
    assert not listed_answers(soup) & set(withheld.answers.values_list("pk", flat=True))
    assert "Published answer" in soup.select_one(f"#queue-answer-{answer.pk}").get_text()

    client.post(answer_url(answer) + "?kind=answers", {"action": "hide", "reason": "Rude"})
    soup = queue_soup(client, moderator, "?kind=answers")
    item = soup.select_one(f"#queue-answer-{answer.pk}")
    assert "Hidden by a moderator: Rude" in " ".join(item.get_text().split())
    assert [b["value"] for b in item.select("button")] == ["restore"]
    assert client.post(answer_url(answer), {"action": "restore"}).status_code == 302
    answer.refresh_from_db()
    assert moderation.answer_words_public(answer)


def test_a_queue_page_with_answers_costs_the_same_queries_for_2_and_20_answers(
    client, make_user, form_consultation, questions, moderator
):
    def count(query: str = "") -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE + query)
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        return len(captured), len(listed_answers(soup))

    def add(n: int) -> None:
        """n published responses and n held ones, two text answers each."""
        for _ in range(n):
            ModerationPolicy.objects.filter(proposal=form_consultation).delete()
            respond(make_user, form_consultation, questions)
            hold_everything(form_consultation)
            respond(make_user, form_consultation, questions)

    client.force_login(moderator)
    add(1)
    small, small_published = count(), count("?kind=answers")
    add(9)
    large, large_published = count(), count("?kind=answers")
    assert (small[1], large[1], small_published[1], large_published[1]) == (2, 20, 2, 20)
    # Session and user, the role check, the menu's roles and unread count,
    # the consultations (and where answers wait), the count of comments
    # (none: no page of them), and one query for a page of answers with
    # their count. Asked for answers only, comments are not counted.
    assert small[0] == large[0] == 8
    assert small_published[0] == large_published[0] == 7


# --- The public moderation log --------------------------------------------------


def test_the_public_log_counts_answer_decisions_and_never_shows_their_words(
    client, make_user, form_consultation, questions, moderator
):
    hidden = why_not(
        respond(make_user, form_consultation, questions, words="Call 555-0100 for pills"),
        questions,
    )
    moderation.answer_hide(actor=moderator, answer=hidden, reason="Advertising", category="spam")
    hold_everything(form_consultation)
    approved = why_not(respond(make_user, form_consultation, questions), questions)
    rejected = why_not(
        respond(make_user, form_consultation, questions, words="Secret rude words"), questions
    )
    withheld = respond(make_user, form_consultation, questions, publication=Publication.WITHHELD)
    moderation.answer_approve(actor=moderator, answer=approved)
    # Never public: hiding it is counted as an action, but not listed.
    moderation.answer_hide(actor=moderator, answer=why_not(withheld, questions), reason="Odd")
    moderation.answer_hide(actor=moderator, answer=rejected, reason="Abusive", category="abuse")

    counts = {t.key: t.count for t in log.moderation_log(proposal=form_consultation).actions}
    # Two published responses held with two text answers each; the withheld
    # one is not counted, as it is never reviewed.
    assert counts[log.ANSWER_HOLD] == 4
    assert counts["answer.hide"] == counts["answer.approve"] == 1
    assert counts["answer.reject"] == 2  # the withheld one was held too

    url = f"{form_consultation.get_absolute_url()}moderation-log/"
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    # The proposal, actions, held counts, categories, reports, and the count
    # and the page of hidden comments and answers: answers add no query.
    assert len(captured) == 7
    html = page.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    actions = {
        row.th.get_text(strip=True): int(row.td.get_text(strip=True))
        for row in soup.select("section[aria-labelledby=actions-title] tbody tr")
    }
    assert actions["Answers hidden by a moderator"] == 1
    assert actions["Answers not published after review"] == 2
    assert actions["Answers approved after review"] == 1
    assert actions["Answers held for review"] == 4
    categories = {
        row.th.get_text(strip=True): int(row.td.get_text(strip=True))
        for row in soup.select("section[aria-labelledby=answer-categories-title] tbody tr")
    }
    assert categories == {"Spam": 1, "Abuse or harassment": 1}
    # Each hidden answer is listed with its place and its public reason.
    rows = [
        [" ".join(cell.get_text().split()) for cell in row.find_all("td")[1:]]
        for row in soup.select("#hidden tbody tr")
    ]
    where = "Answer to “If not, why not?” in the response form"
    assert rows == [
        [where, "Not published after review", "Abuse or harassment", "Abusive"],
        [where, "Hidden by a moderator", "Spam", "Advertising"],
    ]
    for words in ("555-0100", "Secret rude words", WORDS, "Resident", "Odd"):
        assert words not in html


# --- Two moderators at once ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_reason", ["Rude", "Spam"])
def test_two_moderators_hiding_one_answer_at_once_decide_it_once(
    second_reason, make_user, grant, tree, form_consultation, questions, moderator
):
    from tests.discussion.moderation.test_queue import run_together

    answer = why_not(respond(make_user, form_consultation, questions), questions)
    other = grant(make_user(), tree.ministry, Role.MODERATOR)
    results = run_together(
        lambda: moderation.answer_hide(actor=moderator, answer=answer, reason="Rude"),
        lambda: moderation.answer_hide(actor=other, answer=answer, reason=second_reason),
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    if second_reason == "Rude":
        # The same decision twice: both see it done.
        assert refused == []
    else:
        assert len(refused) == 1 and isinstance(refused[0], ValidationError)
        assert refused[0].messages == [str(moderation.ANSWER_ALREADY_HIDDEN)]
    assert actions_on(answer) == ["answer.hide"]
    answer.refresh_from_db()
    assert answer.hidden_at is not None


@pytest.fixture
def chinese(client):
    """The client reads in Chinese; the language does not outlive the test."""
    client.cookies["django_language"] = "zh-hans"
    yield client
    translation.deactivate()


def test_the_answers_in_the_queue_speak_chinese(
    chinese, make_user, form_consultation, questions, moderator
):
    client = chinese
    hold_everything(form_consultation)
    answer = why_not(respond(make_user, form_consultation, questions), questions)
    soup = queue_soup(client, moderator)
    item = soup.select_one(f"#queue-answer-{answer.pk}")
    assert "回复表中问题“If not, why not?”的回答" in item.select_one("h3").get_text()
    assert "待批准的回答" in item.get_text()
    assert "条回答待处理" in soup.select_one("#queue-answers-title").get_text()
    refused = client.post(answer_url(answer), {"action": "hide", "reason": ""})
    alert = BeautifulSoup(refused.content, "html.parser").select_one("[role=alert]")
    assert "请填写公众将看到的隐藏这些文字的理由" in alert.get_text()
