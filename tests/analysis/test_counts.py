"""Participation, stances and response coverage on small hand-checked data."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from consult.analysis.coverage import agree_counts, coverage, themes_tagged
from consult.analysis.inputs import NO_ID, Inputs, codes, floats, ints, unique_count
from consult.analysis.participation import participation
from consult.analysis.stances import stances

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int) -> float:
    return datetime(2026, 3, day, hour, tzinfo=UTC).timestamp()


def sample() -> Inputs:
    """Three people comment on two sections; a fourth only votes and takes stances.

    comments: 10 (user 1, section 100, 1 Mar 09:00), 11 (user 2, reply to 10,
    section 100, 1 Mar 23:30 UTC), 12 (user 3, section 200, 2 Mar 10:00),
    13 (user 1, whole proposal, 3 Mar 08:00).
    """
    return Inputs(
        comment_id=ints([10, 11, 12, 13]),
        comment_author=ints([1, 2, 3, 1]),
        comment_section=ints([100, 100, 200, NO_ID]),
        comment_parent=ints([NO_ID, 10, NO_ID, NO_ID]),
        comment_time=floats([at(1, 9), at(1, 23) + 1800, at(2, 10), at(3, 8)]),
        comment_text=["a", "b", "c", "d"],
        vote_comment=ints([10, 10, 10, 12, 12, 13]),
        vote_user=ints([2, 3, 4, 1, 4, 4]),
        vote_value=codes([1, 1, -1, 1, 0, 1]),
        vote_time=floats([at(1, 10), at(1, 11), at(2, 9), at(2, 11), at(2, 12), at(3, 9)]),
        stance_user=ints([1, 2, 4]),
        stance_value=codes([0, 1, 0]),
        stance_time=floats([at(1, 8), at(1, 9), at(2, 8)]),
        section_stance_section=ints([100, 100, 100, 200]),
        section_stance_user=ints([1, 2, 4, 4]),
        section_stance_value=codes([0, 0, 2, 1]),
        section_stance_time=floats([at(1, 8), at(1, 9), at(2, 8), at(2, 8)]),
        section_id=ints([100, 200]),
        section_heading=["Speed limits", "学校周边"],
        tag_comment=ints([10, 11, 12]),
        tag_theme=ints([0, 0, 1]),
        theme_name=["Safety", "Parking"],
        theme_slug=["safety", "parking"],
        response_id=ints([7, 8]),
        response_time=floats([at(1, 12), at(4, 10)]),
        response_section=ints([NO_ID, 200]),
        response_theme=["", ""],
        answer_response=ints([7, 7]),
        answer_comment=ints([10, 13]),
        place_user=ints([1, 2]),
        place_id=ints([5, 5]),
        place_names={5: "Riverside"},
    )


def test_unique_counts_a_campaign_once():
    membership = ints([NO_ID, 0, 0, 1, NO_ID])
    assert unique_count(membership) == 4  # two alone, campaigns 0 and 1
    assert unique_count(membership, np.array([True, True, True, False, False])) == 2


def test_participation_totals_days_and_places():
    inputs = sample()
    membership = ints([NO_ID, NO_ID, NO_ID, NO_ID])
    result = participation(inputs, membership, zone=LONDON)
    assert result["participants"] == 4
    assert (result["comments"], result["replies"]) == (3, 1)
    assert (result["comments_unique"], result["replies_unique"]) == (3, 1)
    assert result["comment_votes"] == 6
    assert result["stances"] == 7
    assert [day["date"] for day in result["daily"]] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    first, second, third = result["daily"]
    # London is on UTC in early March: the reply at 23:30 is still 1 March.
    assert (first["comments"], first["replies"], first["comment_votes"], first["stances"]) == (
        1,
        1,
        2,
        4,
    )
    assert first["participants"] == 3  # users 1, 2 and 3 (3 voted)
    assert (second["comments"], second["comment_votes"], second["stances"]) == (1, 3, 3)
    assert second["participants"] == 3  # users 1, 3 and 4
    assert (third["comments"], third["comment_votes"], third["participants"]) == (1, 1, 2)
    assert result["jurisdictions"] == [
        {"id": 5, "name": "Riverside", "participants": 2},
        {"id": None, "name": "", "participants": 2},
    ]


def test_days_follow_the_local_calendar():
    result = participation(sample(), ints([NO_ID] * 4), zone=SHANGHAI)
    # 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
    replies = {day["date"]: day["replies"] for day in result["daily"]}
    assert replies["2026-03-02"] == 1
    assert replies["2026-03-01"] == 0


def test_campaign_copies_count_once_in_unique_figures():
    membership = ints([0, 0, 0, NO_ID])  # comments 10, 11 and 12 are one campaign
    result = participation(sample(), membership, zone=LONDON)
    assert result["comments_unique"] == 2  # the campaign (10, 12) and 13
    assert result["replies_unique"] == 1


def test_stances_on_the_proposal_and_each_section():
    result = stances(sample(), ints([NO_ID, NO_ID, 0, 0]))
    whole = result["proposal"]
    assert (whole["support"], whole["oppose"], whole["neutral"], whole["total"]) == (2, 1, 0, 3)
    assert whole["shares"] == {"support": 0.6667, "oppose": 0.3333, "neutral": 0.0}
    first, second = result["sections"]
    assert (first["id"], first["order"], first["heading"]) == (100, 1, "Speed limits")
    assert (first["support"], first["oppose"], first["neutral"], first["total"]) == (2, 0, 1, 3)
    assert (first["comments"], first["comments_unique"]) == (2, 2)
    assert (second["heading"], second["oppose"], second["total"]) == ("学校周边", 1, 1)
    assert second["shares"] == {"support": 0.0, "oppose": 1.0, "neutral": 0.0}


def test_a_section_nobody_took_a_stance_on_has_zero_shares():
    inputs = sample()
    inputs.section_id = ints([100, 200, 300])
    inputs.section_heading = ["a", "b", "empty"]
    third = stances(inputs, ints([NO_ID] * 4))["sections"][2]
    assert third["total"] == 0
    assert third["shares"] == {"support": 0.0, "oppose": 0.0, "neutral": 0.0}


def test_agree_counts_line_up_with_comments():
    agree, disagree, passed = agree_counts(sample())
    assert agree.tolist() == [2, 0, 1, 1]
    assert disagree.tolist() == [1, 0, 0, 0]
    assert passed.tolist() == [0, 0, 1, 0]


def test_tagged_themes_with_representatives_by_agreement():
    inputs = sample()
    agree, _, _ = agree_counts(inputs)
    themes = themes_tagged(inputs, ints([NO_ID] * 4), agree)
    assert [theme["name"] for theme in themes] == ["Safety", "Parking"]
    safety = themes[0]
    assert safety["comment_ids"] == [10, 11]
    assert safety["representative"] == [10, 11]  # 10 has two agrees, 11 none
    assert (safety["comments"], safety["comments_unique"]) == (2, 2)


def test_coverage_of_sections_themes_and_top_comments():
    inputs = sample()
    agree, _, _ = agree_counts(inputs)
    membership = ints([NO_ID] * 4)
    themes = themes_tagged(inputs, membership, agree)
    sections = stances(inputs, membership)["sections"]
    result = coverage(inputs, themes, sections)
    by_section = {row["id"]: row for row in result["sections"]}
    # Section 100: comment 10 is answered; section 200: a response to the section.
    assert by_section[100]["answered"] and by_section[100]["responses"] == 0
    assert by_section[100]["comments_answered"] == 1
    assert by_section[200]["answered"] and by_section[200]["responses"] == 1
    by_theme = {row["slug"]: row for row in result["themes"]}
    assert by_theme["safety"]["answered"] and by_theme["safety"]["comments_answered"] == 1
    assert not by_theme["parking"]["answered"]
    assert result["top_comments"] == [
        {"comment": 10, "agree": 2, "answered": True},
        {"comment": 12, "agree": 1, "answered": False},
        {"comment": 13, "agree": 1, "answered": True},
    ]
    assert (result["comments_answered"], result["comments_public"]) == (2, 4)
    # Comment 10 waited 3 hours (09:00 to 12:00); comment 13 none (written after the
    # response it is linked to is counted as zero, never negative).
    assert result["response_hours"] == {"count": 2, "median": 1.5, "p90": 2.7, "max": 3.0}


def test_nothing_at_all():
    empty = Inputs()
    assert participation(empty, ints(), zone=LONDON)["daily"] == []
    assert stances(empty, ints())["proposal"]["total"] == 0
    result = coverage(empty, [], [])
    assert result["response_hours"]["median"] is None and result["top_comments"] == []


def test_the_fingerprint_changes_with_the_data():
    first, second = sample(), sample()
    assert first.fingerprint() == second.fingerprint()
    second.vote_value = codes([1, 1, -1, 1, 0, -1])
    assert first.fingerprint() != second.fingerprint()
