"""The groups of methods the :class:`~fluxer_rx.Client` façade offers, one module each:
handler registration, collectors and waiting, gateway control. Each method delegates to
the part that does the work (the event pipeline, the shard group)."""
