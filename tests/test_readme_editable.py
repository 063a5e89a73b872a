"""The README's advice for type checkers holds: after a plain editable install
(``pip install -e .``), mypy in another project cannot find ``fluxer_rx`` (setuptools'
import hook is invisible to it); after ``pip install -e . --config-settings
editable_mode=strict`` it finds the package and its types.

Both installs go into a fresh virtual environment (with the system's packages, so no
dependency is downloaded: ``--no-deps --no-build-isolation``) from a copy of the
package, and mypy runs from an unrelated folder, as in a user's own project. (The
``test`` extra brings ``wheel``, which setuptools before 70.1 needs to build the
editable wheel without build isolation.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
STRICT = "--config-settings editable_mode=strict"
USER_CODE = """\
from fluxer_rx import Client

client: Client = Client()
reveal_type(client.events)
"""


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_the_readme_gives_the_strict_editable_install() -> None:
    assert f"python -m pip install -e . {STRICT}" in README.read_text(encoding="utf-8")


def test_mypy_finds_the_package_only_after_a_strict_editable_install(tmp_path: Path) -> None:
    project = tmp_path / "fluxer_rx_checkout"
    project.mkdir()
    shutil.copytree(
        ROOT / "fluxer_rx", project / "fluxer_rx", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    venv = tmp_path / "venv"
    made = _run(
        sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    user = tmp_path / "my_bot"
    user.mkdir()
    (user / "app.py").write_text(USER_CODE, encoding="utf-8")

    def install(*options: str) -> None:
        pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
        done = _run(
            *pip, "--no-deps", "--no-build-isolation", *options, "-e", project, cwd=tmp_path
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def mypy() -> subprocess.CompletedProcess[str]:
        return _run(
            python, "-m", "mypy", "--strict", "--cache-dir", tmp_path / "cache", "app.py", cwd=user
        )

    install()  # the plain editable install: an import hook
    plain = mypy()
    assert plain.returncode != 0
    assert 'Cannot find implementation or library stub for module named "fluxer_rx"' in plain.stdout

    install(*STRICT.split())
    strict = mypy()
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert 'Revealed type is "fluxer_rx.routing.RoutedEventSubject"' in strict.stdout
