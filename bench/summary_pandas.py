"""The baseline beside bench/summary.py: the same consultation summarised the
way an analyst would with pandas and scikit-learn, from the same database.

    .venv/bin/python bench/summary.py --pandas ...   (runs this in a fresh process)

Stages, each timed with the peak resident memory within it:

- load: the public comments and their votes, whole, with pandas.read_sql_query;
- counts: agree, disagree and pass per comment, participants, comments per day
  (groupby);
- campaigns: comments identical once lower-cased and stripped of punctuation
  (groupby on the normalised text: exact copies only, a weaker test than
  the summary's near-duplicates);
- themes: TF-IDF of the texts (5,000 terms) and an NMF of eight themes;
- groups: the participant x comment vote matrix (pivot_table, dense, missing
  votes filled with each comment's mean), PCA to two axes, k-means for k = 2..5
  and the silhouette of each (on a sample of 2,000), without any test against
  chance.

The dense matrix is what limits it: when it would take more than
DENSE_LIMIT bytes the groups stage is not attempted and the baseline says
so. pandas is not one of the project's dependencies: install it into the
virtualenv (`.venv/bin/python -m pip install pandas`) to run this.
"""

from __future__ import annotations

import json
import re
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

DENSE_LIMIT = 6 * 2**30
PUNCTUATION = re.compile(r"[^\w\s]+")


def baseline(database: str, proposal_id: int) -> dict:
    """Run the baseline in a fresh process on the SQLite `database` URL."""
    if not database.startswith("sqlite:///"):
        return {"status": "only on SQLite", "stages": {}}
    child = subprocess.run(  # noqa: S603 - this file
        [sys.executable, __file__, database.removeprefix("sqlite:///"), str(proposal_id)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = child.stdout.strip().splitlines()
    if child.returncode or not lines:
        return {"status": f"failed: {child.stderr.strip().splitlines()[-1:]}", "stages": {}}
    return json.loads(lines[-1])


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return round(peak / 1024, 1)


def run(path: str, proposal_id: int) -> dict:
    import numpy as np
    import pandas as pd

    stages: dict[str, tuple[float, float]] = {}
    began = time.perf_counter()
    last = [began]

    def done(stage: str) -> None:
        now = time.perf_counter()
        stages[stage] = (round(now - last[0], 2), _peak_mb())
        last[0] = now

    _peak_mb()
    db = sqlite3.connect(path)
    public = (
        "SELECT id, author_id, section_id, parent_id, created_at, body FROM discussion_comment "
        "WHERE proposal_id = ? AND is_deleted = 0 AND hidden_at IS NULL AND held_at IS NULL "
        "ORDER BY id"
    )
    comments = pd.read_sql_query(public, db, params=(proposal_id,), parse_dates=["created_at"])
    of_public = (
        "SELECT v.comment_id, v.user_id, v.value, v.created_at FROM discussion_commentvote v "
        "JOIN discussion_comment c ON c.id = v.comment_id WHERE c.proposal_id = ? "
        "AND c.is_deleted = 0 AND c.hidden_at IS NULL AND c.held_at IS NULL ORDER BY v.id"
    )
    votes = pd.read_sql_query(of_public, db, params=(proposal_id,), parse_dates=["created_at"])
    done("load")
    tally = votes.groupby(["comment_id", "value"]).size().unstack(fill_value=0)
    participants = pd.unique(pd.concat([comments["author_id"], votes["user_id"]]))
    per_day = comments.groupby(comments["created_at"].dt.date).size()
    done("counts")
    normal = comments["body"].str.lower().str.replace(PUNCTUATION, "", regex=True)
    normal = normal.str.split().str.join(" ")
    copies = normal.groupby(normal).transform("size")
    campaigns = int(normal[copies > 1].nunique())
    done("campaigns")
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(max_features=5000, stop_words="english", dtype=np.float32)
    matrix = tfidf.fit_transform(comments["body"])
    NMF(n_components=8, init="nndsvda", max_iter=100, random_state=0).fit(matrix)
    del matrix
    done("themes")
    cells = votes["user_id"].nunique() * votes["comment_id"].nunique()
    if cells * 4 > DENSE_LIMIT:
        status = (
            f"groups not attempted: the dense vote matrix would take {cells * 4 / 2**30:.0f} GiB"
        )
    else:
        status = _groups(votes)
        done("groups")
    return {
        "status": f"comments {len(comments):,}, votes {len(votes):,}, participants "
        f"{len(participants):,}, days {len(per_day)}, comments voted on {len(tally):,}, "
        f"campaigns of exact copies {campaigns:,}; {status}",
        "stages": stages,
        "seconds": round(time.perf_counter() - began, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _groups(votes) -> str:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    codes = votes["value"].map({"agree": 1.0, "disagree": -1.0, "pass": 0.0}).astype(np.float32)
    matrix = (
        votes.assign(code=codes)
        .pivot_table(index="user_id", columns="comment_id", values="code", aggfunc="first")
        .astype(np.float32)
    )
    matrix = matrix.fillna(matrix.mean())
    points = PCA(n_components=2, random_state=0).fit_transform(matrix.to_numpy())
    del matrix
    scores = {}
    for k in range(2, 6):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(points)
        if len(np.unique(labels)) < 2:
            continue
        try:
            score = silhouette_score(points, labels, sample_size=2000, random_state=0)
        except ValueError:  # the sample fell in one group
            continue
        scores[k] = round(float(score), 3)
    if not scores:
        return "no groups (k-means put everyone in one group)"
    best = max(scores, key=scores.get)
    return f"groups k={best} (silhouettes {scores})"


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], int(sys.argv[2]))))
    raise SystemExit(0)


__all__ = ["Path", "baseline"]
