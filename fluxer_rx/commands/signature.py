"""A command's parameters, read from its function's signature, and how argument text is
bound to them.

The first parameter receives the :class:`~fluxer_rx.commands.Context`; each later one
takes arguments by its annotation (unannotated means ``str``):

* a positional parameter takes one argument (one word, or a ``"quoted phrase"``);
* the **last** positional parameter, when it is a ``str``, and a keyword-only parameter
  (after ``*``), of any type, take the rest of the text verbatim (greedy);
* ``*args: T`` takes every remaining argument, each converted to ``T``;
* a parameter with a default is optional; ``T | None`` is allowed with a default.

Unsupported shapes (``**kwargs``, two keyword-only parameters, an annotation without a
converter) raise ``TypeError`` when the command is defined, not when it is invoked.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from fluxer_rx.commands.context import Context
from fluxer_rx.commands.converters import Converter, Token, split_arguments
from fluxer_rx.commands.errors import BadArgument, MissingArgument, TooManyArguments

__all__ = ["Param", "ParamKind", "bind_arguments", "params_of", "usage_of"]


class ParamKind(enum.Enum):
    """How a parameter takes its arguments."""

    ONE = "one"
    REST = "rest"
    VARIADIC = "variadic"


@dataclass(frozen=True, slots=True)
class Param:
    """One command parameter: ``name``, ``kind``, its ``converter``, and ``default``
    (``inspect.Parameter.empty`` when required)."""

    name: str
    kind: ParamKind
    converter: Converter
    default: Any
    keyword: bool

    @property
    def required(self) -> bool:
        """Whether an argument must be given."""
        return self.default is inspect.Parameter.empty and self.kind is not ParamKind.VARIADIC


def _converter_for(
    name: str, annotation: Any, converters: Mapping[Any, Converter]
) -> tuple[Converter, Any]:
    """The converter of an annotation and the base type (``T`` of ``T | None``)."""
    if annotation is inspect.Parameter.empty:
        annotation = str
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        custom = next((e for e in extras if callable(e)), None)
        if custom is None:
            raise TypeError(f"parameter {name!r}: Annotated needs a converter callable")
        return custom, base
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _converter_for(name, members[0], converters)
    if annotation in converters:
        return converters[annotation], annotation
    raise TypeError(f"parameter {name!r}: no converter for {annotation!r}")


def params_of(
    callback: Callable[..., Any], converters: Mapping[Any, Converter]
) -> tuple[Param, ...]:
    """The command parameters of ``callback`` (the context parameter left out).

    Raises ``TypeError`` for a shape the command layer cannot fill (module docstring)."""
    signature = inspect.signature(callback)
    hints = typing.get_type_hints(callback, include_extras=True)
    listed = list(signature.parameters.values())
    if not listed or listed[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise TypeError("a command's first parameter receives the context")
    params: list[Param] = []
    positional = [
        p
        for p in listed[1:]
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    has_variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in listed)
    keyword_only = [p for p in listed if p.kind is inspect.Parameter.KEYWORD_ONLY]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in listed):
        raise TypeError("a command cannot take **kwargs")
    if len(keyword_only) > 1:
        raise TypeError("a command takes at most one keyword-only (rest of the text) parameter")
    if keyword_only and has_variadic:
        raise TypeError("a command cannot take both *args and a keyword-only parameter")
    for p in listed[1:]:
        converter, base = _converter_for(p.name, hints.get(p.name, p.annotation), converters)
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            kind = ParamKind.VARIADIC
        elif p.kind is inspect.Parameter.KEYWORD_ONLY or (
            base is str
            and positional
            and p is positional[-1]
            and not has_variadic
            and not keyword_only
        ):
            kind = ParamKind.REST
        else:
            kind = ParamKind.ONE
        params.append(
            Param(p.name, kind, converter, p.default, p.kind is inspect.Parameter.KEYWORD_ONLY)
        )
    return tuple(params)


def usage_of(params: tuple[Param, ...]) -> str:
    """The parameters as help shows them: ``<required>``, ``[optional]``, ``text…`` for the
    rest of the text, ``[items…]`` for ``*args``."""
    parts = []
    for p in params:
        name = p.name + ("…" if p.kind is not ParamKind.ONE else "")
        parts.append(f"<{name}>" if p.required else f"[{name}]")
    return " ".join(parts)


async def _convert(ctx: Context, param: Param, text: str) -> Any:
    try:
        value = param.converter(ctx, text)
        if inspect.isawaitable(value):
            value = await value
    except ValueError as exc:
        raise BadArgument(param.name, text, str(exc) or "invalid value") from exc
    return value


async def bind_arguments(
    ctx: Context, params: tuple[Param, ...], text: str
) -> tuple[list[Any], dict[str, Any]]:
    """Convert ``text`` into the positional and keyword arguments of ``params``.

    Raises :class:`MissingArgument`, :class:`BadArgument` (also for an unclosed quote)
    or :class:`TooManyArguments`."""
    try:
        tokens: list[Token] = split_arguments(text)
    except ValueError as exc:
        raise BadArgument(params[0].name if params else "text", text, str(exc)) from None
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    index = 0
    for param in params:
        if param.kind is ParamKind.VARIADIC:
            for token in tokens[index:]:
                args.append(await _convert(ctx, param, token.value))
            index = len(tokens)
            continue
        if index >= len(tokens):
            if param.required:
                raise MissingArgument(param.name)
            value = param.default
        elif param.kind is ParamKind.REST:
            rest = text[tokens[index].start :].strip()
            if len(tokens) - index == 1:
                rest = tokens[index].value  # one quoted phrase: without its quotes
            value = await _convert(ctx, param, rest)
            index = len(tokens)
        else:
            value = await _convert(ctx, param, tokens[index].value)
            index += 1
        if param.keyword:
            kwargs[param.name] = value
        else:
            args.append(value)
    if index < len(tokens):
        raise TooManyArguments(text[tokens[index].start :].strip())
    return args, kwargs
