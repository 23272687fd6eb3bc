"""Which parts of what people said have an official response, and how fast."""

from __future__ import annotations

import numpy as np

from consult.analysis.inputs import Inputs, positions, unique_count

TOP_COMMENTS = 10


def agree_counts(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agree, disagree and pass votes per comment, aligned with inputs.comment_id."""
    position = positions(inputs.comment_id, inputs.vote_comment)
    n = inputs.comment_id.size
    return tuple(
        np.bincount(position[inputs.vote_value == value], minlength=n).astype(np.int64)
        for value in (1, -1, 0)
    )


def coverage(inputs: Inputs, themes: list[dict], sections: list[dict]) -> dict:
    """`themes` and `sections` are the summary's tagged themes and section rows."""
    public = set(inputs.comment_id.tolist())
    keep = np.isin(inputs.answer_comment, inputs.comment_id)
    answered_comments = np.unique(inputs.answer_comment[keep])
    answered = np.isin(inputs.comment_id, answered_comments)
    hours = _first_response_hours(inputs, keep) if answered_comments.size else np.empty(0)
    return {
        "themes": _theme_rows(inputs, themes, answered_comments),
        "sections": _section_rows(inputs, sections, answered),
        "top_comments": _top_comments(inputs, answered),
        "comments_answered": int(np.count_nonzero(answered)),
        "comments_public": len(public),
        "response_hours": {
            "count": int(hours.size),
            "median": round(float(np.median(hours)), 2) if hours.size else None,
            "p90": round(float(np.percentile(hours, 90)), 2) if hours.size else None,
            "max": round(float(hours.max()), 2) if hours.size else None,
        },
    }


def _theme_rows(inputs: Inputs, themes: list[dict], answered_comments: np.ndarray) -> list[dict]:
    theme_rows = []
    for theme in themes:
        direct = sum(1 for slug in inputs.response_theme if slug and slug == theme["slug"])
        ids = np.asarray(theme["comment_ids"], dtype=np.int64)
        through_comments = int(np.count_nonzero(np.isin(ids, answered_comments)))
        theme_rows.append(
            {
                "name": theme["name"],
                "slug": theme["slug"],
                "answered": bool(direct or through_comments),
                "responses": direct,
                "comments_answered": through_comments,
                "comments": theme["comments"],
            }
        )
    return theme_rows


def _section_rows(inputs: Inputs, sections: list[dict], answered: np.ndarray) -> list[dict]:
    section_rows = []
    for section in sections:
        direct = int(np.count_nonzero(inputs.response_section == section["id"]))
        on_section = inputs.comment_section == section["id"]
        through_comments = int(np.count_nonzero(answered & on_section))
        section_rows.append(
            {
                "id": section["id"],
                "heading": section["heading"],
                "answered": bool(direct or through_comments),
                "responses": direct,
                "comments_answered": through_comments,
                "comments": section["comments"],
            }
        )
    return section_rows


def _top_comments(inputs: Inputs, answered: np.ndarray) -> list[dict]:
    agree, _disagree, _pass = agree_counts(inputs)
    ranked = np.lexsort((inputs.comment_id, -agree))
    return [
        {
            "comment": int(inputs.comment_id[i]),
            "agree": int(agree[i]),
            "answered": bool(answered[i]),
        }
        for i in ranked[:TOP_COMMENTS]
        if agree[i] > 0
    ]


def _first_response_hours(inputs: Inputs, keep: np.ndarray) -> np.ndarray:
    """How long each answered comment waited for its first response."""
    at = inputs.response_time[positions(inputs.response_id, inputs.answer_response[keep])]
    written = inputs.comment_time[positions(inputs.comment_id, inputs.answer_comment[keep])]
    waits = np.maximum(at - written, 0) / 3600.0
    # The first response per comment.
    pair_order = np.lexsort((waits, inputs.answer_comment[keep]))
    first = np.unique(inputs.answer_comment[keep][pair_order], return_index=True)[1]
    return waits[pair_order][first]


def themes_tagged(inputs: Inputs, membership: np.ndarray, agree: np.ndarray) -> list[dict]:
    """The moderators' theme tags: counts and the most agreed comments as representatives."""
    found = np.isin(inputs.tag_comment, inputs.comment_id)
    position = positions(inputs.comment_id, inputs.tag_comment[found])
    theme_of = inputs.tag_theme[found]
    rows = []
    for index, (name, slug) in enumerate(zip(inputs.theme_name, inputs.theme_slug, strict=True)):
        mine = np.unique(position[theme_of == index])
        if not mine.size:
            continue
        ranked = mine[np.lexsort((inputs.comment_id[mine], -agree[mine]))]
        mask = np.zeros(inputs.comment_id.size, dtype=bool)
        mask[mine] = True
        rows.append(
            {
                "name": name,
                "slug": slug,
                "comments": int(mine.size),
                "comments_unique": unique_count(membership, mask),
                "comment_ids": sorted(int(i) for i in inputs.comment_id[mine]),
                "representative": [int(i) for i in inputs.comment_id[ranked[:3]]],
            }
        )
    rows.sort(key=lambda row: (-row["comments"], row["name"]))
    return rows
