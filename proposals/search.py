"""Full-text search over titles, summaries and section text, in English and Chinese.

PostgreSQL: weighted tsvectors ranked with ts_rank; English words go through
the 'english' configuration, Chinese (which has no spaces between words) is
indexed as overlapping character bigrams through the 'simple' configuration.
SQLite: every term must appear somewhere; a hit in the title counts most.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TERM = re.compile(rf"[{_CJK}]+|[^\s{_CJK}]+")
_WORD_CHARS = re.compile(r"[^\w\-]+")


def cjk_bigrams(text: str, *, with_characters: bool = False) -> str:
    """'公交专用道' -> '公交 交专 专用 用道'; a single character stands alone.

    The indexed document also carries every character on its own, so that a
    one-character query (税, 车) finds it: `with_characters=True`.
    """
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        if with_characters and len(run) > 1:
            tokens.extend(run)
    return " ".join(tokens)


def split_query(raw: str) -> tuple[list[str], list[str]]:
    """(latin words, CJK runs) of a query, bounded in length and count."""
    words, runs = [], []
    for term in _TERM.findall(raw[:MAX_QUERY_LENGTH])[:MAX_TERMS]:
        if _CJK_RUN.fullmatch(term):
            runs.append(term)
        else:
            cleaned = _WORD_CHARS.sub("", term).strip("-")
            if cleaned:
                words.append(cleaned)
    return words, runs


def search(queryset: QuerySet, raw: str) -> QuerySet:
    words, runs = split_query(raw)
    if not words and not runs:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _search_postgres(queryset, words, runs)
    return _search_fallback(queryset, words, runs)


def search_vector():
    """The weighted document of a proposal. The GIN index of migration 0002 is
    built from this very expression, so PostgreSQL can use it: change both."""
    # Imported here: the module needs psycopg, which an SQLite install may lack.
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("search_text", weight="C", config="english")
        + SearchVector("search_cjk", weight="B", config="simple")
    )


def _search_postgres(queryset: QuerySet, words: list[str], runs: list[str]) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    vector = search_vector()
    query = None
    if words:
        query = SearchQuery(" ".join(words), search_type="plain", config="english")
    for run in runs:
        grams = cjk_bigrams(run).split()
        part = SearchQuery(" & ".join(grams), search_type="raw", config="simple")
        query = part if query is None else query & part
    # Match with @@ (ts_rank gives non-matching documents a tiny positive score).
    return (
        queryset.annotate(search_vector=vector)
        .filter(search_vector=query)
        .annotate(search_rank=SearchRank(F("search_vector"), query))
        .order_by("-search_rank", "pk")
    )


def _search_fallback(queryset: QuerySet, words: list[str], runs: list[str]) -> QuerySet:
    matches = Q()
    score = Value(0)
    for term in [*words, *runs]:
        in_title = Q(title__icontains=term)
        in_summary = Q(summary__icontains=term)
        matches &= in_title | in_summary | Q(search_text__icontains=term)
        score = (
            score
            + Case(When(in_title, then=Value(3)), default=Value(0), output_field=IntegerField())
            + Case(When(in_summary, then=Value(2)), default=Value(0), output_field=IntegerField())
        )
    return (
        queryset.filter(matches)
        .annotate(search_rank=score + Value(1))
        .order_by(F("search_rank").desc(), "pk")
    )
