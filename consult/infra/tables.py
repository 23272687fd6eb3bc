"""Tables on their way out of the platform: cells a spreadsheet will not run,
and the one writer of a ZIP of tables.

Every CSV the platform writes (the report, the open-data downloads, a
person's own data) passes its cells through `spreadsheet_cell`, so text that a
spreadsheet would take for a formula arrives as text.

`TableZip` writes every ZIP of tables the platform hands out (the open-data
downloads with their Polis files, a person's own data): each table twice,
as CSV (UTF-8 with a byte order mark, CRLF, spreadsheet-safe cells) and as
JSON (an array of objects), other files beside them, every entry stamped with
a stable time. It knows no table of its own: its callers name the tables,
their columns and their rows.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, BinaryIO

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# How a list is written in one CSV cell.
LIST_SEPARATOR = "; "
# How often (in rows) a table's writer reports its progress.
PROGRESS_EVERY = 10_000

Progress = Callable[[int], None]
# (name, type) of a column: integer, string, date, datetime, boolean or list.
ColumnSpec = tuple[str, str]


def spreadsheet_cell(value) -> str | int | float:
    """Numbers stay numbers; text that a spreadsheet would run as a formula gets
    a leading apostrophe. Only text is guarded: a negative number we wrote
    ourselves is data, while "-1+1" typed by a person is text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = " ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def instant(value: datetime | None) -> str | None:
    """To the second, in UTC: finer than the pages show is of no use to anyone."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def plain(value: object) -> object:
    """A value as JSON holds it: instants as ISO 8601 in UTC, to the second."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


# --- cells --------------------------------------------------------------------------


def _guarded(value: str | None) -> str:
    # The test first: most text starts with a letter and needs no guard.
    return spreadsheet_cell(value) if value is None or value.startswith(FORMULA_STARTS) else value


def any_cell(value: object) -> object:
    """A value of any shape as one CSV cell: objects as JSON, lists joined."""
    value = plain(value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, list):
        value = LIST_SEPARATOR.join(
            json.dumps(item, ensure_ascii=False) if isinstance(item, dict | list) else str(item)
            for item in value
        )
    return spreadsheet_cell(value)


def _csv_converter(column_type: str) -> Callable | None:
    """None where the csv module writes the value as it is (numbers, None as
    an empty cell, dates as YYYY-MM-DD)."""
    if column_type == "list":
        return lambda items: _guarded(LIST_SEPARATOR.join(str(item) for item in items))
    if column_type == "datetime":
        return lambda value: instant(value) or ""
    if column_type == "string":
        return _guarded
    return None


def _quoted(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'


def _json_encoder(column_type: str) -> Callable:
    """The value as JSON text, as json.dumps(ensure_ascii=False) writes it, one
    column at a time: a dict and a json.dumps per row cost three times more."""
    if column_type == "integer":
        return lambda value: "null" if value is None else str(int(value))
    if column_type == "string":
        return lambda value: "null" if value is None else encode_basestring(value)
    if column_type == "datetime":
        return lambda value: _quoted(instant(value))
    if column_type == "date":
        return lambda value: _quoted(value.isoformat() if value is not None else None)
    return lambda value: json.dumps(value, ensure_ascii=False)


@contextmanager
def csv_writer(
    stream: IO[bytes], *, bom: bool = True, line_end: str = "\r\n"
) -> Iterator[csv.Writer]:
    """A csv writer onto a binary stream, which is left open: the caller owns it."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if bom else "utf-8", newline="")
    try:
        yield csv.writer(text, lineterminator=line_end)
    finally:
        text.detach()  # flushes first


def _columns(rows: list[dict]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


# --- the ZIP ------------------------------------------------------------------------


class TableZip:
    """A ZIP of tables being written to `target` (a seekable binary file).

    `at` stamps every entry (by default each entry gets the time it is
    written); `mode` is the entries' permissions; `large` writes every
    streamed entry in ZIP64 (a table of any size); `progress` is told the
    rows written so far, every PROGRESS_EVERY rows and at the end."""

    def __init__(
        self,
        target: BinaryIO,
        *,
        at: datetime | None = None,
        mode: int = 0o644,
        large: bool = False,
        progress: Progress | None = None,
        spool_dir: str | Path | None = None,
    ) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.at, self.mode, self.large = at, mode, large
        self.progress, self.spool_dir = progress, spool_dir
        self.written = self.reported = 0
        self.names: list[str] = []

    def __enter__(self) -> TableZip:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()
        if self.progress is not None and exc[0] is None:
            self.progress(self.written)

    def entry(self, name: str) -> zipfile.ZipInfo:
        when = self.at or timezone.now()
        info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = self.mode << 16
        self.names.append(name)
        return info

    def open(self, name: str) -> IO[bytes]:
        """A file of the ZIP to stream into; close it before opening the next."""
        return self.zip.open(self.entry(name), "w", force_zip64=self.large)

    def write(self, name: str, data: bytes) -> None:
        self.zip.writestr(self.entry(name), data)

    def _count(self) -> None:
        self.written += 1
        if self.progress is not None and self.written - self.reported >= PROGRESS_EVERY:
            self.reported = self.written
            self.progress(self.written)

    def table(self, name: str, columns: Sequence[ColumnSpec], rows: Iterable[tuple]) -> int:
        """`name`.csv and `name`.json in one pass over the rows (tuples in
        column order), never all in memory: the CSV straight into the ZIP, the
        JSON into a temporary file copied in afterwards (a ZIP is written one
        file at a time). Returns the number of rows."""
        width = len(columns)
        to_csv = [
            (i, convert) for i, (_, kind) in enumerate(columns) if (convert := _csv_converter(kind))
        ]
        keys = [json.dumps(column) + ": " for column, _ in columns]
        to_json = list(zip(keys, [_json_encoder(kind) for _, kind in columns], strict=True))
        count = 0
        with tempfile.TemporaryFile(dir=self.spool_dir) as spool:
            json_text = io.TextIOWrapper(spool, encoding="utf-8", newline="\n")
            json_text.write("[")
            with self.open(f"{name}.csv") as member, csv_writer(member) as writer:
                writer.writerow([spreadsheet_cell(column) for column, _ in columns])
                for row in rows:
                    if len(row) != width:
                        raise ValueError(f"{name}: a row of {len(row)} values for {width} columns")
                    cells = list(row)
                    for i, convert in to_csv:
                        cells[i] = convert(cells[i])
                    writer.writerow(cells)
                    fields = [key + encode(value) for (key, encode), value in zip(to_json, row)]  # noqa: B905
                    json_text.write(("\n{" if count == 0 else ",\n{") + ", ".join(fields) + "}")
                    count += 1
                    self._count()
            json_text.write("\n]\n" if count else "]\n")
            json_text.flush()
            raw = json_text.detach()
            raw.seek(0)
            with self.open(f"{name}.json") as member:
                shutil.copyfileobj(raw, member, 1 << 20)
        return count

    def records(self, name: str, rows: list[dict]) -> None:
        """`name`.json and `name`.csv of rows held in memory, each a dict of
        values of any shape: the JSON keeps each row as it is (indented), the
        CSV has a column for every key that any row has."""
        self.write(
            f"{name}.json", (json.dumps(plain(rows), ensure_ascii=False, indent=2) + "\n").encode()
        )
        columns = _columns(rows)
        buffer = io.BytesIO()
        with csv_writer(buffer) as writer:
            writer.writerow([spreadsheet_cell(column) for column in columns])
            for row in rows:
                writer.writerow([any_cell(row.get(column)) for column in columns])
        self.write(f"{name}.csv", buffer.getvalue())
