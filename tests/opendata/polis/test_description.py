"""summary.csv's conversation-description: a Polis conversation's own
description comes back as it went in, a consultation made here exports its
summary, and the stand-in the import writes where Polis gave no description
never leaves in an export."""

from __future__ import annotations

import pytest

from consult.opendata.polis.export import export_dir, export_files
from consult.opendata.polis.imports import import_dir
from discussion.comments import services as discussion_services
from proposals.models import SUMMARY_MAX_LENGTH
from proposals.services import drafts as proposal_drafts
from tests.opendata.polis.conftest import HAND_COMMENTS, HAND_VOTES, read_csv, write_dir

pytestmark = pytest.mark.django_db

STAND_IN = "A conversation imported from a Polis export."
# Markdown over several lines, commas, quotes, a link and Chinese, as in the
# descriptions of vTaiwan's and Scoop's published exports; long enough that
# the archive's summary holds only its opening.
DESCRIPTION = (
    "線上叫車創新服務迅速竄起，是否需要遵守相同的法律？\n\n"
    '* [參考資料](https://example.org/a,b) "quoted", with commas\n'
    "* **請用「我覺得...」開頭。**\n\n" + "This HiveMind is  __*closed*__. " * 80
).strip()


def summary_csv(description: str | None) -> str:
    lines = ['topic,"Our streets, our say"', "url,https://pol.is/2demo", "groups,2"]
    if description is not None:
        lines.append('conversation-description,"' + description.replace('"', '""') + '"')
    return "\r\n".join(lines) + "\r\n"


def polis_folder(tmp_path, description: str | None, name: str = "polis"):
    return write_dir(
        tmp_path / name,
        {
            "comments.csv": HAND_COMMENTS,
            "votes.csv": HAND_VOTES,
            "summary.csv": summary_csv(description),
        },
    )


def exported(proposal) -> tuple[dict[str, str], dict[str, bytes]]:
    files = export_files(proposal)
    return dict(read_csv(files["summary.csv"])), files


def test_a_polis_description_comes_back_in_the_export(tmp_path, tree):
    """Import a Polis folder with a description, export it: the same text,
    whole, although the archive's summary holds only its opening."""
    assert len(DESCRIPTION) > SUMMARY_MAX_LENGTH
    archive = import_dir(polis_folder(tmp_path, DESCRIPTION), department=tree.city_office).proposal
    assert archive.summary == DESCRIPTION[:SUMMARY_MAX_LENGTH]
    summary, _files = exported(archive)
    assert summary["conversation-description"] == DESCRIPTION


def test_the_description_survives_a_second_round_trip(tmp_path, tree):
    first = import_dir(polis_folder(tmp_path, DESCRIPTION), department=tree.city_office).proposal
    export_dir(first, tmp_path / "again")
    second = import_dir(tmp_path / "again", department=tree.city_office).proposal
    assert exported(second)[0]["conversation-description"] == DESCRIPTION
    assert second.summary == first.summary


@pytest.mark.parametrize("description", [None, "", "   \r\n  "])
def test_no_description_exports_empty_never_the_stand_in(tmp_path, tree, description):
    """Where Polis gave no description, the archive's summary is a stand-in of
    the import's (a consultation needs one); the export writes the description
    as it came: empty."""
    archive = import_dir(polis_folder(tmp_path, description), department=tree.city_office).proposal
    assert archive.summary == STAND_IN
    assert not archive.current_version.section_versions.exists()
    summary, files = exported(archive)
    assert summary["conversation-description"] == ""
    assert all(STAND_IN.encode() not in content for content in files.values())


def test_the_stand_in_does_not_come_back_after_a_round_trip(tmp_path, tree):
    archive = import_dir(polis_folder(tmp_path, None), department=tree.city_office).proposal
    export_dir(archive, tmp_path / "again")
    again = import_dir(tmp_path / "again", department=tree.city_office).proposal
    assert exported(again)[0]["conversation-description"] == ""


def test_a_consultation_made_here_exports_its_summary(open_proposal):
    summary, files = exported(open_proposal)
    assert open_proposal.summary
    assert summary["conversation-description"] == open_proposal.summary
    assert STAND_IN.encode() not in b"".join(files.values())


def test_a_summary_like_a_formula_is_guarded_and_comes_back(
    open_proposal, people, make_user, tree, tmp_path
):
    proposal_drafts.proposal_update(
        actor=people.official,
        proposal=open_proposal,
        title=open_proposal.title,
        summary="=1+1 is what we ask, plainly.",
        jurisdiction=open_proposal.jurisdiction,
    )
    discussion_services.comment_create(actor=make_user(), proposal=open_proposal, body="Fine.")
    open_proposal.refresh_from_db()
    assert (
        exported(open_proposal)[0]["conversation-description"] == "'=1+1 is what we ask, plainly."
    )
    export_dir(open_proposal, tmp_path / "out")
    archive = import_dir(tmp_path / "out", department=tree.city_office).proposal
    assert archive.summary == "=1+1 is what we ask, plainly."
    assert exported(archive)[0]["conversation-description"] == "'=1+1 is what we ask, plainly."


def test_a_nul_in_the_description_is_dropped_not_a_crash(tmp_path, tree):
    archive = import_dir(
        polis_folder(tmp_path, "Share\x00 the streets."), department=tree.city_office
    ).proposal
    assert archive.summary == "Share the streets."
    assert exported(archive)[0]["conversation-description"] == "Share the streets."


def test_a_description_longer_than_a_section_is_cut_and_said(tmp_path, tree):
    result = import_dir(polis_folder(tmp_path, "x" * 20_005), department=tree.city_office)
    assert any("20005 characters: only the first 20000 were kept" in n for n in result.notes)
    assert exported(result.proposal)[0]["conversation-description"] == "x" * 20_000
