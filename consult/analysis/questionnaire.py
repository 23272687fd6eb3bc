"""The response form's figures: counts and shares per question, overall, by
respondent kind and by channel; ranking scores; number statistics.

Pure arithmetic over plain arrays (the loader, consult.reports.summary.loader,
fills `FormInputs`; tests build it by hand). No Django here.

What counts where (docs/summary.md, "The response form"):
- only submitted responses are given here; a withheld response counts like
  any other, and so does an answer whose words a moderator hid or held;
- a choice's share is of the respondents who answered the question; for a
  multiple-choice question one respondent may pick several, so the shares
  may sum to more than 100%;
- a ranking's score is its mean Borda points over the respondents who
  answered: with n choices, first place gives n points, second n - 1, ...,
  a choice left unranked 0;
- a question not answered (skipped, or not shown because of its condition)
  counts as skipped.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

import numpy as np

from consult.analysis.inputs import codes, floats, ints

KINDS = ("individual", "organisation")
CHANNELS = ("web", "post", "email", "phone", "meeting")
# What became of a free-text answer's words (answer_text codes).
NO_TEXT, WORDS_PUBLIC, WORDS_HIDDEN, WORDS_HELD = 0, 1, 2, 3
CHOICE_KINDS = ("single", "multiple", "scale")
# A number question's values are shown one bar per whole number when they are
# whole numbers this close together, else in at most this many equal bins.
MAX_BINS = 10


@dataclass
class Question:
    id: int
    order: int
    kind: str
    prompt: str
    section: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)  # (key, label), in order


@dataclass
class FormInputs:
    questions: list[Question] = field(default_factory=list)
    # Submitted responses: respondent kind and channel codes index KINDS and CHANNELS.
    response_id: np.ndarray = field(default_factory=ints)
    response_kind: np.ndarray = field(default_factory=codes)
    response_channel: np.ndarray = field(default_factory=codes)
    # Their answers; choices holds the keys picked (a ranking's in order).
    answer_response: np.ndarray = field(default_factory=ints)
    answer_question: np.ndarray = field(default_factory=ints)
    answer_choices: list[list[str]] = field(default_factory=list)
    answer_number: np.ndarray = field(default_factory=floats)  # NaN: no number
    answer_text: np.ndarray = field(default_factory=codes)  # NO_TEXT, WORDS_*
    # Organisations that responded, and the documents attached (plain dicts).
    organisations: list[dict] = field(default_factory=list)
    documents: dict = field(default_factory=dict)
    # The words of each response that has any (its free-text answers and its
    # documents' text, one text a response), for themes and campaigns; the
    # public words are only those a public page may quote ("" for none).
    text_response: np.ndarray = field(default_factory=ints)
    text_time: np.ndarray = field(default_factory=floats)
    text: list[str] = field(default_factory=list)
    public_text: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for item in fields(self):
            value = getattr(self, item.name)
            digest.update(item.name.encode())
            if isinstance(value, np.ndarray):
                digest.update(np.ascontiguousarray(value).tobytes())
            else:
                digest.update(repr(value).encode())
        return digest.hexdigest()

    def channel_of(self, responses: np.ndarray) -> np.ndarray:
        """The channel code of each of `responses` (ids of submitted responses)."""
        order = np.argsort(self.response_id, kind="stable")
        at = order[np.searchsorted(self.response_id, responses, sorter=order)]
        return self.response_channel[at]


def numbers(values: Sequence[Decimal | float | int | None]) -> np.ndarray:
    """Answers' numbers as floats, None as NaN (the database gives Decimals)."""
    return np.fromiter(
        (math.nan if v is None else float(v) for v in values), dtype=np.float64, count=len(values)
    )


def by_code(codes_: np.ndarray, names: Sequence[str]) -> dict[str, int]:
    counted = np.bincount(codes_.astype(np.int64), minlength=len(names))
    return {name: int(counted[i]) for i, name in enumerate(names)}


def form_figures(form: FormInputs) -> dict:
    """The `form` part of the summary (the schema is in docs/summary.md)."""
    responses = int(form.response_id.size)
    row = _response_rows(form)
    questions = []
    order = np.argsort(form.answer_question, kind="stable")
    sorted_questions = form.answer_question[order]
    for question in form.questions:
        low, high = np.searchsorted(sorted_questions, [question.id, question.id + 1])
        answers = order[low:high]
        questions.append(_question(form, question, answers, row, responses))
    return {
        "responses": responses,
        "by_kind": by_code(form.response_kind, KINDS),
        "by_channel": by_code(form.response_channel, CHANNELS),
        "questions": questions,
        "organisations": form.organisations,
        "documents": {key: int(form.documents.get(key, 0)) for key in _DOCUMENT_KEYS},
    }


_DOCUMENT_KEYS = ("attached", "read", "failed", "pending")


def _response_rows(form: FormInputs) -> np.ndarray:
    """Each answer's response as a row of the response arrays (-1: not submitted)."""
    if not form.response_id.size:
        return np.full(form.answer_response.size, -1, dtype=np.int64)
    order = np.argsort(form.response_id, kind="stable")
    at = np.minimum(
        np.searchsorted(form.response_id, form.answer_response, sorter=order),
        form.response_id.size - 1,
    )
    rows = order[at]
    return np.where(form.response_id[rows] == form.answer_response, rows, -1)


def _question(
    form: FormInputs, question: Question, answers: np.ndarray, row: np.ndarray, responses: int
) -> dict:
    answers = answers[row[answers] >= 0]  # answers of drafts never count
    if question.kind in (*CHOICE_KINDS, "ranking"):
        picked = [form.answer_choices[i] for i in answers.tolist()]
        answered = np.fromiter((bool(p) for p in picked), dtype=bool, count=len(picked))
    elif question.kind == "number":
        answered = ~np.isnan(form.answer_number[answers])
    else:
        answered = form.answer_text[answers] != NO_TEXT
    answers = answers[answered]
    count = int(answers.size)
    figures = {
        "id": question.id,
        "order": question.order,
        "kind": question.kind,
        "prompt": question.prompt,
        "section": question.section,
        "answered": count,
        "skipped": responses - count,
        "choices": [],
        "ranking": [],
        "number": None,
        "text": None,
    }
    rows = row[answers]
    if question.kind in CHOICE_KINDS:
        lists = [form.answer_choices[i] for i in answers.tolist()]
        figures["choices"] = choice_counts(
            question.choices, lists, form.response_kind[rows], form.response_channel[rows]
        )
        if question.kind == "multiple":
            figures["shares_sum_over_100"] = True
    elif question.kind == "ranking":
        lists = [form.answer_choices[i] for i in answers.tolist()]
        figures["ranking"] = ranking_scores(question.choices, lists)
    elif question.kind == "number":
        figures["number"] = number_summary(form.answer_number[answers])
    else:
        states = form.answer_text[answers]
        figures["text"] = {
            "answered": count,
            "hidden": int(np.count_nonzero(states == WORDS_HIDDEN)),
            "held": int(np.count_nonzero(states == WORDS_HELD)),
        }
    return figures


def _picks(keys: Sequence[str], lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, ...]:
    """Flattened picks: the answer each came from, its choice's place in
    `keys`, and its place in the answer's list (a ranking's position).
    Keys not on the question (none should be) are left out."""
    index = {key: i for i, key in enumerate(keys)}
    lengths = np.fromiter((len(p) for p in lists), dtype=np.int64, count=len(lists))
    answer = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
    flat = [index.get(key, -1) for picked in lists for key in picked]
    choice = np.asarray(flat, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(choice.size, dtype=np.int64) - starts
    known = choice >= 0
    return answer[known], choice[known], position[known]


def choice_counts(
    choices: Sequence[tuple[str, str]],
    lists: Sequence[Sequence[str]],
    kinds: np.ndarray,
    channels: np.ndarray,
) -> list[dict]:
    """Per choice: how many answers picked it, its share of the answers
    (`lists`, one per respondent who answered), and by kind and channel."""
    keys = [key for key, _label in choices]
    answer, choice, _position = _picks(keys, lists)
    answered = len(lists)
    width = len(KINDS) * len(CHANNELS)
    cell = kinds.astype(np.int64)[answer] * len(CHANNELS) + channels.astype(np.int64)[answer]
    table = np.bincount(choice * width + cell, minlength=len(keys) * width).reshape(
        len(keys), len(KINDS), len(CHANNELS)
    )
    found = []
    for i, (key, label) in enumerate(choices):
        count = int(table[i].sum())
        found.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "share": round(count / answered, 4) if answered else 0.0,
                "by_kind": {k: int(table[i, n].sum()) for n, k in enumerate(KINDS)},
                "by_channel": {c: int(table[i, :, n].sum()) for n, c in enumerate(CHANNELS)},
            }
        )
    return found


def ranking_scores(choices: Sequence[tuple[str, str]], lists: Sequence[Sequence[str]]) -> list:
    """Per choice: its mean place among those who ranked it, how often it came
    first, how many ranked it, and its score: mean Borda points over all who
    answered (n points for first place of n choices, n - 1 for second, ...,
    0 when left unranked). Highest score first, ties in the question's order."""
    keys = [key for key, _label in choices]
    _answer, choice, position = _picks(keys, lists)
    n, answered = len(keys), len(lists)
    ranked = np.bincount(choice, minlength=n)
    places = np.bincount(choice, weights=position + 1, minlength=n)
    first = np.bincount(choice[position == 0], minlength=n)
    points = np.bincount(choice, weights=n - position, minlength=n)
    found = [
        {
            "key": key,
            "label": label,
            "mean_rank": round(float(places[i] / ranked[i]), 4) if ranked[i] else None,
            "first": int(first[i]),
            "ranked": int(ranked[i]),
            "score": round(float(points[i] / answered), 4) if answered else 0.0,
        }
        for i, (key, label) in enumerate(choices)
    ]
    place = {key: i for i, key in enumerate(keys)}
    found.sort(key=lambda row: (-row["score"], place[row["key"]]))
    return found


def number_summary(values: np.ndarray | Sequence) -> dict:
    """Count, mean, median, least and greatest of the numbers given, and bins
    for a chart: one per whole number when the values are whole numbers at
    most MAX_BINS apart, else MAX_BINS equal bins from least to greatest (the
    last includes the greatest). None and NaN are left out."""
    data = values if isinstance(values, np.ndarray) else numbers(list(values))
    data = data[~np.isnan(data)]
    if not data.size:
        return {"count": 0, "mean": None, "median": None, "min": None, "max": None, "bins": []}
    low, high = float(data.min()), float(data.max())
    return {
        "count": int(data.size),
        "mean": round(float(data.mean()), 4),
        "median": round(float(np.median(data)), 4),
        "min": low,
        "max": high,
        "bins": _bins(data, low, high),
    }


def _bins(data: np.ndarray, low: float, high: float) -> list[dict]:
    if np.all(data == np.round(data)) and high - low < MAX_BINS:
        whole = np.arange(low, high + 1)
        counted = np.bincount((data - low).astype(np.int64), minlength=whole.size)
        return [
            {"low": float(v), "high": float(v), "count": int(c)}
            for v, c in zip(whole.tolist(), counted.tolist(), strict=True)
        ]
    counted, edges = np.histogram(data, bins=MAX_BINS, range=(low, high))
    return [
        {"low": round(float(edges[i]), 4), "high": round(float(edges[i + 1]), 4), "count": int(c)}
        for i, c in enumerate(counted.tolist())
    ]
