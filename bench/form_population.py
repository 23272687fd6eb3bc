"""A response form of 20 questions and its responses, written in bulk for
bench/summary.py (--form-responses).

The form has six single-choice, three multiple-choice, four agreement-scale,
two ranking, two number and three free-text questions, one of the texts shown
only when the first question is answered "No". Responses: 92% individuals
and 8% organisations; 90% through the website, the rest entered by staff
from post (5%), email (3%), phone (1%) and meetings (1%); published with a
name, anonymously or not at all in the ratio 5 : 3 : 2. A fifth write free
text (a fifth of those texts copies of letter campaigns, from
bench/neardup.py); 2,000 attach a PDF whose extracted text is stored, as the
worker leaves it. Every row is written through plain INSERTs, so the set-up
takes seconds, not the hours the services would. Before it returns, it
checks that the database holds every row it wrote (responses, by channel and
kind; answers; documents), or raises common.CheckFailed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from common import check

SINGLE, MULTIPLE, SCALE, RANKING, NUMBER, TEXT = (
    "single",
    "multiple",
    "scale",
    "ranking",
    "number",
    "text",
)
KINDS = [SINGLE] * 6 + [MULTIPLE] * 3 + [SCALE] * 4 + [RANKING] * 2 + [NUMBER] * 2 + [TEXT] * 3
SCALE_KEYS = ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree", "dont_know"]
CHANNELS = ["web", "post", "email", "phone", "meeting"]
CHANNEL_SHARES = [0.90, 0.05, 0.03, 0.01, 0.01]
PUBLICATIONS = ["named", "anonymous", "withheld"]
PUBLICATION_SHARES = [0.5, 0.3, 0.2]
ORGANISATION_TYPES = ["business", "charity", "community", "public_body", "academic", "other"]
DOCUMENTS = 2_000
DOCUMENT_TEXT = (
    "Submission of {name}. We have read the draft with care. Section {section} would "
    "change how our members travel to school, and we ask the department to phase it in "
    "over two years, to fund safe crossings first and to publish the evidence behind the "
    "20 km/h limit. "
) * 8


def _questions(proposal_id: int, version_id: int) -> list:
    from proposals.models import FormQuestion

    rows = []
    for n, kind in enumerate(KINDS, start=1):
        choices = []
        if kind in (SINGLE, MULTIPLE, RANKING):
            size = 3 if kind == SINGLE else 5
            labels = ["Yes", "No", "Don't know"] if n == 1 else [f"Option {c}" for c in range(size)]
            choices = [[f"c{i + 1}", label] for i, label in enumerate(labels)]
        rows.append(
            FormQuestion(
                proposal_id=proposal_id,
                order=n,
                kind=kind,
                prompt=f"Question {n}",
                required=n == 1,
                choices=choices,
                text_limit=2000 if kind == TEXT else None,
                published_in_id=version_id,
                frozen_at=datetime.now(UTC),
            )
        )
    made = FormQuestion.objects.bulk_create(rows)
    # The second free-text question asks "why not?" after a "No" to the first.
    text_questions = [q for q in made if q.kind == TEXT]
    FormQuestion.objects.filter(pk=text_questions[0].pk).update(
        shown_if=made[0], shown_if_choices=["c2"]
    )
    return list(FormQuestion.objects.filter(proposal_id=proposal_id).order_by("order"))


def _respondents(count: int) -> np.ndarray:
    from consult.accounts.models import User

    User.objects.bulk_create(
        [
            User(email=f"r{i}@bench.example", display_name=f"Respondent {i}", password="!")  # noqa: S106
            for i in range(count)
        ],
        batch_size=5000,
    )
    return np.asarray(
        User.objects.filter(email__startswith="r", email__endswith="@bench.example")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def populate_form(
    *, insert, proposal_id: int, version_id: int, responses: int, stamp, start: float, seed: int
) -> dict:
    """Write the form and `responses` submitted responses; `insert(table,
    columns, rows)` is bench/summary.py's bulk writer. Returns what was
    written, for the benchmark to check against the summary."""
    from django.db import connection
    from neardup import campaign_corpus

    from discussion.submissions.models import FormAnswer, FormResponse, ResponseDocument

    rng = np.random.default_rng(seed)
    questions = _questions(proposal_id, version_id)
    channel = rng.choice(len(CHANNELS), size=responses, p=CHANNEL_SHARES)
    online = channel == 0
    people = _respondents(int(online.sum()))
    respondent = np.full(responses, -1, dtype=np.int64)
    respondent[online] = people
    organisation = rng.random(responses) < 0.08
    publication = rng.choice(3, size=responses, p=PUBLICATION_SHARES)
    writes = rng.random(responses) < 0.2
    texts = iter(campaign_corpus(comments=int(writes.sum()) * 3, share=0.2, seed=seed)[1])
    when = start + rng.random(responses) * 27 * 86400
    json_of = FormAnswer._meta.get_field("choices").get_db_prep_save
    insert(
        FormResponse._meta.db_table,
        [
            "proposal_id",
            "respondent_id",
            "respondent_name",
            "respondent_kind",
            "organisation_name",
            "organisation_type",
            "official_view",
            "publication",
            "channel",
            "received_on",
            "status",
            "version_id",
            "revision",
            "created_at",
            "updated_at",
            "submitted_at",
        ],
        (
            (
                proposal_id,
                int(respondent[i]) if respondent[i] > 0 else None,
                f"Respondent {i}",
                "organisation" if organisation[i] else "individual",
                f"Organisation {i % 700}" if organisation[i] else "",
                ORGANISATION_TYPES[i % len(ORGANISATION_TYPES)] if organisation[i] else "",
                bool(organisation[i] and i % 2),
                PUBLICATIONS[int(publication[i])],
                CHANNELS[int(channel[i])],
                None if online[i] else datetime.fromtimestamp(float(when[i]), UTC).date(),
                "submitted",
                version_id,
                1,
                stamp(float(when[i])),
                stamp(float(when[i])),
                stamp(float(when[i])),
            )
            for i in range(responses)
        ),
    )
    response_ids = np.asarray(
        FormResponse.objects.filter(proposal_id=proposal_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    answers = [0]

    def answer_rows():
        for i, response in enumerate(response_ids.tolist()):
            first = None
            for question in questions:
                kind, choices = question.kind, [key for key, _label in question.choices]
                row = [int(response), question.pk, json_of([], connection), None, "", ""]
                if kind == SINGLE:
                    key = choices[int(rng.integers(len(choices)))]
                    row[2] = json_of([key], connection)
                    first = key if question.order == 1 else first
                elif kind == MULTIPLE:
                    picked = [k for k in choices if rng.random() < 0.4]
                    if not picked:  # nothing ticked: no answer, as the service stores it
                        continue
                    row[2] = json_of(picked, connection)
                elif kind == SCALE:
                    row[2] = json_of([SCALE_KEYS[int(rng.integers(6))]], connection)
                elif kind == RANKING:
                    row[2] = json_of([choices[int(c)] for c in rng.permutation(5)], connection)
                elif kind == NUMBER:
                    row[3] = int(rng.integers(0, 12))
                elif kind == TEXT:
                    if not writes[i] or (question.shown_if_id and first != "c2"):
                        continue
                    row[4] = row[5] = next(texts)
                answers[0] += 1
                yield row

    insert(
        FormAnswer._meta.db_table,
        [
            "response_id",
            "question_id",
            "choices",
            "number",
            "text",
            "text_html",
            "held_reasons",
            "hidden_reason",
            "hidden_category",
        ],
        ((*row, json_of([], connection), "", "") for row in answer_rows()),
    )
    attached = rng.choice(response_ids, size=min(DOCUMENTS, len(response_ids)), replace=False)
    insert(
        ResponseDocument._meta.db_table,
        [
            "response_id",
            "proposal_id",
            "file",
            "original_name",
            "content_type",
            "extension",
            "size",
            "sha256",
            "is_scan",
            "extraction",
            "extracted_text",
            "uploaded_at",
        ],
        (
            (
                int(r),
                proposal_id,
                f"responses/{proposal_id}/{n:032x}.pdf",
                f"Submission {n}.pdf",
                "application/pdf",
                ".pdf",
                40_000,
                f"{n:064x}",
                False,
                "done",
                DOCUMENT_TEXT.format(name=f"organisation {n}", section=n % 10 + 1),
                stamp(start),
            )
            for n, r in enumerate(attached.tolist())
        ),
    )
    written = {
        "responses": responses,
        "by_channel": {name: int((channel == c).sum()) for c, name in enumerate(CHANNELS)},
        "organisations": int(organisation.sum()),
        "documents": len(attached),
    }
    _check_stored(proposal_id, written, answers[0])
    return written


def _check_stored(proposal_id: int, written: dict, answers: int) -> None:
    """The database holds what was written: the summary's figures count it."""
    from django.db.models import Count

    from discussion.submissions.models import FormAnswer, FormResponse, ResponseDocument

    stored = FormResponse.objects.filter(proposal_id=proposal_id, status="submitted")
    by_channel = dict(stored.values_list("channel").annotate(n=Count("pk")).order_by())
    found = {
        "responses": stored.count(),
        "by_channel": {name: by_channel.get(name, 0) for name in CHANNELS},
        "organisations": stored.filter(respondent_kind="organisation").count(),
        "documents": ResponseDocument.objects.filter(proposal_id=proposal_id).count(),
    }
    check(found == written, f"form population: the database holds {found}, written {written}")
    held = FormAnswer.objects.filter(response__proposal_id=proposal_id).count()
    check(held == answers, f"form population: {held} answers stored, {answers} written")
