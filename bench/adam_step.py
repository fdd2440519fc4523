"""The Day 6 measurement of an Adam step on 10 million weights, run here as the notebook runs
it: the reference in-place ``adam_step``, a naive NumPy Adam and ``torch.optim.Adam`` with
``foreach`` and ``fused``, each as a multiple of the bound set by the 7 array transfers an
Adam step must make, at one core's ``a += b`` bandwidth measured in the same run. The code is
the notebook's own cells (the setup cell, the solution of ``adam_step`` and the timing cell
of section 8), so the figures cannot drift from what learners see."""
from calcopt.instructor import notebooks
from calcopt.instructor.release import REPO

SOURCE = REPO / "autograder" / "source" / "day06_momentum_adam" / "adaptive.py"


def python_only(source):
    """A cell's code without its IPython magics (``%matplotlib inline``)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))


def main():
    nb = notebooks.read_source(SOURCE)
    setup = next(cell for cell in nb.cells if cell.id == "setup")
    timing = next(cell for cell in nb.cells if cell.cell_type == "code" and "def naive_adam" in cell.source)
    namespace = {"__name__": "adam_step_bench"}
    exec(python_only(setup.source), namespace)
    exec(notebooks.solution_answers(SOURCE)["adam_step"], namespace)
    print("an Adam step on 10 million float32 weights (Day 6, section 8), against one core's a += b bandwidth:")
    exec(python_only(timing.source), namespace)


if __name__ == "__main__":
    main()
