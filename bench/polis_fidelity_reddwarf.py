"""red-dwarf's opinion groups of one Polis export, as JSON on stdout.

    RED_DWARF_VENV/bin/python bench/polis_fidelity_reddwarf.py FOLDER

Run by bench/polis_fidelity.py inside red-dwarf's own virtual environment
(this file imports only the standard library and red-dwarf). Reads FOLDER's
comments.csv and votes.csv as Polis wrote them and runs red-dwarf's
reproduction of the Polis pipeline (reddwarf.implementations.polis.run_pipeline)
with the settings Polis uses: every vote of votes.csv (the authors' own
included, as Polis counts them), the latest vote of a participant on a comment
(the later line on a tie), comments a moderator removed (moderated = -1)
zeroed out, participants with at least 7 votes clustered, k from 2 to 5 by
silhouette. Prints {"version", "seconds", "k", "labels": {participant: group},
"moderated_out", "votes"}.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

# Polis's own settings, as red-dwarf names them (see docs/benchmarks.md).
MIN_USER_VOTE_THRESHOLD = 7
MAX_GROUP_COUNT = 5
# The PCA's solver and k-means take a seed; with red-dwarf's "polis" start
# (explicit centres) k-means does not use it. Fixed so that runs repeat.
RANDOM_STATE = 0
MODERATED_OUT = -1


def rows(path: Path):
    """A Polis CSV file's rows as dicts by lower-cased column name (also used by
    bench/polis_fidelity.py, which runs outside red-dwarf's environment)."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = [name.strip().lower() for name in next(reader)]
        for fields in reader:
            if fields:
                yield dict(zip(header, fields, strict=False))


def moderated_out(folder: Path) -> list[int]:
    """Comments removed by the conversation's moderators."""
    return sorted(
        int(row["comment-id"])
        for row in rows(folder / "comments.csv")
        if int(row["moderated"]) == MODERATED_OUT
    )


def latest_votes(folder: Path) -> list[dict]:
    """One vote per participant and comment: the latest (the later line on a tie)."""
    latest: dict[tuple[int, int], tuple[float, int, int]] = {}
    for line, row in enumerate(rows(folder / "votes.csv")):
        key = (int(row["voter-id"]), int(row["comment-id"]))
        stamp = (float(row["timestamp"]), line, int(row["vote"]))
        if key not in latest or stamp[:2] > latest[key][:2]:
            latest[key] = stamp
    return [
        {"participant_id": pid, "statement_id": tid, "vote": vote, "modified": stamp}
        for (pid, tid), (stamp, _line, vote) in sorted(latest.items())
    ]


def main() -> int:
    folder = Path(sys.argv[1])
    from reddwarf.implementations.polis import run_pipeline

    votes = latest_votes(folder)
    removed = moderated_out(folder)
    began = time.perf_counter()
    result = run_pipeline(
        votes=votes,
        mod_out_statement_ids=removed,
        min_user_vote_threshold=MIN_USER_VOTE_THRESHOLD,
        max_group_count=MAX_GROUP_COUNT,
        random_state=RANDOM_STATE,
    )
    seconds = time.perf_counter() - began
    clustered = result.participants_df[result.participants_df["to_cluster"]]
    labels = {
        str(int(pid)): int(label)
        for pid, label in clustered["cluster_id"].items()
        if label is not None and str(label) != "<NA>"
    }
    print(
        json.dumps(
            {
                "version": version("red-dwarf"),
                "seconds": round(seconds, 3),
                "k": len(set(labels.values())),
                "labels": labels,
                "moderated_out": removed,
                "votes": len(votes),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
