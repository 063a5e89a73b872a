"""Record and replay of gateway traffic.

* :class:`Recorder` (or ``client.record(path)``) writes every frame a live client
  receives to a JSON Lines recording (format: :mod:`fluxer_rx.replay.format`); a token
  never appears in one.
* :func:`open_recording` / :func:`recording_frames` read a recording back as an iterator
  or an observable of :class:`RecordedFrame`.
* ``await client.replay(path, speed=...)`` drives a :class:`~fluxer_rx.Client` offline
  from a recording: ``raw``, ``events``, the cache, handlers, operators and collectors
  behave as they did live (see :mod:`fluxer_rx.replay.player`).
* A :class:`VirtualClock` (``clock="recorded"``) replays on recorded time: time-based
  operators see the recorded pace while the replay runs as fast as the CPU allows (see
  :mod:`fluxer_rx.replay.virtual_clock`).
"""

from __future__ import annotations

from fluxer_rx.replay.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    REDACTED,
    MalformedRecording,
    RecordingError,
    RecordingFileError,
    RecordingHeader,
    UnsupportedRecordingVersion,
)
from fluxer_rx.replay.player import (
    FramePlayer,
    LoopPacingClock,
    PacingClock,
    ReplayClock,
    ReplaySink,
    ReplaySummary,
)
from fluxer_rx.replay.reader import (
    RecordedFrame,
    RecordingReader,
    open_recording,
    recording_frames,
)
from fluxer_rx.replay.recorder import Recorder
from fluxer_rx.replay.virtual_clock import ClockStep, VirtualClock

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "REDACTED",
    "ClockStep",
    "FramePlayer",
    "LoopPacingClock",
    "MalformedRecording",
    "PacingClock",
    "RecordedFrame",
    "Recorder",
    "RecordingError",
    "RecordingFileError",
    "RecordingHeader",
    "RecordingReader",
    "ReplayClock",
    "ReplaySink",
    "ReplaySummary",
    "UnsupportedRecordingVersion",
    "VirtualClock",
    "open_recording",
    "recording_frames",
]
