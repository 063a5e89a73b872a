"""Stream analytics: collect a stream into a pandas ``DataFrame`` with typed columns.

::

    from fluxer_rx.analytics import to_frame

    frame = await to_frame(
        client.events.pipe(of_type(MessageCreate)),
        until=client.replay("traffic.jsonl", clock="recorded"),
    )
    frame.set_index("time").resample("1min").size()

pandas is optional (``pip install 'fluxer_rx[analytics]'``) and imported only when a
frame is built. Windows, keyed counts and top-k by event time are in
:mod:`fluxer_rx.operators` (``window_by_event_time``, ``count_by``, ``top_k``).
"""

from fluxer_rx.analytics.frames import EVENT_COLUMNS, Columns, column_reader, to_frame

__all__ = ["EVENT_COLUMNS", "Columns", "column_reader", "to_frame"]
