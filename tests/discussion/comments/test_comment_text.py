"""One check of a comment's text for every way in: a NUL character, half a
character (a lone UTF-16 surrogate), no text or too much gets the same clear
message from the form, the socket and the API, and nothing is stored."""

import json
import re
from html import escape
from urllib.parse import urlencode

import pytest
from channels.testing import WebsocketCommunicator

from asgi import application
from consult.api import tokens
from discussion.comments import services
from discussion.models import COMMENT_MAX_LENGTH, Comment
from tests.live_helpers import human, next_message, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NUL = "Before\x00after"
SURROGATE = "Before\ud800after"
NUL_MESSAGE = str(services.NUL_CHARACTER)
SURROGATE_MESSAGE = str(services.LONE_SURROGATE) % {"code": 0xD800}
SURROGATE_PATTERN = re.compile("[\ud800-\udfff]")
TOO_LONG = "x" * (COMMENT_MAX_LENGTH + 1)
TOO_LONG_MESSAGE = str(services.TOO_LONG) % {
    "limit": COMMENT_MAX_LENGTH,
    "length": COMMENT_MAX_LENGTH + 1,
}
REFUSED = [
    (NUL, NUL_MESSAGE),
    (SURROGATE, SURROGATE_MESSAGE),
    ("   ", str(services.EMPTY)),
    (TOO_LONG, TOO_LONG_MESSAGE),
]
REFUSED_IDS = ["nul", "surrogate", "blank", "too-long"]


def test_the_messages_name_the_character():
    assert "U+0000" in NUL_MESSAGE
    assert "U+D800" in SURROGATE_MESSAGE


@pytest.mark.parametrize(
    ("text", "message"),
    [case for case in REFUSED if case[0] != SURROGATE],
    ids=[name for name in REFUSED_IDS if name != "surrogate"],
)
def test_the_form_refuses_with_the_services_words(
    client, open_proposal, section, people, text, message
):
    client.force_login(people.citizen)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/", human(body=text, section=section.pk)
    )
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not Comment.objects.exists()


def test_the_form_cannot_carry_half_a_character(client, open_proposal, section, people):
    """A browser sends a lone surrogate as U+FFFD, and the bytes a surrogate
    would have in UTF-8 are decoded to U+FFFD too: nothing raw is stored."""
    client.force_login(people.citizen)
    form = urlencode(human(section=section.pk))
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        f"{form}&body=Before%ED%A0%80after",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    (stored,) = Comment.objects.values_list("body", flat=True)
    assert stored.startswith("Before\ufffd") and not SURROGATE_PATTERN.search(stored)


def test_the_edit_form_refuses_a_nul_character_with_the_services_words(
    client, open_proposal, people
):
    comment = services.comment_create(actor=people.citizen, proposal=open_proposal, body="Fine")
    client.force_login(people.citizen)
    response = client.post(f"/discussion/comments/{comment.pk}/edit/", {"body": NUL})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Fine"


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=REFUSED_IDS)
async def test_the_socket_refuses_them_with_the_services_words(
    open_proposal, section, people, text, message
):
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = sign_in(
        WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers),
        people.citizen,
    )
    await socket.connect()
    await next_message(socket)
    frame = {**human(), "type": "comment.post", "body": text, "section": section.pk, "ref": "t"}
    # Raw JSON text as a client sends it: "\u0000" and "\ud800" as escapes.
    await socket.send_to(text_data=json.dumps(frame))
    assert await next_message(socket) == {"type": "error", "ref": "t", "message": message}
    await socket.disconnect()
    assert not await Comment.objects.aexists()


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=REFUSED_IDS)
def test_the_api_refuses_them_with_the_services_words(client, open_proposal, people, text, message):
    _token, raw = tokens.token_create(actor=people.citizen, name="script", can_write=True)
    response = client.post(
        f"/api/v1/consultations/{open_proposal.slug}/comments/",
        json.dumps({"body": text}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"body": [message]}
    assert not Comment.objects.exists()
