"""bench/neardup.py's consultation beyond 100,000 comments, written quickly.

The standard corpus writes every comment word by word through Python's
random module: about a millisecond a comment, a quarter of an hour for a
million. Beyond BLOCK comments this writes the same kinds of text from
pools instead:

- CAMPAIGNS campaigns per BLOCK comments (500 in a million), 20 to 500
  copies each (a tenth of them in Chinese), each copy made from its letter
  exactly as in the standard corpus (neardup.campaign_copy: synonym swaps,
  case and punctuation, a personal sentence);
- the other comments, each on one or two topics, put together from pools of
  POOL sentences per topic and language written by the standard corpus's
  own sentence writer (topic and everyday words, and one sentence in five
  from the same frames as the campaigns' letters): independent comments
  share a sentence now and then, and phrases with the letters, but only by
  the chance of the pool.

The corpus is kept in CACHE (CONSULT_BENCH_CACHE, or ~/.cache/consult-bench),
keyed by its parameters, the word lists and CORPUS_VERSION (raise it when
the writing here or in bench/neardup.py changes).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
from pathlib import Path

import numpy as np
from neardup import (
    CAMPAIGNS,
    CHINESE,
    CHINESE_SHARE,
    DAYS,
    ENGLISH,
    START,
    Edits,
    Writing,
    _comment,
    campaign_copy,
    campaign_count,
    chinese_comment,
    english_comment,
)

CORPUS_VERSION = 1
POOL = 5000
CACHE = Path(os.environ.get("CONSULT_BENCH_CACHE", Path.home() / ".cache" / "consult-bench"))


def large_corpus(comments: int, share: float, seed: int, edits: Edits):
    """(ids, texts, times, truth), as neardup.campaign_corpus gives them."""
    words = (Path(__file__).parent / "neardup_words.toml").read_bytes()
    key = hashlib.sha256(words + repr((CORPUS_VERSION, POOL, edits)).encode()).hexdigest()[:10]
    path = CACHE / f"corpus-{comments}-{share}-{seed}-{key}.pickle"
    if path.exists():
        with path.open("rb") as file:
            return pickle.load(file)  # noqa: S301 - a file this function wrote
    found = _write(comments, share, seed, edits)
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(found, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)
    return found


def _sizes(rng: np.random.Generator, total: int, count: int) -> np.ndarray:
    """`count` sizes between 20 and 500 adding up to `total` (as far as the bounds allow)."""
    sizes = rng.integers(20, 501, size=count).astype(np.float64)
    sizes = np.clip(np.round(sizes * total / sizes.sum()), 20, 500).astype(np.int64)
    while (gap := total - int(sizes.sum())) != 0:
        room = np.flatnonzero(sizes < 500) if gap > 0 else np.flatnonzero(sizes > 20)
        if not room.size:
            break
        chosen = rng.choice(room, size=min(abs(gap), room.size), replace=False)
        sizes[chosen] += 1 if gap > 0 else -1
    return sizes


def _write(comments: int, share: float, seed: int, edits: Edits):
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    draw = np.random.default_rng(seed)
    count = campaign_count(comments)
    sizes = _sizes(draw, round(comments * share), count)
    chinese_campaigns = set(rng.sample(range(count), round(count * CHINESE_SHARE)))
    texts: list[str] = []
    times: list[float] = []
    truth: list[int] = []
    for campaign, size in enumerate(sizes.tolist()):
        chinese = campaign in chinese_campaigns
        template = (
            chinese_comment(rng, rng.randint(70, 140), frames=1.0)
            if chinese
            else english_comment(rng, rng.randint(40, 70), frames=1.0)
        )
        start = START + rng.uniform(0, (DAYS - 3) * 86400)
        texts.extend(campaign_copy(rng, template, chinese, edits) for _ in range(size))
        times.extend(start + draw.exponential(86400, size=size))
        truth.extend([campaign] * size)
    alone = comments - len(texts)
    chinese = draw.random(alone) < CHINESE_SHARE
    english_texts = _from_pools(rng, draw, ENGLISH, int((~chinese).sum()), (40, 80))
    chinese_texts = iter(_from_pools(rng, draw, CHINESE, int(chinese.sum()), (40, 160)))
    english_iter = iter(english_texts)
    texts.extend(next(chinese_texts) if c else next(english_iter) for c in chinese.tolist())
    times.extend(START + draw.random(alone) * DAYS * 86400)
    truth.extend([-1] * alone)
    order = draw.permutation(comments)
    return (
        np.arange(1, comments + 1),
        [texts[i] for i in order.tolist()],
        np.asarray(times)[order],
        np.asarray(truth)[order],
    )


def _from_pools(
    rng: random.Random, draw: np.random.Generator, writing: Writing, n: int, size: tuple
) -> list[str]:
    """`n` comments of `size` (words, or characters in Chinese) from sentence pools."""
    topics = writing.topics
    pools, lengths = [], []
    for name in topics:
        # One topic's sentences: the standard writer's, one sentence at a time.
        pool = [_comment(_OneTopic(rng, name), writing, 1, 0.2) for _ in range(POOL)]
        pools.append(pool)
        lengths.append(np.asarray([writing.size(s) for s in pool]))
    targets = draw.integers(size[0], size[1] + 1, size=n)
    two = draw.random(n) < 1 / 3
    first = draw.integers(0, len(topics), size=n)
    second = (first + draw.integers(1, len(topics), size=n)) % len(topics)
    picks = draw.integers(0, POOL, size=(n, 24))
    which = draw.random((n, 24)) < 0.5
    out = []
    for i in range(n):
        written, sentences, k = 0, [], 0
        while written < targets[i] and k < 24:
            topic = second[i] if two[i] and which[i, k] else first[i]
            pick = picks[i, k]
            sentences.append(pools[topic][pick])
            written += lengths[topic][pick]
            k += 1
        out.append(writing.space.join(sentences))
    return out


class _OneTopic:
    """A random.Random that always picks `name` when the writer picks topics."""

    def __init__(self, rng: random.Random, name: str) -> None:
        self._rng, self._name = rng, name

    def sample(self, population, k):
        return [self._name]

    def __getattr__(self, attribute):
        return getattr(self._rng, attribute)


__all__ = ["CAMPAIGNS", "large_corpus"]
