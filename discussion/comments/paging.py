"""Pages of threads by index: each sort walks an index from a cursor (the
sort key of the thread a page ends or starts with), so a page costs the same
at the first thread and at the millionth, and never counts or skips the
threads before it. Links go to the first, previous, next and last pages.

Old links by number (`?page=3`) still work: they skip that many threads,
which costs what it always did, and lead on by cursor from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from discussion.models import Comment

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TABLE = Comment._meta.db_table

# Each sort's key, most significant first, and whether it runs downwards.
# The keys end in the primary key, so that no two threads tie.
SORT_KEYS: dict[str, tuple[tuple[str, ...], bool]] = {
    "oldest": (("created_at", "id"), False),
    "newest": (("created_at", "id"), True),
    "agreed": (("agree_count", "created_at", "id"), True),
    "discussed": (("reply_count", "created_at", "id"), True),
    # Most votes on both sides: what splits people, not what is merely popular.
    "controversial": (("controversy", "created_at", "id"), True),
}


def _column(name: str) -> str:
    quote = connection.ops.quote_name
    if name == "controversy":
        # As the index spells it (discussion.models): the smaller of the two counts.
        least = "MIN" if connection.vendor == "sqlite" else "LEAST"
        agree, disagree = (f"{quote(TABLE)}.{quote(n)}" for n in ("agree_count", "disagree_count"))
        return f"{least}({agree}, {disagree})"
    return f"{quote(TABLE)}.{quote(name)}"


def _micros(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


def cursor_of(comment: Comment, sort: str) -> str:
    """Where `comment` stands in `sort`, as the page's links carry it."""
    names, _down = SORT_KEYS[sort]
    values = []
    for name in names:
        if name == "controversy":
            value = min(comment.agree_count, comment.disagree_count)
        elif name == "created_at":
            value = _micros(comment.created_at)
        else:
            value = getattr(comment, "pk" if name == "id" else name)
        values.append(str(value))
    return ".".join(values)


def parse_cursor(text: str | None, sort: str) -> tuple | None:
    """The cursor's values, or None when it is missing or not one of ours."""
    names, _down = SORT_KEYS[sort]
    parts = (text or "").split(".")
    if len(parts) != len(names) or not all(p.isdigit() and len(p) <= 19 for p in parts):
        return None
    values = []
    for name, part in zip(names, parts, strict=True):
        number = int(part)
        if name == "created_at":
            try:
                moment = EPOCH + timedelta(microseconds=number)
            except OverflowError:
                return None
            values.append(connection.ops.adapt_datetimefield_value(moment))
        else:
            values.append(number)
    return tuple(values)


def beyond(qs: QuerySet[Comment], sort: str, values: tuple, *, forward: bool) -> QuerySet:
    """The threads after (or before) `values` in `sort`: one row comparison,
    which both SQLite and PostgreSQL answer from the sort's index."""
    names, down = SORT_KEYS[sort]
    columns = ", ".join(_column(n) for n in names)
    marks = ", ".join(["%s"] * len(values))
    operator = "<" if down == forward else ">"
    # Column names and operators are ours; the cursor's values are parameters.
    sql = f"({columns}) {operator} ({marks})"
    condition = RawSQL(sql, values, output_field=BooleanField())  # noqa: S611
    return qs.filter(condition)


def ordered(qs: QuerySet[Comment], sort: str, *, forward: bool = True) -> QuerySet[Comment]:
    names, down = SORT_KEYS[sort]
    descending = down == forward
    fields = []
    for name in names:
        field_name = "pk" if name == "id" else name
        fields.append(f"-{field_name}" if descending else field_name)
    return qs.order_by(*fields)


@dataclass
class ThreadsPage:
    """One page of threads and the way to the pages around it."""

    sort: str
    roots: list[Comment]
    has_previous: bool = False
    has_next: bool = False
    first_cursor: str = ""
    last_cursor: str = ""
    section_responses: list = field(default_factory=list)
    theme_responses: list = field(default_factory=list)

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def _link(self, **params) -> str:
        return "?" + urlencode({"sort": self.sort, **params})

    def first_url(self) -> str:
        return self._link()

    def previous_url(self) -> str:
        return self._link(before=self.first_cursor)

    def next_url(self) -> str:
        return self._link(after=self.last_cursor)

    def last_url(self) -> str:
        return self._link(page="last")
