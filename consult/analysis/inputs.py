"""What the summary is computed from: plain arrays, read in bulk.

The loader (consult.reports.summary.loader) fills this from the database; tests
build it by hand. Nothing here knows about Django. Times are POSIX seconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

STANCES = ("support", "oppose", "neutral")  # stance codes 0, 1, 2
NO_ID = -1


def ints(values=()) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def floats(values=()) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def codes(values=()) -> np.ndarray:
    return np.asarray(values, dtype=np.int8)


@dataclass
class Inputs:
    # Public comments (not deleted, hidden or held).
    comment_id: np.ndarray = field(default_factory=ints)
    comment_author: np.ndarray = field(default_factory=ints)
    comment_section: np.ndarray = field(default_factory=ints)  # NO_ID: the whole proposal
    comment_parent: np.ndarray = field(default_factory=ints)  # NO_ID: a thread's first comment
    comment_time: np.ndarray = field(default_factory=floats)
    comment_text: list[str] = field(default_factory=list)
    # Agree (+1), disagree (-1) and pass (0) votes on those comments.
    vote_comment: np.ndarray = field(default_factory=ints)
    vote_user: np.ndarray = field(default_factory=ints)
    vote_value: np.ndarray = field(default_factory=codes)
    vote_time: np.ndarray = field(default_factory=floats)
    # Stances: on the whole proposal, and on sections (codes index STANCES).
    stance_user: np.ndarray = field(default_factory=ints)
    stance_value: np.ndarray = field(default_factory=codes)
    stance_time: np.ndarray = field(default_factory=floats)
    section_stance_section: np.ndarray = field(default_factory=ints)
    section_stance_user: np.ndarray = field(default_factory=ints)
    section_stance_value: np.ndarray = field(default_factory=codes)
    section_stance_time: np.ndarray = field(default_factory=floats)
    # The sections of the working draft, in order (removed ones left out).
    section_id: np.ndarray = field(default_factory=ints)
    section_heading: list[str] = field(default_factory=list)
    # Moderators' theme tags: (comment, theme index) pairs and the themes.
    tag_comment: np.ndarray = field(default_factory=ints)
    tag_theme: np.ndarray = field(default_factory=ints)
    theme_name: list[str] = field(default_factory=list)
    theme_slug: list[str] = field(default_factory=list)
    # Official responses and the comments each answers.
    response_id: np.ndarray = field(default_factory=ints)
    response_time: np.ndarray = field(default_factory=floats)
    response_section: np.ndarray = field(default_factory=ints)  # NO_ID: not a section's
    response_theme: list[str] = field(default_factory=list)  # slug, or ""
    answer_response: np.ndarray = field(default_factory=ints)
    answer_comment: np.ndarray = field(default_factory=ints)
    # Where participants live, where they said so.
    place_user: np.ndarray = field(default_factory=ints)
    place_id: np.ndarray = field(default_factory=ints)
    place_names: dict[int, str] = field(default_factory=dict)
    # Comments moderators hid after people voted on them (a count, no text).
    removed_comments: int = 0
    # The response form's questions and submitted responses; None when the
    # consultation has no form (its summary is then as it always was). A
    # consult.analysis.questionnaire.FormInputs, which builds on this module.
    form: Any = None

    def participants(self) -> np.ndarray:
        """Everyone who commented, voted on a comment or took a stance."""
        return np.unique(
            np.concatenate(
                [self.comment_author, self.vote_user, self.stance_user, self.section_stance_user]
            )
        )

    def fingerprint(self) -> str:
        """The same data gives the same fingerprint (the loader reads in key order)."""
        digest = hashlib.sha256()
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue  # no form: the fingerprint stays what it was before forms
            digest.update(item.name.encode())
            if hasattr(value, "fingerprint"):
                digest.update(value.fingerprint().encode())
            elif isinstance(value, np.ndarray):
                digest.update(np.ascontiguousarray(value).tobytes())
            elif isinstance(value, dict):
                digest.update(repr(sorted(value.items())).encode())
            elif isinstance(value, int):
                digest.update(str(value).encode())
            else:
                digest.update("\x00".join(value).encode())
        return digest.hexdigest()


def unique_count(membership: np.ndarray, mask: np.ndarray | None = None) -> int:
    """How many different messages: a campaign counts once.

    `membership` gives each comment its campaign number, or NO_ID.
    """
    chosen = membership if mask is None else membership[mask]
    alone = int(np.count_nonzero(chosen == NO_ID))
    return alone + int(np.unique(chosen[chosen != NO_ID]).size)


def shares(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {key: (round(value / total, 4) if total else 0.0) for key, value in counts.items()}


def positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of `wanted` stands in `ids` (every one of them must be there)."""
    order = np.argsort(ids, kind="stable")
    found = order[np.minimum(np.searchsorted(ids, wanted, sorter=order), max(ids.size - 1, 0))]
    if wanted.size and (not ids.size or not np.array_equal(ids[found], wanted)):
        raise ValueError("positions: some ids are not there")
    return found
