"""Execute the notebooks on a real Jupyter kernel and write their outputs into the files.

    python notebooks/run.py                 # every notebooks/*.ipynb, in place
    python notebooks/run.py 01_live_activity.ipynb

Each notebook runs top to bottom on a fresh ``python3`` kernel (ipykernel, through
nbclient), with the notebooks folder as its working directory; a failing cell stops the
run and leaves the file untouched. The committed outputs (tables, printed summaries and
the PNG plots) are what a repository browser shows; ``tests/test_notebooks.py`` executes
the notebooks again and checks that the committed outputs still have the same shape.
Needs the ``notebooks`` extra: ``pip install -e '.[notebooks]'``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent
CELL_TIMEOUT = 120  # seconds; a whole notebook takes a few


def execute(path: Path) -> nbformat.NotebookNode:
    """Run ``path`` on a fresh kernel and return the notebook with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def main(argv: list[str]) -> int:
    paths = [NOTEBOOKS / name for name in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        notebook = execute(path)
        nbformat.write(notebook, path)
        print(f"{path.name}: executed, outputs written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
