"""The fingerprint of the data behind a bulk download: cheap to take, and
different whenever anything written into the ZIP has changed.

A fixed number of aggregate queries (per BATCH consultations): counts, last
ids and last change times of everything written. Moderation shows as a
changed count or time of comments or of the audit log: every moderator's
action is audited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max

from consult.accounts.models import AuditEntry
from consult.opendata.dictionary import FORMAT_VERSION
from consult.opendata.pseudonyms import author
from discussion.models import Comment, CommentVote, OfficialResponse
from discussion.submissions.models import FormAnswer, FormResponse
from proposals.models import (
    ConsultationQuestion,
    Proposal,
    ProposalStance,
    ProposalVersion,
    SectionStance,
)
from proposals.questionnaire.models import FormQuestion

# Consultations named in one query.
BATCH = 1_000


@dataclass
class Fingerprint:
    digest: str
    # About how many rows a build writes, for its progress bar.
    rows: int


def _grouped(queryset, key: str, **aggregates) -> dict[int, tuple]:
    rows = queryset.values(key).annotate(**aggregates).order_by()
    names = list(aggregates)
    return {row[key]: tuple(_plain(row[name]) for name in names) for row in rows}


def _plain(value):
    return value.isoformat() if isinstance(value, datetime | date) else value


def batches(proposals: list[Proposal]) -> Iterator[list[int]]:
    """Ids, BATCH at a time: a query names no more ids than a database takes."""
    for start in range(0, len(proposals), BATCH):
        yield [proposal.pk for proposal in proposals[start : start + BATCH]]


# Grouped by consultation, in this order in the fingerprint (the audit log last).
FACTS = (
    "comments",
    "votes",
    "stances",
    "section_stances",
    "responses",
    "versions",
    "questions",
    "form_questions",
    "form_responses",
    "form_answers",
)
# The columns of a form question that its open data shows: few rows, read
# whole, since a question's wording may change until it is first answered.
FORM_QUESTION_FIELDS = (
    "pk",
    "order",
    "kind",
    "prompt",
    "help_text",
    "section_id",
    "required",
    "choices",
    "shown_if_id",
    "shown_if_choices",
    "text_limit",
    "min_value",
    "max_value",
    "published_in_id",
)


def fingerprint(proposals: list[Proposal]) -> Fingerprint:
    """What the files of these consultations are made of, in one digest."""
    facts: dict[str, dict] = {}
    for ids in batches(proposals):
        for name, found in _facts(ids).items():
            facts.setdefault(name, {}).update(found)
    summary = [
        FORMAT_VERSION,
        # Pseudonyms change with their key, and the files must follow: a
        # pseudonym stands for the key without giving it away.
        author(0, 0),
    ]
    rows = len(proposals)
    for proposal in proposals:
        pk = proposal.pk
        summary.append(
            [
                pk,
                proposal.slug,
                proposal.effective_status(),
                _plain(proposal.updated_at),
                proposal.current_version_id,
                proposal.department.name,
                proposal.jurisdiction.name,
                *(facts.get(name, {}).get(pk) for name in FACTS),
                facts.get("audit", {}).get(f"proposal:{pk}"),
            ]
        )
        for name in ("comments", "votes", "stances", "responses", "form_answers"):
            rows += (facts.get(name, {}).get(pk) or (0,))[0]
    text = json.dumps(summary, separators=(",", ":"), default=str)
    return Fingerprint(hashlib.sha256(text.encode()).hexdigest(), rows)


def _facts(ids: list[int]) -> dict[str, dict]:
    return {
        **_form_facts(ids),
        "comments": _grouped(
            Comment.objects.filter(proposal__in=ids),
            "proposal_id",
            n=Count("pk"),
            last=Max("pk"),
            edited=Max("edited_at"),
            deleted=Max("deleted_at"),
            hidden=Max("hidden_at"),
            held=Max("held_at"),
        ),
        "votes": _grouped(
            CommentVote.objects.filter(comment__proposal__in=ids),
            "comment__proposal_id",
            n=Count("pk"),
            changed=Max("updated_at"),
        ),
        "stances": _grouped(
            ProposalStance.objects.filter(proposal__in=ids),
            "proposal_id",
            n=Count("pk"),
            changed=Max("updated_at"),
        ),
        "section_stances": _grouped(
            SectionStance.objects.filter(proposal__in=ids),
            "proposal_id",
            n=Count("pk"),
            changed=Max("updated_at"),
        ),
        "responses": _grouped(
            OfficialResponse.objects.filter(proposal__in=ids),
            "proposal_id",
            n=Count("pk", distinct=True),
            last=Max("pk"),
            links=Count("comments"),
        ),
        "versions": _grouped(
            ProposalVersion.objects.filter(proposal__in=ids), "proposal_id", last=Max("pk")
        ),
        "questions": _grouped(
            ConsultationQuestion.objects.filter(proposal__in=ids),
            "proposal_id",
            n=Count("pk"),
            last=Max("pk"),
        ),
        "audit": _grouped(
            AuditEntry.objects.filter(scope__in=[f"proposal:{pk}" for pk in ids]),
            "scope",
            n=Count("pk"),
            last=Max("pk"),
        ),
    }


def _form_questions(ids: list[int]) -> dict[int, str]:
    """Each consultation's published questions, as a digest of what they say."""
    rows: dict[int, list] = {}
    for proposal_id, *row in (
        FormQuestion.objects.filter(proposal__in=ids, published_in__isnull=False)
        .order_by("proposal_id", "pk")
        .values_list("proposal_id", *FORM_QUESTION_FIELDS)
    ):
        rows.setdefault(proposal_id, []).append(row)
    return {
        pk: hashlib.sha256(json.dumps(found, default=str).encode()).hexdigest()
        for pk, found in rows.items()
    }


def _form_facts(ids: list[int]) -> dict[str, dict]:
    """The response form's: its published questions, every response (drafts
    too: cheap, and a draft submitted changes them) and every answer."""
    return {
        "form_questions": _form_questions(ids),
        "form_responses": _grouped(
            FormResponse.objects.filter(proposal__in=ids),
            "proposal_id",
            n=Count("pk"),
            last=Max("pk"),
            changed=Max("updated_at"),
            submitted=Max("submitted_at"),
        ),
        "form_answers": _grouped(
            FormAnswer.objects.filter(response__proposal__in=ids),
            "response__proposal_id",
            n=Count("pk"),
            last=Max("pk"),
            hidden=Max("hidden_at"),
            held=Max("held_at"),
        ),
    }
