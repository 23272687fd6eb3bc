"""The Polis export's files in the data dictionary (consult.opendata.dictionary
writes them into the README.md and datapackage.json of every ZIP that holds
them): what each file and column means as this site writes it
(consult.opendata.polis.export). English, as the rest of the dictionary.
Plain text only: no import of the numeric libraries."""

from __future__ import annotations

from dataclasses import dataclass

from consult.opendata.polis.formats import COMMENTS, DESCRIPTION, PARTICIPANTS, SUMMARY, VOTES

# The column that stands for the one column per comment of participants-votes.csv.
PER_COMMENT = "<comment-id>"
JS_TIME = "The same time as JavaScript's Date.toString() writes it, in UTC."


@dataclass(frozen=True)
class PolisColumn:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class PolisFile:
    name: str
    description: str
    columns: tuple[PolisColumn, ...]
    # summary.csv is key,value lines: its "columns" are keys.
    keyed: bool = False


GROUP_ID = PolisColumn(
    "group-id",
    "integer",
    "The voter's opinion group, as the consultation's summary computes and shows it, "
    "numbered as there (0 is the largest group). Empty for every voter when the summary "
    "shows no opinion groups (too few votes, or no clear groups), and empty for a voter "
    "the computation left out (too few votes of their own).",
)
GROUPS = PolisColumn(
    "groups",
    "integer",
    "How many opinion groups the summary shows. 0 when it shows none, and every group-id "
    "is then empty: Polis writes a conversation without groups the same way.",
)
CONVERSATION_DESCRIPTION = PolisColumn(
    DESCRIPTION,
    "string",
    "The consultation's summary, as its officials wrote it (plain text). For an archive "
    "imported from a Polis export: the description that export gave, as it gave it (often "
    "Markdown), and empty when it gave none.",
)

POLIS_FILES: tuple[PolisFile, ...] = (
    PolisFile(
        COMMENTS,
        "One row per public comment, in order of comment-id.",
        (
            PolisColumn("timestamp", "integer", "When it was posted: seconds since 1970, UTC."),
            PolisColumn("datetime", "string", JS_TIME),
            PolisColumn("comment-id", "integer", "The comment's number (comments.comment_id)."),
            PolisColumn(
                "author-id",
                "integer",
                "The author's number in this export. Authors are numbered apart from voters "
                "(from the number of voters on, in order of their first public comment), so "
                "that no vote can be linked to a named author.",
            ),
            PolisColumn("agrees", "integer", "Its agree votes in votes.csv."),
            PolisColumn("disagrees", "integer", "Its disagree votes in votes.csv."),
            PolisColumn(
                "moderated",
                "integer",
                "1: shown. -1: hidden by the moderators; the row keeps its place, time and "
                "author, its words are replaced by a notice and its votes are left out (the "
                "opinion groups count it, as Polis does, as a column of zeros).",
            ),
            PolisColumn("comment-body", "string", "The comment, in Markdown."),
        ),
    ),
    PolisFile(
        VOTES,
        "Each voter's vote on each comment as it stands, sorted by comment and voter.",
        (
            PolisColumn(
                "timestamp",
                "integer",
                "The start of the day (UTC) the vote was cast or last changed, in seconds "
                "since 1970: never the time.",
            ),
            PolisColumn("datetime", "string", JS_TIME),
            PolisColumn("comment-id", "integer", "The comment voted on (comments.csv)."),
            PolisColumn(
                "voter-id",
                "integer",
                "The voter's number, from 0, in the order of the voters' pseudonyms: never "
                "of who joined first.",
            ),
            PolisColumn("vote", "integer", "1 agree, -1 disagree, 0 pass."),
        ),
    ),
    PolisFile(
        PARTICIPANTS,
        "One row per voter, then one column per comment.",
        (
            PolisColumn("participant", "integer", "The voter's number (votes.csv's voter-id)."),
            GROUP_ID,
            PolisColumn("n-comments", "integer", "Always 0: authors are numbered apart."),
            PolisColumn("n-votes", "integer", "The voter's votes."),
            PolisColumn("n-agree", "integer", "The voter's agree votes."),
            PolisColumn("n-disagree", "integer", "The voter's disagree votes."),
            PolisColumn(
                PER_COMMENT,
                "integer",
                "One column per comment, headed by its comment-id: the voter's vote on it "
                "(1, -1 or 0), empty if none.",
            ),
        ),
    ),
    PolisFile(
        SUMMARY,
        "key,value lines, without a header.",
        (
            PolisColumn("topic", "string", "The consultation's title."),
            PolisColumn("url", "string", "The consultation's address on this site (its path)."),
            PolisColumn("voters", "integer", "How many people voted."),
            PolisColumn(
                "voters-in-conv",
                "integer",
                "How many voters the opinion-group computation considered (enough votes of "
                "their own); the others have an empty group-id.",
            ),
            PolisColumn("commenters", "integer", "How many people wrote the public comments."),
            PolisColumn("comments", "integer", "How many public comments."),
            GROUPS,
            CONVERSATION_DESCRIPTION,
        ),
        keyed=True,
    ),
)

POLIS_FILES_BY_NAME = {file.name: file for file in POLIS_FILES}
