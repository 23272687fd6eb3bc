"""What goes into a person's "download my data" archive, and writing it.

Every table holds only rows about the person: their account, what they
wrote, voted and asked for. Nothing of anyone else's is copied in (votes
and reports name the comment by its number only, notifications leave out the
words of the reply they announce). Each app lists the rows it owns through
the `personal_data` signal (consult.accounts.signals): the archive is what
they answer, and nothing else.

Each table is written twice: JSON (the values as they are) and CSV (UTF-8
with a byte order mark, text that a spreadsheet would run as a formula
guarded as in the other downloads).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.accounts.signals import personal_data
from consult.infra.tables import TableZip, plain

logger = logging.getLogger(__name__)

Row = dict[str, object]
Progress = Callable[[int], None]

TABLE_NAME = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class Table:
    name: str
    about: str
    rows: list[Row]

    @property
    def files(self) -> tuple[str, str]:
        return f"{self.name}.json", f"{self.name}.csv"


FROM_OTHER_PARTS = _("Kept by another part of the site about you.")


def _received(user: User) -> list[Table]:
    """The tables that the apps hold about the person, each from the app that
    owns the rows, in the order the apps start. A receiver that answers in the
    wrong shape is a fault: the archive fails rather than leaving something
    out unnoticed. Two tables of one name are both kept (the later gets "_2")."""
    tables = []
    taken: set[str] = set()
    for receiver, answer in personal_data.send(sender=User, user=user):
        if answer is None:
            continue
        if not isinstance(answer, dict):
            raise TypeError(f"personal_data receiver {receiver!r} returned {type(answer)}")
        for name, rows in answer.items():
            if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                raise TypeError(f"personal_data table {name!r} is not a list of rows")
            base = TABLE_NAME.sub("_", str(name).lower()).strip("_")[:60] or "data"
            unique, n = base, 2
            while unique in taken:
                unique, n = f"{base}_{n}", n + 1
            taken.add(unique)
            about = getattr(rows, "about", "") or FROM_OTHER_PARTS
            tables.append(Table(unique, str(about), [plain(row) for row in rows]))
    return tables


def collect(user: User, progress: Progress = lambda percent: None) -> list[Table]:
    """Every table of the person's archive (progress up to 80%)."""
    tables = _received(user)
    progress(80)
    return tables


# --- writing -------------------------------------------------------------------------


def write_zip(
    target: BinaryIO, *, user: User, tables: list[Table], progress: Progress = lambda p: None
) -> list[str]:
    """The archive: README.txt, then each table as JSON and CSV. The README is
    written in the active language. Returns the names of the files in it."""
    now = timezone.now()
    with TableZip(target, at=now, mode=0o600) as archive:
        readme = render_to_string(
            "privacy/export_readme.txt",
            {
                "user": user,
                "tables": tables,
                "built_at": plain(now),
                "site": settings.CONSULT_SITE_URL,
            },
        )
        archive.write("README.txt", readme.encode())
        for i, table in enumerate(tables):
            archive.records(table.name, table.rows)
            progress(80 + 19 * (i + 1) // len(tables))
    return archive.names
