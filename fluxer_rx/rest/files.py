"""Attachments for message uploads and the multipart body that carries them.

A message with files is sent as ``multipart/form-data``: the JSON body in the
``payload_json`` part and file ``n`` in the ``files[n]`` part, with a matching
``attachments`` entry ``{"id": n, "filename": ...}`` in the JSON (added when the caller
did not give one). The body is rebuilt for every attempt, so retries resend the same bytes.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    import aiohttp

__all__ = ["File", "multipart_body"]


@dataclass(frozen=True, slots=True)
class File:
    """One file to upload: its name, its bytes, an optional MIME type and description."""

    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.filename, str) or not self.filename.strip():
            raise ValueError("File.filename must be a non-empty string")
        if not isinstance(self.data, (bytes, bytearray, memoryview)):
            raise TypeError(f"File.data must be bytes, got {type(self.data).__name__}")

    def __repr__(self) -> str:
        return f"<File {self.filename!r} {len(self.data)} bytes>"

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        *,
        filename: str | None = None,
        description: str | None = None,
    ) -> File:
        """Read the file at ``path`` (its base name unless ``filename`` is given)."""
        with open(path, "rb") as fh:
            data = fh.read()
        return cls(filename or os.path.basename(os.fspath(path)), data, None, description)

    @property
    def mime_type(self) -> str:
        """``content_type``, else a guess from the file name, else octet-stream."""
        if self.content_type:
            return self.content_type
        guessed, _ = mimetypes.guess_type(self.filename)
        return guessed or "application/octet-stream"


def multipart_body(payload: Mapping[str, Any] | None, files: Sequence[File]) -> aiohttp.FormData:
    """A fresh ``multipart/form-data`` body with ``payload_json`` and ``files[n]`` parts."""
    import aiohttp  # on the first upload, not with the package (benchmarks/bench_import.py)

    body: dict[str, Any] = dict(payload or {})
    if "attachments" not in body:
        attachments: list[dict[str, Any]] = []
        for n, file in enumerate(files):
            entry: dict[str, Any] = {"id": n, "filename": file.filename}
            if file.description is not None:
                entry["description"] = file.description
            attachments.append(entry)
        body["attachments"] = attachments
    form = aiohttp.FormData(quote_fields=False)
    form.add_field(
        "payload_json", msgspec.json.encode(body).decode(), content_type="application/json"
    )
    for n, file in enumerate(files):
        form.add_field(
            f"files[{n}]", bytes(file.data), filename=file.filename, content_type=file.mime_type
        )
    return form
