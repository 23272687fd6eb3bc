"""The platform's side of bench/fanout.py: citizens who post through the site,
and the check of what the run counted against the database.

Citizens are signed in through the site's own session store (as
bench/write_path.py does), each with a socket of their own on the proposal
page (`comment.post` frames, as the page's script sends them); a share of
the posts goes through the plain form instead. Both reach the Daphne
processes that hold the listeners. Every post carries a marker in its text,
so that the database says afterwards which comment it became.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import sys
import time
import urllib.parse
from dataclasses import dataclass, field

BODY = "the crossing by the school needs a longer green phase, and **soon**."
# One post in REPLY_EVERY answers the thread's first comment; one in FORM_EVERY
# goes through the plain form rather than the socket.
REPLY_EVERY = 3
FORM_EVERY = 5
UNANSWERED = "no reply within 120 s"


@dataclass(frozen=True)
class Citizen:
    user_id: int
    cookie: str
    csrf: str


@dataclass(frozen=True)
class World:
    proposal_id: int
    slug: str
    section_id: int
    root_id: int
    citizens: list[Citizen]


@dataclass
class Post:
    n: int
    user_id: int
    parent: int | None
    via: str
    marker: str
    sent: float = 0.0
    acked: bool = False
    error: str = ""
    reply_seconds: float = 0.0


@dataclass
class Check:
    """What the database and the listeners' receipts say about a run."""

    latencies: list[float] = field(default_factory=list)
    stored: int = 0
    lost: int = 0
    unanswered: int = 0
    unanswered_stored: int = 0
    problems: list[str] = field(default_factory=list)


def build(citizens: int) -> World:
    """An open consultation, its first comment, and `citizens` people signed in."""
    from allauth.account.models import EmailAddress
    from common import ministry_consultation, signed_in_cookie

    from consult.accounts.models import User
    from discussion.comments.services import comment_create

    proposal = ministry_consultation(title="Busy", password=None)
    section = proposal.sections.get()
    people = [
        User.objects.create_user(f"citizen{i}@example.org", None, display_name=f"Citizen {i}")
        for i in range(citizens + 1)
    ]
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in people
    )
    opener, *people = people
    root = comment_create(actor=opener, proposal=proposal, body="The thread.", section=section)
    # The site's own session engine (bench/common.py): a session it cannot
    # read is a visitor not signed in, whose posts are refused.
    signed_in = [Citizen(user.pk, *signed_in_cookie(user)) for user in people]
    return World(proposal.pk, proposal.slug, section.pk, root.pk, signed_in)


def fill_token() -> str:
    from discussion.comments import limits

    # Drawn a minute ago, as if each citizen had been writing for that long.
    return limits.fill_token(time.time() - 60)


def plan(world: World, prefix: str, rate: float, seconds: float) -> list[Post]:
    """Who posts what, where and how: citizens in turn, some replies, some forms."""
    posts = []
    for n in range(max(1, round(rate * seconds))):
        citizen = world.citizens[n % len(world.citizens)]
        posts.append(
            Post(
                n=n,
                user_id=citizen.user_id,
                parent=world.root_id if n % REPLY_EVERY == REPLY_EVERY - 1 else None,
                via="form" if n % FORM_EVERY == FORM_EVERY - 1 else "socket",
                marker=f"{prefix}-{n}-",
            )
        )
    return posts


class CitizenSocket:
    """One citizen's proposal page: its socket, and the replies awaited by ref."""

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.waiting: dict[str, asyncio.Future] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for text in self.websocket:
                if '"ref"' not in text:
                    continue  # the events every reader gets
                frame = json.loads(text)
                future = self.waiting.pop(str(frame.get("ref")), None)
                if future is not None and not future.done():
                    future.set_result(frame)
        finally:
            for future in self.waiting.values():
                if not future.done():
                    future.set_result({"type": "error", "message": "socket closed"})

    async def ask(self, frame: dict) -> dict:
        future = asyncio.get_running_loop().create_future()
        self.waiting[str(frame["ref"])] = future
        await self.websocket.send(json.dumps(frame))
        return await asyncio.wait_for(future, 120)


async def open_citizen(port: int, world: World, citizen: Citizen) -> CitizenSocket:
    from websockets.asyncio.client import connect

    websocket = await connect(
        f"ws://127.0.0.1:{port}/ws/proposals/{world.proposal_id}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": citizen.cookie},
        compression=None,
        proxy=None,
        ping_interval=None,
        open_timeout=120,
        max_size=2**22,
    )
    hello = json.loads(await websocket.recv())
    while hello.get("type") == "viewers":
        hello = json.loads(await websocket.recv())
    if hello.get("type") != "hello" or "me" not in hello:
        raise RuntimeError(f"citizen {citizen.user_id} is not signed in on the socket: {hello}")
    return CitizenSocket(websocket)


def form_post(port: int, world: World, citizen: Citizen, post: Post, token: str) -> str:
    """The plain form, as a browser without JavaScript sends it; "" when accepted."""
    fields = {
        "csrfmiddlewaretoken": citizen.csrf,
        "body": post.marker + BODY,
        "section": "" if post.parent else world.section_id,
        "parent": post.parent or "",
        "started": token,
        "website": "",
    }
    headers = {"Cookie": citizen.cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        path = f"/consultations/{world.slug}/comments/"
        connection.request("POST", path, urllib.parse.urlencode(fields), headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    location = response.getheader("Location") or ""
    if response.status != 302 or "/accounts/login" in location:
        return f"HTTP {response.status} {location}"[:100]
    return ""


async def post_through_site(
    ports: list[int], world: World, prefix: str, rate: float, seconds: float
) -> list[Post]:
    """Every planned post at its time, each citizen's socket on the server its
    turn gives it; returns the posts with their start, acknowledgement and error."""
    posts = plan(world, prefix, rate, seconds)
    citizens = {c.user_id: (i, c) for i, c in enumerate(world.citizens)}
    gate = asyncio.Semaphore(10)

    async def open_one(i: int, citizen: Citizen) -> CitizenSocket:
        async with gate:
            for attempt in range(3):
                try:
                    return await open_citizen(ports[i % len(ports)], world, citizen)
                except Exception as error:
                    # A page whose socket is refused retries, as the browser does.
                    print(f"  citizen {citizen.user_id}: {error}, again", file=sys.stderr)
                    await asyncio.sleep(1 + attempt)
            return await open_citizen(ports[i % len(ports)], world, citizen)

    sockets = await asyncio.gather(*(open_one(i, c) for i, c in citizens.values()))
    token = fill_token()
    loop = asyncio.get_running_loop()

    async def send(post: Post) -> None:
        index, citizen = citizens[post.user_id]
        post.sent = time.time()
        try:
            if post.via == "form":
                port = ports[post.n % len(ports)]
                post.error = await loop.run_in_executor(
                    None, form_post, port, world, citizen, post, token
                )
            else:
                frame = {
                    "type": "comment.post",
                    "ref": str(post.n),
                    "body": post.marker + BODY,
                    "section": None if post.parent else world.section_id,
                    "parent": post.parent,
                    "started": token,
                    "website": "",
                }
                reply = await sockets[index].ask(frame)
                if reply.get("type") != "ok" or reply.get("held"):
                    post.error = f"{reply.get('type')}: {reply.get('message', 'held')}"[:100]
        except TimeoutError:
            post.error = UNANSWERED
        except Exception as error:
            post.error = f"{type(error).__name__}: {error}"[:100]
        post.acked = not post.error
        post.reply_seconds = time.time() - post.sent

    start, pending = time.monotonic(), []
    for post in posts:
        delay = start + post.n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        pending.append(asyncio.create_task(send(post)))
    await asyncio.gather(*pending)
    for socket in sockets:
        await socket.websocket.close()
    return posts


def verify(
    world: World, prefix: str, posts: list[Post], dumps: list[dict], expected_sockets: int
) -> Check:
    """Each acknowledged post stored once, by its citizen, under its parent,
    with one comment.created event; each listener got every such event once,
    in the order of the log. Latency: from the post's start to each receipt."""
    from discussion.models import Comment, Event

    check = Check()
    rows = Comment.objects.filter(proposal_id=world.proposal_id, body__startswith=f"{prefix}-")
    by_marker: dict[str, list[tuple]] = {}
    for row in rows.values_list("pk", "body", "author_id", "parent_id", "section_id", "held_at"):
        by_marker.setdefault(row[1].split("-", 2)[1], []).append(row)
    events = dict(
        Event.objects.filter(proposal_id=world.proposal_id, type="comment.created").values_list(
            "payload__id", "seq"
        )
    )
    sent_at: dict[int, float] = {}
    for post in posts:
        found = by_marker.pop(str(post.n), [])
        if not post.acked:
            if post.error == UNANSWERED:
                # No reply in time: stored or not, the citizen cannot tell (no failure here).
                check.unanswered += 1
                check.unanswered_stored += bool(found)
            elif found:
                check.problems.append(f"post {post.n} was refused ({post.error}) but stored")
            continue
        if len(found) != 1:
            check.problems.append(f"post {post.n} acknowledged, stored {len(found)} times")
            continue
        pk, _body, author, parent, section, held = found[0]
        if author != post.user_id or parent != post.parent or held:
            check.problems.append(
                f"post {post.n} stored as comment {pk} by {author} under {parent}"
                f" (held {held}), sent by {post.user_id} under {post.parent}"
            )
        elif post.parent is None and section != world.section_id:
            check.problems.append(f"post {post.n} stored in section {section}")
        elif pk not in events:
            check.problems.append(f"comment {pk} (post {post.n}) has no comment.created event")
        else:
            sent_at[pk] = post.sent
    if by_marker:
        check.problems.append(f"{len(by_marker)} comments stored that no post sent")
    check.stored = len(sent_at)
    _check_receipts(check, dumps, sent_at, events, expected_sockets)
    return check


def _check_receipts(check: Check, dumps: list[dict], sent_at, events, expected: int) -> None:
    sockets = [socket for dump in dumps for socket in dump["sockets"]]
    check.lost += len(sent_at) * max(0, expected - len(sockets))
    disordered = doubled = 0
    for keys, seqs, times in sockets:
        seen = set()
        for key, seq, received in zip(keys, seqs, times, strict=True):
            if key in seen:
                doubled += 1
            elif key in sent_at:
                seen.add(key)
                check.latencies.append((received - sent_at[key]) * 1000)
            if events.get(key) != seq:
                check.problems.append(f"event of comment {key} came with seq {seq}")
        if seqs != sorted(seqs):
            if not disordered:
                check.problems.append(f"a listener received the sequence numbers {seqs[:40]}")
            disordered += 1
        check.lost += len(set(sent_at) - seen)
    if doubled:
        check.problems.append(f"{doubled} events received twice by the same listener")
    if disordered:
        check.problems.append(f"{disordered} listeners received events out of order")
    if check.lost:
        check.problems.append(f"{check.lost:,} (listener, comment) receipts missing")
