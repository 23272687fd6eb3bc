"""The data dictionary of a consultation's ZIP describes its Polis files,
column by column: what group-id and groups say when the summary shows no
groups, and what conversation-description holds."""

from __future__ import annotations

import csv
import io
import json

import pytest

from consult.opendata.polis.dictionary import PER_COMMENT, POLIS_FILES_BY_NAME
from tests.opendata.conftest import consultation_zip

pytestmark = pytest.mark.usefixtures("open_data_settings")


def polis_resources(archive) -> dict[str, dict]:
    package = json.loads(archive.read("datapackage.json"))
    return {r["path"]: r for r in package["resources"] if r["path"].startswith("polis/")}


def test_every_polis_column_written_is_described(scene):
    archive = consultation_zip(scene.proposal)
    readme = archive.read("README.md").decode()
    resources = polis_resources(archive)
    assert set(resources) == {f"polis/{name}" for name in POLIS_FILES_BY_NAME}
    for path, resource in resources.items():
        described = {c["name"]: c["description"] for c in resource["polisColumns"]}
        assert all(described.values())
        text = archive.read(path).decode()
        rows = list(csv.reader(io.StringIO(text)))
        if path == "polis/summary.csv":
            written = [key for key, _value in rows]
        else:
            written = [name for name in rows[0] if not name.isdigit()]
        assert written == [name for name in described if name != PER_COMMENT]
        assert f"### `{path}`" in readme
        assert all(f"| `{name}` |" in readme for name in described)
    assert "| key | type | meaning |" in readme
    per_comment = resources["polis/participants-votes.csv"]["polisColumns"][-1]
    assert per_comment["name"] == PER_COMMENT


def test_group_id_and_groups_say_they_are_empty_without_groups(scene):
    archive = consultation_zip(scene.proposal)
    readme = archive.read("README.md").decode()
    resources = polis_resources(archive)
    participants = {
        c["name"]: c["description"]
        for c in resources["polis/participants-votes.csv"]["polisColumns"]
    }
    summary = {c["name"]: c["description"] for c in resources["polis/summary.csv"]["polisColumns"]}
    assert (
        "Empty for every voter when the summary shows no opinion groups"
        in (participants["group-id"])
    )
    assert "as the consultation's summary computes and shows it" in participants["group-id"]
    assert summary["groups"].startswith("How many opinion groups the summary shows. 0 when")
    assert "every group-id is then empty" in summary["groups"]
    assert "empty when it gave none" in summary["conversation-description"]
    for text in (participants["group-id"], summary["groups"], summary["conversation-description"]):
        assert text in readme
