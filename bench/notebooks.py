"""Each solution notebook's execution time from a cold kernel (a new kernel per notebook,
its start-up and imports included, every cell run as nbclient runs them), against the 45 s
budget of CONTRIBUTING.md, and the whole course's total; each notebook also as its share of
the total (a ratio in which the machine's speed cancels out).

After each notebook, in the same kernel, ``bench.widgets`` times its explorers' callbacks.
The notebooks are every ``solutions/dayNN_*/*.ipynb`` present, run from a scratch copy of
their day's folder, so nothing in the repository is written.

    python -m bench.notebooks [day ...]
"""
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from bench import widgets

REPO = Path(__file__).resolve().parents[1]
BUDGET_S = 45.0


def solution_notebooks():
    return sorted((REPO / "solutions").glob("day*/*.ipynb"))


def run_cold(path, scratch):
    """(seconds from kernel start to the last cell's end, widget results or [])."""
    day = Path(scratch) / path.parent.name
    if not day.exists():
        shutil.copytree(path.parent, day)
    nb = nbformat.read(day / path.name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(day)}})
    start = time.perf_counter()
    # The kernel's own stderr (its start-up banner, "running over TCP without encryption") is
    # not the notebook's: a failing cell still raises here, with its traceback.
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        explorers = []
        if any("%matplotlib widget" in cell.source for cell in nb.cells):
            cell = nbformat.v4.new_code_cell(widgets.MEASURE_CELL)
            nb.cells.append(cell)
            client.execute_cell(cell, len(nb.cells) - 1)
            explorers = widgets.parse(cell.outputs)
    return seconds, explorers


def main(paths=None, show_notebooks=True):
    paths = solution_notebooks() if paths is None else paths
    times, latencies = {}, []
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as scratch:
        for path in paths:
            name = f"{path.parent.name}/{path.stem}"
            seconds, explorers = run_cold(path, scratch)
            times[name] = seconds
            if explorers:
                latencies.append((name, explorers))
            print(f"  ran {name} in {seconds:.1f} s", file=sys.stderr, flush=True)
    if show_notebooks:
        total = sum(times.values())
        print(f"solution notebooks from a cold kernel (budget {BUDGET_S:.0f} s each):")
        print(f"  {'notebook':<34} {'seconds':>8} {'of budget':>10} {'of course':>10}")
        for name, seconds in times.items():
            flag = "" if seconds <= BUDGET_S else "  OVER BUDGET"
            print(f"  {name:<34} {seconds:8.1f} {seconds / BUDGET_S:9.2f}x {seconds / total:9.1%}{flag}")
        over = [name for name, seconds in times.items() if seconds > BUDGET_S]
        print(f"  {'course total':<34} {total:8.1f}   ({len(times)} notebooks, "
              f"mean {total / len(times) / BUDGET_S:.2f}x budget; over budget: {', '.join(over) or 'none'})")
    widgets.report(latencies)
    return times, latencies


if __name__ == "__main__":
    days = sys.argv[1:]
    main([p for p in solution_notebooks() if not days or p.parent.name in days])
