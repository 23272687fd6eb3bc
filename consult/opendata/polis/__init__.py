"""Polis-compatible exchange, the export and the import apart.

The files, as Polis writes them (compdemocracy/polis, server `routes/export`):
comments.csv, votes.csv, participants-votes.csv (Polis' server also names it
participant-votes.csv) and summary.csv (key,value lines without a header).
Votes are 1 agree, -1 disagree, 0 pass; timestamps are POSIX seconds (older
exports wrote milliseconds, which the import recognises). What the export
leaves out and why, and what the import skips, is in docs/open-data-polis.md.

- `formats`: the files, their columns and codes, shared by both directions;
- `export`: a consultation's public comments and votes as those files;
- `reading`: an export's files read and every row checked and accounted for;
- `imports`: such an export written as a read-only archive;
- `dictionary`: what each file and column means, for the data dictionary.

Reads and writes go in bulk (value lists, numpy, bulk inserts): nothing here
loads a model instance per row. Import `export`, `reading` and `imports` in a
worker or a command, not in a web process at start-up (they load the numeric
libraries); `formats` and `dictionary` are plain names and text.
"""
