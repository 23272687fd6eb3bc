"""Benchmark: the whole summary of a large consultation, from the database.

    .venv/bin/python bench/summary.py [--comments 100000] [--votes 1000000] [--share 0.2]
        [--runs 2] [--pandas] [--rebuild]

Writes one consultation (bench/summary_population.py: --comments comments,
15% of them replies and --share of them copies of letter campaigns from
bench/neardup.py, --votes votes by 20,000 people in three camps, stances,
theme tags, official responses). On SQLite (no DATABASE_URL) it is built
once per set of parameters and reused (--rebuild builds it anew). Then, in
--runs fresh processes, it computes the summary exactly as the background
task does (consult.reports.summary.loader.load, then
consult.reports.summary.computing.compute) and reports the wall time of each
stage, the peak resident memory within each stage (VmHWM, reset as each
stage starts) and of the whole process (ru_maxrss, Python, Django, NumPy and
scikit-learn included). It checks the summary's counts of comments, votes
and stances against the database's, and those against what was asked for,
and exits non-zero when any differs. The opinion groups of a large
consultation run in a process of their own beside the other steps; a thread
samples the resident memory of this process and of every process under it
together, and that peak is reported too (the per-stage figures are this
process's own). --pandas also runs the pandas and
scikit-learn baseline of bench/summary_pandas.py on the same database.

Targets (issue 21): 1,000,000 comments with 10,000,000 votes in under 5
minutes and 6 GB. docs/largest-consultations.md says what was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from common import consultation_arguments, measure_in_children, setup_django_on

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STAGES = ("load", "campaigns", "counts", "form", "themes", "groups", "coverage")


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


def _peak_mb(reset: bool = True) -> float:
    """The process's peak resident memory since the last reset (VmHWM), in MB;
    then reset it, so that the next stage's peak is its own."""
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    if reset:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    return round(peak / 1024, 1)


class TreeMemory:
    """The peak of the summed resident memory of this process and every process
    under it (the opinion groups' own process, the server it is started
    from), sampled every 0.2 s by a thread: what the run holds at once."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = self.peak_others_kb = 0
        self.others_seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.2):
            parents, rss = {}, {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    status = (entry / "status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                parents[int(entry.name)] = int(fields["PPid"])
                rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
            under = {me}
            for _ in range(4):  # children, grandchildren, ...
                under |= {pid for pid, parent in parents.items() if parent in under}
            others = sum(rss.get(pid, 0) for pid in under - {me})
            self.others_seen = max(self.others_seen, len(under) - 1)
            self.peak_others_kb = max(self.peak_others_kb, others)
            self.peak_kb = max(self.peak_kb, others + rss.get(me, 0))


def measure(proposal_id: int) -> dict:
    """Compute the summary as the task does; this process does nothing else."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from consult.reports.summary import computing, loader, running
    from consult.reports.summary.stages import stage_percent
    from proposals.models import Proposal

    proposal = Proposal.objects.select_related("department").get(pk=proposal_id)
    computing.prepare()
    ends: dict[str, float] = {}
    peaks: dict[str, float] = {"start": _peak_mb()}
    began = time.perf_counter()

    def progress(stage: str, percent: int) -> None:
        if percent == stage_percent(stage, 1.0) and stage not in ends:
            ends[stage] = time.perf_counter() - began
            peaks[stage] = _peak_mb()

    inputs = loader.load(proposal)
    progress("load", stage_percent("load", 1.0))
    memory = TreeMemory()
    result = computing.compute(
        inputs,
        proposal=running.proposal_header(proposal),
        zone=ZoneInfo(settings.TIME_ZONE),
        progress=progress,
    )
    memory.stop()
    blob = json.dumps(result, sort_keys=True)
    total = time.perf_counter() - began
    peaks["excerpts and JSON"] = _peak_mb(reset=False)
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
        "stage_peak_mb": peaks,
        "processes_beside": memory.others_seen,
        "peak_beside_mb": round(memory.peak_others_kb / 1024, 1),
        "peak_together_mb": round(memory.peak_kb / 1024, 1),
        "comments": result["inputs"]["comments"],
        "votes": result["inputs"]["comment_votes"],
        "stances": result["inputs"]["stances"],
        "campaigns": len(result["campaigns"]["groups"]),
        "comments_in_campaigns": result["campaigns"]["comments_in_groups"],
        "unique_comments": result["campaigns"]["unique_comments"],
        "groups": result["groups"]["status"],
        "k": result["groups"].get("k"),
        "significance": result["groups"].get("significance"),
        "suggested_themes": len(result["themes"]["suggested"]),
        "form": _form_figures(result, proposal),
        "result_kb": round(len(blob) / 1024),
        "sha256": __import__("hashlib").sha256(blob.encode()).hexdigest()[:16],
    }


def check(run: dict, proposal_id: int, args) -> dict:
    """The summary's counts against the database's own and against what was
    asked for; exits non-zero, loudly, when any differs."""
    from consult.opendata.public import comments as public_comments
    from discussion.models import CommentVote
    from proposals.models import Proposal, ProposalStance, SectionStance

    proposal = Proposal.objects.get(pk=proposal_id)
    public = public_comments(proposal)
    stored = {
        "comments": public.count(),
        "votes": CommentVote.objects.filter(comment__in=public.values("pk")).count(),
        "stances": ProposalStance.objects.filter(proposal=proposal).count()
        + SectionStance.objects.filter(proposal=proposal, section__is_removed=False).count(),
    }
    asked = {"comments": args.comments, "votes": args.votes}
    problems = [
        f"{name}: the summary counted {run[name]:,}, the database holds {value:,}"
        for name, value in stored.items()
        if run[name] != value
    ] + [
        f"{name}: {value:,} asked for, {stored[name]:,} stored"
        for name, value in asked.items()
        if stored[name] != value
    ]
    if problems:
        raise SystemExit("SUMMARY BENCHMARK FAILED: " + "; ".join(problems))
    return stored


def database_and_proposal(args) -> tuple[str, int]:
    """The database to summarise (built now, or the cached one) and its consultation."""
    from summary_population import cached_database, populate

    database = os.environ.get("DATABASE_URL")
    parameters = {
        "comments": args.comments,
        "votes": args.votes,
        "share": args.share,
        "seed": args.seed,
    }
    path = None
    if not database:
        path = cached_database(**parameters, form=args.form_responses)
        database = f"sqlite:///{path}"
        if path.exists() and not args.rebuild:
            setup_django_on(database)
            from proposals.models import Proposal

            print(f"reusing {path}", file=sys.stderr)
            return database, Proposal.objects.get(slug="bench").pk
        path.parent.mkdir(parents=True, exist_ok=True)
        building = path.with_suffix(".partial")
        building.unlink(missing_ok=True)
        database = f"sqlite:///{building}"
    setup_django_on(database)
    began = time.perf_counter()
    proposal_id = populate(**parameters, form_responses=args.form_responses)
    print(f"populated in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    if path is not None:
        from django.db import connection

        connection.close()
        building.rename(path)
        database = f"sqlite:///{path}"
        os.environ["DATABASE_URL"] = database
        from django.db import connections

        connections["default"].settings_dict["NAME"] = str(path)
    return database, proposal_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    consultation_arguments(parser, share=True)
    parser.add_argument(
        "--form-responses",
        type=int,
        default=0,
        help="responses to a form of 20 questions (issue 19's run: 100000)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the cached database anew")
    parser.add_argument(
        "--pandas", action="store_true", help="also the pandas baseline (bench/summary_pandas.py)"
    )
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django_on(os.environ.get("DATABASE_URL"))
        print(json.dumps(measure(args.measure)))
        return 0
    print(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
    database, proposal_id = database_and_proposal(args)
    runs = measure_in_children(__file__, [str(proposal_id)], database=database, runs=args.runs)
    stored = check(runs[-1], proposal_id, args)
    _print_runs(runs)
    print("Checked against the database:", json.dumps(stored))
    if args.pandas:
        from summary_pandas import baseline

        _print_baseline(baseline(database, proposal_id))
    return 0


def _print_runs(runs: list[dict]) -> None:
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
    last = runs[-1]
    print("| stage of the last run | seconds | peak RSS within it (MB) |")
    print("|---|---|---|")
    for stage, seconds in last["steps"].items():
        print(f"| {stage} | {seconds} | {last['stage_peak_mb'].get(stage, '')} |")
    before = last["stage_peak_mb"]["start"]
    print(f"(before the first stage, Django and the libraries loaded: {before} MB)")
    print(
        f"Processes beside this one during the steps: {last['processes_beside']} "
        f"(their peak together {last['peak_beside_mb']} MB); this process and "
        f"them at once, sampled every 0.2 s: peak {last['peak_together_mb']} MB"
    )
    print("Significance test of the groups:", json.dumps(last["significance"]))
    if last["form"]:
        print("Form figures of the last run:", json.dumps(last["form"]))


def _print_baseline(found: dict) -> None:
    print()
    print(f"pandas baseline: {found['status']}")
    print("| stage | seconds | peak RSS within it (MB) |")
    print("|---|---|---|")
    for stage, (seconds, peak) in found["stages"].items():
        print(f"| {stage} | {seconds} | {peak} |")
    print(f"| total | {found.get('seconds')} | {found.get('peak_rss_mb')} |")


if __name__ == "__main__":
    raise SystemExit(main())
