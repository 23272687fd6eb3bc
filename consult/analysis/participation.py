"""Who took part, how, and when: totals, days and places."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from consult.analysis.inputs import NO_ID, Inputs, unique_count


def day_starts(first: float, last: float, zone: ZoneInfo) -> tuple[list[date], np.ndarray]:
    """The local calendar days from first to last, and each day's start in POSIX seconds."""
    day = datetime.fromtimestamp(first, zone).date()
    end = datetime.fromtimestamp(last, zone).date()
    days, starts = [], []
    while day <= end:
        days.append(day)
        starts.append(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
        day += timedelta(days=1)
    return days, np.asarray(starts, dtype=np.float64)


def _per_day(times: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if not times.size:
        return np.zeros(starts.size, dtype=np.int64)
    index = np.searchsorted(starts, times, side="right") - 1
    return np.bincount(index, minlength=starts.size)


def participation(inputs: Inputs, membership: np.ndarray, *, zone: ZoneInfo) -> dict:
    """Totals and daily counts; `membership` is each comment's campaign or NO_ID."""
    is_reply = inputs.comment_parent != NO_ID
    people = inputs.participants()
    result = {
        "participants": int(people.size),
        "comments": int(inputs.comment_id.size - np.count_nonzero(is_reply)),
        "comments_unique": unique_count(membership, ~is_reply),
        "replies": int(np.count_nonzero(is_reply)),
        "replies_unique": unique_count(membership, is_reply),
        "comment_votes": int(inputs.vote_comment.size),
        "stances": int(inputs.stance_user.size + inputs.section_stance_user.size),
        "daily": [],
        "jurisdictions": places(inputs, people),
    }
    stance_time = np.concatenate([inputs.stance_time, inputs.section_stance_time])
    every_time = np.concatenate([inputs.comment_time, inputs.vote_time, stance_time])
    if not every_time.size:
        return result
    days, starts = day_starts(float(every_time.min()), float(every_time.max()), zone)
    columns = {
        "comments": _per_day(inputs.comment_time[~is_reply], starts),
        "replies": _per_day(inputs.comment_time[is_reply], starts),
        "comment_votes": _per_day(inputs.vote_time, starts),
        "stances": _per_day(stance_time, starts),
    }
    # Active participants per day: distinct people who did anything that day.
    who = np.concatenate(
        [inputs.comment_author, inputs.vote_user, inputs.stance_user, inputs.section_stance_user]
    )
    day_of = np.searchsorted(starts, every_time, side="right") - 1
    pairs = np.unique(day_of.astype(np.int64) * (int(who.max()) + 1 if who.size else 1) + who)
    active = np.bincount(pairs // (int(who.max()) + 1 if who.size else 1), minlength=starts.size)
    for i, day in enumerate(days):
        row = {"date": day.isoformat()}
        row.update({name: int(counts[i]) for name, counts in columns.items()})
        row["participants"] = int(active[i])
        result["daily"].append(row)
    return result


def places(inputs: Inputs, people: np.ndarray) -> list[dict]:
    """Participants per declared place; the rest counted as not known."""
    known = np.isin(inputs.place_user, people)
    place_of = inputs.place_id[known]
    rows = []
    if place_of.size:
        ids, counts = np.unique(place_of, return_counts=True)
        rows = [
            {"id": int(i), "name": inputs.place_names.get(int(i), ""), "participants": int(c)}
            for i, c in zip(ids, counts, strict=True)
        ]
        rows.sort(key=lambda row: (-row["participants"], row["name"], row["id"]))
    unknown = int(people.size - place_of.size)
    if unknown:
        rows.append({"id": None, "name": "", "participants": unknown})
    return rows
