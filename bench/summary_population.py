"""The consultation bench/summary.py summarises, written in bulk.

--comments comments (15% of them replies; --share of them copies of letter
campaigns, bench/neardup.py), --votes agree/disagree/pass votes by 20,000
people in three camps, stances on the proposal and its ten sections, theme
tags and official responses, and optionally a response form
(bench/form_population.py). Rows go in through plain INSERTs, a chunk at a
time: a million comments with ten million votes are never all Python
objects at once.

On SQLite (no DATABASE_URL) the database is built once per set of
parameters into CACHE and reused by later runs: the file's name carries the
parameters and a key of this file, the corpus's word lists and the
migrations, so a change to any of them builds a new one.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 20_000
SECTIONS = 10
CAMPS = 3
THEMES = ("Safety", "Cost", "Buses", "Trees", "Parking")
CHUNK = 50_000
VOTE_NAMES = np.array(["disagree", "pass", "agree"])  # indexed by value + 1


def cached_database(*, comments: int, votes: int, share: float, seed: int, form: int) -> Path:
    """Where the SQLite file for these parameters is (or will be) kept."""
    from neardup_large import CACHE

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for part in ("bench/neardup_words.toml", "bench/form_population.py"):
        digest.update((ROOT / part).read_bytes())
    # The project's own migrations (not those of installed packages in a
    # virtual environment inside the checkout): the same schema gives the same
    # key in every checkout.
    for package in ("consult", "discussion", "proposals"):
        for migration in sorted((ROOT / package).glob("**/migrations/0*.py")):
            digest.update(migration.name.encode())
    key = digest.hexdigest()[:10]
    return CACHE / f"summary-{comments}-{votes}-{share}-{seed}-{form}-{key}.sqlite3"


def quick_sqlite() -> None:
    """While building: no journal and no waiting for the disk (a half-built
    file is thrown away anyway), and a large page cache for the indexes."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")


def insert(table: str, columns: list[str], rows, batch: int = CHUNK) -> None:
    from django.db import connection

    sql = (
        f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608 - names from the models
        f"({', '.join(connection.ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def stamps(seconds: np.ndarray) -> list:
    """POSIX seconds as the database takes them: on SQLite the text Django
    writes (UTC, to the microsecond), made for the whole array at once."""
    from django.db import connection

    if connection.vendor == "sqlite":
        text = np.datetime_as_string(
            np.round(np.asarray(seconds) * 1e6).astype("datetime64[us]"), unit="us"
        )
        return np.char.replace(text, "T", " ").tolist()
    adapt = connection.ops.adapt_datetimefield_value
    return [adapt(datetime.fromtimestamp(float(s), UTC)) for s in seconds]


def populate(*, comments: int, votes: int, share: float, seed: int, form_responses: int = 0) -> int:
    """Write the consultation; returns its id."""
    from django.core.management import call_command
    from django.db import transaction
    from neardup import campaign_corpus

    call_command("migrate", verbosity=0)
    quick_sqlite()
    rng = np.random.default_rng(seed)
    _ids, texts, times, _truth = campaign_corpus(comments=comments, share=share, seed=seed)
    start = float(times.min())
    with transaction.atomic():
        place, department, people = _people()
        proposal, version, sections = _proposal(place, department)
        comment_ids = _comments(rng, proposal, version, sections, people, texts, times)
        del texts
        camp_of_person = rng.integers(0, CAMPS, size=people.size)
        _votes(rng, votes, comment_ids, people, camp_of_person, start)
        _stances(rng, proposal, sections, people, camp_of_person, start)
        _themes_and_responses(rng, proposal, department, sections, comment_ids)
        if form_responses:
            from form_population import populate_form

            written = populate_form(
                insert=insert,
                proposal_id=proposal.pk,
                version_id=version.pk,
                responses=form_responses,
                stamp=lambda s: stamps(np.asarray([s]))[0],
                start=start,
                seed=seed,
            )
            print(f"form: {json.dumps(written)}", file=sys.stderr)
    # Rows written in bulk pass by the services that keep the counts.
    from proposals.services.participation import counters_recount

    counters_recount([proposal.pk])
    return proposal.pk


def _people():
    from consult.accounts.models import Department, Jurisdiction, User

    place = Jurisdiction.objects.create(name="Bench city", slug="bench-city", level="city")
    department = Department.objects.create(name="Bench office", slug="bench", jurisdiction=place)
    User.objects.bulk_create(
        [
            User(
                email=f"p{i}@bench.example",
                display_name=f"Person {i}",
                password="!",  # noqa: S106 - an unusable password
                home_jurisdiction=place if i % 3 else None,
            )
            for i in range(PEOPLE)
        ],
        batch_size=5000,
    )
    people = np.asarray(
        User.objects.filter(email__endswith="@bench.example")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return place, department, people


def _proposal(place, department):
    from proposals.models import Proposal, ProposalVersion, Section, SectionVersion, Status

    proposal = Proposal.objects.create(
        title="Bench consultation",
        slug="bench",
        summary="A large consultation.",
        department=department,
        jurisdiction=place,
        status=Status.CLOSED,
    )
    version = ProposalVersion.objects.create(proposal=proposal, number=1, change_note="v1")
    sections = []
    for n in range(SECTIONS):
        section = Section.objects.create(
            proposal=proposal, order=n, heading=f"Section {n + 1}", body="Text."
        )
        SectionVersion.objects.create(
            version=version, section=section, order=n, heading=section.heading, body="Text."
        )
        sections.append(section.pk)
    Proposal.objects.filter(pk=proposal.pk).update(current_version=version)
    return proposal, version, sections


def _comments(rng, proposal, version, sections, people, texts, times) -> np.ndarray:
    """The comments in time order (so that replies answer something earlier),
    model instances a batch at a time; returns their ids in order."""
    from django.db import connection
    from django.db.models import F

    from discussion.models import Comment

    comments = len(texts)
    order = np.argsort(times, kind="stable")
    authors = rng.choice(people, size=comments)
    on_section = rng.random(comments) < 0.8
    section_of = rng.choice(sections, size=comments)
    for begin in range(0, comments, 5000):
        batch = []
        for i in range(begin, min(begin + 5000, comments)):
            at = int(order[i])
            batch.append(
                Comment(
                    proposal=proposal,
                    section_id=int(section_of[i]) if on_section[i] else None,
                    author_id=int(authors[i]),
                    version=version,
                    body=texts[at],
                    body_html=texts[at],
                    created_at=datetime.fromtimestamp(float(times[at]), UTC),
                )
            )
        Comment.objects.bulk_create(batch)
    comment_ids = np.asarray(
        Comment.objects.filter(proposal=proposal).order_by("pk").values_list("pk", flat=True)
    )
    Comment.objects.filter(proposal=proposal).update(root_id=F("pk"))
    replies = rng.choice(np.arange(1000, comments), size=comments * 15 // 100, replace=False)
    parents = (replies * rng.random(replies.size)).astype(np.int64)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE discussion_comment SET parent_id = %s, root_id = %s, depth = 1 WHERE id = %s",
            [
                (int(comment_ids[p]), int(comment_ids[p]), int(comment_ids[r]))
                for r, p in zip(replies, parents, strict=True)
            ],
        )
    return comment_ids


def _votes(rng, votes, comment_ids, people, camp_of_person, start) -> None:
    """Three camps; each comment leans to one camp, a few are agreed by all."""
    from discussion.models import CommentVote

    comments = comment_ids.size
    lean = rng.integers(0, CAMPS, size=comments)
    consensus = rng.random(comments) < 0.05
    drawn = int(votes * 1.05)
    pairs = np.unique(
        rng.integers(0, people.size, size=drawn).astype(np.int64) * comments
        + rng.integers(0, comments, size=drawn)
    )[:votes]
    if pairs.size < votes:
        raise SystemExit(f"only {pairs.size:,} different (person, comment) pairs drawn")
    rng.shuffle(pairs)
    voter, comment = pairs // comments, pairs % comments
    del pairs
    same = camp_of_person[voter] == lean[comment]
    roll = rng.random(voter.size)
    value = np.where(
        consensus[comment] | same,
        np.where(roll < 0.8, 1, np.where(roll < 0.9, 0, -1)),
        np.where(roll < 0.7, -1, np.where(roll < 0.85, 0, 1)),
    ).astype(np.int8)
    del same, roll
    vote_times = start + rng.random(voter.size) * 27 * 86400
    columns = ["comment_id", "user_id", "value", "created_at", "updated_at"]
    for begin in range(0, voter.size, CHUNK):
        part = slice(begin, begin + CHUNK)
        at = stamps(vote_times[part])
        insert(
            CommentVote._meta.db_table,
            columns,
            zip(
                comment_ids[comment[part]].tolist(),
                people[voter[part]].tolist(),
                VOTE_NAMES[value[part] + 1].tolist(),
                at,
                at,
                strict=True,
            ),
        )


def _stances(rng, proposal, sections, people, camp_of_person, start) -> None:
    from proposals.models import ProposalStance, SectionStance

    names = ["support", "oppose", "neutral"]
    at = stamps(np.asarray([start + 86400]))[0]
    insert(
        ProposalStance._meta.db_table,
        ["proposal_id", "user_id", "value", "created_at", "updated_at"],
        (
            (proposal.pk, int(p), names[int(c)], at, at)
            for p, c in zip(people, camp_of_person, strict=True)
        ),
    )
    rows = []
    for section in sections:
        takers = rng.choice(people.size, size=people.size // 4, replace=False)
        rows.extend(
            (proposal.pk, section, int(people[t]), names[int(camp_of_person[t])], at, at)
            for t in takers
        )
    insert(
        SectionStance._meta.db_table,
        ["proposal_id", "section_id", "user_id", "value", "created_at", "updated_at"],
        rows,
    )


def _themes_and_responses(rng, proposal, department, sections, comment_ids) -> None:
    from taggit.models import Tag

    from consult.accounts.models import User
    from discussion.models import OfficialResponse, ThemedComment

    tags = [Tag.objects.create(name=name, slug=name.lower()) for name in THEMES]
    tagged = rng.choice(comment_ids, size=comment_ids.size // 10, replace=False)
    ThemedComment.objects.bulk_create(
        [
            ThemedComment(content_object_id=int(c), tag=tags[i % len(tags)])
            for i, c in enumerate(tagged)
        ],
        batch_size=5000,
    )
    official = User.objects.create_user("official@bench.example", None, display_name="O")
    answered = rng.choice(comment_ids, size=3000, replace=False)
    for n in range(300):
        response = OfficialResponse.objects.create(
            proposal=proposal,
            author=official,
            department=department,
            status="noted",
            explanation="Noted.",
            explanation_html="<p>Noted.</p>",
            section_id=sections[n % SECTIONS] if n % 10 == 0 else None,
        )
        if n % 10:
            response.comments.add(*[int(c) for c in answered[n * 10 : n * 10 + 10]])
