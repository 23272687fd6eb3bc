"""Suggested themes: planted topics come back as themes, in English, in Chinese and mixed."""

from __future__ import annotations

import random

from consult.analysis.text import CHINESE_STOP, normalise, tokens
from consult.analysis.themes import suggest_themes, theme_count

ENGLISH = {
    "bus": [
        "the bus route", "the number 12 bus", "a later bus", "the bus timetable",
        "more buses", "the bus stop", "the evening buses", "bus fares",
        "the route to the station", "the bus drivers",
    ],
    "school": [
        "the school gate", "the school crossing", "a crossing warden", "safer school streets",
        "pupils walking to school", "traffic outside the school", "the school run",
        "speeding cars near the school", "children crossing", "the school playground",
    ],
    "trees": [
        "more trees", "street trees", "tree planting", "planting oaks in the park",
        "shade from the trees", "the trees that were felled", "young trees need watering",
        "native trees", "an orchard of fruit trees", "planting trees along the avenue",
    ],
}  # fmt: skip
OPENERS = [
    "I would like to see {a} and {b}.", "Please think about {a}; {b} matters too.",
    "What worries me is {a}, and also {b}.", "We need {a}. {b} should come next.",
    "My family cares about {a} and {b}.", "Nothing is more urgent than {a} and {b}.",
]  # fmt: skip

CHINESE = {
    "公交": [
        "公交车", "公交线路", "公交站", "公交车班次", "末班公交车", "公交车司机", "公交票价",
        "夜班公交车", "公交车站台", "公交专线",
    ],
    "学校安全": [
        "学校门口的交通安全", "学生上学的安全", "学校周边的车速", "校门口的斑马线",
        "放学时的交通协管员", "学校附近的安全隐患", "学生过马路的安全", "校园安全",
        "学校门口的接送车辆", "学校周围的人行道",
    ],
    "植树": [
        "植树造林", "社区里的植树", "行道树", "公园里的树木", "在河边植树", "种植果树",
        "树木的浇水养护", "植树活动", "被砍掉的老树", "新种的小树",
    ],
}  # fmt: skip
CHINESE_OPENERS = [
    "我希望大家关注{a}，还有{b}。", "请考虑一下{a}的问题，{b}也很重要。",
    "我最担心的是{a}和{b}。", "我们需要改善{a}，然后是{b}。",
    "我们家很在意{a}以及{b}。", "{a}和{b}是最紧迫的事情。",
]  # fmt: skip


def corpus(phrases: dict, openers: list, per_topic: int = 20, seed: int = 5):
    """per_topic comments a topic, each two phrases of its topic in an everyday frame."""
    rng = random.Random(seed)
    ids, texts, topic_of = [], [], {}
    for topic, pool in phrases.items():
        for _ in range(per_topic):
            a, b = rng.sample(pool, 2)
            comment_id = 1 + len(ids) * 3
            ids.append(comment_id)
            texts.append(rng.choice(openers).format(a=a, b=b))
            topic_of[comment_id] = topic
    return ids, texts, topic_of


def misplaced(themes, topic_of) -> int:
    """Planted comments missing from their topic's theme or placed in another one.

    Each theme stands for the topic most of its comments come from.
    """
    wrong = 0
    placed = set()
    for theme in themes:
        topics = [topic_of[c] for c in theme["comment_ids"]]
        majority = max(set(topics), key=topics.count)
        wrong += sum(1 for t in topics if t != majority)
        placed.update(theme["comment_ids"])
    return wrong + len(set(topic_of) - placed)


def theme_for(themes, word: str) -> dict:
    (theme,) = [t for t in themes if word in t["terms"][:3]]
    return theme


def test_three_english_topics_give_three_themes_with_their_comments():
    ids, texts, topic_of = corpus(ENGLISH, OPENERS)
    themes = suggest_themes(ids, texts)

    assert len(themes) == 3
    bus, school, trees = (
        theme_for(themes, "bus"),
        theme_for(themes, "school"),
        theme_for(themes, "trees"),
    )
    assert {"bus", "route"} <= set(bus["terms"])
    assert {"school", "crossing"} <= set(school["terms"])
    assert {"trees", "planting"} <= set(trees["terms"])
    # Allowed: at most 2 of the 60 comments out of place or left out.
    assert misplaced(themes, topic_of) <= 2
    for theme, topic in ((bus, "bus"), (school, "school"), (trees, "trees")):
        assert sum(topic_of[c] == topic for c in theme["comment_ids"]) >= 18
        assert theme["comments"] == len(theme["comment_ids"])
        assert theme["representative"] == theme["comment_ids"][:3]
        assert all(topic_of[c] == topic for c in theme["representative"])
        assert theme["label"] == ", ".join(theme["terms"][:3])
        assert len(theme["terms"]) == 8
    assert [t["comments"] for t in themes] == sorted((t["comments"] for t in themes), reverse=True)


def test_three_chinese_topics_are_segmented_into_words_and_found():
    ids, texts, topic_of = corpus(CHINESE, CHINESE_OPENERS)
    themes = suggest_themes(ids, texts)

    assert len(themes) == 3
    terms = [set(t["terms"]) for t in themes]
    bus = next(t for t, ts in zip(themes, terms, strict=True) if ts & {"公交", "公交车"})
    school = next(t for t, ts in zip(themes, terms, strict=True) if ts & {"学校", "学生"})
    trees = next(t for t, ts in zip(themes, terms, strict=True) if ts & {"植树", "树木"})
    assert len({id(bus), id(school), id(trees)}) == 3
    assert "安全" in school["terms"]
    # Words, not characters: no single-character stop word leads a theme.
    for theme in themes:
        assert not set(theme["terms"]) & CHINESE_STOP
        assert not {"的", "了", "是", "和"} & set(theme["terms"])
    assert misplaced(themes, topic_of) <= 2
    for theme, topic in ((bus, "公交"), (school, "学校安全"), (trees, "植树")):
        assert sum(topic_of[c] == topic for c in theme["comment_ids"]) >= 18


def test_a_mixed_corpus_gives_an_english_and_a_chinese_theme():
    en_ids, en_texts, en_topics = corpus({"bus": ENGLISH["bus"]}, OPENERS, per_topic=15)
    zh_ids, zh_texts, zh_topics = corpus({"植树": CHINESE["植树"]}, CHINESE_OPENERS, 15, seed=8)
    ids = en_ids + [i + 1000 for i in zh_ids]
    topic_of = en_topics | {i + 1000: t for i, t in zh_topics.items()}
    themes = suggest_themes(ids, en_texts + zh_texts)

    assert theme_count(30, 8) == 2
    assert len(themes) == 2
    assert misplaced(themes, topic_of) == 0
    assert {"bus"} <= set(theme_for(themes, "bus")["terms"])
    assert any("植树" in t["terms"] for t in themes)


def test_tokens_drop_stop_words_and_keep_words_of_both_scripts():
    assert tokens("We NEED the **number 12** bus, and a safer crossing!") == [
        "need", "number", "bus", "safer", "crossing",
    ]  # fmt: skip
    assert tokens("我们希望学校门口的交通安全得到改善") == ["学校", "门口", "交通安全", "改善"]
    assert tokens("Bus公交车 and 植树 trees") == ["bus", "公交车", "植树", "trees"]
    assert normalise("ＢＵＳ  Route—12 [map](https://example.org/x)!") == "bus route 12 map"


def test_too_few_comments_or_words_give_no_themes():
    ids, texts, _ = corpus(ENGLISH, OPENERS, per_topic=3)
    assert suggest_themes(ids, texts) == []
    assert suggest_themes(ids[:9], texts[:9]) == []
    # Enough comments, but only stop words and emoji.
    assert suggest_themes(list(range(40)), ["the and of 👍", "的 了 是", "", "!!!"] * 10) == []
    assert suggest_themes([], []) == []


def test_theme_count_grows_with_the_corpus():
    assert [theme_count(n, 8) for n in (9, 10, 59, 60, 96, 383, 384, 100_000)] == [
        0, 2, 3, 3, 4, 7, 8, 8,
    ]  # fmt: skip
    assert theme_count(100_000, 5) == 5


def test_same_comments_in_any_order_give_the_same_themes():
    ids, texts, _ = corpus(ENGLISH, OPENERS)
    expected = suggest_themes(ids, texts)
    order = list(range(len(ids)))
    random.Random(2).shuffle(order)
    assert suggest_themes([ids[i] for i in order], [texts[i] for i in order]) == expected
    assert suggest_themes(ids, texts) == expected
