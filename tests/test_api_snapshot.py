"""The public surface of fluxer_rx equals the committed snapshot: a change to it is a
decision, made by updating ``tests/data/api_snapshot.txt`` (``python -m
tests.api_snapshot --update``) in the same commit, never an accident."""

from __future__ import annotations

import difflib

from tests.api_snapshot import SNAPSHOT, api_text


def test_the_public_api_matches_the_snapshot() -> None:
    now = api_text().splitlines()
    committed = SNAPSHOT.read_text().splitlines()
    diff = "\n".join(difflib.unified_diff(committed, now, "snapshot", "now", lineterm=""))
    assert not diff, (
        "the public API changed; if intended, run `python -m tests.api_snapshot --update`"
        f" and commit the snapshot:\n{diff}"
    )


def test_the_snapshot_covers_the_client_facade() -> None:
    text = api_text()
    for line in (
        "async def login(",
        "async def close(",
        "def listen(",
        "def on(",
        "async def wait_for(",
        "def create_message_collector(",
        "def send_to_shard(",
    ):
        assert line in text
