"""The files of a Polis export: their names, columns and codes, as Polis
writes them, for the export and the import alike."""

from __future__ import annotations

from discussion.models import VoteValue

ORIGIN = "polis"
COMMENTS, VOTES, PARTICIPANTS, SUMMARY = (
    "comments.csv",
    "votes.csv",
    "participants-votes.csv",
    "summary.csv",
)
FILES = (COMMENTS, VOTES, PARTICIPANTS, SUMMARY)
PARTICIPANTS_ALIASES = (PARTICIPANTS, "participant-votes.csv")
COMMENT_COLUMNS = (
    "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
    "comment-body",
)  # fmt: skip
VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_COLUMNS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
REQUIRED = {
    COMMENTS: ("timestamp", "comment-id", "author-id", "moderated", "comment-body"),
    VOTES: ("timestamp", "comment-id", "voter-id", "vote"),
    PARTICIPANTS: ("participant", "group-id"),
}
# summary.csv's key for the conversation's description (Polis' `description`).
DESCRIPTION = "conversation-description"
VOTE_CODES = {VoteValue.AGREE: 1, VoteValue.DISAGREE: -1, VoteValue.PASS: 0}
VOTE_VALUES = {1: VoteValue.AGREE, -1: VoteValue.DISAGREE, 0: VoteValue.PASS}
SHOWN, UNMODERATED, MODERATED_OUT = 1, 0, -1
DAY = 86_400
# Polis timestamps are seconds; anything this large is milliseconds (in
# seconds it would be past the year 5000).
MILLISECONDS_FROM = 100_000_000_000
