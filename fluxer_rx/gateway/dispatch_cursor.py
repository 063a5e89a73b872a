"""The sequence number of a gateway session, in a cell the protocol machine shares with its
driver's hot path.

:class:`~fluxer_rx.gateway.protocol.GatewayProtocol` owns the cell: it is the machine's
only record of the last delivered ``s``, and only the machine opens or closes it. The one
thing a driver may do with it is :func:`take_next_dispatch`'s check, written out inline
where a method call per message costs as much as the check itself (the shard's receive
callback, which writes it out for the frames of the one-pass decode table: those are
ordinary dispatches by construction, so there it reads only ``s``). That check takes only
frames
:meth:`~fluxer_rx.gateway.protocol.GatewayProtocol.accept_next_dispatch` would take, with
the same effect; a frame it leaves (a dispatch of an unknown event type, say) goes to
:meth:`~fluxer_rx.gateway.protocol.GatewayProtocol.receive_frame`, which delivers it just
the same. So every dispatch is still delivered at most once per session and in order, and
everything else still goes through the machine.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["DispatchCursor", "take_next_dispatch"]


class _OrdinaryFrame(Protocol):
    @property
    def s(self) -> int | None: ...

    @property
    def ordinary_dispatch(self) -> bool: ...


class DispatchCursor:
    """``seq``: the last sequence number delivered in the session (0 before any);
    ``open``: whether a frame may be taken without the machine (False once the machine is
    in ERROR, where every frame must reach it and raise)."""

    __slots__ = ("open", "seq")

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.open = True

    def __repr__(self) -> str:
        return f"DispatchCursor(seq={self.seq}, open={self.open})"


def take_next_dispatch(cursor: DispatchCursor, frame: _OrdinaryFrame) -> bool:
    """Take ``frame`` when it is an ordinary dispatch (``frame.ordinary_dispatch``: op 0,
    a known event other than READY and RESUMED) carrying the next sequence number and the
    cursor is open: ``cursor.seq`` becomes ``frame.s`` and True is returned; the frame is
    then delivered as an event. Otherwise nothing changes, False is returned, and the
    frame goes to :meth:`~fluxer_rx.gateway.protocol.GatewayProtocol.receive_frame`.

    This is the reference form of the check; a driver inlining it must keep it exactly."""
    s = frame.s
    if frame.ordinary_dispatch and s is not None and s == cursor.seq + 1 and cursor.open:
        cursor.seq = s
        return True
    return False
