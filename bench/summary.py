"""Benchmark: the whole summary of a large consultation, from the database.

    .venv/bin/python bench/summary.py [--comments 100000] [--votes 1000000] [--share 0.2]

Builds a throwaway SQLite database (or uses DATABASE_URL) holding one
consultation: --comments comments (15% of them replies; --share of them
copies of 50 campaigns with synonym swaps, from bench/neardup.py), --votes
agree/disagree/pass votes by 20,000 people in three camps, stances on the
proposal and its ten sections, theme tags and official responses. Then, in a
fresh process, it computes the summary exactly as the background task does
(consult.reports.summary.loader.load, then consult.reports.summary.computing.compute) and
reports the wall time of each step and the peak resident memory of that
process (ru_maxrss, which includes Python, Django, NumPy and scikit-learn).

Targets (issue 6): under 60 s and under 1.5 GB. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from common import consultation_arguments, measure_in_children, setup_django_on

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PEOPLE = 20_000
SECTIONS = 10
CAMPS = 3
THEMES = ("Safety", "Cost", "Buses", "Trees", "Parking")
STAGES = ("load", "campaigns", "counts", "form", "themes", "groups", "coverage")


def _insert(table: str, columns: list[str], rows, batch: int = 50_000) -> None:
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


def populate(*, comments: int, votes: int, share: float, seed: int, form_responses: int = 0) -> int:
    """Write the consultation (with `form_responses` responses to a form of 20
    questions, bench/form_population.py); returns its id."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from neardup import campaign_corpus
    from taggit.models import Tag

    from consult.accounts.models import Department, Jurisdiction, User
    from discussion.models import Comment, CommentVote, OfficialResponse, ThemedComment
    from proposals.models import (
        Proposal,
        ProposalStance,
        ProposalVersion,
        Section,
        SectionStance,
        SectionVersion,
        Status,
    )

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(seed)
    adapt = connection.ops.adapt_datetimefield_value

    def stamp(seconds: float) -> object:
        return adapt(datetime.fromtimestamp(seconds, UTC))

    _ids, texts, times, _truth = campaign_corpus(comments=comments, share=share, seed=seed)
    start = float(times.min())
    with transaction.atomic():
        place = Jurisdiction.objects.create(name="Bench city", slug="bench-city", level="city")
        department = Department.objects.create(
            name="Bench office", slug="bench", jurisdiction=place
        )
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

        # Comments: in time order, so that replies answer something earlier.
        order = np.argsort(times, kind="stable")
        authors = rng.choice(people, size=comments)
        on_section = rng.random(comments) < 0.8
        section_of = rng.choice(sections, size=comments)
        objects = []
        for i, at in enumerate(order.tolist()):
            created = datetime.fromtimestamp(float(times[at]), UTC)
            objects.append(
                Comment(
                    proposal=proposal,
                    section_id=int(section_of[i]) if on_section[i] else None,
                    author_id=int(authors[i]),
                    version=version,
                    body=texts[at],
                    body_html=texts[at],
                    created_at=created,
                )
            )
        Comment.objects.bulk_create(objects, batch_size=5000)
        del objects
        comment_ids = np.asarray(
            Comment.objects.filter(proposal=proposal).order_by("pk").values_list("pk", flat=True)
        )
        Comment.objects.filter(proposal=proposal).update(root_id=models_f("pk"))
        replies = rng.choice(np.arange(1000, comments), size=comments * 15 // 100, replace=False)
        parents = (replies * rng.random(replies.size)).astype(np.int64)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE discussion_comment SET parent_id = %s, root_id = %s, depth = 1 "
                "WHERE id = %s",
                [
                    (int(comment_ids[p]), int(comment_ids[p]), int(comment_ids[r]))
                    for r, p in zip(replies, parents, strict=True)
                ],
            )

        # Votes: three camps; each comment leans to one camp.
        camp_of_person = rng.integers(0, CAMPS, size=people.size)
        lean = rng.integers(0, CAMPS, size=comments)
        consensus = rng.random(comments) < 0.05
        pairs = np.unique(
            rng.integers(0, people.size, size=int(votes * 1.05)).astype(np.int64) * comments
            + rng.integers(0, comments, size=int(votes * 1.05))
        )[:votes]
        rng.shuffle(pairs)
        voter, comment = pairs // comments, pairs % comments
        same = camp_of_person[voter] == lean[comment]
        roll = rng.random(voter.size)
        value = np.where(
            consensus[comment] | same,
            np.where(roll < 0.8, 1, np.where(roll < 0.9, 0, -1)),
            np.where(roll < 0.7, -1, np.where(roll < 0.85, 0, 1)),
        )
        names = {1: "agree", -1: "disagree", 0: "pass"}
        vote_times = start + rng.random(voter.size) * 27 * 86400
        _insert(
            CommentVote._meta.db_table,
            ["comment_id", "user_id", "value", "created_at", "updated_at"],
            (
                (int(comment_ids[c]), int(people[u]), names[int(v)], stamp(t), stamp(t))
                for c, u, v, t in zip(comment, voter, value, vote_times, strict=True)
            ),
        )

        stances = ["support", "oppose", "neutral"]
        at = stamp(start + 86400)
        ProposalStance.objects.bulk_create(
            [
                ProposalStance(
                    proposal=proposal,
                    user_id=int(p),
                    value=stances[int(c)],
                    created_at=datetime.fromtimestamp(start + 86400, UTC),
                    updated_at=datetime.fromtimestamp(start + 86400, UTC),
                )
                for p, c in zip(people, camp_of_person, strict=True)
            ],
            batch_size=5000,
        )
        section_rows = []
        for section in sections:
            takers = rng.choice(people.size, size=people.size // 4, replace=False)
            section_rows.extend(
                (proposal.pk, section, int(people[t]), stances[int(camp_of_person[t])], at, at)
                for t in takers
            )
        _insert(
            SectionStance._meta.db_table,
            ["proposal_id", "section_id", "user_id", "value", "created_at", "updated_at"],
            section_rows,
        )

        tags = [Tag.objects.create(name=name, slug=name.lower()) for name in THEMES]
        tagged = rng.choice(comment_ids, size=comments // 10, replace=False)
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
        if form_responses:
            from form_population import populate_form

            written = populate_form(
                insert=_insert,
                proposal_id=proposal.pk,
                version_id=version.pk,
                responses=form_responses,
                stamp=stamp,
                start=start,
                seed=seed,
            )
            print(f"form: {json.dumps(written)}", file=sys.stderr)
    # Rows written in bulk pass by the services that keep the counts.
    from proposals.services.participation import counters_recount

    counters_recount([proposal.pk])
    return proposal.pk


def models_f(name: str):
    from django.db.models import F

    return F(name)


def _form_figures(result: dict, proposal) -> dict | None:
    """The form's figures, checked against the database: every submitted
    response counted once, under its own channel, and every answer to each
    question counted. Raises when they disagree."""
    from django.db.models import Count

    from discussion.submissions.models import FormAnswer, FormResponse

    form = result.get("form")
    stored = FormResponse.objects.filter(proposal=proposal, status="submitted")
    if form is None:
        if stored.exists():
            raise SystemExit("the summary has no form figures, but responses are stored")
        return None
    by_channel = dict(stored.values_list("channel").annotate(n=Count("pk")))
    answered = dict(
        FormAnswer.objects.filter(response__in=stored)
        .values_list("question_id")
        .annotate(n=Count("pk"))
    )
    problems = []
    if form["responses"] != stored.count():
        problems.append(f"responses {form['responses']} != {stored.count()} stored")
    if {k: v for k, v in form["by_channel"].items() if v} != by_channel:
        problems.append(f"by channel {form['by_channel']} != {by_channel} stored")
    for question in form["questions"]:
        if question["answered"] != answered.get(question["id"], 0):
            problems.append(f"question {question['id']}: {question['answered']} answered")
    if problems:
        raise SystemExit("form figures differ from the database: " + "; ".join(problems[:5]))
    return {
        "responses": form["responses"],
        "questions": len(form["questions"]),
        "by_channel": form["by_channel"],
        "documents": form["documents"],
        "checked": "against the database",
    }


def measure(proposal_id: int) -> dict:
    """Compute the summary as the task does; this process does nothing else."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from consult.reports.summary import computing, loader, running
    from consult.reports.summary.stages import stage_percent
    from proposals.models import Proposal

    proposal = Proposal.objects.select_related("department").get(pk=proposal_id)
    ends: dict[str, float] = {}
    began = time.perf_counter()

    def progress(stage: str, percent: int) -> None:
        if percent == stage_percent(stage, 1.0):
            ends[stage] = time.perf_counter() - began

    inputs = loader.load(proposal)
    ends["load"] = time.perf_counter() - began
    result = computing.compute(
        inputs,
        proposal=running.proposal_header(proposal),
        zone=ZoneInfo(settings.TIME_ZONE),
        progress=progress,
    )
    blob = json.dumps(result, sort_keys=True)
    total = time.perf_counter() - began
    steps, previous = {}, 0.0
    # In the order they ended (the form's stage, when there is a form, ends
    # after the themes it reads).
    for stage in sorted((s for s in STAGES if s in ends), key=ends.get):
        steps[stage] = round(ends[stage] - previous, 2)
        previous = ends[stage]
    steps["excerpts and JSON"] = round(total - previous, 2)
    return {
        "seconds": round(total, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "steps": steps,
        "comments": result["inputs"]["comments"],
        "votes": result["inputs"]["comment_votes"],
        "campaigns": len(result["campaigns"]["groups"]),
        "comments_in_campaigns": result["campaigns"]["comments_in_groups"],
        "unique_comments": result["campaigns"]["unique_comments"],
        "groups": result["groups"]["status"],
        "k": result["groups"].get("k"),
        "suggested_themes": len(result["themes"]["suggested"]),
        "form": _form_figures(result, proposal),
        "result_kb": round(len(blob) / 1024),
        "sha256": __import__("hashlib").sha256(blob.encode()).hexdigest()[:16],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    consultation_arguments(parser, share=True)
    parser.add_argument(
        "--form-responses",
        type=int,
        default=0,
        help="responses to a form of 20 questions (issue 19's run: 100000)",
    )
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL")
    if args.measure:
        setup_django_on(database)
        print(json.dumps(measure(args.measure)))
        return 0
    if not database:
        folder = tempfile.mkdtemp(prefix="consult-bench-")
        database = f"sqlite:///{folder}/summary.sqlite3"
    setup_django_on(database)
    began = time.perf_counter()
    proposal_id = populate(
        comments=args.comments,
        votes=args.votes,
        share=args.share,
        seed=args.seed,
        form_responses=args.form_responses,
    )
    print(f"populated in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    runs = measure_in_children(__file__, [str(proposal_id)], database=database, runs=args.runs)
    print(
        "| run | seconds | peak RSS (MB) | comments | votes | campaigns | in campaigns "
        "| unique | groups | themes | result (KB) | result sha256 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, run in enumerate(runs, 1):
        print(
            f"| {n} | {run['seconds']} | {run['peak_rss_mb']} | {run['comments']:,} "
            f"| {run['votes']:,} | {run['campaigns']} | {run['comments_in_campaigns']:,} "
            f"| {run['unique_comments']:,} | {run['groups']} (k={run['k']}) "
            f"| {run['suggested_themes']} | {run['result_kb']} | {run['sha256']} |"
        )
    print()
    print("Steps of the last run (seconds):", json.dumps(runs[-1]["steps"]))
    if runs[-1]["form"]:
        print("Form figures of the last run:", json.dumps(runs[-1]["form"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
