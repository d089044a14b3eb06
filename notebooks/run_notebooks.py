"""Executes the notebooks headless (nbclient) and checks them; used by .ci/run.

usage: python notebooks/run_notebooks.py [NOTEBOOK ...]      (default: every notebooks/*.ipynb)
       python notebooks/run_notebooks.py --check-stripped   (only: outputs stripped in git)

For each notebook: its committed copy must have no outputs (diffs stay readable); it is run from
notebooks/ with a kernel of this Python; any error fails; a notebook that draws no figure fails.
The executed copies are written to $TOSHIKEN_NB_EXECUTED (default: notebooks-executed in the cargo
target dir).
Exit status 1 on any failure, with the notebook and cell named.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def stripped_problems(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{path.name}: cell {i} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{path.name}: cell {i} has an execution count")
    return problems


def figures(nb) -> int:
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    )


def execute(path: Path, executed_dir: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(HERE)}},
    )
    t0 = time.time()
    problems = []
    try:
        client.execute()
    except CellExecutionError as e:
        problems.append(f"{path.name}: a cell failed:\n{e}")
    executed_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, executed_dir / path.name)
    n = figures(nb)
    if not problems and n == 0:
        problems.append(f"{path.name}: ran but drew no figure")
    print(f"{path.name}: {'ok' if not problems else 'FAILED'} in {time.time() - t0:.1f} s, "
          f"{n} figures → {executed_dir / path.name}")
    return problems


def main(argv: list[str]) -> int:
    notebooks = sorted(HERE.glob("*.ipynb"))
    if argv and argv[0] == "--check-stripped":
        problems = [p for nb in notebooks for p in stripped_problems(nb)]
        for p in problems:
            print(p)
        if problems:
            print("strip the outputs before committing: notebooks/.venv/bin/python notebooks/strip.py")
        return 1 if problems else 0
    if argv:
        notebooks = [HERE / Path(a).name for a in argv]
        missing = [str(n) for n in notebooks if not n.is_file()]
        if missing:
            print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
            return 2
    problems = [p for nb in notebooks for p in stripped_problems(nb)]
    executed_dir = Path(
        os.environ.get(
            "TOSHIKEN_NB_EXECUTED",
            Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "notebooks-executed",
        )
    )
    for nb in notebooks:
        problems += execute(nb, executed_dir)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
