"""Read one consultation in bulk into plain arrays (consult.analysis.inputs).

Value lists in key order, streamed in chunks into numpy arrays: never a
model instance per row, and the same data always reads the same way. The
large reads (comments, votes, stances) go through the driver's own cursor a
chunk at a time (`streamed`): each chunk's rows become numpy arrays at once
and are dropped, so what stays is a few bytes a vote (measured with
bench/summary.py: ten million votes, docs/largest-consultations.md), not a
Python object per value.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
from django.db import connections
from django.db.models import Case, FloatField, IntegerField, QuerySet, TextField, Value, When
from django.db.models.functions import Cast

from consult.accounts.models import Jurisdiction, User
from consult.analysis import questionnaire
from consult.analysis.inputs import NO_ID, Inputs
from consult.infra.columns import seconds
from consult.opendata.public import comments as public_comments
from consult.opendata.public import removed_comment_count
from discussion.models import CommentVote, OfficialResponse, ThemedComment
from discussion.submissions.models import (
    ExtractionState,
    FormAnswer,
    Publication,
    RespondentKind,
    ResponseDocument,
)
from discussion.submissions.selectors import submitted_responses
from proposals.models import Proposal, ProposalStance, SectionStance, StanceValue
from proposals.questionnaire.selectors import published_questions

CHUNK = 50_000
VOTE_CODES = {"agree": 1, "disagree": -1, "pass": 0}
STANCE_CODES = {StanceValue.SUPPORT: 0, StanceValue.OPPOSE: 1, StanceValue.NEUTRAL: 2}

Progress = Callable[[float], None]


def _ids(values) -> np.ndarray:
    return np.fromiter(
        (NO_ID if value is None else value for value in values), dtype=np.int64, count=len(values)
    )


def load(proposal: Proposal, progress: Progress = lambda fraction: None) -> Inputs:
    inputs = Inputs()
    comments = public_comments(proposal).order_by("pk")
    _read_comments(inputs, comments)
    progress(0.2)
    _read_votes(inputs, comments, lambda share: progress(0.2 + 0.6 * share))
    progress(0.8)
    _read_stances(inputs, proposal)
    _read_themes(inputs, comments)
    _read_responses(inputs, proposal)
    _leave_out_unmatched(inputs)
    _read_places(inputs)
    inputs.removed_comments = removed_comment_count(proposal)
    inputs.form = load_form(proposal)
    progress(1.0)
    return inputs


# How `streamed` turns each column: an id (None: NO_ID), a time (POSIX
# seconds), a vote or a stance (its code), or text (kept as a list of str).
ID, TIME, VOTE, STANCE, TEXT = "id", "time", "vote", "stance", "text"


def streamed(
    query: QuerySet, kinds: tuple[str, ...], progress: Progress | None = None, expected: int = 0
) -> list:
    """The columns of a value list of plain columns, read through the
    driver's cursor CHUNK rows at a time, each chunk turned into numpy
    arrays (or, for text, appended to a list) and let go; `progress` is told
    the share of `expected` rows read."""
    parts: list[list] = [[] for _ in kinds]
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    done = 0
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for part, kind, values in zip(parts, kinds, zip(*rows, strict=True), strict=True):
                if kind == TEXT:
                    part.extend(values)
                else:
                    part.append(_array(kind, values))
            done += len(rows)
            del rows
            if progress is not None and expected:
                progress(min(done / expected, 1.0))
    pairs = zip(parts, kinds, strict=True)
    return [part if kind == TEXT else _joined(kind, part) for part, kind in pairs]


_EMPTY = {ID: np.int64, TIME: np.float64, VOTE: np.int8, STANCE: np.int8}


def _joined(kind: str, chunks: list[np.ndarray]) -> np.ndarray:
    if not chunks:
        return np.empty(0, dtype=_EMPTY[kind])
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def _array(kind: str, values: tuple) -> np.ndarray:
    if kind == ID:
        return _ids(values)
    if kind == VOTE:
        return np.fromiter((VOTE_CODES[v] for v in values), dtype=np.int8, count=len(values))
    if kind == STANCE:
        return np.fromiter((STANCE_CODES[v] for v in values), dtype=np.int8, count=len(values))
    if isinstance(values[0], str):
        # SQLite keeps times as UTC text to the microsecond; numpy reads it in
        # bulk, to the same seconds as datetime.timestamp().
        micro = np.asarray(values, dtype="datetime64[us]").astype(np.int64)
        return micro / 1e6
    return seconds(values)


def _read_comments(inputs: Inputs, comments: QuerySet) -> None:
    ids, authors, sections, parents, times, texts = streamed(
        comments.values_list("pk", "author_id", "section_id", "parent_id", "created_at", "body"),
        (ID, ID, ID, ID, TIME, TEXT),
    )
    inputs.comment_id, inputs.comment_author = ids, authors
    inputs.comment_section, inputs.comment_parent = sections, parents
    inputs.comment_time, inputs.comment_text = times, texts


def _read_votes(inputs: Inputs, comments: QuerySet, progress: Progress) -> None:
    votes = CommentVote.objects.filter(comment__in=comments.values("pk"))
    # Votes are most of the reading (measured: 1,000,000 of them, 5 of 6.7 s):
    # told chunk by chunk, against a count that costs a fraction of the read.
    expected = votes.count()
    inputs.vote_comment, inputs.vote_user, inputs.vote_value, inputs.vote_time = streamed(
        votes.order_by("pk").values_list("comment_id", "user_id", "value", "created_at"),
        (ID, ID, VOTE, TIME),
        progress,
        expected,
    )


def _read_stances(inputs: Inputs, proposal: Proposal) -> None:
    inputs.stance_user, inputs.stance_value, inputs.stance_time = streamed(
        ProposalStance.objects.filter(proposal=proposal)
        .order_by("pk")
        .values_list("user_id", "value", "updated_at"),
        (ID, STANCE, TIME),
    )

    section_rows = list(
        proposal.sections.filter(is_removed=False)
        .order_by("order", "pk")
        .values_list("pk", "heading")
    )
    inputs.section_id = np.asarray([pk for pk, _ in section_rows], dtype=np.int64)
    inputs.section_heading = [heading for _, heading in section_rows]
    (
        inputs.section_stance_section,
        inputs.section_stance_user,
        inputs.section_stance_value,
        inputs.section_stance_time,
    ) = streamed(
        SectionStance.objects.filter(proposal=proposal, section__is_removed=False)
        .order_by("pk")
        .values_list("section_id", "user_id", "value", "updated_at"),
        (ID, ID, STANCE, TIME),
    )


def _read_themes(inputs: Inputs, comments: QuerySet) -> None:
    tags = list(
        ThemedComment.objects.filter(content_object__in=comments.values("pk"))
        .order_by("pk")
        .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
    )
    tag_ids = sorted({tag_id for _, tag_id, _, _ in tags})
    names = {tag_id: (name, slug) for _, tag_id, name, slug in tags}
    index = {tag_id: i for i, tag_id in enumerate(tag_ids)}
    inputs.tag_comment = np.asarray([row[0] for row in tags], dtype=np.int64)
    inputs.tag_theme = np.asarray([index[row[1]] for row in tags], dtype=np.int64)
    inputs.theme_name = [names[tag_id][0] for tag_id in tag_ids]
    inputs.theme_slug = [names[tag_id][1] for tag_id in tag_ids]


def _read_responses(inputs: Inputs, proposal: Proposal) -> None:
    responses = list(
        OfficialResponse.objects.filter(proposal=proposal)
        .order_by("pk")
        .values_list("pk", "created_at", "section_id", "theme__slug")
    )
    inputs.response_id = np.asarray([row[0] for row in responses], dtype=np.int64)
    inputs.response_time = seconds([row[1] for row in responses])
    inputs.response_section = _ids([row[2] for row in responses])
    inputs.response_theme = [row[3] or "" for row in responses]
    answers = list(
        OfficialResponse.comments.through.objects.filter(officialresponse__proposal=proposal)
        .order_by("pk")
        .values_list("officialresponse_id", "comment_id")
    )
    inputs.answer_response = np.asarray([row[0] for row in answers], dtype=np.int64)
    inputs.answer_comment = np.asarray([row[1] for row in answers], dtype=np.int64)


def _leave_out_unmatched(inputs: Inputs) -> None:
    """The reads are not one snapshot: what arrived between them (a comment
    posted or approved after the comment query, a response after the
    response query) is left out, never matched to the wrong row."""
    known = np.isin(inputs.vote_comment, inputs.comment_id)
    if not known.all():
        inputs.vote_comment, inputs.vote_user = inputs.vote_comment[known], inputs.vote_user[known]
        inputs.vote_value, inputs.vote_time = inputs.vote_value[known], inputs.vote_time[known]
    answered = np.isin(inputs.answer_response, inputs.response_id) & np.isin(
        inputs.answer_comment, inputs.comment_id
    )
    inputs.answer_response = inputs.answer_response[answered]
    inputs.answer_comment = inputs.answer_comment[answered]


def _read_places(inputs: Inputs) -> None:
    """Where the people taking part live, for those who said."""
    people = inputs.participants()
    places = list(
        User.objects.filter(home_jurisdiction__isnull=False)
        .order_by("pk")
        .values_list("pk", "home_jurisdiction_id")
    )
    taking_part = set(people.tolist())
    places = [row for row in places if row[0] in taking_part]
    inputs.place_user = np.asarray([row[0] for row in places], dtype=np.int64)
    inputs.place_id = np.asarray([row[1] for row in places], dtype=np.int64)
    inputs.place_names = dict(
        Jurisdiction.objects.filter(pk__in={row[1] for row in places}).values_list("pk", "name")
    )


# --- the response form --------------------------------------------------------------

KIND_CODES = {kind: i for i, kind in enumerate(questionnaire.KINDS)}
CHANNEL_CODES = {channel: i for i, channel in enumerate(questionnaire.CHANNELS)}


def load_form(proposal: Proposal) -> questionnaire.FormInputs | None:
    """The form's published questions and its submitted responses, in four
    queries whatever their number; None when the consultation has no form."""
    questions = _form_questions(proposal)
    submitted = submitted_responses(proposal)
    rows = list(
        submitted.order_by("pk").values_list(
            "pk",
            "respondent_kind",
            "channel",
            "publication",
            "organisation_name",
            "organisation_type",
            "official_view",
            "submitted_at",
        )
    )
    if not questions and not rows:
        return None
    form = questionnaire.FormInputs(questions=questions)
    form.response_id = np.asarray([row[0] for row in rows], dtype=np.int64)
    form.response_kind = np.asarray([KIND_CODES[row[1]] for row in rows], dtype=np.int8)
    form.response_channel = np.asarray([CHANNEL_CODES[row[2]] for row in rows], dtype=np.int8)
    form.organisations = [
        _organisation(row) for row in rows if row[1] == RespondentKind.ORGANISATION
    ]
    words = _read_answers(form, submitted, {q.id: q.order for q in questions})
    _read_documents(form, submitted, words)
    _form_texts(form, rows, words)
    return form


def _form_questions(proposal: Proposal) -> list[questionnaire.Question]:
    found = published_questions(proposal)
    return [
        questionnaire.Question(
            id=question.pk,
            order=place,
            kind=question.kind,
            prompt=question.prompt,
            section=question.section.heading if question.section_id else None,
            choices=question.choice_pairs(),
        )
        for place, question in enumerate(found.select_related("section"), start=1)
    ]


def _organisation(row: tuple) -> dict:
    """An organisation that responded, named for the officials' summary; the
    report's public snapshot keeps only those that chose to be named
    (consult.reports.report.snapshots)."""
    pk, _kind, channel, publication, name, kind_of, official_view, _at = row
    return {
        "response": pk,
        "name": name,
        "type": kind_of,
        "official_view": official_view,
        "publication": publication,
        "channel": channel,
    }


# Per response: its words, each with whether a public page may quote them.
Words = dict[int, list[tuple[float, str, bool]]]


def _read_answers(form: questionnaire.FormInputs, submitted: QuerySet, order: dict) -> Words:
    # Columns the database gives as plain text, numbers and codes, read
    # without Django's per-value JSON, Decimal and datetime conversions:
    # measured on SQLite, 60 µs an answer with them, 10 without, and the
    # benchmark's form has 2,000,000 answers.
    state = Case(
        When(text="", then=Value(questionnaire.NO_TEXT)),
        When(hidden_at__isnull=False, then=Value(questionnaire.WORDS_HIDDEN)),
        When(held_at__isnull=False, then=Value(questionnaire.WORDS_HELD)),
        default=Value(questionnaire.WORDS_PUBLIC),
        output_field=IntegerField(),
    )
    answers = (
        FormAnswer.objects.filter(response__in=submitted.values("pk"))
        .order_by("pk")
        .annotate(
            picked=Cast("choices", TextField()),
            value=Cast("number", FloatField()),
            state=state,
        )
        .values_list("response_id", "question_id", "picked", "value", "state", "text")
    )
    response, question, picked, number, states, text = plain_columns(answers, 6)
    form.answer_response, form.answer_question = _ids(response), _ids(question)
    # Most answers pick the same few lists: each different one is decoded once.
    decoded: dict[str, list[str]] = {}
    form.answer_choices = [
        decoded[raw] if raw in decoded else decoded.setdefault(raw, _keys(raw)) for raw in picked
    ]
    form.answer_number = questionnaire.numbers(number)
    form.answer_text = np.asarray(states, dtype=np.int8)
    words: Words = {}
    for i in np.flatnonzero(form.answer_text != questionnaire.NO_TEXT).tolist():
        public = states[i] == questionnaire.WORDS_PUBLIC
        words.setdefault(response[i], []).append((order.get(question[i], 0), text[i], public))
    return words


def plain_columns(query: QuerySet, width: int) -> list[list]:
    """The columns of a value list of plain columns (text, numbers) as the
    database driver gives them: without Django's per-value converters, and
    turned from rows into columns a chunk at a time."""
    found: list[list] = [[] for _ in range(width)]
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for column, values in zip(found, zip(*rows, strict=True), strict=True):
                column.extend(values)
    return found


def _keys(raw: str | None) -> list[str]:
    picked = json.loads(raw) if raw else []
    return [str(key) for key in picked] if isinstance(picked, list) else []


def _read_documents(form: questionnaire.FormInputs, submitted: QuerySet, words: Words) -> None:
    counts = dict.fromkeys(("attached", "read", "failed", "pending"), 0)
    state_key = {
        ExtractionState.DONE: "read",
        ExtractionState.FAILED: "failed",
        ExtractionState.PENDING: "pending",
    }
    documents = (
        ResponseDocument.objects.filter(response__in=submitted.values("pk"))
        .order_by("pk")
        .values_list("response_id", "extraction", "extracted_text")
        .iterator(chunk_size=CHUNK)
    )
    for response, extraction, text in documents:
        counts["attached"] += 1
        counts[state_key.get(extraction, "pending")] += 1
        if text.strip():
            # After the answers; public when the response is (decided below).
            words.setdefault(response, []).append((float("inf"), text, True))
    form.documents = counts


def _form_texts(form: questionnaire.FormInputs, rows: list[tuple], words: Words) -> None:
    """One text per response with words: its answers in question order, then its documents."""
    published = {row[0] for row in rows if row[3] != Publication.WITHHELD}
    submitted_at = {row[0]: row[7] for row in rows}
    with_words = [pk for pk in form.response_id.tolist() if pk in words]
    form.text_response = np.asarray(with_words, dtype=np.int64)
    form.text_time = seconds([submitted_at[pk] for pk in with_words])
    form.text, form.public_text = [], []
    for pk in with_words:
        parts = sorted(words[pk], key=lambda part: part[0])
        form.text.append("\n\n".join(text for _o, text, _p in parts))
        quotable = [text for _o, text, public in parts if public] if pk in published else []
        form.public_text.append("\n\n".join(quotable))
