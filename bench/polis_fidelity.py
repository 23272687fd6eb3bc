"""Benchmark: our opinion groups against Polis's own, and red-dwarf's, on real conversations.

    .venv/bin/python bench/polis_fidelity.py [--data ../shared/data/polis] [--only NAME]
        [--json PATH] [--reddwarf-venv PATH]

Each folder of --data is a Polis export whose participants-votes.csv holds
Polis's own group of each participant (group-id). The benchmark imports it
into a throwaway SQLite database as `import_polis` does (and checks that every
vote Polis counts was stored, against the importer's account); computes the
summary as an official starts it; reads our group of each participant from
the platform's Polis export of the archive (the export, the summary and
consult.analysis.groups must agree); and runs red-dwarf, Polis's method
reproduced in Python, on the same files in a virtual environment of its own
(bench/polis_fidelity_reddwarf.py). It prints per conversation the group
counts, the adjusted Rand index and adjusted mutual information of each side
against Polis's groups over the participants both group, who each side leaves
out, and the wall times; then the means. When we show no groups, everyone we
considered counts as one group (ARI and AMI 0). A failed check exits with
status 1 and says what failed. Results and method: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polis_fidelity_reddwarf import rows as polis_rows

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "polis"
REDDWARF = "red-dwarf==0.4.0"
REDDWARF_VENV = Path.home() / ".cache" / "consult-bench" / "red-dwarf"
REDDWARF_SCRIPT = Path(__file__).resolve().with_name("polis_fidelity_reddwarf.py")
# The importer names each placeholder account after its Polis participant;
# the import runs in English so that the name can be read back.
PARTICIPANT_NAME = re.compile(r"^Polis participant (\d+)$")
MODERATED_OUT = -1
# One thread for red-dwarf's numeric libraries, as ours run (threadpool_limits(1)).
# Reshuffles Polis's own groups are tested against, as the summary's test has.
SHUFFLES = 99
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


class CheckFailed(Exception):
    """A self-check of the benchmark failed: its figures would mean nothing."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- Pure parts: Polis's files, the comparison ---------------------------------------------


def polis_groups(folder: Path) -> tuple[int, dict[int, int]]:
    """Participants listed in participants-votes.csv, and Polis's group of
    each one it grouped (an empty group-id: left out)."""
    listed, groups = 0, {}
    for row in polis_rows(folder / "participants-votes.csv"):
        listed += 1
        group = row.get("group-id", "").strip()
        if group:
            groups[int(row["participant"])] = int(group)
    return listed, groups


def expected_import(folder: Path) -> dict:
    """What the importer must report for votes.csv, counted here from the
    files: rows read, rows skipped by reason, votes stored and their values.
    Polis counts the latest vote of a participant on a comment (the later line
    on a tie); the import leaves out the authors' own votes, and keeps the
    comments a moderator removed (moderated = -1) hidden, with their votes."""
    comments = _comments(folder)
    rows, skipped, latest = 0, Counter(), {}
    for line, row in enumerate(polis_rows(folder / "votes.csv")):
        rows += 1
        try:
            comment, voter = int(row["comment-id"]), int(row["voter-id"])
            stamp = (float(row["timestamp"]), line, int(row["vote"]))
        except (KeyError, ValueError):
            # Not Polis's own output: the importer's account will differ, and say how.
            skipped["unreadable"] += 1
            continue
        author = comments.get(comment, (None, None))[0]
        if author is None:
            skipped["unknown_comment"] += 1
        elif author == voter:
            skipped["own_comment"] += 1
        else:
            latest[voter, comment] = max(latest.get((voter, comment), stamp), stamp)
    if rows - sum(skipped.values()) > len(latest):
        skipped["superseded"] = rows - sum(skipped.values()) - len(latest)
    return {
        "rows": rows,
        "stored": len(latest),
        "skipped": dict(skipped),
        "values": dict(Counter(vote for _time, _line, vote in latest.values())),
        "comments": len(comments),
        "hidden": sum(1 for _a, moderated in comments.values() if moderated == MODERATED_OUT),
    }


def _comments(folder: Path) -> dict[int, tuple[int, int]]:
    """comment-id -> (author-id, moderated), for the rows that read as numbers."""
    comments = {}
    for row in polis_rows(folder / "comments.csv"):
        try:
            comments[int(row["comment-id"])] = (int(row["author-id"]), int(row["moderated"]))
        except (KeyError, ValueError):
            continue
    return comments


def side_labels(
    members: list[int], labels: list[int] | None, number_of: dict[int, int]
) -> dict[int, int]:
    """A side's group of each member it considered, by Polis participant
    number; with no groups (labels None) everyone it considered is in one."""
    unknown = [member for member in members if member not in number_of]
    check(
        not unknown,
        f"{len(unknown)} of our participants map to no Polis participant "
        f"(account ids {unknown[:5]})",
    )
    if labels is None:
        labels = [0] * len(members)
    return {number_of[m]: int(label) for m, label in zip(members, labels, strict=True)}


def agreement(reference: dict[int, int], side: dict[int, int]) -> dict:
    """Adjusted Rand index and adjusted mutual information of `side` against
    `reference` (participant -> group), over the participants both group;
    and how many each leaves out of the other's."""
    both = sorted(reference.keys() & side.keys())
    truth = [reference[p] for p in both]
    found = [side[p] for p in both]
    return {
        "compared": len(both),
        "ari": round(float(adjusted_rand_score(truth, found)), 4) if both else None,
        "ami": round(float(adjusted_mutual_info_score(truth, found)), 4) if both else None,
        "polis_only": len(reference.keys() - side.keys()),
        "side_only": len(side.keys() - reference.keys()),
    }


def mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


# --- Our side: the import, the summary, the export -------------------------------------------


def import_checked(folder: Path, department) -> tuple:
    """The conversation imported as `import_polis` does it; the importer's
    account and the stored votes checked against the files. (proposal, seconds)."""
    from django.utils import translation

    from consult.opendata.polis.formats import VOTE_CODES
    from consult.opendata.polis.imports import import_dir
    from discussion.models import CommentVote

    expected = expected_import(folder)
    began = time.perf_counter()
    with translation.override("en"):
        result = import_dir(folder, department=department)
    seconds = time.perf_counter() - began
    comments, votes = result.files
    skipped = {reason: s.count for reason, s in votes.skipped.items()}
    values = CommentVote.objects.filter(comment__proposal=result.proposal).values_list(
        "value", flat=True
    )
    stored = dict(Counter(VOTE_CODES[value] for value in values))
    account = {"rows": votes.read, "stored": votes.imported, "skipped": skipped}
    wanted = {key: expected[key] for key in ("rows", "stored", "skipped")}
    check(
        account == wanted,
        f"{folder.name}: the importer's account of votes.csv {account} is not what the "
        f"files give after Polis's rules {wanted}",
    )
    check(
        stored == expected["values"],
        f"{folder.name}: stored votes by value {stored}, expected {expected['values']}",
    )
    check(
        (comments.imported, comments.hidden.count) == (expected["comments"], expected["hidden"]),
        f"{folder.name}: {comments.imported} comments imported, {comments.hidden.count} of "
        f"them hidden; the files give {expected['comments']}, {expected['hidden']} of them "
        "removed by a moderator",
    )
    return result.proposal, seconds


def participant_numbers(proposal) -> dict[int, int]:
    """Account id -> Polis participant number, for the consultation's voters."""
    from consult.accounts.models import User
    from discussion.models import CommentVote

    voters = CommentVote.objects.filter(comment__proposal=proposal).values("user_id")
    numbers = {}
    for pk, name in User.objects.filter(pk__in=voters).values_list("pk", "display_name"):
        found = PARTICIPANT_NAME.match(name)
        check(found is not None, f"account {pk} is not an imported participant: {name!r}")
        numbers[pk] = int(found.group(1))
    check(
        len(set(numbers.values())) == len(numbers),
        "two accounts carry one Polis participant number",
    )
    return numbers


def summary_as_official(proposal, official) -> tuple[dict, float]:
    """The summary as an official starts it; the task runs at once here.
    Its result, and the wall time of the whole run."""
    from consult.reports.models import RunState
    from consult.reports.summary.services import summary_start

    began = time.perf_counter()
    run = summary_start(actor=official, proposal=proposal)
    run.refresh_from_db()
    seconds = time.perf_counter() - began
    check(
        run.state == RunState.DONE and run.result is not None,
        f"the summary run of {proposal.title!r} ended {run.state} ({run.error})",
    )
    return run.result, seconds


def exported_groups(proposal) -> tuple[dict[int, int | None], int]:
    """Each voter's group in the platform's Polis export of the archive (None:
    in no group), by account id; and the group count of its summary.csv.
    Voter n of the export is the voter with the n-th voter pseudonym."""
    from consult.opendata import public
    from consult.opendata.polis.export import export_files
    from consult.opendata.polis.formats import PARTICIPANTS, SUMMARY
    from consult.opendata.pseudonyms import Kind, Pseudonyms

    files = export_files(proposal)
    rows = list(csv.reader(io.StringIO(files[PARTICIPANTS].decode("utf-8"))))
    at = rows[0].index("group-id")
    group_of_number = {int(row[0]): int(row[at]) if row[at] else None for row in rows[1:]}
    voters = sorted(set(public.votes(proposal).values_list("user_id", flat=True)))
    check(
        len(voters) == len(group_of_number),
        f"the export lists {len(group_of_number)} voters, the archive has {len(voters)}",
    )
    ranked = sorted(voters, key=Pseudonyms(proposal.pk, Kind.VOTER))
    summary = dict(csv.reader(io.StringIO(files[SUMMARY].decode("utf-8"))))
    return {pk: group_of_number[n] for n, pk in enumerate(ranked)}, int(summary["groups"])


def groups_as_summary(proposal) -> tuple:
    """consult.analysis.groups on the summary's own inputs, as the summary and
    the export call it (authors' own votes left out); and its wall time."""
    from consult.analysis.groups import opinion_groups_with_members, summary_votes
    from consult.reports.summary import loader

    inputs = loader.load(proposal)
    began = time.perf_counter()
    analysis = opinion_groups_with_members(
        *summary_votes(inputs), removed_comments=inputs.removed_comments
    )
    return analysis, time.perf_counter() - began


def polis_against_chance(proposal, polis: dict[int, int], shuffles: int = SHUFFLES) -> dict:
    """Whether Polis's own groups stand out from chance on the votes we count.

    Over the participants both Polis and we group: the silhouette of Polis's
    partition in our projection, against the silhouette of the k-means split
    into as many groups of each of `shuffles` reshuffles of the votes (the
    reshuffles of the summary's test). p is the Monte Carlo p-value, (1 +
    reshuffles as clear) / (1 + shuffles): Polis's structure is beyond chance
    at the summary's level when p is at most that level.
    """
    from sklearn.metrics import silhouette_score

    from consult.analysis.group_chance import reshuffled
    from consult.analysis.group_clusters import K_RANGE
    from consult.analysis.group_steps import considered_votes, project
    from consult.analysis.groups import DEFAULT_THRESHOLDS, summary_votes
    from consult.reports.summary import loader

    inputs = loader.load(proposal)
    votes = considered_votes(
        *summary_votes(inputs), DEFAULT_THRESHOLDS, removed_comments=inputs.removed_comments
    )
    coords, _ = project(votes)
    numbers = participant_numbers(proposal)
    group = [polis.get(numbers.get(int(pk), -1)) for pk in votes.participant_ids]
    both = np.array([g is not None for g in group])
    k = len(set(polis.values()))
    check(k in K_RANGE, f"Polis's {k} groups are outside the k the summary tries")
    observed = float(silhouette_score(coords[both], [g for g in group if g is not None]))
    chance = reshuffled(votes, 1, 0, shuffles)[:, k - K_RANGE.start]
    as_clear = int((chance >= observed).sum())
    return {
        "k": k,
        "silhouette": round(observed, 4),
        "chance_mean": round(float(np.nanmean(chance)), 4),
        "p_value": round((1 + as_clear) / (1 + shuffles), 4),
        "level": DEFAULT_THRESHOLDS["level"],
    }


def check_agree(name: str, summary: dict, analysis, exported: dict, exported_k: int) -> None:
    """The summary, the export and the analysis tell the same groups."""
    check(
        json.loads(json.dumps(analysis.result, sort_keys=True)) == summary,
        f"{name}: the summary's groups differ from consult.analysis.groups on its inputs",
    )
    k = summary["k"] if summary["status"] == "ok" else 0
    shown = {group for group in exported.values() if group is not None}
    check(
        shown == set(range(k)) and exported_k == k,
        f"{name}: the summary shows {k} groups, the export {sorted(shown)} "
        f"(its summary.csv: {exported_k})",
    )
    members = dict(
        zip(
            analysis.participant_ids.tolist(),
            analysis.labels.tolist() if analysis.labels is not None else [],
            strict=False,
        )
    )
    differ = [pk for pk, group in exported.items() if members.get(pk) != group]
    check(not differ, f"{name}: {len(differ)} voters' export group is not the analysis's")


def our_side(folder: Path, department, official, polis: dict[int, int]) -> dict:
    proposal, import_seconds = import_checked(folder, department)
    result, summary_seconds = summary_as_official(proposal, official)
    summary = result["groups"]
    analysis, groups_seconds = groups_as_summary(proposal)
    exported, exported_k = exported_groups(proposal)
    check_agree(folder.name, summary, analysis, exported, exported_k)
    labels = side_labels(
        analysis.participant_ids.tolist(),
        analysis.labels.tolist() if analysis.labels is not None else None,
        participant_numbers(proposal),
    )
    return {
        "status": summary["status"],
        "reason": summary["reason"],
        "k": summary["k"] if summary["status"] == "ok" else None,
        "silhouette": summary["silhouette"],
        "labels": labels,
        "polis_against_chance": polis_against_chance(proposal, polis),
        "seconds": {
            "import": round(import_seconds, 2),
            "summary": round(summary_seconds, 2),
            "groups": round(groups_seconds, 2),
        },
    }


# --- red-dwarf's side, in its own environment ------------------------------------------------


def _run(command: list, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)  # noqa: S603


def reddwarf_python(venv: Path) -> Path:
    """The Python of red-dwarf's environment: made with this interpreter and
    red-dwarf installed by its pip the first time, reused after."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"making red-dwarf's environment in {venv}", file=sys.stderr)
        made = _run([sys.executable, "-m", "venv", str(venv)])
        check(made.returncode == 0, f"python -m venv {venv} failed:\n{made.stderr}")
    pin = REDDWARF.split("==")[1]
    found = _run(
        [python, "-c", "from importlib.metadata import version; print(version('red-dwarf'))"]
    )
    if found.returncode != 0 or found.stdout.strip() != pin:
        print(f"installing {REDDWARF} into {venv}", file=sys.stderr)
        installed = _run([python, "-m", "pip", "install", "--quiet", REDDWARF])
        check(installed.returncode == 0, f"pip install {REDDWARF} failed:\n{installed.stderr}")
    return python


def reddwarf_side(folder: Path, python: Path) -> dict:
    began = time.perf_counter()
    done = _run([python, str(REDDWARF_SCRIPT), str(folder)], env={**os.environ, **ONE_THREAD})
    seconds = time.perf_counter() - began
    check(
        done.returncode == 0,
        f"{folder.name}: red-dwarf failed (exit {done.returncode}):\n{done.stderr[-3000:]}",
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    labels = {int(p): group for p, group in found["labels"].items()}
    return {
        "version": found["version"],
        "k": found["k"],
        "labels": labels,
        "moderated_out": len(found["moderated_out"]),
        "seconds": {"pipeline": found["seconds"], "process": round(seconds, 2)},
    }


# --- The table -------------------------------------------------------------------------------


def measure(folder: Path, department, official, python: Path) -> dict:
    listed, polis = polis_groups(folder)
    ours = our_side(folder, department, official, polis)
    dwarf = reddwarf_side(folder, python)
    return {
        "conversation": folder.name,
        "participants": listed,
        "polis": {
            "k": len(set(polis.values())),
            "grouped": len(polis),
            "against_chance": ours["polis_against_chance"],
        },
        "ours": {
            **{
                key: value
                for key, value in ours.items()
                if key not in ("labels", "polis_against_chance")
            },
            "considered": len(ours["labels"]),
            **agreement(polis, ours["labels"]),
        },
        "red_dwarf": {
            **{key: value for key, value in dwarf.items() if key != "labels"},
            "considered": len(dwarf["labels"]),
            **agreement(polis, dwarf["labels"]),
        },
    }


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _our_k(ours: dict) -> str:
    return str(ours["k"]) if ours["status"] == "ok" else f"none ({ours['reason']})"


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| conversation | participants | groups: Polis / ours / red-dwarf "
        "| ARI ours | ARI red-dwarf | AMI ours | AMI red-dwarf "
        "| left out by ours / added | left out by red-dwarf / added | seconds: ours / red-dwarf "
        "| Polis's groups on our votes: silhouette / chance / p |",
        "|---|---:|---|---:|---:|---:|---:|---|---|---|---|",
    ]
    for row in rows:
        ours, dwarf = row["ours"], row["red_dwarf"]
        lines.append(
            f"| {row['conversation']} | {row['participants']:,} "
            f"| {row['polis']['k']} / {_our_k(ours)} / {dwarf['k']} "
            f"| {_figure(ours['ari'])} | {_figure(dwarf['ari'])} "
            f"| {_figure(ours['ami'])} | {_figure(dwarf['ami'])} "
            f"| {ours['polis_only']} / {ours['side_only']} "
            f"| {dwarf['polis_only']} / {dwarf['side_only']} "
            f"| {ours['seconds']['groups']:.2f} / {dwarf['seconds']['pipeline']:.2f} "
            f"| {_against_chance(row['polis']['against_chance'])} |"
        )
    means = summary_means(rows)
    lines.append(
        f"| **mean** | | | **{_figure(means['ari_ours'])}** "
        f"| **{_figure(means['ari_red_dwarf'])}** | **{_figure(means['ami_ours'])}** "
        f"| **{_figure(means['ami_red_dwarf'])}** | | | | |"
    )
    return lines


def _against_chance(test: dict) -> str:
    verdict = "beyond chance" if test["p_value"] <= test["level"] else "not beyond chance"
    return (
        f"{test['silhouette']:.2f} / {test['chance_mean']:.2f} / {test['p_value']:.2f} ({verdict})"
    )


def count_matches(rows: list[dict]) -> list[str]:
    """Conversations whose Polis groups are beyond chance on our votes but
    whose group count we do not show: the issue's first target."""
    return [
        row["conversation"]
        for row in rows
        if row["polis"]["against_chance"]["p_value"] <= row["polis"]["against_chance"]["level"]
        and row["ours"]["k"] != row["polis"]["k"]
    ]


def summary_means(rows: list[dict]) -> dict:
    return {
        f"{measure}_{side}": mean([row[side][measure] for row in rows])
        for measure in ("ari", "ami")
        for side in ("ours", "red_dwarf")
    }


def times(rows: list[dict]) -> list[str]:
    return [
        f"{row['conversation']}: import {row['ours']['seconds']['import']:.2f} s, "
        f"whole summary {row['ours']['seconds']['summary']:.2f} s, "
        f"our groups {row['ours']['seconds']['groups']:.2f} s; "
        f"red-dwarf pipeline {row['red_dwarf']['seconds']['pipeline']:.2f} s, "
        f"its process {row['red_dwarf']['seconds']['process']:.2f} s"
        for row in rows
    ]


def folders(data: Path, only: str | None) -> list[Path]:
    check(data.is_dir(), f"{data} is not a folder")
    found = sorted(path for path in data.iterdir() if (path / "votes.csv").is_file())
    if only:
        found = [path for path in found if path.name == only]
        check(bool(found), f"no conversation {only!r} in {data}")
    check(bool(found), f"no Polis export in {data}")
    return found


def run(args: argparse.Namespace) -> dict:
    chosen = folders(args.data, args.only)
    python = reddwarf_python(args.reddwarf_venv)
    # The summary's task runs at once, in this process.
    os.environ.setdefault("TASK_BACKEND", "immediate")
    from common import ministry_consultation, setup_django

    setup_django()
    # The tasks' start and end lines would bury the table.
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from consult.accounts.models import User

    department = ministry_consultation(title="Polis fidelity", password=None).department
    official = User.objects.get(email="official@example.org")
    rows = []
    for folder in chosen:
        print(f"{folder.name} ...", file=sys.stderr)
        rows.append(measure(folder, department, official, python))
    return {
        "red_dwarf": REDDWARF,
        "conversations": rows,
        "means": summary_means(rows),
        "counts_differ_beyond_chance": count_matches(rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--only", help="one conversation folder's name")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reddwarf-venv", type=Path, default=REDDWARF_VENV)
    args = parser.parse_args(argv)
    from common import print_load

    print_load("polis_fidelity")
    try:
        figures = run(args)
    except CheckFailed as failure:
        print(f"polis_fidelity: check failed: {failure}", file=sys.stderr)
        return 1
    print("\n".join(table(figures["conversations"])))
    differ = figures["counts_differ_beyond_chance"]
    print(
        "\nGroup counts differ from Polis's where its groups are beyond chance: "
        + (", ".join(differ) if differ else "none")
    )
    print()
    print("\n".join(times(figures["conversations"])))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
