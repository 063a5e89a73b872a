"""Argument parsing: the tokenizer, parameters from signatures, binding and converters."""

from __future__ import annotations

from typing import Annotated, Any, cast

import pytest

from fluxer_rx.commands import (
    BadArgument,
    Command,
    Context,
    MissingArgument,
    TooManyArguments,
    split_arguments,
)
from fluxer_rx.commands.converters import channel_id_of, user_id_of
from fluxer_rx.commands.signature import bind_arguments
from fluxer_rx.models import MessageCreate, PartialUser


def make_ctx(command: Command, text: str) -> Context:
    message = MessageCreate(id="10", channel_id="20", author=PartialUser(id="30"), content="")
    return Context(
        cast(Any, None), message, command, prefix="!", invoked_with=command.name, text=text
    )


async def bind(command: Command, text: str) -> tuple[list[Any], dict[str, Any]]:
    return await bind_arguments(make_ctx(command, text), command.params, text)


def test_split_arguments_words_and_quotes() -> None:
    assert [t.value for t in split_arguments("  a  bb\tc ")] == ["a", "bb", "c"]
    tokens = split_arguments('say "hello there" x "a \\"q\\""')
    assert [t.value for t in tokens] == ["say", "hello there", "x", 'a "q"']
    assert [t.start for t in tokens[:3]] == [0, 4, 18]
    assert split_arguments("") == []
    with pytest.raises(ValueError, match="unclosed quote"):
        split_arguments('a "b c')


def test_mentions_and_ids() -> None:
    assert user_id_of("<@123>") == user_id_of("<@!123>") == user_id_of("123") == "123"
    assert channel_id_of("<#45>") == channel_id_of("45") == "45"
    for bad in ("<#1>", "@1", "abc", "", "<@1", "\uff11\uff12"):
        with pytest.raises(ValueError):
            user_id_of(bad)
    with pytest.raises(ValueError):
        channel_id_of("<@1>")


async def add(ctx: Context, a: int, b: int) -> None:
    """Add two numbers."""


async def echo(ctx: Context, text: str) -> None:
    """Say it back."""


async def kick(ctx: Context, user: PartialUser, reason: str = "") -> None:
    """Kick someone."""


async def mixed(ctx: Context, n: float, flag: bool = False, *, note: str = "-") -> None:
    """Keyword-only takes the rest."""


async def total(ctx: Context, *numbers: int) -> None:
    """Variadic."""


async def optional(ctx: Context, count: int | None = None, label: str = "x") -> None:
    """Optional first."""


def parity(ctx: Context, text: str) -> str:
    if text not in ("odd", "even"):
        raise ValueError("expected odd or even")
    return text


async def custom(ctx: Context, which: Annotated[str, parity], times: int = 1) -> None:
    """Annotated converter."""


async def test_typed_positionals_and_errors() -> None:
    cmd = Command(add)
    assert await bind(cmd, "2 3") == ([2, 3], {})
    assert await bind(cmd, "-2 +3") == ([-2, 3], {})
    with pytest.raises(MissingArgument) as missing:
        await bind(cmd, "2")
    assert missing.value.param == "b" and str(missing.value) == "missing argument `b`"
    with pytest.raises(BadArgument) as bad:
        await bind(cmd, "2 three")
    assert (bad.value.param, bad.value.value) == ("b", "three")
    assert "whole number" in str(bad.value)
    with pytest.raises(TooManyArguments, match="`4 5`"):
        await bind(cmd, "2 3 4 5")
    with pytest.raises(BadArgument):
        await bind(cmd, "2 \uff13")  # fullwidth digit


async def test_last_str_is_greedy_and_quotes_are_kept_inside() -> None:
    cmd = Command(echo)
    assert await bind(cmd, 'hello   "big" world') == (['hello   "big" world'], {})
    assert await bind(cmd, '"just this"') == (["just this"], {})
    with pytest.raises(MissingArgument):
        await bind(cmd, "   ")


async def test_float_bool_keyword_rest_variadic_optional_annotated() -> None:
    assert await bind(Command(mixed), "2.5 yes a note here") == (
        [2.5, True],
        {"note": "a note here"},
    )
    assert await bind(Command(mixed), "1e2") == ([100.0, False], {"note": "-"})
    for bad in ("nan 1", "inf", "x"):
        with pytest.raises(BadArgument):
            await bind(Command(mixed), bad)
    with pytest.raises(BadArgument, match="yes or no"):
        await bind(Command(mixed), "1 maybe")
    assert await bind(Command(total), "1 2 3") == ([1, 2, 3], {})
    assert await bind(Command(total), "") == ([], {})
    assert await bind(Command(optional), "") == ([None, "x"], {})
    assert await bind(Command(optional), "4 a b") == ([4, "a b"], {})
    assert await bind(Command(custom), "odd 3") == (["odd", 3], {})
    with pytest.raises(BadArgument, match="odd or even"):
        await bind(Command(custom), "three")


def test_usage_and_help_from_the_signature() -> None:
    assert Command(kick).usage == "<user> [reason…]"
    assert Command(add).usage == "<a> <b>"
    assert Command(mixed).usage == "<n> [flag] [note…]"
    assert Command(total).usage == "[numbers…]"
    assert Command(kick).brief == "Kick someone."
    assert Command(kick, name="boot", aliases=["k"]).aliases == ("k",)


def test_unfillable_signatures_fail_at_definition() -> None:
    async def no_ctx() -> None: ...

    async def kwargs(ctx: Context, **rest: str) -> None: ...

    async def two_kw(ctx: Context, *, a: str, b: str) -> None: ...

    async def unknown(ctx: Context, x: complex) -> None: ...

    def not_async(ctx: Context) -> None: ...

    for fn in (no_ctx, kwargs, two_kw, unknown, not_async):
        with pytest.raises(TypeError):
            Command(fn)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Command(add, name="two words")
