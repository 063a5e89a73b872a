"""The handler types of ``listen`` / ``on`` / ``run_async`` reach mypy --strict: a snippet
is type-checked in a child process and every line marked ``# E:`` (and only those) must
get an error containing the marked text; ``reveal_type`` lines must reveal the marked type.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SNIPPET = '''
from typing import Any

from reactivex import Observable

from fluxer_rx import Client
from fluxer_rx.models import Message, MessageCreate, Ready
from fluxer_rx.operators import of_type

client = Client()


@client.listen(MessageCreate)
async def on_message(message: MessageCreate) -> None:
    reveal_type(message)  # R: fluxer_rx.models.events.MessageCreate


reveal_type(on_message)  # R: def (fluxer_rx.models.events.MessageCreate) -> typing.Coroutine
remove = client.listen(MessageCreate, lambda m: print(m.content))
reveal_type(remove)  # R: def ()
client.listen(MessageCreate, lambda m: print(m.no_such))  # E: has no attribute "no_such"


@client.listen(Ready)  # E: Argument 1 has incompatible type
def wrong(message: MessageCreate) -> None:
    pass


@client.on("MESSAGE_CREATE")
def named(d: dict[str, Any]) -> None:
    pass


reveal_type(named)  # R: def (d: dict[str, Any])


async def pong(message: MessageCreate) -> Message:
    return await client.messages.reply(message, "pong")


stream = client.events.pipe(of_type(MessageCreate), client.run_async(pong, concurrency=4))
reveal_type(stream)  # R: reactivex.observable.observable.Observable[fluxer_rx.models.message.Mess
texts: Observable[str] = stream  # E: Incompatible types in assignment
'''


def test_handler_types_reach_mypy(tmp_path: Path) -> None:
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = SNIPPET.splitlines()
    reported: dict[int, list[str]] = {}
    for line in result.stdout.splitlines():
        # by file name: mypy's cache may replay a message with an earlier run's tmp path
        match = re.match(r".*snippet\.py:(\d+): (error|note): (.*)", line)
        assert match is not None, result.stdout + result.stderr
        reported.setdefault(int(match.group(1)), []).append(match.group(3))
    for number, text in enumerate(lines, start=1):
        messages = " | ".join(reported.pop(number, []))
        if "# E: " in text:
            assert text.split("# E: ")[1] in messages, (number, text, messages)
        elif "# R: " in text:
            assert f'Revealed type is "{text.split("# R: ")[1]}' in messages, (number, messages)
        else:
            assert messages == "" or messages.startswith("(Hint"), (number, text, messages)
    assert reported == {}, reported
