"""One subscription per proposal per server process.

Channels' usual pattern gives every socket its own channel on the layer: an
event to two thousand readers becomes two thousand deliveries, each through
the consumer's dispatch. Here a process subscribes once per proposal that
has readers on it, and writes each event, already encoded, straight to its
own sockets in one pass (bench/fanout.py measures the difference). Sockets
still have their own channels for what is theirs alone (a notification, a
forced sign-out).

Under Daphne the pass frames each text once per language and hands the same
bytes to every socket's transport; elsewhere (a test's communicator) it goes
through the socket's ASGI send.

Events go out in the order of their sequence numbers, every one to every
reader: two posts committed a moment apart (two threads, two processes) may
reach the layer the other way round, and a page that sees a later number
first takes it for a gap and reconnects. So an event that overtook an
earlier one waits here for it, REORDER_SECONDS at most (longer while the
loop lags); after that it goes out anyway and the page catches up from the
log. Viewer counts carry no sequence number and only the latest matters: when
several arrive while a pass is still writing, the readers get the last one.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import time
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# One hub per event loop: the layer's connections belong to the loop that made them.
_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# How often the loop's lag is sampled, and how long a lag is remembered.
LAG_SAMPLE_SECONDS = 0.25
LAG_MEMORY_SECONDS = 10.0
_lag = {"seconds": 0.0, "at": 0.0}
# How long an event waits for one that it overtook on the way.
REORDER_SECONDS = 1.0
_SEQ = re.compile(r'^\{"type":"[^"]*","seq":(\d+)[,}]')


def hub() -> ProposalHub:
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = ProposalHub()
    return found


def loop_lag() -> float:
    """How far behind this process's event loop has lately been, in seconds:
    the worst lateness of a timer in the last few seconds (0.0 where no hub
    runs). Read from any thread; tallies and viewer counts wait longer by it."""
    if time.monotonic() - _lag["at"] > LAG_MEMORY_SECONDS:
        return 0.0
    return _lag["seconds"]


def note_lag(seconds: float, now: float | None = None) -> None:
    """Remember one measured lateness: the worst of the remembered window."""
    now = time.monotonic() if now is None else now
    if seconds >= loop_lag() or now - _lag["at"] > LAG_MEMORY_SECONDS:
        _lag["seconds"], _lag["at"] = seconds, now


def stretch(window: float, *, most: float = 8.0) -> float:
    """A coalescing window widened by the process's lag: a process that falls
    behind sends fewer tallies and counts, so that the comments it must never
    drop get its time. At no lag the window itself; at most `most` times it."""
    if window <= 0:
        return window
    return min(window * most, window + 4 * loop_lag())


async def _watch_lag() -> None:
    while True:
        due = time.monotonic() + LAG_SAMPLE_SECONDS
        await asyncio.sleep(LAG_SAMPLE_SECONDS)
        note_lag(max(0.0, time.monotonic() - due))


def frames_of(message: dict) -> dict[str, str] | None:
    """The text a group message puts on readers' sockets, by language."""
    if message.get("type") == "proposal.event":
        texts = message.get("texts")
        if texts is None:
            # A process still running the previous release sends one text, or
            # the payload unencoded.
            text = message.get("text")
            if text is None:
                text = json.dumps(message.get("payload") or {}, separators=(",", ":"))
            texts = {settings.LANGUAGE_CODE: text}
        return texts
    if message.get("type") == "proposal.viewers":
        # Presence is ephemeral: no sequence number, never replayed.
        return {
            settings.LANGUAGE_CODE: json.dumps({"type": "viewers", "count": message.get("count")})
        }
    return None


def reorder_seconds() -> float:
    """How long an event waits for one it overtook: longer while the loop lags,
    since the missing one is then most likely late, not lost."""
    return stretch(REORDER_SECONDS)


def seq_of(message: dict, texts: dict[str, str]) -> int | None:
    """An event's sequence number: sent beside the texts, or read from the start
    of one (events.message puts it second); None for what has none."""
    seq = message.get("seq")
    if isinstance(seq, int):
        return seq
    found = _SEQ.match(next(iter(texts.values()), ""))
    return int(found.group(1)) if found else None


class Order:
    """One group's events put back in sequence: `arrived` gives what may go out
    now, in order; `expired` what has waited long enough for a missing one."""

    def __init__(self) -> None:
        self.next: int | None = None
        self.waiting: dict[int, dict[str, str]] = {}
        self.since = 0.0
        self.timer: asyncio.Task | None = None

    def arrived(self, seq: int | None, texts: dict[str, str], now: float) -> list:
        if seq is None or (self.next is None and not self.waiting):
            if seq is not None:
                self.next = seq + 1
            return [texts]
        if self.next is not None and seq < self.next:
            return [texts]  # later than one sent after it: the page skips or replays
        if not self.waiting:
            self.since = now
        self.waiting[seq] = texts
        return self._ready(now)

    def expired(self, now: float) -> list:
        if not self.waiting or now - self.since < reorder_seconds():
            return []
        # The missing event is lost to this process: on with the rest.
        self.next = min(self.waiting)
        return self._ready(now)

    def _ready(self, now: float) -> list:
        out = []
        while self.next in self.waiting:
            out.append(self.waiting.pop(self.next))
            self.next += 1
        if out and self.waiting:
            self.since = now  # the next gap waits its own time
        return out


def direct_writer(consumer):
    """Where the socket's bytes go without the ASGI send, under Daphne: its
    WebSocket protocol, which takes a message framed once for every reader.
    None elsewhere (then the consumer's own send is used). Read from the
    socket's own send (`transport`), not `base_send`, which points elsewhere
    while the socket opens (see ProposalConsumer.hold)."""
    send = getattr(consumer, "transport", None) or getattr(consumer, "base_send", None)
    # The session middleware wraps the send; it acts on HTTP responses only.
    for _wrapper in range(4):
        inner = getattr(getattr(send, "__self__", None), "real_send", None)
        if inner is None:
            break
        send = inner
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    if getattr(send.func, "__name__", "") != "handle_reply":
        return None
    protocol = send.args[0]
    if not hasattr(protocol, "sendPreparedMessage") or not hasattr(protocol, "STATE_OPEN"):
        return None
    return protocol


def send_frame(protocol, frame) -> None:
    """Write a framed event to one server socket: straight to the socket when
    nothing is waiting to go before it, as asyncio's own transports do.

    Twisted queues every write and sends it on the reactor's next turn: two
    epoll changes and a pass through its writer for each socket and frame,
    most of the cost of a frame at thousands of readers (docs/benchmarks.md,
    the fan-out profile). Whatever the socket does not take at once, or any
    socket with bytes already queued, compression, or a transport that is not
    plain TCP (TLS), goes the usual way, so the order of bytes never changes.
    """
    transport = getattr(protocol, "transport", None)
    sock = getattr(transport, "socket", None)
    try:
        usual = (
            sock is None
            or getattr(protocol, "_perMessageCompress", None) is not None
            or getattr(protocol, "send_queue", True)
            or not isinstance(transport, _TCP)
            or not transport.connected
            or transport.disconnecting
            or transport._writeDisconnected
            or transport._tempDataBuffer
            or len(transport.dataBuffer) > transport.offset
        )
    except AttributeError:  # a Twisted whose connections keep their queue elsewhere
        usual = True
    if usual:
        protocol.sendPreparedMessage(frame)
        return
    data = frame.payloadHybi
    try:
        sent = sock.send(data)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        # Gone (reset, broken pipe): Twisted finds out on its own write and
        # closes the socket as it always does.
        transport.write(data)
        return
    if sent < len(data):
        transport.write(data[sent:])


def _tcp_connection():
    try:
        from twisted.internet.tcp import Connection
    except ImportError:  # not under Daphne: every socket goes the usual way
        return ()
    return Connection


_TCP = _tcp_connection()


def prepared(text: str):
    """A text frame built once, for sendPreparedMessage on any server socket."""
    from autobahn.websocket.protocol import PreparedMessage

    return PreparedMessage(text.encode(), False, False, True)


class Pass:
    """One event's frames for each kind of socket, built on first need."""

    __slots__ = ("fallback", "frames", "messages", "texts")

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.fallback = texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))
        self.frames: dict[str, object] = {}
        self.messages: dict[str, dict] = {}

    def text(self, language: str) -> str:
        return self.texts.get(language, self.fallback)

    def frame(self, language: str):
        found = self.frames.get(language)
        if found is None:
            found = self.frames[language] = prepared(self.text(language))
        return found

    def message(self, language: str) -> dict:
        found = self.messages.get(language)
        if found is None:
            found = self.messages[language] = {
                "type": "websocket.send",
                "text": self.text(language),
            }
        return found


class ProposalHub:
    def __init__(self) -> None:
        self.members: dict[str, dict] = {}
        self.readers: dict[str, tuple[asyncio.Task, str]] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        # The latest viewer count not yet written, per group.
        self.viewers: dict[str, dict[str, str]] = {}
        self.orders: dict[str, Order] = {}
        self.pending: set[asyncio.Task] = set()
        self.lag_watch: asyncio.Task | None = None

    async def join(self, group: str, consumer) -> None:
        """Add a socket to the group; returns once events of the group reach it."""
        if self.lag_watch is None:
            self.lag_watch = asyncio.ensure_future(_watch_lag())
        async with self.locks.setdefault(group, asyncio.Lock()):
            self.members.setdefault(group, {})[consumer] = direct_writer(consumer)
            if group not in self.readers:
                layer = get_channel_layer()
                channel = await layer.new_channel(prefix="hub.")
                await layer.group_add(group, channel)
                task = asyncio.ensure_future(self._read(layer, group, channel))
                self.readers[group] = (task, channel)

    async def leave(self, group: str, consumer) -> None:
        async with self.locks.setdefault(group, asyncio.Lock()):
            members = self.members.get(group, {})
            members.pop(consumer, None)
            if members or group not in self.readers:
                return
            task, channel = self.readers.pop(group)
            self.members.pop(group, None)
            self.viewers.pop(group, None)
            self.orders.pop(group, None)
            task.cancel()
            try:
                await get_channel_layer().group_discard(group, channel)
            except Exception:  # the subscription ends with the connection anyway
                logger.warning("leaving the layer group %s failed", group)

    async def _read(self, layer, group: str, channel: str) -> None:
        order = self.orders.setdefault(group, Order())
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis away: readers notice the gap at the next event and catch up.
                logger.warning("live events of %s paused: the channel layer failed", group)
                await asyncio.sleep(1)
                continue
            texts = frames_of(message)
            if texts is None:
                continue
            if message.get("type") == "proposal.viewers":
                self._viewers_later(group, texts)
                continue
            for ready in order.arrived(seq_of(message, texts), texts, time.monotonic()):
                await self.write(group, ready)
            if order.waiting and not order.timer:
                order.timer = asyncio.ensure_future(self._expire(group, order))

    async def _expire(self, group: str, order: Order) -> None:
        """Once the oldest waiting event has waited its time, send what waits."""
        try:
            while order.waiting:
                await asyncio.sleep(max(0.0, order.since + reorder_seconds() - time.monotonic()))
                for texts in order.expired(time.monotonic()):
                    await self.write(group, texts)
        finally:
            order.timer = None

    def _viewers_later(self, group: str, texts: dict[str, str]) -> None:
        """Keep the newest count; one task writes it once the loop gets to it,
        so counts that pile up behind a busy pass are sent as one."""
        waiting = group in self.viewers
        self.viewers[group] = texts
        if not waiting:
            task = asyncio.ensure_future(self._write_viewers(group))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    async def _write_viewers(self, group: str) -> None:
        await asyncio.sleep(0)
        texts = self.viewers.pop(group, None)
        if texts is not None:
            await self.write(group, texts)

    async def write(self, group: str, texts: dict[str, str]) -> int:
        """Every reader of the group gets the text in its language; how many did."""
        one = Pass(texts)
        # A reader whose opening or catch-up already carried this event (read
        # from the log while the event was on its way here) is not sent it again.
        seq = seq_of({}, texts)
        written = 0
        for consumer, protocol in list(self.members.get(group, {}).items()):
            if seq is not None and seq <= getattr(consumer, "sent_seq", 0):
                continue
            language = consumer.reader_language
            try:
                if protocol is None or consumer.base_send is not consumer.transport:
                    # Outside Daphne, or still opening: held until its hello has gone.
                    await consumer.base_send(one.message(language))
                elif protocol.state == protocol.STATE_OPEN:
                    send_frame(protocol, one.frame(language))
                else:
                    continue  # closing: its disconnect takes it out of the group
                written += 1
            except Exception:  # a socket closing as we write: its disconnect cleans up
                logger.debug("a reader of %s went away mid-write", group)
        return written
