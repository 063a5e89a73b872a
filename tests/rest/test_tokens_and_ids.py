"""Tokens given with a scheme prefix in any case, and ids given in non-ASCII digits.

Unit checks of what ``Rest`` would send, then end to end against the sandbox, which (like
Fluxer, [S] ``UserMiddleware.ts``) accepts only ``Authorization: Bot <token>``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from fluxer_rx.options import RestOptions
from fluxer_rx.rest import Rest
from fluxer_rx.sandbox import Sandbox

SECRET = "424242.s3cr3t-value"
# Unicode digits that ``str.isdigit`` and ``int()`` accept: fullwidth, Arabic-Indic,
# Devanagari, superscript.
NON_ASCII_IDS = ["\uff11\uff12\uff13", "\u0661\u0662\u0663", "\u0967\u0968", "\u00b9\u00b2"]


def authorization(rest: Rest) -> str:
    return rest.http._Requester__authorization.reveal()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (SECRET, f"Bot {SECRET}"),
        (f"Bot {SECRET}", f"Bot {SECRET}"),
        (f"bot {SECRET}", f"Bot {SECRET}"),
        (f"BOT {SECRET}", f"Bot {SECRET}"),
        (f"  bOt   {SECRET}  ", f"Bot {SECRET}"),
        (f"Bearer {SECRET}", f"Bearer {SECRET}"),
        (f"bearer {SECRET}", f"Bearer {SECRET}"),
        (f"BEARER {SECRET}", f"Bearer {SECRET}"),
        ("bot.abc", "Bot bot.abc"),  # a token that merely starts with "bot" keeps it
    ],
)
def test_a_scheme_prefix_in_any_case_is_sent_once_and_canonically(given: str, sent: str) -> None:
    assert authorization(Rest(given)) == sent


@pytest.mark.parametrize("bad", ["bot", "Bot   ", "BEARER", "bot \n s3cr3t"])
def test_a_prefix_without_a_token_is_refused_without_echo(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^token must be a non-empty") as info:
        Rest(bad)
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize("prefix", ["", "Bot ", "bot ", "BOT ", "bOT  "])
async def test_prefixed_tokens_authenticate_against_the_sandbox(prefix: str) -> None:
    async with (
        Sandbox(guilds=1) as sb,
        Rest(prefix + sb.token, RestOptions(api_url=sb.api_url)) as rest,
    ):
        assert (await rest.get_current_user()).id == sb.bot_id


def _id_calls(rest: Rest, good: str, bad: str) -> list[Callable[[], Awaitable[Any]]]:
    return [
        lambda: rest.get_channel(bad),
        lambda: rest.get_user(bad),
        lambda: rest.get_guild(bad),
        lambda: rest.get_user_profile(good, guild_id=bad),
        lambda: rest.get_message(good, bad),
        lambda: rest.get_messages(good, before=bad),
        lambda: rest.create_message(bad, "x"),
        lambda: rest.bulk_delete_messages(good, [good, bad]),
        lambda: rest.get_reactions(good, good, "x", after=bad),
        lambda: rest.ban_member(good, bad),
    ]


@pytest.mark.parametrize("bad", [*NON_ASCII_IDS, "1_000", "+5", "1 2"])
async def test_ids_in_non_ascii_digits_fail_before_any_request(bad: str) -> None:
    async with (
        Sandbox(guilds=1) as sb,
        Rest(sb.token, RestOptions(api_url=sb.api_url)) as rest,
    ):
        good = sb.channel_ids[0]
        assert sb.rest is not None
        served_before = sum(sb.rest.statuses.values())
        for call in _id_calls(rest, good, bad):
            with pytest.raises(ValueError, match="positive 64-bit id"):
                await call()
        assert rest.stats.requests == 0
        assert sum(sb.rest.statuses.values()) == served_before


async def test_ascii_ids_with_surrounding_whitespace_or_zeros_are_sent_canonically() -> None:
    async with (
        Sandbox(guilds=1) as sb,
        Rest(sb.token, RestOptions(api_url=sb.api_url)) as rest,
    ):
        channel = sb.channel_ids[0]
        assert (await rest.get_channel(f" 0{channel}\t")).id == channel
