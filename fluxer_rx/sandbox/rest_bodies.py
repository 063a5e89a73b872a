"""Request parsing for the sandbox's REST routes: queries, JSON bodies, multipart uploads.

Every parser raises :class:`ApiFailure` with Fluxer's error shape on bad input:
``INVALID_FORM_BODY`` (400) with one ``errors`` entry ``{path, message, code}`` naming
the offending field, or ``FILE_SIZE_TOO_LARGE`` (413) for an oversized upload. Nothing is
changed in the world before parsing succeeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import msgspec
from aiohttp import BodyPartReader, web

__all__ = [
    "MAX_CONTENT",
    "MAX_FILES",
    "MAX_FILE_SIZE",
    "ApiFailure",
    "Json",
    "Upload",
    "form_error",
    "iso_to_ms",
    "message_fields",
    "query_int",
    "query_snowflake",
    "read_json_object",
    "read_message_body",
    "snowflake_of",
]

Json = dict[str, Any]

MAX_FILES: Final = 10
"""At most 10 files per message."""
MAX_FILE_SIZE: Final = 25 * 1024 * 1024
"""25 MiB per file (non-premium limit)."""
MAX_CONTENT: Final = 4000
"""Bots may send up to 4000 characters (``MessageContentRequest``)."""

_SNOWFLAKE: Final = re.compile(r"\A[0-9]{1,20}\Z")  # not \d: it matches any Unicode digit
_FILE_FIELD: Final = re.compile(r"files\[([0-9]+)\]")


class ApiFailure(Exception):
    """An error answer of a route: ``status`` with body ``{code, message, errors?}``."""

    def __init__(
        self, status: int, code: str, message: str, errors: list[Json] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


def form_error(path: str, message: str) -> ApiFailure:
    """A 400 ``INVALID_FORM_BODY`` naming the field at ``path`` (dotted, ``""`` = body)."""
    return ApiFailure(
        400,
        "INVALID_FORM_BODY",
        "Invalid form body",
        [{"path": path, "message": message, "code": "INVALID_FORM_BODY"}],
    )


def query_int(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    """The integer query parameter ``name`` in ``lo..hi``, or ``default`` when absent."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise form_error(name, f"{name} must be an integer") from None
    if not lo <= value <= hi:
        raise form_error(name, f"{name} must be between {lo} and {hi}")
    return value


def query_snowflake(request: web.Request, name: str) -> str | None:
    """The snowflake query parameter ``name``, or ``None`` when absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    if not _SNOWFLAKE.match(raw):
        raise form_error(name, f"{name} must be a snowflake")
    return raw


def snowflake_of(value: Any, path: str) -> str:
    """An id from a body, given as a decimal string or a safe integer."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise form_error(path, "must be a snowflake")
    text = str(value)
    if not _SNOWFLAKE.match(text):
        raise form_error(path, "must be a snowflake")
    return text


def iso_to_ms(text: str, path: str) -> int:
    """Unix milliseconds of an ISO 8601 timestamp."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise form_error(path, "must be an ISO 8601 timestamp") from None
    return int(moment.timestamp() * 1000)


def _json_object(raw: bytes, path: str) -> Json:
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise form_error(path, "body is not valid JSON") from None
    if not isinstance(value, dict):
        raise form_error(path, "must be a JSON object")
    return value


async def read_json_object(request: web.Request, *, required: bool = True) -> Json:
    """The request body as a JSON object (``{}`` for an empty optional body)."""
    raw = await request.read()
    if not raw:
        if required:
            raise form_error("", "a JSON object body is required")
        return {}
    return _json_object(raw, "")


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded ``files[index]`` part."""

    index: int
    filename: str
    content_type: str
    data: bytes


async def read_message_body(request: web.Request) -> tuple[Json, list[Upload]]:
    """A message body: JSON, or multipart with ``payload_json`` and ``files[n]`` parts."""
    if not request.content_type.startswith("multipart/"):
        return await read_json_object(request), []
    payload: Json = {}
    uploads: list[Upload] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise form_error("", "nested multipart bodies are not supported")
        name = part.name or ""
        if name == "payload_json":
            payload = _json_object(await part.read(), "payload_json")
            continue
        match = _FILE_FIELD.fullmatch(name)
        if match is None:
            raise form_error(name, "unexpected form field; use payload_json and files[n]")
        if len(uploads) >= MAX_FILES:
            raise form_error("files", f"at most {MAX_FILES} files per message")
        data = bytearray()
        while chunk := await part.read_chunk(65536):
            data += chunk
            if len(data) > MAX_FILE_SIZE:
                raise ApiFailure(
                    413, "FILE_SIZE_TOO_LARGE", f"A file exceeds {MAX_FILE_SIZE} bytes"
                )
        index = int(match.group(1))
        uploads.append(
            Upload(
                index,
                part.filename or f"file{index}",
                part.headers.get("Content-Type", "application/octet-stream"),
                bytes(data),
            )
        )
    return payload, uploads


def message_fields(payload: Json) -> Json:
    """The validated ``content``, ``nonce``, ``tts``, ``flags``, ``embeds`` of a payload.

    Only keys present (and not null) in ``payload`` appear in the result; ``nonce`` is
    normalised to a string; embeds get ``type: "rich"`` unless they carry a type.
    """
    out: Json = {}
    if payload.get("content") is not None:
        content = payload["content"]
        if not isinstance(content, str):
            raise form_error("content", "must be a string")
        if len(content) > MAX_CONTENT:
            raise form_error("content", f"must be at most {MAX_CONTENT} characters")
        out["content"] = content
    if payload.get("nonce") is not None:
        nonce = payload["nonce"]
        if isinstance(nonce, bool) or not isinstance(nonce, (str, int)):
            raise form_error("nonce", "must be a string or an integer")
        if not 1 <= len(str(nonce)) <= 32:
            raise form_error("nonce", "must be 1 to 32 characters")
        out["nonce"] = str(nonce)
    if payload.get("tts") is not None:
        if not isinstance(payload["tts"], bool):
            raise form_error("tts", "must be a bool")
        out["tts"] = payload["tts"]
    if payload.get("flags") is not None:
        flags = payload["flags"]
        if isinstance(flags, bool) or not isinstance(flags, int) or flags < 0:
            raise form_error("flags", "must be a non-negative integer")
        out["flags"] = flags
    if payload.get("embeds") is not None:
        embeds = payload["embeds"]
        if not isinstance(embeds, list) or len(embeds) > 10:
            raise form_error("embeds", "must be a list of at most 10 embeds")
        for i, embed in enumerate(embeds):
            if not isinstance(embed, dict):
                raise form_error(f"embeds.{i}", "must be an object")
        out["embeds"] = [{"type": "rich", **e} for e in embeds]
    return out
