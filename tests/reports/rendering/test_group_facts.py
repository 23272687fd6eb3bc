"""How sure the groups are (the test against reshuffled votes) and Polis's
group-informed consensus, as the report and its downloads show them; and
snapshots stored before either existed still render."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup
from django.utils import translation

from consult.reports.rendering import exports
from consult.reports.rendering.figures import chart_table, report_figure
from consult.reports.rendering.groups import (
    group_consensus_items,
    groups_certainty,
    groups_message,
)
from tests.reports.factories import sample_snapshot, with_group_facts, without_groups
from tests.reports.rendering.test_page import render_page

EVIDENCE = "/consultations/safer-streets/report/evidence/"


def test_groups_beyond_chance_say_how_sure_in_words():
    sentence = groups_certainty(with_group_facts(sample_snapshot()))
    assert sentence.startswith("The same votes were reshuffled 99 times: each person kept")
    assert (
        "None of them gave groups as clear as these: groups this clear would arise by chance "
        "less than once in 100." in sentence
    )
    assert "these groups score 0.43, the reshufflings 0.33 on average and 0.34 at most" in sentence


def test_groups_no_reshuffling_could_split_as_finely_say_so_not_zero():
    snapshot = with_group_facts(sample_snapshot())
    test = snapshot["summary"]["groups"]["significance"]
    test.update(chance_mean=None, chance_sd=None, chance_highest=None)
    sentence = groups_certainty(snapshot)
    assert "less than once in 100." in sentence
    assert (
        "these groups score 0.43; no reshuffling could be split into as many groups of the "
        "smallest size shown." in sentence
    )
    assert "0.00" not in sentence
    with translation.override("zh-hans"):
        assert "没有一次随机重排能分出同样多" in groups_certainty(snapshot)


def test_some_reshufflings_as_clear_give_the_odds():
    sentence = groups_certainty(with_group_facts(sample_snapshot(), as_clear=2))
    assert (
        "2 of them gave groups at least as clear as these: groups this clear would arise by "
        "chance about once in 33." in sentence
    )


def test_groups_that_could_be_chance_say_how_many_reshufflings_were_as_clear():
    snapshot = without_groups(sample_snapshot(), reason="not_above_chance")
    message = groups_message(snapshot)
    assert message.startswith("The votes seem to fall into groups, but no more clearly than")
    assert "reshuffled 99 times" in message
    assert "37 of those 99 reshufflings gave groups at least as clear as these" in message
    assert "could well come from chance alone" in message
    assert "these groups score 0.33, the reshufflings 0.33 on average and 0.34 at most" in message
    assert groups_certainty(snapshot) == ""
    assert report_figure("groups", snapshot)["empty"] == message


def test_groups_too_small_to_describe_say_the_floor():
    message = groups_message(without_groups(sample_snapshot(), reason="small_groups"))
    assert message == (
        "The only ways found to split the 36 people who voted on enough comments leave a group "
        "of fewer than 5 people, too few to describe, so no groups are shown."
    )


def test_the_other_reasons_keep_their_words():
    snapshot = without_groups(sample_snapshot(), reason="low_silhouette")
    assert groups_message(snapshot).startswith("The votes do not fall into clear groups")
    # A summary stored before the test said "not_above_chance" without figures.
    old = without_groups(sample_snapshot(), reason="not_above_chance")
    del old["summary"]["groups"]["significance"]
    assert groups_message(old).startswith("The votes do not fall into clear groups")


def test_group_informed_consensus_is_listed_with_each_groups_share():
    snapshot = with_group_facts(sample_snapshot())
    table = chart_table("group_consensus", snapshot)
    assert table["caption"] == "Comments most agreed across all groups"
    assert table["rows"] == [
        [
            "Children should be able to walk to school safely.",
            "Agree",
            "Group A 90%, Group B 89%",
            "80.8%",
        ],
        [
            "Crossing patrols in the morning would help more.",
            "Disagree",
            "Group A 70%, Group B 60%",
            "42%",
        ],
    ]
    assert table["keys"] == ["comment:140", "comment:131"]
    (first, second) = group_consensus_items(snapshot)
    assert first["sentence"] == (
        "Agree, in each group: Group A 90%, Group B 89% (all groups together: 80.8%)"
    )
    assert second["sentence"].startswith("Disagree, in each group: Group A 70%")


def test_the_report_shows_the_certainty_and_both_consensus_lists():
    html = render_page(with_group_facts(sample_snapshot()))
    soup = BeautifulSoup(html, "html.parser")
    certainty = soup.find(id="report-groups-certainty").get_text()
    assert "less than once in 100" in certainty
    informed = soup.find(id="figure-group-consensus")
    assert informed.find("h3").get_text() == "Most agreed across all groups"
    assert "multiplied across the groups" in informed.get_text()
    items = informed.find("ol").find_all("li")
    assert [li.find("blockquote").get_text() for li in items] == [
        "Children should be able to walk to school safely.",
        "Crossing patrols in the morning would help more.",
    ]
    assert "Group A 90%, Group B 89% (all groups together: 80.8%)" in items[0].get_text()
    links = {a["href"] for a in informed.find_all("a")}
    assert f"{EVIDENCE}?key=group_consensus" in links
    assert f"{EVIDENCE}?key=comment:131" in links
    # The every-group consensus is still there, beside it.
    assert soup.find(id="figure-consensus") is not None


def test_the_print_version_shows_them_too():
    html = render_page(with_group_facts(sample_snapshot()), for_print=True)
    soup = BeautifulSoup(html, "html.parser")
    assert "less than once in 100" in soup.find(id="report-groups-certainty").get_text()
    assert "80.8%" in soup.find(id="figure-group-consensus").get_text()


def test_an_empty_group_informed_consensus_says_so():
    soup = BeautifulSoup(
        render_page(with_group_facts(sample_snapshot(), informed=False)), "html.parser"
    )
    informed = soup.find(id="figure-group-consensus")
    assert informed.find(class_="empty-state").get_text() == "No comment does well in every group."
    assert not informed.find_all("a")


def test_a_report_stored_before_these_facts_renders_as_before():
    snapshot = sample_snapshot()  # no significance, min_group_size or group_consensus
    assert groups_certainty(snapshot) == ""
    assert group_consensus_items(snapshot) is None
    assert chart_table("group_consensus", snapshot)["rows"] == []
    soup = BeautifulSoup(render_page(snapshot), "html.parser")
    assert soup.find(id="report-groups-certainty") is None
    assert soup.find(id="figure-group-consensus") is None
    assert soup.find(id="figure-consensus") is not None
    csv_text = exports.report_csv(snapshot).decode("utf-8-sig")
    assert "group_consensus" not in csv_text and "significance" not in csv_text


def test_no_groups_shown_means_no_group_informed_consensus():
    snapshot = without_groups(sample_snapshot(), reason="small_groups")
    assert group_consensus_items(snapshot) == []
    soup = BeautifulSoup(render_page(snapshot), "html.parser")
    assert soup.find(id="figure-group-consensus") is None
    assert "fewer than 5 people" in soup.get_text()


def test_the_csv_holds_the_test_and_the_group_informed_consensus():
    snapshot = with_group_facts(sample_snapshot())
    rows = list(csv.reader(io.StringIO(exports.report_csv(snapshot).decode("utf-8-sig"))))
    values = {(table, row, column): value for table, row, column, value in rows[1:]}
    assert values["groups", "summary", "min_group_size"] == "5"
    assert values["groups", "summary", "significance_shuffles"] == "99"
    assert values["groups", "summary", "significance_as_clear"] == "0"
    assert values["groups", "summary", "significance_p_value"] == "0.01"
    assert values["groups", "summary", "silhouette_chance_highest"] == "0.336"
    assert values["group_consensus", "140", "probability"] == "0.8081"
    assert values["group_consensus", "131", "direction"] == "disagree"
    assert values["group_consensus", "131", "share_group_1"] == "0.6"


def test_the_chinese_report_words_them_in_chinese():
    snapshot = with_group_facts(sample_snapshot())
    with translation.override("zh-hans"):
        certainty = groups_certainty(snapshot)
        small = groups_message(without_groups(sample_snapshot(), reason="small_groups"))
        chance = groups_message(without_groups(sample_snapshot(), reason="not_above_chance"))
        html = render_page(snapshot)
    assert "99" in certainty and "100" in certainty and "reshuffled" not in certainty
    assert "5" in small and "split" not in small
    assert "37" in chance and "reshufflings" not in chance
    informed = BeautifulSoup(html, "html.parser").find(id="figure-group-consensus")
    assert "Most agreed" not in informed.get_text()
    assert "multiplied" not in informed.get_text()
    assert "all groups together" not in informed.get_text()
