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
from consult.analysis import form_words
from consult.analysis import groups as group_analysis
from consult.analysis import text as text_analysis
from consult.analysis import themes as theme_analysis
from consult.analysis.beside import Beside, processors
from consult.analysis.coverage import agree_counts, coverage, themes_tagged
from consult.analysis.inputs import NO_ID, Inputs, positions
from consult.analysis.participation import participation
from consult.analysis.questionnaire import form_figures
from consult.analysis.stances import stances
from consult.reports.summary.stages import within

SCHEMA = 1
EXCERPT_LENGTH = 240

Progress = Callable[[str, int], None]

# From this many votes on, with a second processor, the opinion groups are
# computed in a process of their own while this one finds the campaigns,
# counts and themes (consult.analysis.beside): at a million votes they cost
# as much as those together. Below it they run after the other steps (their
# reshuffles still shared among the processors when there are enough of them:
# consult.analysis.group_chance.SHARED_OUT_DEALT).
GROUPS_BESIDE_VOTES = 200_000
# Beside the other steps the groups leave them a processor, up to this many
# votes: sharing the test's reshuffles with it as well slowed the run at a
# million votes (42.8 s against 32.3 s), where the groups cost about what the
# other steps cost. Their cost grows faster than the others' (the projection
# takes more rounds on a larger matrix): at ten million votes they cost 1.6
# times the rest, and sharing the reshuffles among every processor was
# quicker (401 s against 448 s). docs/benchmarks.md has the runs.
GROUPS_SHARE_VOTES = 5_000_000


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
    with threadpool_limits(1), _groups_started(inputs) as groups:
        return _compute(inputs, groups, proposal=proposal, zone=zone, progress=progress)


def _compute(
    inputs: Inputs, groups: Beside, *, proposal: dict, zone: ZoneInfo, progress: Progress
) -> dict:
    fingerprint = inputs.fingerprint()
    # Comments first, then the words of form responses: campaigns and themes
    # are found across both (consult.analysis.form_words).
    words = form_words.texts(inputs)
    found, every_membership = _campaigns(words, progress)
    found = form_words.split_campaigns(found, inputs.form)
    membership = every_membership[: inputs.comment_id.size]

    counting = within(progress, "counts")
    counting(0.0)
    counts = participation(inputs, membership, zone=zone)
    stance_result = stances(inputs, membership)
    agree, disagree, passed = agree_counts(inputs)
    tagged = themes_tagged(inputs, membership, agree)
    counting(1.0)

    suggested = _suggested_themes(words, every_membership, progress)
    suggested = form_words.split_themes(suggested, inputs.form)
    group_result = _opinion_groups(groups, progress)

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
    if inputs.form is not None:
        result["form"] = _form(inputs, found, suggested, progress)
    result["comments"] = _excerpts(
        inputs, _referenced(result), agree=agree, disagree=disagree, passed=passed
    )
    return result


Words = tuple[np.ndarray, list[str], np.ndarray]


def _campaigns(words: Words, progress: Progress) -> tuple[dict, np.ndarray]:
    """The campaigns of near-identical texts, and each text's campaign
    (NO_ID for none). `words` are ids, texts and times (form_words.texts)."""
    ids, texts, times = words
    within(progress, "campaigns")(0.0)
    found = campaign_analysis.find_campaigns(
        ids.tolist(), texts, times.tolist(), progress=within(progress, "campaigns")
    )
    membership_of = found.pop("membership")
    membership = np.full(ids.size, NO_ID, dtype=np.int64)
    if membership_of:
        members = np.fromiter(membership_of.keys(), dtype=np.int64, count=len(membership_of))
        groups_of = np.fromiter(membership_of.values(), dtype=np.int64, count=len(membership_of))
        membership[positions(ids, members)] = groups_of
    within(progress, "campaigns")(1.0)
    return found, membership


def _form(inputs: Inputs, found: dict, suggested: list, progress: Progress) -> dict:
    """The response form's figures (consult.analysis.questionnaire), and the
    public words of the responses the campaigns and themes quote."""
    counting = within(progress, "form")
    counting(0.0)
    figures = form_figures(inputs.form)
    wanted = form_words.referenced(found, suggested)
    figures["excerpts"] = form_words.excerpts(inputs.form, wanted, excerpt)
    counting(1.0)
    return figures


def _suggested_themes(words: Words, membership: np.ndarray, progress: Progress) -> list:
    """Themes from the words: each campaign speaks once."""
    ids, texts, _times = words
    first_of_campaign = np.ones(ids.size, dtype=bool)
    in_campaign = np.flatnonzero(membership != NO_ID)
    if in_campaign.size:
        order = in_campaign[np.lexsort((ids[in_campaign], membership[in_campaign]))]
        first_of_campaign[order] = False
        first_of_campaign[order[np.unique(membership[order], return_index=True)[1]]] = True
    speaking = np.flatnonzero(first_of_campaign)
    themes = within(progress, "themes")
    themes(0.0)
    suggested = theme_analysis.suggest_themes(
        ids[speaking].tolist(),
        [texts[i] for i in speaking],
        progress=themes,
    )
    themes(1.0)
    return suggested


def _groups_started(inputs: Inputs) -> Beside:
    """Opinion groups from agree/disagree votes, leaving out authors' own:
    started in a process of their own when that saves time."""
    available, votes = processors(), inputs.vote_comment.size
    apart = votes >= GROUPS_BESIDE_VOTES and available > 1
    leave_one = apart and votes < GROUPS_SHARE_VOTES
    return Beside(
        group_analysis.opinion_groups,
        *group_analysis.summary_votes(inputs),
        process=apart,
        removed_comments=inputs.removed_comments,
        processes=available - 1 if leave_one else available,
    )


def _opinion_groups(groups: Beside, progress: Progress) -> dict:
    grouping = within(progress, "groups")
    grouping(0.0)
    group_result = groups.result(grouping)
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
        if campaign["representative"] is not None:  # None: a campaign of form responses only
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
