"""Benchmark: 50 respondents submitting the same 20-question form at once.

    .venv/bin/python bench/form_submit.py [--respondents 50] [--rounds 3]
    DATABASE_URL=postgres://... .venv/bin/python bench/form_submit.py

A throwaway database (SQLite unless DATABASE_URL names an empty one), a
private Redis and a real Daphne serving bench/write_settings.py (the abuse
limits lifted, as for bench/write_path.py). The consultation's form is built
through the officials' services: one question of every kind with a
condition, and 13 more, 20 in all. Each respondent has a real session of
the site's own session engine (consult.accounts.session_store) and a CSRF
cookie. Per round, all respondents send the whole form at the same instant
(a submission, or in later rounds a change of it), beside the ceiling of the
same server in the same run: the same number of GET /healthz at the same
instant. Receipts are queued for the worker, as on a site. Also reported:
the CPU time Daphne spent per submission (on a shared machine, the cost of
the work itself, whatever the wait for a core).

A submission counts as done only when the server answers with the redirect
back to the form (never the sign-in page) and, afterwards, the database
holds exactly one submitted response per respondent, by that respondent,
with the revision of the round and every answer sent. Any other answer, a
server error in the log, or a mismatch in the database fails the run
(exit 1). Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from common import (
    ministry_consultation,
    print_load,
    process_cpu_seconds,
    setup_django,
    signed_in_cookie,
)
from write_path import HOST, Daphne, Result, _interrupted

EXTRA_QUESTIONS = 13
RESPONDENTS = 50


@dataclass
class Respondent:
    user_id: int
    cookie: str
    csrf: str


def build(respondents: int) -> tuple[object, list[Respondent]]:
    """The consultation with its 20 questions, and signed-in respondents."""
    from allauth.account.models import EmailAddress

    from consult.accounts.models import User
    from proposals.questionnaire.services import QuestionInput, question_add
    from proposals.services import versions

    proposal = ministry_consultation(title="Form", password=None, form=True)
    official = User.objects.get(email="official@example.org")
    kinds = ["single", "multiple", "scale", "number", "text"]
    for n in range(EXTRA_QUESTIONS):
        kind = kinds[n % len(kinds)]
        choices = [f"Option {c}" for c in range(4)] if kind in ("single", "multiple") else []
        question_add(
            actor=official,
            proposal=proposal,
            data=QuestionInput(kind=kind, prompt=f"Further question {n + 1}", choices=choices),
        )
    versions.version_publish(actor=official, proposal=proposal, change_note="More questions.")
    people = [
        User.objects.create_user(f"r{i}@example.org", None, display_name=f"Respondent {i}")
        for i in range(respondents)
    ]
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in people
    )
    signed_in = [Respondent(user.pk, *signed_in_cookie(user)) for user in people]
    proposal.refresh_from_db()
    return proposal, signed_in


def answers_for(questions: list, n: int, round_: int) -> tuple[list[tuple[str, str]], dict]:
    """The form's fields for respondent n in a round, and what must be stored
    ({question id: choices, number or text})."""
    fields: list[tuple[str, str]] = []
    expected: dict = {}
    first = None
    for question in questions:
        name, keys = f"q{question.pk}", question.choice_keys()
        if question.shown_if_id and first not in question.shown_if_choices:
            continue
        if question.kind in ("single", "scale"):
            key = keys[(n + round_) % len(keys)]
            fields.append((name, key))
            expected[question.pk] = [key]
            first = key if question.order == 1 else first
        elif question.kind == "multiple":
            picked = [k for i, k in enumerate(keys) if (n + i + round_) % 2 == 0]
            fields.extend((name, k) for k in picked)
            expected[question.pk] = picked
        elif question.kind == "ranking":
            order = keys[round_ % len(keys) :] + keys[: round_ % len(keys)]
            fields.extend(
                (f"{name}-rank-{key}", str(place)) for place, key in enumerate(order, start=1)
            )
            expected[question.pk] = order
        elif question.kind == "number":
            fields.append((name, str((n + round_) % 10)))
            expected[question.pk] = str((n + round_) % 10)
        else:
            text = f"Respondent {n}, round {round_}: the crossings come first."
            fields.append((name, text))
            expected[question.pk] = text
    return fields, expected


def at_once(requests: list, port: int, check) -> Result:
    """Every request sent at the same instant, one connection each."""
    result = Result("", len(requests))
    lock = threading.Lock()
    ready = threading.Barrier(len(requests) + 1)

    def client(request) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        conn.connect()
        ready.wait()
        began = time.perf_counter()
        try:
            method, path, body, headers = request
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            answer.read()
            ok, error = check(answer)
        except (OSError, http.client.HTTPException) as exc:
            ok, error = False, type(exc).__name__
        with lock:
            result.add(ok, time.perf_counter() - began, error)
        conn.close()

    threads = [threading.Thread(target=client, args=(r,), daemon=True) for r in requests]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def submitted(path: str):
    def check(answer) -> tuple[bool, str]:
        where = urllib.parse.urlsplit(answer.getheader("Location") or "").path
        if answer.status == 302 and where == path:
            return True, ""
        return False, f"HTTP {answer.status} to {where or '-'}"

    return check


def healthy(answer) -> tuple[bool, str]:
    return (answer.status == 200, "" if answer.status == 200 else f"HTTP {answer.status}")


def stored(proposal, people: list[Respondent], expected: dict[int, dict], round_: int) -> str:
    """What the database holds against what was sent: '' when it all agrees."""
    from discussion.submissions.models import FormResponse

    rows = list(
        FormResponse.objects.filter(proposal=proposal).prefetch_related("answers", "revisions")
    )
    responses = {r.respondent_id: r for r in rows}
    problems = []
    if len(rows) != len(people) or set(responses) != {p.user_id for p in people}:
        problems.append(f"{len(rows)} responses for {len(people)} respondents")
    for person in people:
        response = responses.get(person.user_id)
        if response is None:
            continue
        if response.status != "submitted" or response.revision != round_:
            problems.append(f"respondent {person.user_id}: {response.status} r{response.revision}")
            continue
        kept = [revision.number for revision in response.revisions.all()]
        if kept != list(range(1, round_ + 1)):
            problems.append(f"respondent {person.user_id}: revisions {kept}")
        got = {}
        for answer in response.answers.all():
            got[answer.question_id] = (
                answer.choices
                or answer.text
                or (None if answer.number is None else f"{answer.number.normalize():f}")
            )
        if got != expected[person.user_id]:
            problems.append(f"respondent {person.user_id}: answers differ from those sent")
    return "; ".join(problems[:5])


def run(args, proposal, people: list[Respondent], daphne: Daphne) -> int:
    from django.db import connection
    from django.urls import reverse

    from discussion.submissions.services import published_questions

    questions = published_questions(proposal)
    path = reverse("discussion:form", kwargs={"slug": proposal.slug})
    failures = 0
    print(f"database: {connection.vendor}; Daphne serving {daphne.app}")
    print(f"{len(questions)} questions, {len(people)} respondents, {args.rounds} rounds")
    print(
        "| round | requests | ok | p50 ms | p99 ms | max ms | server CPU ms each "
        "| healthz p99 ms | stored |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for round_ in range(1, args.rounds + 1):
        requests, expected = [], {}
        for n, person in enumerate(people):
            fields, expected[person.user_id] = answers_for(questions, n, round_)
            body = urllib.parse.urlencode(
                [
                    ("csrfmiddlewaretoken", person.csrf),
                    ("respondent_kind", "individual"),
                    ("publication", "anonymous"),
                    ("action", "submit"),
                    *fields,
                ]
            )
            headers = {
                "Cookie": person.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            requests.append(("POST", path, body, headers))
        health = at_once([("GET", "/healthz", None, {})] * len(people), daphne.port, healthy)
        used = process_cpu_seconds(daphne.process.pid)
        result = at_once(requests, daphne.port, submitted(path))
        each = (process_cpu_seconds(daphne.process.pid) - used) * 1000 / len(people)
        problem = stored(proposal, people, expected, round_)
        errors = daphne.new_errors()
        done, healthy_done = len(result.latencies), len(health.latencies)
        ok = done == len(people) and healthy_done == len(people) and not problem and not errors
        failures += not ok
        print(
            f"| {round_} | {len(people)} | {done} | {result.percentile(0.5):.0f} "
            f"| {result.percentile(0.99):.0f} | {max(result.latencies, default=0) * 1000:.0f} "
            f"| {each:.0f} | {health.percentile(0.99):.0f} | {problem or 'all as sent'} |"
        )
        if result.errors or errors:
            print(f"  errors: {dict(result.errors)}; server log errors: {errors}")
    if failures:
        print(
            f"\nBENCHMARK CHECK FAILED: {failures} of {args.rounds} rounds were not all stored "
            "as sent, by their respondents (see the table)",
            file=sys.stderr,
        )
        return 1
    print(f"\nChecked: every round's {len(people)} submissions stored once each, as sent.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=RESPONDENTS)
    parser.add_argument("--rounds", type=int, default=3, help="the first submits, the rest change")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupted)
    print_load("form_submit")
    from consult.infra.redis_server import PrivateRedis

    tmp = tempfile.TemporaryDirectory(prefix="consult-form-")
    redis = daphne = None
    try:
        redis = PrivateRedis(workdir=Path(tmp.name) / "redis").start()
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
        os.environ.update(
            REDIS_URL=redis.url,
            DJANGO_SETTINGS_MODULE="write_settings",
            DEBUG="false",
            HTTPS="false",
            ALLOWED_HOSTS=f"{HOST},localhost",
            MEDIA_ROOT=str(Path(tmp.name) / "media"),
        )
        setup_django()
        proposal, people = build(args.respondents)
        daphne = Daphne("write_settings:application")
        daphne.start()
        return run(args, proposal, people, daphne)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if daphne:
            daphne.stop()
        if redis:
            redis.stop()
        tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
