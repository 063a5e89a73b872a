"""``fluxer-rx say CHANNEL TEXT``: post a message as a user, to drive a bot from a shell.

Against ``fluxer-rx sandbox`` (which prints the API URL and the other user's token) a
bot under development can be poked by hand: ``!ping`` from another user, not from the
bot itself. The token comes from the ``FLUXER_USER_TOKEN`` environment variable, never
from the command line, and is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from fluxer_rx.cli.arguments import fail, url_of
from fluxer_rx.cli.reach import check_reachable
from fluxer_rx.errors import FluxerError
from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest

__all__ = ["API_ENV", "USER_TOKEN_ENV", "run_say"]

API_ENV = "FLUXER_API"
USER_TOKEN_ENV = "FLUXER_USER_TOKEN"
_PROG = "fluxer-rx say"


async def _post(api_url: str, token: str, channel_id: str, text: str) -> str:
    await check_reachable(api_url, timeout=5.0)
    options = RestOptions(api_url=api_url, timeout=10.0, max_retries=1)
    async with Rest(token, options) as rest:
        message = await rest.create_message(channel_id, text)
    return message.id


def run_say(args: argparse.Namespace) -> int:
    """Post ``args.text`` to ``args.channel``; print the new message's id."""
    api_url = args.api or os.environ.get(API_ENV, "").strip()
    if not api_url:
        return fail(_PROG, f"give --api URL or set {API_ENV} (the sandbox prints it)", 2)
    try:
        url_of("http", "https")(api_url)
    except argparse.ArgumentTypeError as exc:
        return fail(_PROG, f"{API_ENV}: {exc}", 2)
    token = os.environ.get(USER_TOKEN_ENV, "").strip()
    if not token:
        return fail(_PROG, f"set the user's token in {USER_TOKEN_ENV} (the sandbox prints it)", 2)
    try:
        message_id = asyncio.run(_post(api_url, token, args.channel, args.text))
    except (FluxerError, OSError, TimeoutError) as exc:
        return fail(_PROG, str(exc) or type(exc).__name__, 1)
    print(f"posted message {message_id} to channel {args.channel}")
    return 0
