"""Benchmark: near-duplicate campaigns found in 100,000 comments, and themes suggested.

    .venv/bin/python bench/neardup.py [--comments 100000] [--share 0.2] [--seed 7] [--runs 3]
    .venv/bin/python bench/neardup.py --sweep     # shingles x thresholds, both corpora
    .venv/bin/python bench/neardup.py --datasketch  # the numpy steps beside datasketch's API

A generated consultation: 50 campaigns (20 to 500 copies each, 5 of them in
Chinese) make up --share of the comments. The campaigns' letters are built
from a few sentence frames about eight topics, so letters on one topic share
whole phrases. The other comments are written independently: sentences of
topic words and everyday words, and one sentence in five from the same
frames, so many share a topic and some a phrase with the campaigns; a tenth
are in Chinese.

Two corpora: in the standard one (the targets' corpus) each copy has 1 to 3
words swapped for a synonym, random changes of case and punctuation (and
Markdown emphasis), and three in ten add a personal sentence. In the hard
one, used to choose the shingles and the threshold, each copy has 3 to 8
swaps, six in ten add a personal sentence and three in ten leave out one of
the letter's sentences.

Precision and recall are measured two ways:

- pairs: a pair of comments is a true pair when both are copies of the same
  campaign, and a found pair when find_campaigns put both in one group.
  Precision = true found pairs / found pairs; recall = true found pairs /
  true pairs.
- comments: each found group is labelled with the campaign most of its
  members copy (or "independent"). A campaign copy is correct when its group
  carries its campaign's label. Precision = correct copies / comments in
  groups; recall = correct copies / campaign copies.

Also reports the median wall time of --runs runs and the peak of Python
allocations (tracemalloc, numpy's arrays included) of one more run, for
find_campaigns and for suggest_themes (on the standard corpus and on as many
comments all in Chinese). --sweep runs find_campaigns once for each shingle
and threshold in SWEEP_SHINGLES x SWEEP_THRESHOLDS. Results:
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jieba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult.analysis import campaigns
from consult.analysis.campaigns import find_campaigns
from consult.analysis.text import _chinese_words, normalise
from consult.analysis.themes import suggest_themes

CAMPAIGNS = 50
HAN = re.compile("[\u4e00-\u9fff]")
CHINESE_SHARE = 0.1
START = 1_790_000_000.0  # a Monday in 2026, POSIX seconds
DAYS = 28

# Words a campaigner's supporter swaps when making the letter their own. Every
# word of a group can stand for every other.
SYNONYMS = [
    ["strongly", "firmly", "fully", "wholeheartedly"],
    ["support", "back", "endorse", "welcome"],
    ["oppose", "object to", "reject", "resist"],
    ["plan", "proposal", "scheme", "project"],
    ["important", "vital", "essential", "crucial"],
    ["residents", "locals", "neighbours", "citizens"],
    ["children", "kids", "pupils", "youngsters"],
    ["dangerous", "unsafe", "hazardous", "risky"],
    ["urgent", "pressing", "immediate", "serious"],
    ["need", "require", "want", "deserve"],
    ["consider", "weigh", "examine", "review"],
    ["impact", "effect", "consequences", "influence"],
    ["change", "improvement", "upgrade", "reform"],
    ["council", "city", "authority", "administration"],
    ["quickly", "promptly", "soon", "swiftly"],
    ["people", "families", "households", "folks"],
    ["street", "road", "avenue", "lane"],
    ["area", "neighbourhood", "district", "community"],
    ["safe", "secure", "protected", "sheltered"],
    ["cost", "price", "expense", "bill"],
    ["money", "funding", "budget", "resources"],
    ["believe", "think", "feel", "am convinced"],
    ["worried", "concerned", "anxious", "troubled"],
    ["every", "each", "any", "all"],
    ["better", "improved", "healthier", "nicer"],
    ["bad", "poor", "terrible", "awful"],
    ["big", "large", "huge", "major"],
    ["many", "numerous", "countless", "plenty of"],
    ["future", "years ahead", "long run", "next decade"],
    ["ask", "urge", "request", "call on"],
]

TOPICS = {
    "buses": {
        "thing": ["bus route", "bus lane", "night bus", "bus shelter", "timetable", "bus stop"],
        "action": ["restore", "extend", "protect", "reroute", "double"],
        "concern": [
            "the buses are always late",
            "older people cannot reach the shops",
            "the last bus leaves too early",
            "fares keep rising",
        ],
    },
    "cycling": {
        "thing": ["cycle lane", "bike parking", "cycle path", "crossing", "junction"],
        "action": ["separate", "widen", "light", "connect", "repaint"],
        "concern": [
            "drivers park in the lane",
            "the junction is a death trap",
            "there is nowhere to lock a bike",
            "the path floods in winter",
        ],
    },
    "schools": {
        "thing": ["school crossing", "school street", "drop-off zone", "playground", "footpath"],
        "action": ["close to traffic", "patrol", "calm", "fence", "supervise"],
        "concern": [
            "cars speed past the gate",
            "the crossing has no warden",
            "parents block the pavement",
            "the footpath is too narrow",
        ],
    },
    "trees": {
        "thing": ["street tree", "park", "orchard", "hedgerow", "green space"],
        "action": ["plant", "water", "keep", "replace", "extend"],
        "concern": [
            "the summers are getting hotter",
            "birds are losing their homes",
            "the old trees were cut down",
            "there is no shade at the bus stop",
        ],
    },
    "housing": {
        "thing": ["social housing", "rent cap", "empty home", "tower block", "allotment"],
        "action": ["build", "renovate", "insulate", "open up", "protect"],
        "concern": [
            "rents have doubled",
            "young people are leaving",
            "the flats are damp",
            "waiting lists are endless",
        ],
    },
    "parking": {
        "thing": ["parking permit", "car park", "loading bay", "parking meter", "garage"],
        "action": ["price", "remove", "limit", "enforce", "convert"],
        "concern": [
            "visitors take every space",
            "the shops need deliveries",
            "the meters are broken",
            "permits cost too much",
        ],
    },
    "nightlife": {
        "thing": ["late licence", "music venue", "street light", "night market", "bar terrace"],
        "action": ["license", "soundproof", "light", "move", "keep open"],
        "concern": [
            "the noise goes on until three",
            "the street is dark at night",
            "venues are closing",
            "nobody cleans up in the morning",
        ],
    },
    "libraries": {
        "thing": ["library", "reading room", "mobile library", "study space", "archive"],
        "action": ["reopen", "staff", "fund", "extend the hours of", "digitise"],
        "concern": [
            "students have nowhere to study",
            "the branch closed last year",
            "the opening hours are too short",
            "the books are out of date",
        ],
    },
}
PLACES = ["Main Street", "Station Road", "the market square", "Riverside", "Hill Park",
          "the old town", "North End", "the harbour", "Elm Avenue", "the ring road",
          "Church Lane", "the bridge", "West Gate", "Mill Lane", "the high street"]  # fmt: skip
FRAMES = [
    "I strongly support the plan to {action} the {thing} on {place}.",
    "I oppose the plan to {action} the {thing} near {place}.",
    "This change is important for residents of {place} because {concern}.",
    "Please consider the impact on children who use the {thing} every day.",
    "The {thing} at {place} is dangerous and the council must act quickly.",
    "We need the council to {action} the {thing} before {concern} becomes normal.",
    "I believe the {thing} is the most urgent issue in our area.",
    "People in {place} are worried because {concern}.",
    "It would not cost much money to {action} the {thing}.",
    "Many families ask the council to {action} every {thing} in the area.",
    "A better {thing} would make {place} safe for everyone.",
    "The future of {place} depends on a big change to the {thing}.",
    "I have lived near {place} for years and {concern}.",
    "The situation with the {thing} is bad and getting worse.",
    "Residents have asked for years to {action} the {thing}.",
    "Without funding we cannot {action} the {thing} at {place}.",
]
PERSONAL = [
    "As a {who} living on {place} I see this every day.",
    "My {kin} and I moved to {place} {n} years ago and we care about this.",
    "Speaking as a {who}, this matters a lot to my {kin}.",
    "I walk past {place} with my {kin} most mornings.",
    "I have been a {who} in this town for {n} years.",
]
WHO = ["nurse", "teacher", "shop owner", "pensioner", "student", "bus driver", "parent",
       "carer", "volunteer", "taxi driver", "cyclist", "retired engineer"]  # fmt: skip
KIN = ["daughter", "son", "partner", "grandmother", "neighbour", "children", "dog"]

ZH_SYNONYMS = [
    ["支持", "赞成", "拥护", "赞同"],
    ["反对", "不赞成", "抵制", "不同意"],
    ["方案", "计划", "规划", "提案"],
    ["重要", "关键", "要紧", "必要"],
    ["居民", "市民", "住户", "街坊"],
    ["孩子", "儿童", "小孩", "学生"],
    ["危险", "不安全", "隐患很大", "有风险"],
    ["尽快", "马上", "立即", "赶紧"],
    ["政府", "市政府", "有关部门", "当局"],
    ["影响", "后果", "作用", "冲击"],
    ["担心", "忧虑", "顾虑", "不放心"],
    ["街道", "马路", "道路", "路段"],
    ["社区", "小区", "街区", "片区"],
    ["改善", "改进", "提升", "优化"],
]
ZH_TOPICS = {
    "公交": {"thing": ["公交线路", "公交车站", "夜班公交", "公交专用道"],
             "concern": ["公交车总是晚点", "老人去不了菜市场", "末班车太早了"]},
    "学校安全": {"thing": ["学校门口", "人行横道", "上学路线", "校园周边"],
                 "concern": ["车辆在校门口开得太快", "接送孩子的车堵住人行道", "没有交通协管员"]},
    "植树": {"thing": ["行道树", "社区公园", "绿化带", "小树林"],
             "concern": ["夏天越来越热", "老树都被砍掉了", "公交站没有树荫"]},
    "住房": {"thing": ["公租房", "老旧小区", "租金", "空置房屋"],
             "concern": ["房租涨了一倍", "年轻人留不下来", "房子又潮又冷"]},
}  # fmt: skip
ZH_TOPIC_WORDS = {
    "公交": ["公交", "公交车", "线路", "车站", "班次", "司机", "乘客", "站台", "票价", "晚点"],
    "学校安全": ["学校", "学生", "校门", "家长", "接送", "斑马线", "车速", "协管员", "放学"],
    "植树": ["植树", "树木", "树荫", "绿化", "公园", "草地", "浇水", "树苗", "鸟", "空气"],
    "住房": ["住房", "房租", "房东", "租客", "公租房", "维修", "物业", "小区", "电梯", "暖气"],
}
ZH_PLACES = ["中山路", "人民广场", "河滨公园", "老城区", "火车站", "东门", "北街", "新村"]
ZH_FRAMES = [
    "我支持在{place}改造{thing}的方案。",
    "我反对这个关于{thing}的方案。",
    "这件事对{place}的居民很重要，因为{concern}。",
    "请考虑对每天经过{thing}的孩子的影响。",
    "{place}的{thing}很危险，政府应该尽快处理。",
    "我们担心{concern}，希望{thing}能得到改善。",
    "住在{place}附近的居民都在反映{thing}的问题。",
    "{thing}的情况一年比一年差，社区里很多人都有意见。",
    "只要增加一点预算就可以改善{thing}。",
    "希望政府听取街道和社区的意见，认真对待{thing}。",
]
ZH_PERSONAL = ["我是住在{place}的一名{who}，每天都看到这种情况。",
               "我和家人在{place}住了{n}年，非常关心这件事。"]  # fmt: skip
ZH_WHO = ["护士", "老师", "店主", "退休工人", "大学生", "公交司机", "家长"]


# Words anyone might use about anything, for comments written independently.
EVERYDAY = """
the a to of and in for on with at by from about as it this that these we our you they
their my me i is are was were be been being have has had do does did will would should
could can may might must not no but or if so because when while where which who what
how than then there here very more most less some any all every each other another such
only just also still even again always never often sometimes today tomorrow yesterday
year years month week day morning evening night time people person family friends
neighbours children parents workers visitors everyone nobody somebody town city place
area home house street road corner centre side way part end plan idea issue problem
question answer reason result money cost price tax budget service services rules law
council mayor officials department meeting report letter survey vote voice say said
think believe feel know see look want need like love hate hope wish ask tell give take
make made go going come coming get got keep put help try use used work working live
living move moving stay leave start stop change changed build built open close closed
good bad better worse best worst big small new old long short high low fast slow safe
clean dirty quiet loud busy empty full cheap expensive fair unfair easy hard clear
simple important possible real true whole enough sure certain local public private
""".split()  # noqa: SIM905 - a word list reads better as prose
TOPIC_WORDS = {
    name: sorted({w for field in topic.values() for phrase in field for w in phrase.split()})
    for name, topic in TOPICS.items()
}
ZH_EVERYDAY = """
我们 大家 这里 那里 现在 以前 以后 今天 每天 已经 还是 可以 应该 需要 希望 觉得 认为
知道 看到 听说 问题 情况 事情 时间 地方 城市 市里 区里 附近 周围 家里 邻居 朋友 老人
年轻人 家庭 工作 生活 上班 下班 周末 早上 晚上 费用 价格 预算 税收 服务 管理 规定 意见
建议 反映 解决 处理 改变 保持 增加 减少 安排 考虑 讨论 调查 会议 报告 方便 麻烦 安静
热闹 干净 便宜 贵 容易 困难 清楚 简单 重要 公平 合理 真的 确实 一直 经常 有时候 终于
""".split()  # noqa: SIM905 - a word list reads better as prose


def _swap_table(groups: list[list[str]]) -> dict[str, list[str]]:
    return {word: [w for w in group if w != word] for group in groups for word in group}


SWAPS = _swap_table(SYNONYMS)
ZH_SWAPS = _swap_table(ZH_SYNONYMS)


def english_comment(rng: random.Random, words: int, frames: float = 0.2) -> str:
    """About `words` words on one or two topics: sentences of words drawn from the topic's
    vocabulary and everyday words, and with probability `frames` a sentence from FRAMES."""
    topics = rng.sample(sorted(TOPICS), rng.choice((1, 1, 2)))
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        name = rng.choice(topics)
        topic = TOPICS[name]
        if rng.random() < frames:
            sentence = rng.choice(FRAMES).format(
                thing=rng.choice(topic["thing"]),
                action=rng.choice(topic["action"]),
                concern=rng.choice(topic["concern"]),
                place=rng.choice(PLACES),
            )
            sentences.append(_vary_words(rng, sentence, SWAPS, rate=0.5))
            continue
        drawn = [
            rng.choice(TOPIC_WORDS[name]) if rng.random() < 0.35 else rng.choice(EVERYDAY)
            for _ in range(rng.randint(6, 16))
        ]
        sentences.append(" ".join(drawn).capitalize() + ".")
    return " ".join(sentences)


def chinese_comment(rng: random.Random, chars: int, frames: float = 0.2) -> str:
    topics = rng.sample(sorted(ZH_TOPICS), rng.choice((1, 1, 2)))
    text = ""
    while len(text) < chars:
        name = rng.choice(topics)
        topic = ZH_TOPICS[name]
        if rng.random() < frames:
            sentence = rng.choice(ZH_FRAMES).format(
                thing=rng.choice(topic["thing"]),
                concern=rng.choice(topic["concern"]),
                place=rng.choice(ZH_PLACES),
            )
            text += _vary_chinese(rng, sentence, rate=0.5)
            continue
        drawn = [
            rng.choice(ZH_TOPIC_WORDS[name]) if rng.random() < 0.35 else rng.choice(ZH_EVERYDAY)
            for _ in range(rng.randint(5, 12))
        ]
        text += "".join(drawn) + rng.choice("。，！")
    return text


def _vary_words(rng: random.Random, text: str, table: dict, rate: float) -> str:
    """Each swappable word (or two-word phrase) replaced with probability `rate`."""
    out = []
    words = text.split(" ")
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in table:
            out.append(rng.choice(table[pair]) if rng.random() < rate else pair)
            i += 2
            continue
        word = words[i]
        bare = word.rstrip(".,")
        if bare in table and rng.random() < rate:
            word = rng.choice(table[bare]) + word[len(bare) :]
        out.append(word)
        i += 1
    return " ".join(out)


def _vary_chinese(rng: random.Random, text: str, rate: float) -> str:
    for word in sorted(ZH_SWAPS, key=len, reverse=True):
        if word in text and rng.random() < rate:
            text = text.replace(word, rng.choice(ZH_SWAPS[word]), 1)
    return text


@dataclass(frozen=True)
class Edits:
    """What a supporter changes in the campaign's letter."""

    swaps: tuple[int, int] = (1, 3)  # synonym swaps, at least and at most
    personal: float = 0.3  # chance of a personal sentence, before or after
    drop: float = 0.0  # chance that one of the letter's sentences is left out


STANDARD = Edits()
# A harder corpus for choosing shingles and the threshold: where the standard
# copies are all easy, this one shows which settings start to miss.
HARD = Edits(swaps=(3, 8), personal=0.6, drop=0.3)


def campaign_copy(rng: random.Random, template: str, chinese: bool, edits: Edits = STANDARD) -> str:
    """The template with synonym swaps, noise in case and punctuation, maybe a sentence more."""
    text = template
    if rng.random() < edits.drop:
        mark = "。" if chinese else ". "
        sentences = text.split(mark)
        if len(sentences) > 2:
            del sentences[rng.randrange(len(sentences) - 1)]
            text = mark.join(sentences)
    text = _swap_some(rng, text, chinese, rng.randint(*edits.swaps))
    if rng.random() < edits.personal:
        if chinese:
            personal = rng.choice(ZH_PERSONAL).format(
                place=rng.choice(ZH_PLACES), who=rng.choice(ZH_WHO), n=rng.randint(2, 30)
            )
        else:
            personal = rng.choice(PERSONAL).format(
                who=rng.choice(WHO), kin=rng.choice(KIN), place=rng.choice(PLACES),
                n=rng.randint(2, 30),
            )  # fmt: skip
        text = f"{personal} {text}" if rng.random() < 0.5 else f"{text} {personal}"
    return text if chinese else _noise(rng, text)


def _swap_some(rng: random.Random, text: str, chinese: bool, count: int) -> str:
    if chinese:
        spots = [w for w in ZH_SWAPS if w in text]
        for word in rng.sample(spots, min(count, len(spots))):
            text = text.replace(word, rng.choice(ZH_SWAPS[word]), 1)
        return text
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w.rstrip(".,") in SWAPS]
    for i in rng.sample(spots, min(count, len(spots))):
        bare = words[i].rstrip(".,")
        words[i] = rng.choice(SWAPS[bare]) + words[i][len(bare) :]
    return " ".join(words)


def _noise(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(0, 4)):
        i = rng.randrange(len(words))
        word = words[i]
        words[i] = rng.choice(
            (word.upper(), word.capitalize(), f"**{word}**", f"{word}!", f"_{word}_")
        )
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.replace(".", "!" if rng.random() < 0.5 else " -")
    return text


def campaign_sizes(rng: random.Random, total: int, count: int) -> list[int]:
    """`count` sizes between 20 and 500 adding up to `total` (as far as the bounds allow)."""
    low, high = 20, 500
    sizes = [rng.randint(low, high) for _ in range(count)]
    while sum(sizes) != total:
        i = rng.randrange(count)
        step = 1 if sum(sizes) < total else -1
        if low <= sizes[i] + step <= high:
            sizes[i] += step
        if all(s == (high if step > 0 else low) for s in sizes):
            break
    return sizes


def campaign_corpus(
    comments: int = 100_000, share: float = 0.2, seed: int = 7, edits: Edits = STANDARD
):
    """(ids, texts, times, truth): truth[i] is the campaign of comment i, or -1."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    sizes = campaign_sizes(rng, round(comments * share), CAMPAIGNS)
    texts: list[str] = []
    times: list[float] = []
    truth: list[int] = []
    chinese_campaigns = set(rng.sample(range(CAMPAIGNS), round(CAMPAIGNS * CHINESE_SHARE)))
    for campaign, size in enumerate(sizes):
        chinese = campaign in chinese_campaigns
        template = (
            chinese_comment(rng, rng.randint(70, 140), frames=1.0)
            if chinese
            else english_comment(rng, rng.randint(40, 70), frames=1.0)
        )
        start = START + rng.uniform(0, (DAYS - 3) * 86400)
        for _ in range(size):
            texts.append(campaign_copy(rng, template, chinese, edits))
            times.append(start + rng.expovariate(1 / 86400))
            truth.append(campaign)
    for _ in range(comments - len(texts)):
        if rng.random() < CHINESE_SHARE:
            texts.append(chinese_comment(rng, rng.randint(40, 160)))
        else:
            texts.append(english_comment(rng, rng.randint(40, 80)))
        times.append(START + rng.uniform(0, DAYS * 86400))
        truth.append(-1)
    order = list(range(len(texts)))
    rng.shuffle(order)
    ids = np.arange(1, len(texts) + 1)
    return (
        ids,
        [texts[i] for i in order],
        np.array([times[i] for i in order]),
        np.array([truth[i] for i in order]),
    )


def _pairs(counts) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def score(result: dict, ids, truth, only=None) -> dict:
    """Precision and recall (see the module docstring), over the comments in `only` if given."""
    index = {int(i): k for k, i in enumerate(ids)}
    found = np.full(len(ids), -1)
    for group in result["groups"]:
        found[[index[int(c)] for c in group["comment_ids"]]] = group["id"]
    if only is not None:
        found, truth = found[only], truth[only]
    in_campaign = truth >= 0
    in_group = found >= 0
    both = in_campaign & in_group
    cells = Counter(zip(truth[both].tolist(), found[both].tolist(), strict=True))
    true_pairs = _pairs(Counter(truth[in_campaign].tolist()).values())
    found_pairs = _pairs(Counter(found[in_group].tolist()).values())
    hit_pairs = _pairs(cells.values())
    members = Counter(zip(found[in_group].tolist(), truth[in_group].tolist(), strict=True))
    label = {}  # group -> the campaign most of its members copy (-1: independent)
    for (group, campaign), count in sorted(members.items()):
        if count > members.get((group, label.get(group)), 0):
            label[group] = campaign
    correct = sum(1 for t, f in zip(truth[both], found[both], strict=True) if label[f] == t)
    return {
        "pair_precision": hit_pairs / found_pairs if found_pairs else 1.0,
        "pair_recall": hit_pairs / true_pairs if true_pairs else 1.0,
        "comment_precision": correct / int(in_group.sum()) if in_group.any() else 1.0,
        "comment_recall": correct / int(in_campaign.sum()) if in_campaign.any() else 1.0,
        "groups": len(set(found[in_group].tolist())),
        "campaigns": len(set(truth[in_campaign].tolist())),
    }


def measure(runs: int, function, *args, **kwargs):
    """The result, the median seconds of `runs` runs, and the peak of Python allocations.

    Each run starts with jieba's cache of Chinese phrases empty. Tracing
    allocations slows Python code several times over, so the peak comes from
    one more run of its own.
    """
    seconds = []
    for _ in range(runs):
        _chinese_words.cache_clear()  # each run cuts its Chinese afresh
        gc.collect()
        started = time.perf_counter()
        function(*args, **kwargs)
        seconds.append(time.perf_counter() - started)
    _chinese_words.cache_clear()
    gc.collect()
    tracemalloc.start()
    result = function(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, statistics.median(seconds), peak


# Shingles tried with --sweep: (kind, words or characters, Han characters).
SWEEP_SHINGLES = [("char", 4, 0), ("char", 5, 0), ("word", 1, 1), ("word", 2, 2), ("word", 2, 3),
                  ("word", 2, 4), ("word", 3, 3)]  # fmt: skip
SWEEP_THRESHOLDS = [0.4, 0.5, 0.6]


def sweep(args) -> int:
    print(f"{args.comments:,} comments, seed {args.seed}; one run each; zh: Chinese comments only")
    print("| corpus | shingles | threshold | pair P | pair R | comment P | comment R | groups "
          "| zh pair P | zh pair R | s |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    defaults = campaigns.SHINGLE_KIND, campaigns.SHINGLE_SIZE, campaigns.HAN_SHINGLE_SIZE
    for corpus, edits in (("standard", STANDARD), ("hard", HARD)):
        ids, texts, times, truth = campaign_corpus(args.comments, args.share, args.seed, edits)
        chinese = np.array([bool(HAN.search(text)) for text in texts])
        for kind, size, han in SWEEP_SHINGLES:
            campaigns.SHINGLE_KIND, campaigns.SHINGLE_SIZE = kind, size
            campaigns.HAN_SHINGLE_SIZE = han or size
            name = f"{kind} {size}" + (f", Han {han}" if kind == "word" else "")
            for threshold in SWEEP_THRESHOLDS:
                started = time.perf_counter()
                result = find_campaigns(ids, texts, times, threshold=threshold)
                seconds = time.perf_counter() - started
                s = score(result, ids, truth)
                zh = score(result, ids, truth, only=chinese)
                print(
                    f"| {corpus} | {name} | {threshold} | {s['pair_precision']:.4f} "
                    f"| {s['pair_recall']:.4f} | {s['comment_precision']:.4f} "
                    f"| {s['comment_recall']:.4f} | {s['groups']} | {zh['pair_precision']:.4f} "
                    f"| {zh['pair_recall']:.4f} | {seconds:.1f} |",
                    flush=True,
                )
    campaigns.SHINGLE_KIND, campaigns.SHINGLE_SIZE, campaigns.HAN_SHINGLE_SIZE = defaults
    return 0


def against_datasketch(args) -> int:
    """The numpy steps beside datasketch's own API, on the distinct texts of the corpus."""
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    texts = campaign_corpus(args.comments, args.share, args.seed)[1]
    distinct = list(dict.fromkeys(normalise(text) for text in texts))
    hashes, doc, _ = campaigns.shingle_hashes(distinct)
    bounds = np.searchsorted(doc, np.arange(len(distinct) + 1))
    shingles = [hashes[bounds[k] : bounds[k + 1]].tolist() for k in range(len(distinct))]
    keep = [k for k, s in enumerate(shingles) if s]
    shingles = [shingles[k] for k in keep]
    doc = np.searchsorted(keep, doc)
    print(f"{len(shingles):,} distinct texts, {len(hashes):,} shingles, 128 permutations")
    print("| step | datasketch s | numpy s | same result |")
    print("|---|---:|---:|---|")
    started = time.perf_counter()
    sketches = MinHash.bulk(shingles, num_perm=128, seed=1, hashfunc=int)
    slow = time.perf_counter() - started
    started = time.perf_counter()
    signatures = campaigns.minhash_signatures(hashes, doc, len(keep), num_perm=128, seed=1)
    fast = time.perf_counter() - started
    same = all(
        np.array_equal(m.hashvalues, row) for m, row in zip(sketches, signatures, strict=True)
    )
    print(f"| signatures (MinHash.bulk) | {slow:.2f} | {fast:.2f} | {same} |")
    lsh = MinHashLSH(
        threshold=campaigns.DEFAULT_THRESHOLD, num_perm=128, weights=campaigns.LSH_WEIGHTS
    )
    lean = [LeanMinHash(m) for m in sketches]
    started = time.perf_counter()
    with lsh.insertion_session() as session:
        for key, sketch in enumerate(lean):
            session.insert(key, sketch, check_duplication=False)
    slow = time.perf_counter() - started
    started = time.perf_counter()
    campaigns._candidate_pairs(signatures, lsh.b, lsh.r)
    fast = time.perf_counter() - started
    print(f"| {lsh.b} bands of {lsh.r} (MinHashLSH insert) | {slow:.2f} | {fast:.2f} | |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is shown")
    parser.add_argument("--sweep", action="store_true", help="try shingles and thresholds")
    parser.add_argument("--datasketch", action="store_true", help="the numpy steps beside it")
    args = parser.parse_args()
    jieba.initialize()  # its dictionary loads once a process (0.8 s), not once a run
    if args.sweep:
        return sweep(args)
    if args.datasketch:
        return against_datasketch(args)
    print(
        f"{args.comments:,} comments, {args.share:.0%} of them copies in {CAMPAIGNS} campaigns; "
        f"seed {args.seed}; median of {args.runs} runs; defaults: "
        f"{campaigns.SHINGLE_SIZE}-word shingles ({campaigns.HAN_SHINGLE_SIZE} Han characters), "
        f"threshold {campaigns.DEFAULT_THRESHOLD}, 128 permutations"
    )
    print()
    print("| corpus | pair precision | pair recall | comment precision | comment recall "
          "| groups | seconds | peak MiB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for corpus, edits in (("standard", STANDARD), ("hard", HARD)):
        ids, texts, times, truth = campaign_corpus(args.comments, args.share, args.seed, edits)
        result, seconds, peak = measure(args.runs, find_campaigns, ids, texts, times)
        s = score(result, ids, truth)
        print(
            f"| {corpus} | {s['pair_precision']:.4f} | {s['pair_recall']:.4f} "
            f"| {s['comment_precision']:.4f} | {s['comment_recall']:.4f} | {s['groups']} "
            f"| {seconds:.2f} | {peak / 2**20:.0f} |",
            flush=True,
        )
        if corpus == "standard":
            standard = ids, texts
    rng = random.Random(args.seed)  # noqa: S311
    chinese = [chinese_comment(rng, rng.randint(20, 100)) for _ in range(args.comments)]
    corpora = {
        "the standard corpus": standard,
        f"{args.comments:,} Chinese comments of 20-100 characters": (
            np.arange(1, len(chinese) + 1),
            chinese,
        ),
    }
    print()
    print("| suggest_themes on | themes | comments in themes | seconds | peak MiB |")
    print("|---|---:|---:|---:|---:|")
    found = {}
    for name, (ids, texts) in corpora.items():
        found[name], seconds, peak = measure(args.runs, suggest_themes, ids, texts)
        placed = sum(theme["comments"] for theme in found[name])
        print(f"| {name} | {len(found[name])} | {placed:,} | {seconds:.2f} | {peak / 2**20:.0f} |")
    print()
    print("| theme (standard corpus) | comments |")
    print("|---|---:|")
    for theme in found["the standard corpus"]:
        print(f"| {theme['label']} | {theme['comments']:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
