"""Themes suggested from the comments' words, for moderators to adopt as tags.

TF-IDF over consult.analysis.text.tokens (English words and jieba's Chinese
words, stop words dropped), factorised by NMF into a few themes. Each comment
goes to its strongest theme when that theme is clearly its own; each theme
lists its comments strongest first, so a moderator can read the best
examples and tag them all.

No Django here: the summary calls this on plain lists.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from consult.analysis.text import normal_tokens, normalise

# Below this many comments (with words left after stop words) there is
# nothing to factorise that a moderator could not read in a minute.
MIN_DOCUMENTS = 10
# ... and a theme needs several terms to be told from another.
MIN_TERMS_PER_THEME = 3
TERMS = 8
REPRESENTATIVE = 3
# A comment belongs to its strongest theme only when that theme carries at
# least this share of the comment's total weight (a comment split evenly
# between two themes belongs to neither) ...
MIN_SHARE = 0.5
# ... and its weight reaches this fraction of the theme's strongest comment's.
MIN_RELATIVE_WEIGHT = 0.1
MAX_FEATURES = 5000
# Comments cut into words between two reports of progress.
PROGRESS_EVERY = 2000


def suggest_themes(
    ids: Sequence,
    texts: Sequence[str],
    *,
    max_themes: int = 8,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
) -> list[dict]:
    """Up to `max_themes` themes, largest first; [] when there is too little text.

    The number of themes grows with the square root of the number of
    comments (3 for 60 comments, 8 from 384), so a small consultation is
    not cut into slivers. The result does not depend on the input's order.
    `progress` is told the share done (0-1).
    """
    ids_list = np.asarray(ids).tolist()  # plain Python ids, for the JSON the summary stores
    order = sorted(range(len(ids_list)), key=ids_list.__getitem__)
    ids_list = [ids_list[i] for i in order]
    # Copies of one text (a campaign's) are cut into words once.
    words_of: dict[str, list[str]] = {}
    words = []
    # Cutting into words is most of the time (jieba, for Chinese): told as it goes.
    for done, i in enumerate(order, start=1):
        normal = normalise(texts[i])
        if normal not in words_of:
            words_of[normal] = normal_tokens(normal)
        words.append(words_of[normal])
        if done % PROGRESS_EVERY == 0:
            progress(0.7 * done / len(order))
    progress(0.7)
    kept = [i for i, w in enumerate(words) if w]
    themes = theme_count(len(kept), max_themes)
    if themes < 2:
        return []
    vectorizer = TfidfVectorizer(
        analyzer=_identity,
        min_df=2,
        max_df=0.7,
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform([words[i] for i in kept])
    except ValueError:  # no term is left after min_df and max_df
        return []
    terms = vectorizer.get_feature_names_out()
    if len(terms) < themes * MIN_TERMS_PER_THEME:
        return []
    progress(0.8)
    weights, components = _factorise(matrix, themes, seed)
    progress(0.95)
    return _themes(weights, components, terms, [ids_list[i] for i in kept])


def theme_count(documents: int, max_themes: int) -> int:
    """How many themes to ask for: 0 below MIN_DOCUMENTS, else sqrt(documents / 6) in [2, max]."""
    if documents < MIN_DOCUMENTS or max_themes < 2:
        return 0
    return max(2, min(max_themes, math.isqrt(documents // 6)))


def _identity(words: list[str]) -> list[str]:
    return words


def _factorise(matrix, themes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # 200 rounds of coordinate descent settle the 100,000-comment benchmark
    # well before the limit; if a corpus does not, the factors so far are
    # still a fair suggestion, and a warning in the worker's log helps no one.
    model = NMF(n_components=themes, init="nndsvd", random_state=seed, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    return weights, model.components_


def _themes(weights: np.ndarray, components: np.ndarray, terms, ids: list) -> list[dict]:
    strongest = weights.argmax(axis=1)
    top = weights[np.arange(len(weights)), strongest]
    total = weights.sum(axis=1)
    peak = weights.max(axis=0)
    clear = (top > 0) & (top >= MIN_SHARE * total) & (top >= MIN_RELATIVE_WEIGHT * peak[strongest])
    found = []
    for theme, row in enumerate(components):
        # Strongest terms first, ties in alphabetical order.
        ranked = sorted((-float(w), str(t)) for w, t in zip(row, terms, strict=True) if w > 0)
        theme_terms = [t for _, t in ranked[:TERMS]]
        members = np.flatnonzero(clear & (strongest == theme))
        members = sorted(members.tolist(), key=lambda i: (-float(top[i]), ids[i]))
        if not members or not theme_terms:
            continue
        comment_ids = [ids[i] for i in members]
        found.append(
            {
                "label": ", ".join(theme_terms[:3]),
                "terms": theme_terms,
                "comments": len(comment_ids),
                "comment_ids": comment_ids,
                "representative": comment_ids[:REPRESENTATIVE],
            }
        )
    found.sort(key=lambda t: (-t["comments"], t["label"]))
    return found
