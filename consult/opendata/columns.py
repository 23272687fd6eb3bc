"""The parts of the data dictionary: a table and its columns.

Declared apart from the tables themselves so that each family of tables
(the discussion's in consult.opendata.dictionary, the response form's in
consult.opendata.form_dictionary) can be written in a module of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

# What the JSON files hold for each type; CSV cells are text (see `Column`).
TYPES = ("integer", "string", "date", "datetime", "boolean", "list")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str

    @property
    def csv_type(self) -> str:
        """A list is one CSV cell, its items joined by LIST_SEPARATOR."""
        return "string" if self.type == "list" else self.type

    @property
    def package_type(self) -> str:
        """The Frictionless Table Schema type of the JSON file's field."""
        return "array" if self.type == "list" else self.type


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def files(self) -> tuple[str, str]:
        return f"{self.name}.csv", f"{self.name}.json"


CONSULTATION = Column(
    "consultation_id",
    "integer",
    "The consultation's number on this site (consultations.consultation_id).",
)
WHEN = "ISO 8601, in UTC."
