"""Firehose: pre-encoded MESSAGE_CREATE frames written to one session in large batches.

For benchmarks: the frames (websocket header included) are built before the clock starts,
then concatenated into writes of about ``batch_bytes`` each, so the sandbox is never the
bottleneck of a client benchmark. :func:`run_firehose` returns once every byte has left
the process (the transport's write buffer is empty), with the timings.

Firehose frames consume the session's sequence numbers (``s`` continues from the
session's current seq) but are not stored in the world, not kept in the replay buffer
and not recorded in ``dispatch_log``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from fluxer_rx.sandbox.gateway import GatewayHub, Session, encode_text_frame
from fluxer_rx.sandbox.world import Message, World

__all__ = ["FirehoseResult", "build_frames", "run_firehose"]

_CONTENTS = (
    "hello from the firehose",
    "a somewhat longer message body to vary the payload size a little bit",
    "short",
    "the quick brown fox jumps over the lazy dog " * 3,
)


@dataclass(frozen=True, slots=True)
class FirehoseResult:
    """What one firehose run sent.

    ``frames`` MESSAGE_CREATE frames with ``s`` from ``first_seq`` to ``last_seq`` went to
    session ``session_id``: ``bytes`` websocket bytes, written in ``seconds`` (from the
    first write until the write buffer drained), ``frames_per_second`` on that basis.
    """

    session_id: str
    frames: int
    bytes: int
    seconds: float
    first_seq: int
    last_seq: int

    @property
    def frames_per_second(self) -> float:
        """Frames written per second (``inf`` for an instantaneous run)."""
        return self.frames / self.seconds if self.seconds > 0 else float("inf")


def build_frames(
    world: World,
    count: int,
    first_seq: int,
    channel_id: str | None = None,
    *,
    channel_ids: Sequence[str] | None = None,
) -> list[bytes]:
    """Return ``count`` framed MESSAGE_CREATE dispatches with ``s`` from ``first_seq``.

    They go to ``channel_id`` (default: the world's first text channel), or with
    ``channel_ids`` to those channels in turn (message ``i`` to ``channel_ids[i % n]``).
    Authors rotate over each channel's guild members and contents over a few sizes;
    message ids are a block the world reserves at its clock's time (4096 per millisecond),
    larger than every id the world made before and smaller than every one it makes after.
    Raises ``ValueError`` when both or an empty ``channel_ids`` are given, ``KeyError``
    for an unknown channel.
    """
    if channel_ids is not None:
        if channel_id is not None:
            raise ValueError("give channel_id or channel_ids, not both")
        targets = list(channel_ids)
        if not targets:
            raise ValueError("channel_ids is empty")
    elif channel_id is not None:
        targets = [channel_id]
    elif world.channel_ids:
        targets = [world.channel_ids[0]]
    else:
        raise ValueError("the world has no text channel for the firehose")
    encoder = msgspec.json.Encoder(order="sorted")
    placeholder = world.new_id()
    marker = b'"id":"%b"' % placeholder.encode()
    per_channel: list[list[tuple[bytes, bytes]]] = []
    for target in targets:
        channel = world.get_channel(target)
        guild = world.guilds[channel.guild_id]
        authors = list(guild.members)
        templates: list[tuple[bytes, bytes]] = []
        for i, content in enumerate(_CONTENTS * 2):
            fake = Message(
                id=placeholder,
                channel_id=channel.id,
                guild_id=guild.id,
                author_id=authors[i % len(authors)],
                content=content,
            )
            d = world.message_dispatch_wire(fake)
            head, tail = encoder.encode(d).split(marker, 1)
            templates.append((b'{"d":' + head + b'"id":"', b'"' + tail + b',"op":0,"s":'))
        per_channel.append(templates)
    suffix = b',"t":"MESSAGE_CREATE"}'
    frames = []
    base = world.reserve_ids(max(count, 1))
    spread = len(per_channel)
    for i in range(count):
        templates = per_channel[i % spread]
        head, middle = templates[(i // spread) % len(templates)]
        message_id = base + ((i >> 12) << 22) + (i & 0xFFF)
        payload = b"%b%d%b%d%b" % (head, message_id, middle, first_seq + i, suffix)
        frames.append(encode_text_frame(payload))
    return frames


async def run_firehose(
    hub: GatewayHub,
    session: Session,
    count: int,
    *,
    channel_id: str | None = None,
    batch_bytes: int = 1 << 18,
    high_water: int = 4 << 20,
    channel_ids: Sequence[str] | None = None,
) -> FirehoseResult:
    """Write ``count`` pre-encoded MESSAGE_CREATE frames to ``session`` as fast as possible.

    ``channel_id`` / ``channel_ids``: where the messages go, as in :func:`build_frames`.
    Raises ``ValueError`` for a negative count, a session without a socket, or a session
    that ignores MESSAGE_CREATE; ``ConnectionError`` if the socket goes away mid-run.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if "MESSAGE_CREATE" in session.ignored:
        raise ValueError("the session ignores MESSAGE_CREATE")
    conn = session.conn
    if conn is None:
        raise ValueError("the session has no socket attached")
    first_seq = session.seq + 1
    frames = build_frames(hub.world, count, first_seq, channel_id, channel_ids=channel_ids)
    session.seq += count
    batches: list[bytes] = []
    pending: list[bytes] = []
    size = 0
    for frame in frames:
        pending.append(frame)
        size += len(frame)
        if size >= batch_bytes:
            batches.append(b"".join(pending))
            pending, size = [], 0
    if pending:
        batches.append(b"".join(pending))
    del frames
    total = sum(len(b) for b in batches)
    transport = conn.request.transport
    start = time.perf_counter()
    for batch in batches:
        if transport is None or not conn.write_raw(batch):
            raise ConnectionError("the session's socket closed during the firehose")
        while transport.get_write_buffer_size() > high_water:
            if transport.is_closing():
                raise ConnectionError("the session's socket closed during the firehose")
            await asyncio.sleep(0.0005)
    while transport is not None and transport.get_write_buffer_size() > 0:
        if transport.is_closing():
            raise ConnectionError("the session's socket closed during the firehose")
        await asyncio.sleep(0.0005)
    seconds = time.perf_counter() - start
    return FirehoseResult(
        session_id=session.session_id,
        frames=count,
        bytes=total,
        seconds=seconds,
        first_seq=first_seq,
        last_seq=first_seq + count - 1,
    )
