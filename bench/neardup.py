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
import tomllib
import tracemalloc
from collections import Counter
from collections.abc import Callable
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


def _language(words: dict) -> dict:
    """One language's words from neardup_words.toml, its everyday words split and,
    where the file lists none, each topic's words gathered from its phrases."""
    words["everyday"] = words["everyday"].split()
    if "topic_words" not in words:
        words["topic_words"] = {
            name: sorted(
                {w for field in topic.values() for phrase in field for w in phrase.split()}
            )
            for name, topic in words["topics"].items()
        }
    return words


def _swap_table(groups: list[list[str]]) -> dict[str, list[str]]:
    return {word: [w for w in group if w != word] for group in groups for word in group}


# The words of the corpus, each language's: bench/neardup_words.toml.
WORDS = {
    language: _language(words)
    for language, words in tomllib.loads(
        Path(__file__).with_name("neardup_words.toml").read_text(encoding="utf-8")
    ).items()
}
SWAPS = _swap_table(WORDS["english"]["synonyms"])
ZH_SWAPS = _swap_table(WORDS["chinese"]["synonyms"])
PLACES, PERSONAL, WHO, KIN = (WORDS["english"][key] for key in ("places", "personal", "who", "kin"))
ZH_PLACES, ZH_PERSONAL, ZH_WHO = (WORDS["chinese"][key] for key in ("places", "personal", "who"))


@dataclass(frozen=True)
class Writing:
    """How comments written independently are put together, in one language."""

    words: dict  # its topics, topic_words, everyday words, frames and places
    drawn: tuple[int, int]  # words in a sentence drawn from the vocabularies, at least and most
    vary: Callable[[random.Random, str, float], str]  # synonym swaps in a frame's sentence
    end: Callable[[random.Random, list[str]], str]  # the drawn words made a sentence
    size: Callable[[str], int]  # of a sentence: words in English, characters in Chinese
    space: str  # between sentences

    @property
    def topics(self) -> list[str]:
        return _SORTED_TOPICS[id(self.words)]


def english_comment(rng: random.Random, words: int, frames: float = 0.2) -> str:
    """About `words` words on one or two topics: sentences of words drawn from the topic's
    vocabulary and everyday words, and with probability `frames` a sentence from the
    frames (neardup_words.toml)."""
    return _comment(rng, ENGLISH, words, frames)


def chinese_comment(rng: random.Random, chars: int, frames: float = 0.2) -> str:
    """About `chars` characters, written as english_comment writes words."""
    return _comment(rng, CHINESE, chars, frames)


def _comment(rng: random.Random, writing: Writing, size: int, frames: float) -> str:
    words = writing.words
    topics = rng.sample(writing.topics, rng.choice((1, 1, 2)))
    sentences: list[str] = []
    written = 0
    while written < size:
        name = rng.choice(topics)
        if rng.random() < frames:
            frame = rng.choice(words["frames"])
            fields = {field: rng.choice(some) for field, some in words["topics"][name].items()}
            sentence = frame.format(**fields, place=rng.choice(words["places"]))
            sentences.append(writing.vary(rng, sentence, 0.5))
            written += writing.size(sentences[-1])
            continue
        vocabulary, everyday = words["topic_words"][name], words["everyday"]
        drawn = [
            rng.choice(vocabulary) if rng.random() < 0.35 else rng.choice(everyday)
            for _ in range(rng.randint(*writing.drawn))
        ]
        sentences.append(writing.end(rng, drawn))
        written += writing.size(sentences[-1])
    return writing.space.join(sentences)


def _english_end(rng: random.Random, words: list[str]) -> str:
    return " ".join(words).capitalize() + "."


def _chinese_end(rng: random.Random, words: list[str]) -> str:
    return "".join(words) + rng.choice("。，！")


def _word_count(sentence: str) -> int:
    return len(sentence.split())


def _vary_words(rng: random.Random, text: str, rate: float) -> str:
    """Each swappable word (or two-word phrase) replaced with probability `rate`."""
    out = []
    words = text.split(" ")
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in SWAPS:
            out.append(rng.choice(SWAPS[pair]) if rng.random() < rate else pair)
            i += 2
            continue
        word = words[i]
        bare = word.rstrip(".,")
        if bare in SWAPS and rng.random() < rate:
            word = rng.choice(SWAPS[bare]) + word[len(bare) :]
        out.append(word)
        i += 1
    return " ".join(out)


def _vary_chinese(rng: random.Random, text: str, rate: float) -> str:
    for word in sorted(ZH_SWAPS, key=len, reverse=True):
        if word in text and rng.random() < rate:
            text = text.replace(word, rng.choice(ZH_SWAPS[word]), 1)
    return text


_SORTED_TOPICS = {id(WORDS[key]): sorted(WORDS[key]["topics"]) for key in ("english", "chinese")}
ENGLISH = Writing(WORDS["english"], (6, 16), _vary_words, _english_end, _word_count, " ")
CHINESE = Writing(WORDS["chinese"], (5, 12), _vary_chinese, _chinese_end, len, "")


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


# Beyond the standard corpus a larger one is written quicker
# (bench/neardup_large.py), and kept between runs.
BLOCK = 100_000


def campaign_count(comments: int) -> int:
    """CAMPAIGNS per BLOCK comments (at least CAMPAIGNS): 500 in a million."""
    return CAMPAIGNS * max(1, -(-comments // BLOCK))


def campaign_corpus(
    comments: int = 100_000, share: float = 0.2, seed: int = 7, edits: Edits = STANDARD
):
    """(ids, texts, times, truth): truth[i] is the campaign of comment i, or -1."""
    if comments <= BLOCK:
        return _one_corpus(comments, share, seed, edits)
    from neardup_large import large_corpus

    return large_corpus(comments, share, seed, edits)


def _one_corpus(comments: int, share: float, seed: int, edits: Edits):
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    count = CAMPAIGNS
    sizes = campaign_sizes(rng, round(comments * share), count)
    texts: list[str] = []
    times: list[float] = []
    truth: list[int] = []
    chinese_campaigns = set(rng.sample(range(count), round(count * CHINESE_SHARE)))
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
    chosen = (("standard", STANDARD),) + (() if args.standard_only else (("hard", HARD),))
    for corpus, edits in chosen:
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
    parser.add_argument(
        "--no-themes", action="store_true", help="campaigns only (beyond 100,000 comments)"
    )
    parser.add_argument("--standard-only", action="store_true", help="not the hard corpus")
    args = parser.parse_args()
    print(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
    jieba.initialize()  # its dictionary loads once a process (0.8 s), not once a run
    if args.sweep:
        return sweep(args)
    if args.datasketch:
        return against_datasketch(args)
    print(
        f"{args.comments:,} comments, {args.share:.0%} of them copies in "
        f"{campaign_count(args.comments)} campaigns; "
        f"seed {args.seed}; median of {args.runs} runs; defaults: "
        f"{campaigns.SHINGLE_SIZE}-word shingles ({campaigns.HAN_SHINGLE_SIZE} Han characters), "
        f"threshold {campaigns.DEFAULT_THRESHOLD}, 128 permutations"
    )
    print()
    print("| corpus | pair precision | pair recall | comment precision | comment recall "
          "| groups | seconds | peak MiB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    chosen = (("standard", STANDARD),) + (() if args.standard_only else (("hard", HARD),))
    for corpus, edits in chosen:
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
        if args.no_themes:
            return 0
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
