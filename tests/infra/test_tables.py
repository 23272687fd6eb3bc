"""The one writer of a ZIP of tables: CSV with spreadsheet-safe cells and a
byte order mark, JSON as written, every entry stamped with a stable time."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest

from consult.infra.tables import TableZip, csv_writer

# Even seconds: a ZIP keeps a time to two seconds.
AT = datetime(2026, 3, 4, 5, 6, 8, tzinfo=UTC)
COLUMNS = [
    ("id", "integer"),
    ("text", "string"),
    ("at", "datetime"),
    ("day", "date"),
    ("tags", "list"),
    ("shown", "boolean"),
]
ROWS = [
    (
        1,
        "=SUM(A1)",
        datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=UTC),
        date(2026, 1, 2),
        ["a", "b"],
        True,
    ),
    (2, None, None, None, [], False),
]


def written(**options) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with TableZip(buffer, at=AT, **options) as archive:
        assert archive.table("things", COLUMNS, ROWS) == 2
        archive.records(
            "people", [{"name": "+Ada", "when": AT}, {"name": "Bo", "tags": [1, {"x": 2}]}]
        )
        archive.write("README.md", b"hello")
    return zipfile.ZipFile(buffer)


def test_a_table_is_written_as_csv_and_json_with_guarded_cells():
    archive = written()
    assert (
        archive.read("things.csv")
        == (
            "\ufeffid,text,at,day,tags,shown\r\n"
            "1,'=SUM(A1),2026-01-02T03:04:05+00:00,2026-01-02,a; b,True\r\n"
            "2,,,,,False\r\n"
        ).encode()
    )
    assert json.loads(archive.read("things.json")) == [
        {
            "id": 1,
            "text": "=SUM(A1)",
            "at": "2026-01-02T03:04:05+00:00",
            "day": "2026-01-02",
            "tags": ["a", "b"],
            "shown": True,
        },
        {"id": 2, "text": None, "at": None, "day": None, "tags": [], "shown": False},
    ]


def test_records_keep_each_row_as_it_is_and_take_every_key_as_a_column():
    archive = written()
    rows = [
        {"name": "+Ada", "when": "2026-03-04T05:06:08+00:00"},
        {"name": "Bo", "tags": [1, {"x": 2}]},
    ]
    assert archive.read("people.json") == (json.dumps(rows, indent=2) + "\n").encode()
    assert (
        archive.read("people.csv")
        == (
            '\ufeffname,when,tags\r\n\'+Ada,2026-03-04T05:06:08+00:00,\r\nBo,,"1; {""x"": 2}"\r\n'
        ).encode()
    )


def test_every_entry_has_the_stable_time_and_mode_in_the_order_written():
    archive = written(mode=0o600)
    assert archive.namelist() == [
        "things.csv",
        "things.json",
        "people.json",
        "people.csv",
        "README.md",
    ]
    for info in archive.infolist():
        assert info.date_time == (2026, 3, 4, 5, 6, 8)
        assert info.external_attr >> 16 == 0o600
        assert info.compress_type == zipfile.ZIP_DEFLATED
    assert archive.testzip() is None


def test_progress_is_told_the_rows_written():
    told = []
    written(progress=told.append)
    assert told == [2]


def test_a_row_of_the_wrong_width_is_refused():
    with (
        pytest.raises(ValueError, match="a row of 1 values for 6 columns"),
        TableZip(io.BytesIO(), at=AT) as archive,
    ):
        archive.table("things", COLUMNS, [(1,)])


def test_the_csv_writer_leaves_its_stream_open():
    stream = io.BytesIO()
    with csv_writer(stream, bom=False, line_end="\n") as writer:
        writer.writerow(["a", 1])
    stream.write(b"more")
    assert stream.getvalue() == b"a,1\nmore"
