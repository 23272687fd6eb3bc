"""Near-duplicate campaigns: planted copies are found whole, independent comments are not."""

from __future__ import annotations

import json
import random

import numpy as np
from datasketch import MinHash

from consult.analysis.campaigns import find_campaigns, minhash_signatures, shingle_hashes
from consult.analysis.text import normalise

T0 = 1_790_000_000.0

BUS = (
    "Keep the number 12 bus running through Riverside after eight in the evening. "
    "Many older residents rely on it to reach the clinic and the market, and the nearest "
    "other stop is a long walk uphill. Cutting the evening service would leave whole "
    "streets without any safe way to get home."
)
SCHOOL = (
    "Close Mill Lane to through traffic at drop-off and pick-up time. Cars race past the "
    "school gate every morning and the pavement is too narrow for parents with buggies. "
    "A school street works in other towns and it would cost the council very little."
)
TREES = (
    "Plant street trees along Station Road before next summer. The road has no shade at "
    "all, the bus stop bakes in the afternoon, and the old plane trees that were cut down "
    "were never replaced as the council promised."
)

# Everyday words for the filler: comments that are nobody's copy.
VOCABULARY = """
people council street road park school bus train shop market river bridge house flat rent
money tax budget service plan idea problem reason change future children parents workers
visitors neighbours morning evening night weekend summer winter traffic noise light water
safe clean quiet busy cheap expensive fair slow fast better worse new old small large local
public open close build keep move fund repair paint light plant walk cycle drive park wait
think believe hope worry ask want need like prefer support oppose suggest agree expect
library clinic hospital museum garden square corner centre station harbour field forest
""".split()  # noqa: SIM905 - a word list reads better as prose


def filler(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(30, 50))) for _ in range(count)
    ]


def planted():
    """100 independent comments and three campaigns (30, 12 and 5 copies), with their ids.

    Ids fall as time goes on, so that sorting by id and by time disagree.
    """
    texts, times, ids = [], [], []
    campaign_ids = {"bus": [], "school": [], "trees": []}

    def add(text: str, when: float, campaign: str | None = None) -> None:
        comment_id = 5000 - 7 * len(ids)  # later comments, smaller ids
        ids.append(comment_id)
        texts.append(text)
        times.append(when)
        if campaign:
            campaign_ids[campaign].append(comment_id)

    for i, text in enumerate(filler(100)):
        add(text, T0 + 1000 * i)
    # The bus campaign: 30 copies in 4 wordings once normalised.
    for i in range(20):  # the letter itself, in varied case and punctuation
        variant = [BUS, BUS.upper(), BUS.replace(".", "!"), f"**{BUS}**", BUS.lower()][i % 5]
        add(variant, T0 + 500 + 60 * i, "bus")
    swapped = BUS.replace("older residents", "elderly neighbours")
    for i in range(5):
        add(swapped, T0 + 2000 + 60 * i, "bus")
    for i in range(3):
        add(BUS.replace("clinic", "surgery").replace("safe", "secure"), T0 + 3000 + 60 * i, "bus")
    for i in range(2):
        add(f"{BUS} I am one of those riders, and so is my mother.", T0 + 4000 + i, "bus")
    # The school campaign: 12 copies, one with a sentence of its own and one
    # with two words swapped; 3 wordings.
    for i in range(10):
        add(SCHOOL, T0 + 10_000 + 100 * i, "school")
    add(f"As a parent of two at the school: {SCHOOL}", T0 + 9_000, "school")
    add(SCHOOL.replace("race", "speed").replace("little", "almost nothing"), T0 + 12_000, "school")
    # The tree campaign: 5 identical copies, two of them at the same moment.
    for i in range(5):
        add(TREES, T0 + 20_000 + 30 * max(i, 1), "trees")
    return ids, texts, times, campaign_ids


def by_size(result):
    return {group["size"]: group for group in result["groups"]}


def test_planted_campaigns_are_found_whole_and_nothing_else():
    ids, texts, times, campaign = planted()
    result = find_campaigns(ids, texts, times)

    assert [g["size"] for g in result["groups"]] == [30, 12, 5]
    assert [g["id"] for g in result["groups"]] == [0, 1, 2]
    bus, school, trees = result["groups"]
    assert set(bus["comment_ids"]) == set(campaign["bus"])
    assert set(school["comment_ids"]) == set(campaign["school"])
    assert set(trees["comment_ids"]) == set(campaign["trees"])
    assert result["comments_in_groups"] == 47
    assert result["unique_comments"] == 100 + 3
    assert len(result["membership"]) == 47
    assert all(result["membership"][c] == 0 for c in campaign["bus"])
    assert result["threshold"] == 0.5
    assert result["num_perm"] == 128


def test_group_times_representative_and_variations():
    ids, texts, times, campaign = planted()
    when = dict(zip(ids, times, strict=True))
    bus, school, trees = find_campaigns(ids, texts, times)["groups"]

    assert (bus["first"], bus["last"]) == (T0 + 500, T0 + 4001)
    assert bus["representative"] == campaign["bus"][0]  # the first of the 20 letters, at T0 + 500
    assert bus["variations"] == 4
    # The comment ids run in time order.
    assert [when[c] for c in bus["comment_ids"]] == sorted(when[c] for c in campaign["bus"])
    # One example of each wording, the most copied first.
    assert len(bus["examples"]) == 4
    assert bus["examples"][0] == campaign["bus"][0]
    assert {normalise(texts[ids.index(c)]) for c in bus["examples"]} == {
        normalise(BUS),
        normalise(BUS.replace("older residents", "elderly neighbours")),
        normalise(BUS.replace("clinic", "surgery").replace("safe", "secure")),
        normalise(f"{BUS} I am one of those riders, and so is my mother."),
    }

    # The copy with a sentence of its own came first.
    assert (school["first"], school["last"]) == (T0 + 9_000, T0 + 12_000)
    assert school["representative"] == campaign["school"][10]
    assert school["variations"] == 3

    # Two copies at the same first moment: the smaller id represents the group.
    assert (trees["first"], trees["last"]) == (T0 + 20_030, T0 + 20_120)
    first, second = campaign["trees"][:2]
    assert second < first
    assert trees["representative"] == second
    assert trees["comment_ids"][:2] == [second, first]
    assert trees["variations"] == 1
    assert trees["examples"] == [second]


def test_comments_on_the_same_topic_written_independently_are_not_grouped():
    independent = [
        "The 12 bus is the only way my mother gets to the clinic, please do not cut the "
        "evening runs through Riverside.",
        "Evening buses in Riverside are half empty; I would rather the money went to a "
        "more frequent daytime service on route 12.",
        "If the number 12 stops at eight, older people up the hill will be stuck at home "
        "after dark. Keep it running until ten at least.",
        "Route 12 after eight is how I get back from my night shift at the market. No bus "
        "means a taxi I cannot afford.",
        "Please keep the late bus. The walk uphill from the other stop is long and the "
        "street lights on it are broken.",
        "Cutting the evening service on the 12 saves little and strands the residents who "
        "rely on it most, the elderly and shift workers.",
    ]
    ids = [*range(1, len(independent) + 1), 100, 101]
    texts = [*independent, BUS, BUS.replace("older", "elderly")]
    result = find_campaigns(ids, texts, [T0 + i for i in range(len(ids))])

    assert [g["comment_ids"] for g in result["groups"]] == [[100, 101]]
    assert result["unique_comments"] == 7


def test_a_chinese_campaign_with_small_edits_is_found():
    letter = (
        "我们强烈支持在中山路开通夜班公交的方案。很多老人和上夜班的居民晚上回家没有车，"
        "只能走很远的路。希望政府尽快落实这个方案，让大家出行更方便、更安全。"
    )
    copies = [
        letter,
        letter.replace("支持", "赞成"),
        letter.replace("，", ",").replace("。", "!"),
        letter.replace("居民", "市民").replace("尽快", "马上"),
        "我家就住在中山路附近。" + letter,
        letter + "我自己每天也要坐夜班车。",
        letter.replace("方案", "计划", 1),
    ]
    independent = [
        "中山路的公交车太少了，白天也要等半个小时，建议增加班次。",
        "夜班公交的想法不错，但是票价不应该比白天贵，很多人负担不起。",
        "我觉得与其开夜班公交，不如把地铁的运营时间延长到晚上十二点。",
        "老人晚上出门本来就不多，夜班车的钱应该用在社区医院上。",
        "中山路晚上的路灯坏了很久，走路回家很不安全，请先把路灯修好。",
        "支持开通夜班公交，但是线路应该经过火车站和人民医院，这样才有意义。",
    ]
    texts = independent + copies
    ids = list(range(1, len(texts) + 1))
    result = find_campaigns(ids, texts, [T0 + 10 * i for i in range(len(texts))])

    assert len(result["groups"]) == 1
    group = result["groups"][0]
    assert group["comment_ids"] == list(range(7, 14))
    assert group["representative"] == 7
    assert group["variations"] == 6  # the comma and full-stop copy normalises to the letter


def test_empty_punctuation_emoji_and_very_short_texts_are_never_grouped():
    texts = [
        "",
        "   ",
        "!!!",
        "...",
        "👍",
        "👍👍",
        "😀 🎉",
        "\n\n",
        "I agree",
        "I agree!",
        "i AGREE",
    ]
    ids = list(range(len(texts)))
    result = find_campaigns(ids, texts, [T0] * len(texts))

    assert result["groups"] == []
    assert result["membership"] == {}
    assert result["comments_in_groups"] == 0
    assert result["unique_comments"] == len(texts)


def test_no_comments_at_all():
    result = find_campaigns([], [], [])
    assert result["groups"] == []
    assert result["unique_comments"] == 0


def test_identical_copies_form_a_group_and_min_size_drops_smaller_ones():
    ids, texts, times, _ = planted()
    result = find_campaigns(ids, texts, times, min_size=6)
    assert [g["size"] for g in result["groups"]] == [30, 12]
    assert result["unique_comments"] == 100 + 5 + 2


def test_shuffled_input_gives_the_same_result():
    ids, texts, times, _ = planted()
    expected = find_campaigns(ids, texts, times)
    order = list(range(len(ids)))
    random.Random(11).shuffle(order)
    shuffled = find_campaigns(
        np.array([ids[i] for i in order]), [texts[i] for i in order], [times[i] for i in order]
    )
    assert shuffled == expected
    assert json.dumps(shuffled, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_signatures_are_datasketch_minhashes_of_the_shingles():
    texts = [normalise(BUS), normalise(SCHOOL), "我们强烈支持在中山路开通夜班公交的方案"]
    hashes, doc, words = shingle_hashes(texts)
    assert words.tolist() == [51, 46, 19]  # a Han character counts as a word
    signatures = minhash_signatures(hashes, doc, 3, num_perm=64, seed=5)
    for number in range(3):
        sketch = MinHash(num_perm=64, seed=5, hashfunc=int)
        sketch.update_batch(hashes[doc == number].tolist())
        assert np.array_equal(sketch.hashvalues, signatures[number])


def test_the_threshold_applies_to_the_jaccard_similarity_of_two_word_shingles():
    """30 words each, the first 24 shared: 23 of the 29 two-word shingles shared, J = 23/35.

    The MinHash estimate is 0.6875 (88 of 128 values equal): at 0.66 it
    would group the pair, and the shingles themselves keep it apart.
    """
    words = [f"word{n:02d}" for n in range(40)]
    first = " ".join(words[:30])
    second = " ".join(words[:24] + words[30:36])
    assert 0.65 < 23 / 35 < 0.66

    grouped = find_campaigns([1, 2], [first, second], [T0, T0 + 1], threshold=0.65)
    apart = find_campaigns([1, 2], [first, second], [T0, T0 + 1], threshold=0.66)

    assert [g["comment_ids"] for g in grouped["groups"]] == [[1, 2]]
    assert apart["groups"] == []
