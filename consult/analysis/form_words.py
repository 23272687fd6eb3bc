"""The words of form responses beside the comments, in themes and campaigns.

Each submitted response with words (its free-text answers and its
documents' extracted text, joined) is one more text for the campaign finder
and the theme finder, so that thirty identical letters entered by a clerk
make a campaign just as thirty identical comments do. Inside those finders a
response is named by its id negated (comment ids are positive); this module
makes the texts and splits what the finders return back into comments and
responses. No Django here.

A response's words are quoted only from `public_text` (empty for a withheld
response, without hidden or held answers): the summary becomes part of the
published report.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from consult.analysis.inputs import Inputs
from consult.analysis.questionnaire import CHANNELS, FormInputs


def texts(inputs: Inputs) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Ids, texts and times of the comments, then of the responses with words."""
    form = inputs.form
    if form is None or not form.text_response.size:
        return inputs.comment_id, inputs.comment_text, inputs.comment_time
    return (
        np.concatenate([inputs.comment_id, -form.text_response]),
        list(inputs.comment_text) + list(form.text),
        np.concatenate([inputs.comment_time, form.text_time]),
    )


def _split(ids: list[int]) -> tuple[list[int], list[int]]:
    return [i for i in ids if i > 0], [-i for i in ids if i < 0]


def _public(form: FormInputs) -> set[int]:
    return {
        int(r)
        for r, words in zip(form.text_response.tolist(), form.public_text, strict=True)
        if words
    }


def split_campaigns(found: dict, form: FormInputs | None) -> dict:
    """The campaigns with comments and responses apart: `comment_ids` only
    comments (as before), `response_ids` the responses, `size` both, and
    `by_channel` how many came by which channel (a comment by the website).
    A campaign of responses only has no representative comment: its
    `representative_response` is its first response whose words may be
    quoted (None when none may)."""
    if form is None:
        return found
    public = _public(form)
    texts_in = {"comments": 0, "responses": 0}
    for group in found["groups"]:
        comments, responses = _split(group["comment_ids"])
        channels = form.channel_of(np.asarray(responses, dtype=np.int64))
        by_channel = {name: int(np.count_nonzero(channels == i)) for i, name in enumerate(CHANNELS)}
        by_channel["web"] += len(comments)
        example_comments, example_responses = _split(group["examples"])
        group.update(
            comment_ids=comments,
            response_ids=responses,
            comments=len(comments),
            responses=len(responses),
            by_channel=by_channel,
            representative=comments[0] if comments else None,
            representative_response=next((r for r in responses if r in public), None),
            examples=example_comments,
            example_responses=[r for r in example_responses if r in public],
        )
        texts_in["comments"] += len(comments)
        texts_in["responses"] += len(responses)
    found["in_groups"] = texts_in
    return found


def split_themes(themes: list[dict], form: FormInputs | None) -> list[dict]:
    """Suggested themes with comments and responses apart: `comments` and
    `comment_ids` count comments (as before), `responses` and `response_ids`
    the responses; representatives are comments only, and
    `representative_responses` the responses whose words may be quoted."""
    if form is None:
        return themes
    public = _public(form)
    for theme in themes:
        comments, responses = _split(theme["comment_ids"])
        theme.update(
            comment_ids=comments,
            comments=len(comments),
            response_ids=responses,
            responses=len(responses),
            representative=[i for i in theme["representative"] if i > 0],
            representative_responses=[r for r in responses if r in public][:3],
        )
    return themes


def referenced(campaigns: dict, suggested: list[dict]) -> set[int]:
    """The responses the campaigns and themes quote."""
    wanted: set[int] = set()
    for group in campaigns["groups"]:
        if group.get("representative_response") is not None:
            wanted.add(group["representative_response"])
        wanted.update(group.get("example_responses") or [])
    for theme in suggested:
        wanted.update(theme.get("representative_responses") or [])
    return wanted


def excerpts(form: FormInputs, wanted: set[int], cut: Callable[[str], str]) -> dict[str, dict]:
    """The public words of the responses quoted, cut by `cut`, by response id,
    with the channel each came by (never words a public page may not show)."""
    found = {}
    for i, response in enumerate(form.text_response.tolist()):
        if response in wanted and form.public_text[i]:
            channel = form.channel_of(np.asarray([response], dtype=np.int64))[0]
            found[str(response)] = {
                "excerpt": cut(form.public_text[i]),
                "channel": CHANNELS[int(channel)],
            }
    return found
