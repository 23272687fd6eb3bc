"""Campaigns: comments that are near-copies of one another, found and grouped.

An organised campaign hands out a letter; hundreds of people paste it, some
swap a word, fix the punctuation or add a sentence of their own. The summary
shows each campaign once, with its count, its first and last time and its
variations, and counts unique comments beside every total.

How: each comment's normalised text (consult.analysis.text.normalise) becomes
a set of shingles, MinHash signatures of those sets are banded as in
datasketch's MinHashLSH, comments that share a band are candidates, a
candidate pair counts when its Jaccard similarity reaches the threshold
(estimated from the signatures, or computed from the shingles when the
estimate is too close to call), and union-find joins the pairs into groups.

Two steps are done in numpy rather than through datasketch's per-item API,
for speed, with datasketch's own parameters, so the signatures are the same
and the buckets are those MinHashLSH would make:
the signatures (datasketch's "affine32" permutations of 32-bit shingle
hashes, equal to what `MinHash(hashfunc=...).update_batch` computes, which
the tests check; for the 96,000 distinct texts of the benchmark
`MinHash.bulk` took 3.3 s, this 0.5 s), and the bands (the (b, r) that
`MinHashLSH` chooses; inserting those texts into it one key at a time took
10.7 s, banding them in numpy 0.6 s). docs/benchmarks.md has the figures
(`bench/neardup.py --datasketch`), and the shingles and thresholds tried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

from consult.analysis.distinct_texts import DistinctTexts, distinct_texts

# Shingles are runs of SHINGLE_SIZE consecutive words, where a Chinese (Han)
# character counts as a word. See docs/benchmarks.md for the measurements
# behind both choices.
SHINGLE_KIND = "word"
SHINGLE_SIZE = 2
HAN_SHINGLE_SIZE = 3
# Shorter texts ("I agree", an emoji, nothing) are never campaign copies: with
# so few words, people writing independently say the same thing.
MIN_WORDS = 8
DEFAULT_THRESHOLD = 0.5
# MinHashLSH chooses its bands to minimise the weighted chances of a false
# candidate and a missed one. Missing weighs more here: every candidate is
# checked anyway, and at equal weights a pair at the threshold was a candidate
# only 55% of the time (25 bands of 5), against 86% now (30 bands of 4).
LSH_WEIGHTS = (0.2, 0.8)
# Documents per block when computing signatures: about 60,000 shingles, so the
# working set stays in the processor's cache (1,000 was 2x faster than 8,000).
_BLOCK = 1000
_TEXTS_PER_PASS = 4000
_PAIRS_PER_PASS = 8192
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_SEPARATOR = 10  # "\n": normalised text has no line breaks
_SPACE = 32
_MASK32 = np.uint64(0xFFFFFFFF)


def find_campaigns(
    ids: Sequence,
    texts: Sequence[str],
    times: Sequence[float],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = 128,
    min_size: int = 2,
    seed: int = 1,
    progress: Callable[[float], None] = lambda fraction: None,
) -> dict:
    """Groups of near-duplicate comments; see the module docstring.

    `ids`, `texts` and `times` (POSIX seconds) run in parallel. The result
    does not depend on their order. `progress` is told the share done (0-1).
    """
    ids_list = np.asarray(ids).tolist()  # plain Python ids, for the JSON the summary stores
    # Sorted by id first, so that the same comments in any order give the same groups.
    order = sorted(range(len(ids_list)), key=ids_list.__getitem__)
    ids_list = [ids_list[i] for i in order]
    times_arr = np.asarray(times, dtype=np.float64)[np.array(order, dtype=np.int64)]
    streamed = distinct_texts(
        texts,
        order,
        sign=lambda block: _signatures(block, num_perm=num_perm, seed=seed),
        width=num_perm,
        block=_TEXTS_PER_PASS,
        progress=lambda part: progress(0.8 * part),
    )
    text_of = streamed.text_of
    labels = _near_duplicate_labels(streamed, threshold=threshold, num_perm=num_perm)
    progress(0.9)
    label = _drop_small(labels[text_of], max(min_size, 1))
    groups = _groups(ids_list, times_arr, text_of, label)
    progress(1.0)
    groups.sort(key=lambda g: (-g["size"], g["first"], g["representative"]))
    membership = {}
    for number, group in enumerate(groups):
        membership.update(dict.fromkeys(group["comment_ids"], number))
    return {
        "groups": [{"id": number, **group} for number, group in enumerate(groups)],
        "comments_in_groups": len(membership),
        "unique_comments": len(ids_list) - len(membership) + len(groups),
        "membership": membership,
        "threshold": float(threshold),
        "num_perm": int(num_perm),
    }


def _drop_small(label: np.ndarray, min_size: int) -> np.ndarray:
    """Labels of groups with fewer than min_size comments replaced by -1."""
    grouped = label >= 0
    sizes = np.bincount(label[grouped], minlength=1)
    label = label.copy()
    label[grouped] = np.where(sizes[label[grouped]] >= min_size, label[grouped], -1)
    return label


def _groups(ids: list, times: np.ndarray, text_of: np.ndarray, label: np.ndarray) -> list[dict]:
    """One dict per label (>= 0), its comments sorted by (time, id)."""
    members: dict[int, list[int]] = defaultdict(list)
    for index in np.flatnonzero(label >= 0).tolist():
        members[int(label[index])].append(index)
    groups = []
    for rows in members.values():
        rows.sort(key=lambda i: (times[i], ids[i]))
        first_of: dict[int, int] = {}  # text -> its first comment's place in rows
        count: dict[int, int] = defaultdict(int)
        for place, i in enumerate(rows):
            first_of.setdefault(int(text_of[i]), place)
            count[int(text_of[i])] += 1
        # The most copied wordings first, each shown by its earliest comment.
        variations = sorted(first_of, key=lambda t: (-count[t], first_of[t]))
        groups.append(
            {
                "size": len(rows),
                "first": float(times[rows[0]]),
                "last": float(times[rows[-1]]),
                "representative": ids[rows[0]],
                "comment_ids": [ids[i] for i in rows],
                "variations": len(first_of),
                "examples": [ids[rows[first_of[t]]] for t in variations[:5]],
            }
        )
    return groups


def _near_duplicate_labels(
    streamed: DistinctTexts, *, threshold: float, num_perm: int
) -> np.ndarray:
    """For each distinct normalised text, its group's label, or -1 when it is too short.

    Identical texts share an entry already, so a text repeated by several
    comments counts here once. A candidate pair joins two groups when its
    Jaccard similarity reaches the threshold: the share of equal MinHash
    values estimates it, and when that estimate is within three standard
    errors of the threshold (0.13 at 0.5 with 128 values) the shingles of
    the two texts decide. Two letters that share a few sentences can have a
    pair of copies at 0.44 that the estimate alone puts over 0.5.
    """
    usable, signatures = streamed.usable, streamed.signatures
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    pairs = _candidate_pairs(signatures, lsh.b, lsh.r)
    estimate = _estimated_jaccard(signatures, pairs)
    doubt = 3 * (threshold * (1 - threshold) / num_perm) ** 0.5
    groups = _UnionFind(len(usable))
    for a, b in pairs[estimate > threshold + doubt].tolist():
        groups.union(a, b)
    unsure = pairs[np.abs(estimate - threshold) <= doubt]
    roots = groups.roots()
    # Only pairs that would join two groups are worth reading the texts for.
    unsure = unsure[roots[unsure[:, 0]] != roots[unsure[:, 1]]]
    if len(unsure):
        which = np.unique(unsure)
        shingles = _shingle_sets(which, [streamed.normal(i) for i in usable[which].tolist()])
        for a, b in unsure.tolist():
            if groups.find(a) != groups.find(b):
                common = len(shingles[a] & shingles[b])
                if common >= threshold * (len(shingles[a]) + len(shingles[b]) - common):
                    groups.union(a, b)
    labels = np.full(streamed.distinct, -1, dtype=np.int64)
    # Every usable text gets a label, even alone: a text repeated verbatim by
    # several comments is a group by itself. The caller drops small groups.
    labels[usable] = groups.roots()
    return labels


def _estimated_jaccard(signatures: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The share of equal MinHash values of each pair, a block of pairs at a time
    (so that the copies of their signatures stay small)."""
    estimate = np.zeros(len(pairs))
    for low in range(0, len(pairs), _PAIRS_PER_PASS):
        block = pairs[low : low + _PAIRS_PER_PASS]
        equal = (signatures[block[:, 0]] == signatures[block[:, 1]]).sum(axis=1)
        estimate[low : low + _PAIRS_PER_PASS] = equal / signatures.shape[1]
    return estimate


def _shingle_sets(which: np.ndarray, texts: list[str]) -> dict[int, set[int]]:
    """The shingle hashes of the `texts` numbered `which` (sorted), as sets."""
    hashes, doc, _ = shingle_hashes(texts)
    bounds = np.searchsorted(doc, np.arange(len(which) + 1))
    return {int(t): set(hashes[bounds[k] : bounds[k + 1]].tolist()) for k, t in enumerate(which)}


def _signatures(texts: list[str], *, num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The texts (normalised) long enough to compare, and their MinHash signatures."""
    hashes, doc, words = shingle_hashes(texts)
    long_enough = np.flatnonzero(words >= MIN_WORDS)
    keep = np.isin(doc, long_enough)
    # Renumber the texts kept 0..k-1 (doc is sorted, and so is long_enough).
    doc = np.searchsorted(long_enough, doc[keep])
    signed = minhash_signatures(hashes[keep], doc, len(long_enough), num_perm=num_perm, seed=seed)
    return long_enough, signed


def shingle_hashes(
    texts: list[str], *, kind: str | None = None, size: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """32-bit hashes of each text's shingles, the text each belongs to, and each text's word count.

    kind "word": runs of `size` consecutive words (a Han character is a
    word); kind "char": runs of `size` consecutive characters, spaces
    included. The defaults are SHINGLE_KIND and SHINGLE_SIZE. Texts must be
    normalised. Computed over all texts at once from their code points,
    with a polynomial hash of each word.
    """
    kind = kind or SHINGLE_KIND
    size = size or SHINGLE_SIZE
    no_hashes = np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    if not texts:
        return *no_hashes, np.zeros(0, dtype=np.int64)
    joined = "\n".join(texts) + "\n"
    code = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    separators = np.flatnonzero(code == _SEPARATOR)
    gap = code == _SPACE
    gap[separators] = True
    han = _han(code)
    words_start, words_end = _words(gap, han)
    # A word's text is the number of separators before it.
    word_doc = np.searchsorted(separators, words_start)
    words = np.bincount(word_doc, minlength=len(texts))
    prefix = _PolynomialPrefix(code)
    if kind == "word":
        word_hash = prefix.substring(words_start, words_end)
        han_before = np.r_[0, np.cumsum(han[words_start])]  # Han words before each word
        parts = []
        # Runs of `size` words with a Latin word among them, and runs of
        # HAN_SHINGLE_SIZE Han characters: a Han character is nearer a
        # syllable than a word, and Chinese campaigns on one topic share
        # many two-character words.
        for length, han_only in ((size, False), (HAN_SHINGLE_SIZE, True)):
            hashes, first = _runs(word_hash, word_doc, length)
            han_count = han_before[first + length] - han_before[first]
            keep = han_count == length if han_only else han_count < length
            parts.append((hashes[keep], word_doc[first[keep]]))
        order = np.argsort(np.concatenate([p[1] for p in parts]), kind="stable")
        hashes = np.concatenate([p[0] for p in parts])[order]
        doc = np.concatenate([p[1] for p in parts])[order]
    elif kind == "char":
        starts = np.arange(max(len(code) - size + 1, 0))
        seen = np.searchsorted(separators, np.arange(len(code) + 1))  # separators before each
        starts = starts[seen[starts + size] == seen[starts]]
        hashes, doc = prefix.substring(starts, starts + size), seen[starts]
    else:
        raise ValueError(f"unknown shingle kind {kind!r}")
    return _fold32(_mix64(hashes)), doc, words


def _han(code: np.ndarray) -> np.ndarray:
    """Which code points are Han characters (most comments have none above U+3400)."""
    han = np.zeros(len(code), dtype=bool)
    high = np.flatnonzero(code >= _HAN_RANGES[0][0])
    if len(high):
        points = code[high]
        inside = np.zeros(len(high), dtype=bool)
        for low, top in _HAN_RANGES:
            inside |= (points >= low) & (points <= top)
        han[high] = inside
    return han


def _runs(word_hash: np.ndarray, word_doc: np.ndarray, length: int):
    """Hashes of the runs of `length` consecutive words inside one text, and their first words."""
    count = len(word_hash) - length + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(word_doc[:count] == word_doc[length - 1 :])
    combined = np.zeros(len(first), dtype=np.uint64)
    for offset, multiplier in enumerate(_MULTIPLIERS[:length]):
        combined += word_hash[first + offset] * multiplier
    return combined, first


def _words(gap: np.ndarray, han: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each word: a run between spaces, or one Han character."""
    before = np.r_[True, gap[:-1]]
    after = np.r_[gap[1:], True]
    han_before = np.r_[False, han[:-1]]
    han_after = np.r_[han[1:], False]
    starts = np.flatnonzero(~gap & (before | han | han_before))
    ends = np.flatnonzero(~gap & (after | han | han_after)) + 1
    return starts, ends


class _PolynomialPrefix:
    """Polynomial hashes (mod 2^64) of any substring, from prefix sums.

    hash(s[i:j]) = sum_m s[m] * P^(j-1-m) = (T[j] - T[i]) * P^(j-1), where
    T[k] = sum_{m<k} s[m] * P^-m; P is odd, so it has an inverse mod 2^64.
    numpy's unsigned arithmetic wraps, which is the modulus we want.
    """

    P = 0x100000001B3  # the FNV prime, odd
    # (P^k, P^-k) for k < their length; one attribute, so that a thread
    # reading it while another grows it sees the old pair or the new one.
    _cache = (np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))

    def __init__(self, code: np.ndarray) -> None:
        power, inverse_power = self._powers_to(len(code))
        self.power = power
        self.total = np.zeros(len(code) + 1, dtype=np.uint64)
        np.cumsum(code * inverse_power[: len(code)], out=self.total[1:])

    @classmethod
    def _powers_to(cls, length: int) -> tuple[np.ndarray, np.ndarray]:
        """P^k and P^-k for k < length, kept between calls (every pass needs them)."""
        powers, inverse_powers = cls._cache
        if len(powers) < length:
            length = max(length, 2 * len(powers))
            powers = np.cumprod(np.r_[np.uint64(1), np.full(length - 1, cls.P, np.uint64)])
            inverse = pow(cls.P, -1, 1 << 64)
            inverse_powers = np.cumprod(
                np.r_[np.uint64(1), np.full(length - 1, inverse, np.uint64)]
            )
            cls._cache = (powers, inverse_powers)
        return powers, inverse_powers

    def substring(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        return (self.total[ends] - self.total[starts]) * self.power[ends - 1]


# Odd 64-bit multipliers that weigh each word of a shingle by its place.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53],
    dtype=np.uint64,
)  # fmt: skip


def _mix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit moves every output bit."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    values ^= values >> np.uint64(33)
    return values


def _fold32(values: np.ndarray) -> np.ndarray:
    return ((values ^ (values >> np.uint64(32))) & _MASK32).astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    values = values ^ (values >> np.uint32(16))
    values *= np.uint32(0x85EBCA6B)
    values ^= values >> np.uint32(13)
    values *= np.uint32(0xC2B2AE35)
    values ^= values >> np.uint32(16)
    return values


def minhash_signatures(
    hashes: np.ndarray, doc: np.ndarray, documents: int, *, num_perm: int, seed: int
) -> np.ndarray:
    """(documents, num_perm) uint32 MinHash values, equal to datasketch's.

    The same numbers as `MinHash(num_perm, seed, hashfunc=identity)` fed the
    32-bit `hashes` of each document through `update_batch`; `doc` must be
    sorted and every document must have at least one hash.
    """
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    mixed = _fmix32(hashes.astype(np.uint32))
    starts = np.searchsorted(doc, np.arange(documents + 1))
    out = np.empty((num_perm, documents), dtype=np.uint32)
    for low in range(0, documents, _BLOCK):
        high = min(low + _BLOCK, documents)
        block = mixed[starts[low] : starts[high]]
        offsets = starts[low:high] - starts[low]
        scratch = np.empty_like(block)
        for p in range(num_perm):
            np.multiply(block, a[p], out=scratch)
            scratch += b[p]
            out[p, low:high] = np.minimum.reduceat(scratch, offsets)
    return np.ascontiguousarray(out.T)


def _candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Pairs of documents that share at least one band, as (k, 2) with k[:, 0] < k[:, 1].

    Within a bucket every member is paired with the bucket's first member
    and with its neighbour, not with every other member: a campaign of 500
    fills the same bucket in most bands, and 125,000 pairs per band would
    cost more than they find. Union-find then joins what the pairs connect.
    """
    documents = len(signatures)
    if documents < 2:
        return np.zeros((0, 2), dtype=np.int64)
    found = []
    for band in range(bands):
        chunk = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.zeros(documents, dtype=np.uint64)
        for column in range(rows):
            key = _mix64(key ^ chunk[:, column])
        order = np.argsort(key, kind="stable")
        key = key[order]
        same = key[1:] == key[:-1]
        if not same.any():
            continue
        # Neighbours within a bucket, and each member with its bucket's first.
        neighbour = np.flatnonzero(same)
        found.append(np.stack([order[neighbour], order[neighbour + 1]], axis=1))
        bucket_start = np.flatnonzero(np.r_[True, ~same])
        first = bucket_start[np.searchsorted(bucket_start, neighbour + 1, side="right") - 1]
        found.append(np.stack([order[first], order[neighbour + 1]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    code = np.unique(pairs[:, 0] * documents + pairs[:, 1])
    return np.stack([code // documents, code % documents], axis=1)


class _UnionFind:
    """Disjoint sets of 0..size-1; each set's root is its smallest member."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def roots(self) -> np.ndarray:
        return np.array([self.find(node) for node in range(len(self.parent))], dtype=np.int64)
