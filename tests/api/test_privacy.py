"""Nothing that is not public leaves through the API: hidden, held and deleted
comments, emails, names, drafts and the draft text being edited."""

from __future__ import annotations

import json
import re

import pytest

from consult.opendata import pseudonyms
from proposals.services import drafts
from proposals.services import versions as proposal_versions
from tests.api.conftest import SECRET_WORDS

pytestmark = pytest.mark.django_db


def crawl(client, start: str) -> bytes:
    """Every page of a list, and every link the API gives, as raw bytes."""
    seen, out, todo = set(), [], [start]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.content)
        out.append(response.content)
        data = json.loads(response.content)
        if isinstance(data, dict):
            if data.get("next"):
                todo.append(data["next"])
            for row in data.get("results", [data]):
                for link in (row.get("links") or {}).values():
                    if link and "/api/v1/" in link:
                        todo.append(link)
    return b"\n".join(out)


def test_only_public_comments_and_no_personal_data_anywhere(client_api, thread, open_proposal):
    everything = crawl(client_api, "http://testserver/api/v1/consultations/")
    for comment in (thread.hidden, thread.held, thread.deleted):
        assert client_api.get(f"/api/v1/comments/{comment.pk}/").status_code == 404
        everything += client_api.get(f"/api/v1/comments/{comment.pk}/").content
    everything += client_api.get(f"/api/v1/comments/{thread.public.pk}/").content
    text = everything.decode()
    for words in SECRET_WORDS.values():
        assert words not in text
    for secret in ("writer.secret", "replier.secret", "Writer-Secret", "Replier-Secret", "@"):
        assert secret not in text
    listed = json.loads(
        client_api.get(f"/api/v1/consultations/{open_proposal.slug}/comments/").content
    )
    assert [c["id"] for c in listed["results"]] == [thread.public.pk, thread.reply.pk]
    first = listed["results"][0]
    assert first["author"] == pseudonyms.author(open_proposal.pk, thread.public.author_id)
    # A keyed hash: its shape alone, nothing of the account in it.
    assert re.fullmatch(r"a-[a-z2-7]{12}", first["author"])
    # Two people, two pseudonyms; one person, one pseudonym within the consultation.
    assert listed["results"][1]["author"] != first["author"]
    again = json.loads(client_api.get(f"/api/v1/comments/{thread.public.pk}/").content)
    assert again["author"] == first["author"]


def test_pseudonyms_differ_between_consultations_and_from_voter_pseudonyms(thread):
    user = thread.public.author_id
    proposal = thread.public.proposal_id
    assert pseudonyms.author(proposal, user) == pseudonyms.author(proposal, user)
    assert pseudonyms.author(proposal, user) != pseudonyms.author(proposal + 1, user)
    assert pseudonyms.author(proposal, user)[2:] != pseudonyms.voter(proposal, user)[2:]


def test_draft_text_being_edited_never_appears_until_published(client_api, open_proposal, people):
    section = open_proposal.sections.order_by("order").first()
    drafts.section_update(
        actor=people.official, section=section, heading="Purpose", body="UNPUBLISHED-EDIT-quokka"
    )
    drafts.section_add(
        actor=people.official, proposal=open_proposal, heading="UNPUBLISHED-SECTION", body="x"
    )
    pages = b"".join(
        client_api.get(f"/api/v1/consultations/{open_proposal.slug}/{tail}").content
        for tail in ("", "versions/", "stances/")
    )
    assert b"UNPUBLISHED" not in pages
    proposal_versions.version_publish(
        actor=people.official, proposal=open_proposal, change_note="v2"
    )
    versions = client_api.get(f"/api/v1/consultations/{open_proposal.slug}/versions/").content
    assert b"UNPUBLISHED-EDIT-quokka" in versions


def test_a_draft_consultation_and_its_report_are_not_found(client_api, draft):
    for tail in ("", "comments/", "versions/", "stances/", "responses/", "report/"):
        response = client_api.get(f"/api/v1/consultations/{draft.slug}/{tail}")
        assert response.status_code == 404, tail


def test_a_moderators_or_officials_token_sees_no_more_than_anyone(
    client_api, thread, open_proposal, people, token_for
):
    anonymous = client_api.get(f"/api/v1/consultations/{open_proposal.slug}/comments/").content
    for person in (people.moderator, people.official):
        seen = client_api.get(
            f"/api/v1/consultations/{open_proposal.slug}/comments/", **token_for(person)
        ).content
        assert seen == anonymous
        held = client_api.get(f"/api/v1/comments/{thread.held.pk}/", **token_for(person))
        assert held.status_code == 404
    # Even the held comment's own author does not read it back through the API.
    author = thread.held.author
    assert (
        client_api.get(f"/api/v1/comments/{thread.held.pk}/", **token_for(author)).status_code
        == 404
    )
