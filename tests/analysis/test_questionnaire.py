"""The response form's figures on small hand-checked data: counts and shares,
by respondent kind and channel, ranking scores, number statistics, and the
words of responses beside comments in campaigns and themes."""

from decimal import Decimal

import numpy as np

from consult.analysis import form_words
from consult.analysis.inputs import Inputs, codes, floats, ints
from consult.analysis.questionnaire import (
    NO_TEXT,
    WORDS_HELD,
    WORDS_HIDDEN,
    WORDS_PUBLIC,
    FormInputs,
    Question,
    form_figures,
    number_summary,
    numbers,
    ranking_scores,
)

SINGLE = Question(1, 1, "single", "Agree?", None, [("c1", "Yes"), ("c2", "No")])
MULTIPLE = Question(2, 2, "multiple", "Travel?", "Schools", [("c1", "Foot"), ("c2", "Bus")])
RANKING = Question(3, 3, "ranking", "Rank", None, [("c1", "A"), ("c2", "B"), ("c3", "C")])
NUMBER = Question(4, 4, "number", "Children?")
TEXT = Question(5, 5, "text", "Why?")


def sample() -> FormInputs:
    """Four submitted responses (10: individual web, 11: individual post,
    12: organisation email, 13: individual web) and answers of a draft (99).

    single: 10 Yes, 11 No, 12 Yes, 13 skipped; multiple: 10 both, 11 Foot,
    12 Bus, 13 Foot; ranking: 10 A>B>C, 11 B>A, 12 B (13 skipped);
    number: 10 2, 11 0, 12 none, 13 5; text: 10 public, 11 hidden, 12 held.
    """
    answers = [
        (10, 1, ["c1"], None, NO_TEXT),
        (11, 1, ["c2"], None, NO_TEXT),
        (12, 1, ["c1"], None, NO_TEXT),
        (13, 1, [], None, NO_TEXT),
        (99, 1, ["c2"], None, NO_TEXT),  # a draft: never counted
        (10, 2, ["c1", "c2"], None, NO_TEXT),
        (11, 2, ["c1"], None, NO_TEXT),
        (12, 2, ["c2"], None, NO_TEXT),
        (13, 2, ["c1"], None, NO_TEXT),
        (10, 3, ["c1", "c2", "c3"], None, NO_TEXT),
        (11, 3, ["c2", "c1"], None, NO_TEXT),
        (12, 3, ["c2"], None, NO_TEXT),
        (10, 4, [], Decimal("2"), NO_TEXT),
        (11, 4, [], Decimal("0.0000"), NO_TEXT),
        (13, 4, [], Decimal("5"), NO_TEXT),
        (10, 5, [], None, WORDS_PUBLIC),
        (11, 5, [], None, WORDS_HIDDEN),
        (12, 5, [], None, WORDS_HELD),
        (13, 5, [], None, NO_TEXT),
    ]
    return FormInputs(
        questions=[SINGLE, MULTIPLE, RANKING, NUMBER, TEXT],
        response_id=ints([10, 11, 12, 13]),
        response_kind=codes([0, 0, 1, 0]),
        response_channel=codes([0, 1, 2, 0]),
        answer_response=ints([a[0] for a in answers]),
        answer_question=ints([a[1] for a in answers]),
        answer_choices=[a[2] for a in answers],
        answer_number=numbers([a[3] for a in answers]),
        answer_text=codes([a[4] for a in answers]),
        documents={"attached": 2, "read": 1, "pending": 1},
    )


def by_id(result: dict) -> dict:
    return {q["id"]: q for q in result["questions"]}


def test_responses_are_counted_by_kind_and_channel():
    result = form_figures(sample())
    assert result["responses"] == 4
    assert result["by_kind"] == {"individual": 3, "organisation": 1}
    assert result["by_channel"] == {"web": 2, "post": 1, "email": 1, "phone": 0, "meeting": 0}
    assert result["documents"] == {"attached": 2, "read": 1, "failed": 0, "pending": 1}


def test_a_single_choice_counts_shares_of_those_who_answered():
    single = by_id(form_figures(sample()))[1]
    assert (single["answered"], single["skipped"]) == (3, 1)
    yes, no = single["choices"]
    assert (yes["count"], yes["share"], no["count"], no["share"]) == (2, 0.6667, 1, 0.3333)
    assert yes["by_kind"] == {"individual": 1, "organisation": 1}
    assert yes["by_channel"] == {"web": 1, "post": 0, "email": 1, "phone": 0, "meeting": 0}
    assert no["by_channel"]["post"] == 1  # the draft's "No" is not there
    assert "shares_sum_over_100" not in single


def test_multiple_choice_shares_may_sum_over_one_hundred_percent():
    multiple = by_id(form_figures(sample()))[2]
    foot, bus = multiple["choices"]
    assert (foot["count"], bus["count"], multiple["answered"]) == (3, 2, 4)
    assert (foot["share"], bus["share"]) == (0.75, 0.5)
    assert multiple["shares_sum_over_100"] is True
    assert multiple["section"] == "Schools"


def test_ranking_scores_are_mean_borda_points_over_those_who_answered():
    ranking = by_id(form_figures(sample()))[3]["ranking"]
    rows = {row["key"]: row for row in ranking}
    # Three choices: first 3 points, second 2, third 1, unranked 0; three answered.
    assert rows["c2"]["score"] == round((2 + 3 + 3) / 3, 4)
    assert rows["c1"]["score"] == round((3 + 2 + 0) / 3, 4)
    assert rows["c3"]["score"] == round(1 / 3, 4)
    assert [row["key"] for row in ranking] == ["c2", "c1", "c3"]  # highest score first
    assert (rows["c2"]["first"], rows["c2"]["ranked"], rows["c2"]["mean_rank"]) == (2, 3, 1.3333)
    assert (rows["c3"]["ranked"], rows["c3"]["mean_rank"]) == (1, 3.0)


def test_a_ranking_nobody_answered_scores_nothing():
    rows = ranking_scores([("c1", "A"), ("c2", "B")], [])
    assert [(r["score"], r["mean_rank"], r["ranked"]) for r in rows] == [(0.0, None, 0)] * 2


def test_number_statistics_from_decimals():
    number = by_id(form_figures(sample()))[4]["number"]
    assert (number["count"], number["min"], number["max"]) == (3, 0.0, 5.0)
    assert (number["mean"], number["median"]) == (2.3333, 2.0)
    # Whole numbers close together: one bin per whole number.
    assert [(b["low"], b["count"]) for b in number["bins"]] == [
        (0.0, 1), (1.0, 0), (2.0, 1), (3.0, 0), (4.0, 0), (5.0, 1)
    ]  # fmt: skip


def test_number_statistics_of_nothing_and_of_wide_ranges():
    empty = number_summary([None, None])
    assert empty == {"count": 0, "mean": None, "median": None, "min": None, "max": None, "bins": []}
    wide = number_summary([Decimal("0.5"), Decimal("100"), Decimal("50.25")])
    assert len(wide["bins"]) == 10 and sum(b["count"] for b in wide["bins"]) == 3
    assert wide["bins"][0]["low"] == 0.5 and wide["bins"][-1]["high"] == 100.0
    assert wide["bins"][-1]["count"] == 1  # the greatest is in the last bin


def test_free_text_counts_hidden_and_held_answers():
    text = by_id(form_figures(sample()))[5]
    assert text["text"] == {"answered": 3, "hidden": 1, "held": 1}
    assert (text["answered"], text["skipped"]) == (3, 1)
    assert text["choices"] == [] and text["number"] is None


def test_a_form_nobody_answered():
    result = form_figures(FormInputs(questions=[SINGLE, NUMBER]))
    single, number = result["questions"]
    assert result["responses"] == 0 and single["answered"] == 0
    assert [c["share"] for c in single["choices"]] == [0.0, 0.0]
    assert number["number"]["count"] == 0


def letters_and_comments() -> Inputs:
    """Two comments and three responses: 20 and 21 posted letters, the same
    text; 22 a web response with different words, withheld."""
    letter = "We the parents of Hill Street school ask for a crossing patrol every morning."
    form = FormInputs(
        response_id=ints([20, 21, 22]),
        response_kind=codes([0, 0, 0]),
        response_channel=codes([1, 1, 0]),
        text_response=ints([20, 21, 22]),
        text_time=floats([5.0, 6.0, 7.0]),
        text=[letter, letter, "Something else entirely, about buses and their timetables."],
        public_text=["", letter, ""],
    )
    return Inputs(
        comment_id=ints([1, 2]),
        comment_text=[letter, "I agree."],
        comment_time=floats([1.0, 2.0]),
        form=form,
    )


def test_responses_join_comments_in_a_campaign_with_their_channels():
    from consult.analysis.campaigns import find_campaigns

    inputs = letters_and_comments()
    ids, texts, times = form_words.texts(inputs)
    assert ids.tolist() == [1, 2, -20, -21, -22]
    found = find_campaigns(ids.tolist(), texts, times.tolist())
    found.pop("membership")
    (campaign,) = form_words.split_campaigns(found, inputs.form)["groups"]
    assert campaign["size"] == 3 and campaign["comment_ids"] == [1]
    assert campaign["response_ids"] == [20, 21]
    assert campaign["by_channel"] == {"web": 1, "post": 2, "email": 0, "phone": 0, "meeting": 0}
    assert campaign["representative"] == 1
    # 20 may not be quoted (withheld, or its words hidden): 21 speaks for them.
    assert campaign["representative_response"] == 21
    assert form_words.excerpts(inputs.form, {20, 21}, str) == {
        "21": {"excerpt": inputs.form.public_text[1], "channel": "post"}
    }


def test_without_a_form_the_texts_are_the_comments():
    inputs = letters_and_comments()
    inputs.form = None
    ids, texts, _times = form_words.texts(inputs)
    assert ids is inputs.comment_id and texts is inputs.comment_text
    found = {"groups": [{"comment_ids": [1]}]}
    assert form_words.split_campaigns(found, None) is found


def test_a_form_and_its_answers_change_the_fingerprint():
    inputs = letters_and_comments()
    with_form = inputs.fingerprint()
    inputs.form = None
    without = inputs.fingerprint()
    assert with_form != without
    inputs.form = FormInputs()
    assert inputs.fingerprint() not in (with_form, without)
    assert np.isnan(numbers([None])[0])
