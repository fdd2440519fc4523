"""Hostile submissions, graded by `make grade` beside an honest one.

Each attacker answers the first exercise right and every other one wrong (a function that
returns 0.0), then tries to win the other points, to hurt the grader or to reach what it must
not. Every one must score exactly the first exercise's points: no more (the attack failed),
no less (its honest work still counts); the honest student keeps full marks; what went wrong
is named. Stock nbgrader gives several of these full marks."""
import os

import nbformat
import pytest
from nbgrader.api import Gradebook

from calcopt.instructor import grade
from conftest import scratch_course_root
from submissions import (DAY, exercise_ids, fill, first_right_rest_wrong, points_of,
                         solution_sources, student_notebook, submit, with_cell_after_setup)

pytestmark = pytest.mark.slow

# Run in the kernel after the setup cell, before the answers and the tests.
ATTACKS = {
    "patched_numpy": """
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
np.abs = lambda x: np.zeros_like(x)
""",
    "patched_builtins": """
import builtins
builtins.abs = lambda x: 0
builtins.isinstance = lambda *a: True
builtins.len = lambda x: 0
builtins.max = lambda *a, **k: 0
""",
    "patched_checks_module": """
import calcopt.checks as checks
for name in ("check_close", "check_type", "check_true", "check_equal", "expect", "as_float64"):
    setattr(checks, name, lambda *a, **k: None)
import sys
for module in list(sys.modules.values()):
    for name in ("check_close", "check_type", "check_true", "expect"):
        if getattr(module, name, None) is not None and module is not checks:
            try:
                setattr(module, name, lambda *a, **k: None)
            except Exception:
                pass
""",
    "forged_records": """
import calcopt.checks as checks
real_close, real_expect = checks.check_close, checks.expect
def forged_close(name, got, expected, *, rtol=1e-7, atol=0.0, dtype=None):
    real_close(name, expected, expected, rtol=rtol, atol=atol)  # records the answer as its own
def forged_expect(name, got, **options):
    real_expect(name, got, rtol=1e9, atol=1e9)  # asks for a tolerance wide enough for anything
get_ipython().events.register("pre_run_cell", lambda *a: get_ipython().user_ns.update(
    check_close=forged_close, expect=forged_expect))
""",
    "always_equal_objects": """
class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __abs__(self): return Anything(0.0)
    __hash__ = float.__hash__
import builtins
builtins.Anything = Anything
""",
    "hidden_tracebacks": """
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip._showtraceback = lambda *a, **k: None
import sys
sys.excepthook = lambda *a: None
""",
    "skipped_test_cells": """
ip = get_ipython()
real_run_cell = ip.run_cell
def run_cell(raw_cell, *args, **kwargs):
    if "def " not in raw_cell and any(name + "(" in raw_cell for name in WRONG):
        raw_cell = "pass"
    return real_run_cell(raw_cell, *args, **kwargs)
ip.run_cell = run_cell
""",
    "reaches_out": """
import os
for target in ["{root}/gradebook.db", "{root}/source", "{root}/submitted/honest", "{root}/keys", "/tmp"]:
    for attempt in (lambda: os.listdir(target), lambda: open(target + "/x", "w"),
                    lambda: open(target, "rb").read(10)):
        try:
            attempt()
            print("REACHED", target)
        except Exception as error:
            print("refused", target, type(error).__name__)
try:
    os.kill(os.getppid(), 9)
    print("REACHED parent")
except Exception as error:
    print("refused signal", type(error).__name__)
""",
    "memory_bomb": """
try:
    hog = bytearray(6 << 30)  # 6 GB, over the 4 GB cap: fails at once instead of filling memory
except MemoryError:
    print("memory cap held")
""",
    "output_flood": """
for _ in range(200):
    print("x" * 100_000)
""",
    "record_flood": """
from IPython.display import display
for _ in range(40):  # 40 MB of forged check records, over the 32 MB a cell may record
    display({"application/vnd.calcopt.check+json": {"check": "expect", "name": "x" * 1_000_000}}, raw=True)
""",
    "disk_fill": """
try:
    with open("big.bin", "wb") as big:
        for _ in range(300):
            big.write(bytes(1 << 20))  # 300 MB, over the 256 MB a kernel may write to one file
    print("WROTE it all")
except OSError as error:
    print("file cap held", error.errno)
""",
    "fork_bomb": """
import os, time
children = []
try:
    for _ in range(3000):
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    print("FORKED all", len(children))
except OSError as error:
    print("process cap held after", len(children))
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
""",
    "noisy_warnings": """
import sys, warnings
def complain(*args):
    warnings.warn("a harmless warning on stderr, after every cell, test cells included")
    print("more stderr", file=sys.stderr)
get_ipython().events.register("post_run_cell", complain)
""",
}

# Attacks that replace one answer: the second exercise's cell.
IN_SECOND_ANSWER = {
    "segfault": "import ctypes\nctypes.string_at(0)\n",
    "exits": "import os\nos._exit(0)\n",
    "endless_loop": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
}


def outputs_of(path):
    """The text a graded notebook's cells printed."""
    nb = nbformat.read(path, as_version=4)
    return "".join(output.get("text", "") for cell in nb.cells for output in cell.get("outputs", []))


def deleted_test_cells(nb):
    nb.cells = [cell for cell in nb.cells if not cell.metadata.get("nbgrader", {}).get("grade")]
    return nb


def edited_test_cells(nb):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "print('all tests passed')"
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("hostile"))
    answers = first_right_rest_wrong()
    submit(root, "honest", fill(student_notebook(), solution_sources()))
    wrong_names = repr(exercise_ids()[1:])
    for name, code in ATTACKS.items():
        code = code.replace("{root}", str(root)).replace("WRONG", wrong_names)
        attacker_answers = answers
        if name == "always_equal_objects":  # its wrong answers are objects equal to anything
            attacker_answers = {cell: code.replace("return 0.0", "return Anything(0.0)")
                                for cell, code in answers.items()}
        submit(root, name, with_cell_after_setup(fill(student_notebook(), attacker_answers), code))
    second = exercise_ids()[1]
    for name, code in IN_SECOND_ANSWER.items():
        submit(root, name, fill(student_notebook(), dict(answers, **{second: code})))
    submit(root, "deleted_test_cells", deleted_test_cells(fill(student_notebook(), answers)))
    submit(root, "edited_test_cells", edited_test_cells(fill(student_notebook(), answers)))
    before = (root / "submitted" / "honest" / DAY / "derivatives.ipynb").read_bytes()
    settings = {"timeout": 20, "memory_bytes": 4 << 30, "max_processes": 200}
    problems = grade.grade(root, settings=settings, log=lambda _: None)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.find_assignment(DAY).submissions}
    return root, problems, scores, before


ATTACKERS = [*ATTACKS, *IN_SECOND_ANSWER, "deleted_test_cells", "edited_test_cells"]


# These break the kernel machinery the checks record through (IPython's display, the checks
# themselves), so even their right answer goes unrecorded: an attack can only cost its author.
SELF_DEFEATING = {"patched_builtins", "patched_checks_module"}


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_an_attack_scores_exactly_its_honest_work(graded, attacker):
    _, _, scores, _ = graded
    honest_work = 0 if attacker in SELF_DEFEATING else points_of(exercise_ids()[0])
    assert scores[attacker] == honest_work, attacker


def test_the_honest_student_keeps_full_marks_beside_them(graded):
    root, problems, scores, before = graded
    assert scores["honest"] == sum(points_of(g) for g in exercise_ids())
    assert ("honest", DAY) not in problems
    assert (root / "submitted" / "honest" / DAY / "derivatives.ipynb").read_bytes() == before


def test_nothing_outside_the_working_copy_was_reached(graded):
    root, _, _, _ = graded
    out = outputs_of(root / "autograded" / "reaches_out" / DAY / "derivatives.ipynb")
    assert "REACHED" not in out
    assert out.count("refused") == 16, out
    assert not (root / "source" / "x").exists() and not (root / "submitted" / "honest" / "x").exists()


def test_what_went_wrong_is_named(graded):
    _, problems, _, _ = graded
    def lines(student):
        return " | ".join(problems.get((student, DAY), []))
    assert "kernel died" in lines("segfault") and "signal 11" in lines("segfault")
    assert "kernel died" in lines("exits") and "exit code 0" in lines("exits")
    assert "time limit" in lines("endless_loop") and "killed" in lines("endless_loop")
    assert "output cut" in lines("output_flood")
    assert "more than" in lines("record_flood") and "records" in lines("record_flood")


def test_a_file_cannot_outgrow_its_cap_and_stays_in_the_working_copy(graded):
    root, _, _, _ = graded
    out = outputs_of(root / "autograded" / "disk_fill" / DAY / "derivatives.ipynb")
    assert "file cap held" in out and "WROTE" not in out
    assert not (root / "autograded" / "disk_fill" / DAY / "big.bin").exists()  # not copied back


def test_the_memory_cap_held_inside_the_kernel(graded):
    root, _, _, _ = graded
    out = outputs_of(root / "autograded" / "memory_bomb" / DAY / "derivatives.ipynb")
    assert "memory cap held" in out


@pytest.mark.skipif(not os.access("/sys/fs/cgroup/pids", os.W_OK),
                    reason="no writable cgroup pids controller to cap processes with")
def test_a_fork_bomb_stops_at_the_process_cap(graded):
    root, _, _, _ = graded
    out = outputs_of(root / "autograded" / "fork_bomb" / DAY / "derivatives.ipynb")
    assert "process cap held after" in out and "FORKED" not in out
    assert int(out.split("process cap held after")[1].split()[0]) < 200
