"""The structured summary of a consultation, from its inputs, step by step.

Pure functions over plain arrays (consult.analysis); this module only
orders the steps, reports progress and collects the excerpts of the
comments the summary points at. The same inputs give the same dict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from threadpoolctl import threadpool_limits

from consult.analysis import campaigns as campaign_analysis
from consult.analysis import groups as group_analysis
from consult.analysis import text as text_analysis
from consult.analysis import themes as theme_analysis
from consult.analysis.coverage import agree_counts, coverage, themes_tagged
from consult.analysis.inputs import NO_ID, Inputs, positions
from consult.analysis.participation import participation
from consult.analysis.stances import stances
from consult.reports.summary.stages import within

SCHEMA = 1
EXCERPT_LENGTH = 240

Progress = Callable[[str, int], None]


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def prepare() -> None:
    """Load what the first comment in Chinese would otherwise load mid-run
    (jieba's dictionary), so that the run's steps take the time they say."""
    text_analysis.prepare()


def compute(
    inputs: Inputs, *, proposal: dict, zone: ZoneInfo, progress: Progress = lambda s, p: None
) -> dict:
    """`proposal` is the header dict of the result (see the schema in docs)."""
    # One thread for the numeric libraries: on a busy machine their thread
    # pools stall each other (measured: 32 s against 3 s for the groups).
    with threadpool_limits(1):
        return _compute(inputs, proposal=proposal, zone=zone, progress=progress)


def _compute(inputs: Inputs, *, proposal: dict, zone: ZoneInfo, progress: Progress) -> dict:
    fingerprint = inputs.fingerprint()
    found, membership = _campaigns(inputs, progress)

    counting = within(progress, "counts")
    counting(0.0)
    counts = participation(inputs, membership, zone=zone)
    stance_result = stances(inputs, membership)
    agree, disagree, passed = agree_counts(inputs)
    tagged = themes_tagged(inputs, membership, agree)
    counting(1.0)

    suggested = _suggested_themes(inputs, membership, progress)
    group_result = _opinion_groups(inputs, progress)

    covering = within(progress, "coverage")
    covering(0.0)
    cover = coverage(inputs, tagged, stance_result["sections"])
    covering(1.0)

    result = {
        "schema": SCHEMA,
        "proposal": proposal,
        "inputs": {
            "comments": int(inputs.comment_id.size),
            "comment_votes": int(inputs.vote_comment.size),
            "stances": int(inputs.stance_user.size + inputs.section_stance_user.size),
            "responses": int(inputs.response_id.size),
            "fingerprint": fingerprint,
        },
        "participation": counts,
        "stances": stance_result,
        "themes": {"tagged": tagged, "suggested": suggested},
        "groups": group_result,
        "campaigns": found,
        "coverage": cover,
    }
    result["comments"] = _excerpts(
        inputs, _referenced(result), agree=agree, disagree=disagree, passed=passed
    )
    return result


def _campaigns(inputs: Inputs, progress: Progress) -> tuple[dict, np.ndarray]:
    """The campaigns of near-identical comments, and each comment's campaign
    (NO_ID for none)."""
    within(progress, "campaigns")(0.0)
    found = campaign_analysis.find_campaigns(
        inputs.comment_id.tolist(),
        inputs.comment_text,
        inputs.comment_time.tolist(),
        progress=within(progress, "campaigns"),
    )
    membership_of = found.pop("membership")
    membership = np.full(inputs.comment_id.size, NO_ID, dtype=np.int64)
    if membership_of:
        ids = np.fromiter(membership_of.keys(), dtype=np.int64, count=len(membership_of))
        groups_of = np.fromiter(membership_of.values(), dtype=np.int64, count=len(membership_of))
        membership[positions(inputs.comment_id, ids)] = groups_of
    within(progress, "campaigns")(1.0)
    return found, membership


def _suggested_themes(inputs: Inputs, membership: np.ndarray, progress: Progress) -> list:
    """Themes from the words: each campaign speaks once."""
    first_of_campaign = np.ones(inputs.comment_id.size, dtype=bool)
    in_campaign = np.flatnonzero(membership != NO_ID)
    if in_campaign.size:
        order = in_campaign[np.lexsort((inputs.comment_id[in_campaign], membership[in_campaign]))]
        first_of_campaign[order] = False
        first_of_campaign[order[np.unique(membership[order], return_index=True)[1]]] = True
    speaking = np.flatnonzero(first_of_campaign)
    themes = within(progress, "themes")
    themes(0.0)
    suggested = theme_analysis.suggest_themes(
        inputs.comment_id[speaking].tolist(),
        [inputs.comment_text[i] for i in speaking],
        progress=themes,
    )
    themes(1.0)
    return suggested


def _opinion_groups(inputs: Inputs, progress: Progress) -> dict:
    """Opinion groups from agree/disagree votes, leaving out authors' own."""
    grouping = within(progress, "groups")
    grouping(0.0)
    group_result = group_analysis.opinion_groups(
        *group_analysis.summary_votes(inputs),
        removed_comments=inputs.removed_comments,
        progress=grouping,
    )
    grouping(1.0)
    return group_result


def _referenced(result: dict) -> set[int]:
    ids: set[int] = set()
    for theme in result["themes"]["tagged"] + result["themes"]["suggested"]:
        ids.update(theme["representative"])
    groups = result["groups"]
    for group in groups.get("groups") or []:
        ids.update(row["comment"] for row in group["distinctive"])
    for key in ("consensus", "group_consensus", "divisive"):
        ids.update(row["comment"] for row in groups.get(key) or [])
    for campaign in result["campaigns"]["groups"]:
        ids.add(campaign["representative"])
        ids.update(campaign["examples"])
    ids.update(row["comment"] for row in result["coverage"]["top_comments"])
    return ids


def _excerpts(inputs: Inputs, ids: set[int], *, agree, disagree, passed) -> dict[str, dict]:
    if not ids:
        return {}
    wanted = np.asarray(sorted(ids), dtype=np.int64)
    at = positions(inputs.comment_id, wanted)
    rows = {}
    for comment, i in zip(wanted.tolist(), at.tolist(), strict=True):
        section = int(inputs.comment_section[i])
        rows[str(comment)] = {
            "excerpt": excerpt(inputs.comment_text[i]),
            "section": None if section == NO_ID else section,
            "created": datetime.fromtimestamp(float(inputs.comment_time[i]), UTC).isoformat(),
            "agree": int(agree[i]),
            "disagree": int(disagree[i]),
            "pass": int(passed[i]),
        }
    return rows
