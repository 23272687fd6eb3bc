"""The hub under load: comment events reach every reader once and in the
order of the log, even when they reach the process the other way round;
viewer counts that pile up go out as the newest one; tallies and counts
wait longer while the process lags."""

import asyncio
import json

from discussion.live import hub as hub_module
from discussion.live import presence, tallies
from discussion.live.hub import Order, ProposalHub, loop_lag, note_lag, seq_of, stretch


def event(seq: int) -> dict:
    text = json.dumps({"type": "comment.created", "seq": seq, "id": seq}, separators=(",", ":"))
    return {"type": "proposal.event", "texts": {"en": text}}


def viewers(count: int) -> dict:
    return {"type": "proposal.viewers", "count": count}


class Reader:
    """A socket as the hub sees it, outside Daphne: its ASGI send."""

    reader_language = "en"

    def __init__(self) -> None:
        self.frames: list[dict] = []

    async def base_send(self, message: dict) -> None:
        self.frames.append(json.loads(message["text"]))

    def seqs(self) -> list[int]:
        return [frame["seq"] for frame in self.frames if "seq" in frame]

    def counts(self) -> list[int]:
        return [frame["count"] for frame in self.frames if frame["type"] == "viewers"]


class Layer:
    """A channel layer that delivers the messages it is given, in that order."""

    def __init__(self, messages: list[dict]) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        for message in messages:
            self.queue.put_nowait(message)

    async def receive(self, channel: str) -> dict:
        return await self.queue.get()


async def fan_out(messages: list[dict], readers: list[Reader], wait: float = 0.05) -> None:
    hub = ProposalHub()
    group = "proposal.1"
    hub.members[group] = {reader: None for reader in readers}
    task = asyncio.ensure_future(hub._read(Layer(messages), group, "hub.1"))
    await asyncio.sleep(wait)
    task.cancel()


def test_the_sequence_number_is_read_from_the_encoded_event():
    assert seq_of({}, event(41)["texts"]) == 41
    assert seq_of({"seq": 7}, {"en": "{}"}) == 7
    assert seq_of({}, {"en": '{"type":"viewers","count":3}'}) is None


async def test_an_event_that_overtook_an_earlier_one_waits_for_it():
    readers = [Reader(), Reader()]
    await fan_out([event(1), event(3), event(2), event(4)], readers)
    assert [reader.seqs() for reader in readers] == [[1, 2, 3, 4], [1, 2, 3, 4]]


async def test_a_missing_event_holds_the_rest_only_for_a_moment(monkeypatch):
    monkeypatch.setattr(hub_module, "REORDER_SECONDS", 0.1)
    reader = Reader()
    await fan_out([event(1), event(3), event(4)], [reader], wait=0.02)
    assert reader.seqs() == [1]
    reader = Reader()
    await fan_out([event(1), event(3), event(4)], [reader], wait=0.3)
    # The page sees the gap and catches up from the log; nothing is dropped or reordered.
    assert reader.seqs() == [1, 3, 4]


def test_an_event_older_than_one_already_sent_still_goes_out():
    order = Order()
    assert order.arrived(5, {"en": "5"}, now=0.0) == [{"en": "5"}]
    assert order.arrived(7, {"en": "7"}, now=0.1) == []
    assert order.expired(now=0.2) == []
    assert order.expired(now=5.0) == [{"en": "7"}]
    assert order.arrived(6, {"en": "6"}, now=5.1) == [{"en": "6"}]
    assert order.next == 8


async def test_a_reader_is_not_sent_an_event_its_opening_already_carried():
    # Its opening read events 1 to 3 from the log; their live copies arrive late.
    opened, live = Reader(), Reader()
    opened.sent_seq = 3
    await fan_out([event(2), event(3), event(4), viewers(9)], [opened, live])
    assert opened.seqs() == [4]
    assert live.seqs() == [2, 3, 4]
    # Viewer counts carry no number and go to both.
    assert opened.counts() == live.counts() == [9]


async def test_viewer_counts_that_pile_up_go_out_as_the_newest():
    reader = Reader()
    await fan_out([viewers(3), viewers(4), viewers(5), event(1), viewers(6)], [reader])
    assert reader.counts() == [6]
    assert reader.seqs() == [1]


async def test_viewer_counts_never_hold_back_or_reorder_comment_events():
    reader = Reader()
    messages = [event(1), viewers(2), event(2), viewers(3), event(3)]
    await fan_out(messages, [reader])
    assert reader.seqs() == [1, 2, 3]
    assert reader.counts() == [3]


def test_a_lagging_process_coalesces_harder(settings, monkeypatch):
    settings.CONSULT_TALLY_WINDOW_SECONDS = 0.4
    settings.CONSULT_VIEWERS_WINDOW_SECONDS = 2.0
    monkeypatch.setattr(hub_module, "_lag", {"seconds": 0.0, "at": 0.0})
    assert tallies.window_seconds() == 0.4
    assert presence.window_seconds() == 2.0
    note_lag(0.25)
    assert loop_lag() == 0.25
    assert tallies.window_seconds() == 0.4 + 4 * 0.25
    note_lag(1.0)
    assert tallies.window_seconds() == 0.4 * 8  # at most eight times the window
    assert presence.window_seconds() == 2.0 + 4 * 1.0
    # A lag is forgotten once the loop has kept up for a while.
    note_lag(0.0, now=hub_module._lag["at"] + hub_module.LAG_MEMORY_SECONDS + 1)
    assert loop_lag() == 0.0
    assert presence.window_seconds() == 2.0


def test_a_window_of_zero_stays_zero_however_late(monkeypatch):
    monkeypatch.setattr(hub_module, "_lag", {"seconds": 3.0, "at": 10**12})
    assert stretch(0) == 0


async def test_the_hub_measures_its_loops_lag(monkeypatch):
    monkeypatch.setattr(hub_module, "LAG_SAMPLE_SECONDS", 0.01)
    monkeypatch.setattr(hub_module, "_lag", {"seconds": 0.0, "at": 0.0})
    watch = asyncio.ensure_future(hub_module._watch_lag())
    await asyncio.sleep(0.02)
    import time

    time.sleep(0.2)  # the loop is blocked, as by a long pass
    await asyncio.sleep(0.03)
    watch.cancel()
    assert loop_lag() >= 0.15


def test_under_daphne_the_hub_finds_the_socket_behind_the_session_wrapper():
    import functools

    class Protocol:
        STATE_OPEN = 3
        state = 3

        def sendPreparedMessage(self, message) -> None:  # autobahn's name
            self.sent = message

    class Server:
        async def handle_reply(self, protocol, message) -> None:
            pass

    class SessionWrapper:
        def __init__(self, send) -> None:
            self.real_send = send

        async def send(self, message) -> None:
            await self.real_send(message)

    protocol = Protocol()
    reader = Reader()
    reader.base_send = SessionWrapper(functools.partial(Server().handle_reply, protocol)).send
    assert hub_module.direct_writer(reader) is protocol
    assert hub_module.direct_writer(Reader()) is None


async def test_a_socket_that_joined_while_holding_gets_frames_built_once_after_its_hello():
    """A proposal socket joins the hub while it holds the stream back (its
    hello not yet sent): the hub still finds Daphne behind it, sends through
    the hold until the socket lets go, and framed once after."""
    import functools

    class Protocol:
        STATE_OPEN = 3
        state = 3

        def __init__(self) -> None:
            self.frames = []

        def sendPreparedMessage(self, message) -> None:  # autobahn's name
            self.frames.append(message)

    class Server:
        async def handle_reply(self, protocol, message) -> None:
            raise AssertionError("framed per socket through the ASGI send")

    protocol = Protocol()
    socket = Reader()
    socket.sent_seq = 0
    socket.transport = functools.partial(Server().handle_reply, protocol)
    held = []

    async def hold(message):
        held.append(json.loads(message["text"])["seq"])

    socket.base_send = hold  # opening: its hello has not gone yet
    hub = ProposalHub()
    hub.members["proposal.1"] = {socket: hub_module.direct_writer(socket)}
    assert hub.members["proposal.1"][socket] is protocol
    await hub.write("proposal.1", event(1)["texts"])
    assert held == [1] and protocol.frames == []
    socket.base_send = socket.transport  # the hello and the replay have gone
    await hub.write("proposal.1", event(2)["texts"])
    assert held == [1] and len(protocol.frames) == 1


# --- Writing a frame straight to the socket --------------------------------------------


class _Reactor:
    """Just enough reactor for a Twisted connection to queue a write."""

    def __init__(self) -> None:
        self.writers: set = set()

    def addWriter(self, writer) -> None:
        self.writers.add(writer)

    def removeWriter(self, writer) -> None:
        self.writers.discard(writer)


class _Socket:
    """A server socket as autobahn sees it: the prepared frames it was asked to send."""

    STATE_OPEN = 3
    state = 3
    _perMessageCompress = None

    def __init__(self, transport) -> None:
        self.transport = transport
        self.send_queue: list = []
        self.prepared: list = []

    def sendPreparedMessage(self, message) -> None:
        self.prepared.append(message)
        self.transport.write(message.payloadHybi)


def _connection():
    """A real Twisted TCP connection over one end of a socket pair, and the other end."""
    import socket

    from twisted.internet import tcp

    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    reactor = _Reactor()
    transport = tcp.Connection(ours, None, reactor)
    transport.connected = 1
    return transport, theirs, reactor


def _received(theirs, size: int) -> bytes:
    theirs.settimeout(1)
    data = b""
    while len(data) < size:
        data += theirs.recv(size - len(data))
    return data


def test_a_frame_goes_straight_to_a_socket_with_nothing_queued():
    transport, theirs, reactor = _connection()
    socket = _Socket(transport)
    frame = hub_module.prepared('{"type":"comment.created","seq":1}')
    hub_module.send_frame(socket, frame)
    # On the wire at once: Twisted was not asked to write, nor to watch the socket.
    assert _received(theirs, len(frame.payloadHybi)) == frame.payloadHybi
    assert socket.prepared == [] and reactor.writers == set()
    assert transport._tempDataBuffer == [] and transport.dataBuffer == b""


def test_a_frame_waits_behind_bytes_already_queued():
    transport, theirs, _reactor = _connection()
    socket = _Socket(transport)
    transport.write(b"earlier")  # queued by Twisted, not yet sent
    frame = hub_module.prepared('{"type":"comment.created","seq":2}')
    hub_module.send_frame(socket, frame)
    # The usual way, behind the earlier bytes: the order on the wire is kept.
    assert socket.prepared == [frame]
    transport.doWrite()
    assert _received(theirs, 7 + len(frame.payloadHybi)) == b"earlier" + frame.payloadHybi


def test_what_the_socket_does_not_take_at_once_is_queued_in_order():
    import socket as sockets

    transport, theirs, reactor = _connection()
    transport.socket.setsockopt(sockets.SOL_SOCKET, sockets.SO_SNDBUF, 4096)
    socket = _Socket(transport)
    frames = [hub_module.prepared(json.dumps({"n": n, "text": "x" * 60_000})) for n in range(3)]
    for frame in frames:
        hub_module.send_frame(socket, frame)
    # The first went out in part; the rest of it and the others wait in Twisted.
    assert reactor.writers == {transport}
    expected = b"".join(frame.payloadHybi for frame in frames)
    received = b""
    theirs.settimeout(1)
    while len(received) < len(expected):
        transport.doWrite()
        received += theirs.recv(1 << 20)
    assert received == expected


def test_a_socket_of_another_kind_is_written_the_usual_way():
    class Elsewhere:
        socket = object()  # not Twisted's TCP (TLS, a test's transport)

        def write(self, data) -> None:
            pass

    socket = _Socket(Elsewhere())
    frame = hub_module.prepared("{}")
    hub_module.send_frame(socket, frame)
    assert socket.prepared == [frame]


def test_a_connection_without_twisteds_queue_as_known_is_written_the_usual_way():
    transport, _theirs, _reactor = _connection()
    del transport._tempDataBuffer  # as if Twisted kept its queue under another name
    socket = _Socket(transport)
    frame = hub_module.prepared("{}")
    socket.transport.write = lambda data: None
    hub_module.send_frame(socket, frame)
    assert socket.prepared == [frame]
