"""Fuzzing the recording reader (``fluxer_rx/replay/reader.py``): mutated, truncated and
garbage recording files raise only ``MalformedRecording`` (with a line the file has) or
``UnsupportedRecordingVersion``, in bounded time."""

from __future__ import annotations

from pathlib import Path
from random import Random

import pytest
from hypothesis import given, note, settings

from .hypothesis_settings import FUZZ, RANDOMS
from .properties import fuzz_recording

# A recording is a file written and read back: fewer examples keep each test near 3 s.
READER_FUZZ = settings(FUZZ, max_examples=max(1, FUZZ.max_examples * 2 // 3))


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-recordings")


@READER_FUZZ
@given(rng=RANDOMS)
def test_mutated_recordings_raise_only_typed_errors(directory: Path, rng: Random) -> None:
    fuzz_recording(rng, note, directory, touch=False)


@READER_FUZZ
@given(rng=RANDOMS)
def test_frames_read_from_recordings_raise_only_decode_error(directory: Path, rng: Random) -> None:
    fuzz_recording(rng, note, directory, touch=True)
