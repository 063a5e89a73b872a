"""Moderation: deletes messages that contain a blocked word and warns their author, at
most once per user per ``WARN_EVERY`` seconds (a keyed throttle), so a flood of bad
messages gets every message deleted but a single warning.

    FLUXER_API=http://127.0.0.1:8765/v1 FLUXER_TOKEN=... python examples/moderation.py

The bot needs MANAGE_MESSAGES in the channels it watches. Deletions run as tracked async
tasks (``client.run_async``): at most 4 at once, errors reported on ``client.diagnostics``
and logged, never ending the stream.
"""

from __future__ import annotations

import os
import re

from fluxer_rx import Client, ClientOptions, RestOptions
from fluxer_rx.models import MessageCreate
from fluxer_rx.operators import content_matches, of_type, throttle_by

BLOCKED = re.compile(r"\b(free coins|crypto giveaway|scam)\b", re.IGNORECASE)
WARN_EVERY = 30.0  # seconds, per user


async def setup(client: Client, *, warn_every: float = WARN_EVERY) -> None:
    """Watch every guild message of ``client`` for blocked words."""

    async def delete(message: MessageCreate) -> None:
        await client.messages.delete(message)

    async def warn(message: MessageCreate) -> None:
        text = f"<@{message.author.id}>, your message was removed (a blocked word)"
        await client.channels.send(message.channel_id, text)

    blocked = client.events.pipe(of_type(MessageCreate), content_matches(BLOCKED))
    blocked.pipe(client.run_async(delete, concurrency=4, ordered=False)).subscribe()
    blocked.pipe(
        throttle_by("user_id", warn_every),  # one warning per user per window
        client.run_async(warn),
    ).subscribe()


def main() -> None:
    api = os.environ.get("FLUXER_API", "https://api.fluxer.app/v1")
    client = Client(ClientOptions(rest=RestOptions(api_url=api)))
    client.run(os.environ["FLUXER_TOKEN"], setup=setup)


if __name__ == "__main__":
    main()
