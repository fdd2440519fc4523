"""Hostile submissions, graded by `make grade` beside an honest one.

Each attacker answers the first exercise right and every other one wrong (a function that
returns 0.0), then tries to win the other points, to hurt the grader or to reach what it must
not. Every one must score exactly the first exercise's points: no more (the attack failed),
no less (its honest work still counts); the honest student keeps full marks; what went wrong
is named. Stock nbgrader gives several of these full marks."""
import csv
import os
import subprocess

import nbformat
import pytest
from nbgrader.api import Gradebook

from calcopt.instructor import grade
from conftest import scratch_course_root
from submissions import (DAY, NOTEBOOK, exercise_ids, fill, first_right_rest_wrong, points_of,
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
    parent = os.getppid()
    if parent == 0:  # out of sight: the kernel is process 1 of a process tree of its own
        raise ProcessLookupError("no parent in sight")
    os.kill(parent, 9)
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
    "symlink_swap": """
import os
targets = {"derivatives.ipynb": "{root}/submitted/honest/day01_derivatives/derivatives.ipynb",
           "gradebook.db": "{root}/gradebook.db", "keys": "{root}/keys", "nbgrader_config.py": "{root}/nbgrader_config.py"}
for here in (os.getcwd(), os.path.dirname(os.getcwd())):
    for name, target in targets.items():
        path = os.path.join(here, name)
        try:
            os.remove(path)
        except OSError:
            pass
        try:
            os.symlink(target, path)
            print("linked", path)
        except OSError as error:
            print("refused link", path, type(error).__name__)
""",
    "daemon": """
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{daemon}"])
    os._exit(0)
""",
    "reads_other_processes": """
import os
found = []
pids = [p for p in os.listdir("/proc") if p.isdigit()] + [str(os.getppid())]
for pid in pids:
    for name in ("environ", "cmdline"):
        try:
            text = open(f"/proc/{pid}/{name}", "rb").read()
        except OSError:
            continue
        if b"{canary}" in text or b"db_url" in text:
            found.append((pid, name))
print("FOUND" if found else "nothing found", found, "among", len(pids), "processes")
""",
    "privileges": """
import os, resource
for attempt, call in [
        ("realtime", lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))),
        ("raise limit", lambda: resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)),
        ("renice classmates", lambda: [os.setpriority(os.PRIO_PROCESS, pid, 19) for pid in range(2, 400)]),
        ("change owner", lambda: os.chown(".", 1234, 1234))]:
    try:
        call()
        print("REACHED", attempt)
    except (OSError, ValueError):
        print("refused", attempt)
print("capabilities", open("/proc/self/status").read().split("CapEff:")[1].split()[0])
""",
    "script_outputs": """
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML("<script>window.CALCOPT_PWNED = 1</script><img src=x onerror='window.CALCOPT_PWNED = 2'>"))
display(Javascript("window.CALCOPT_PWNED = 3"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg' onload='window.CALCOPT_PWNED = 4'></svg>"))
display(Markdown("<script>window.CALCOPT_PWNED = 5</script>"))
""",
    "display_update_flood": """
from IPython.display import display
handles = [display("x", display_id="same") for _ in range(100)]
display("y" * 1_000_000, display_id="same", update=True)  # would write 100 MB into the notebook
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
    # Address space, never touched: it fills the cap at no cost in memory, then carries on.
    "memory_creep": ("import numpy as np\nkeep = []\ntry:\n    while True:\n"
                     "        keep.append(np.empty(64 << 20, dtype=np.uint8))\nexcept MemoryError:\n    pass\n"),
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


DAEMON = f"{os.getpid()}.25"  # the seconds a daemon would sleep: its mark among processes
CANARY = f"calcopt-canary-{os.getpid()}"  # in the grader's environment


def submit_through_links(root):
    """Folders and notebooks that are symbolic links: to a classmate's, to the instructor's."""
    honest = root / "submitted" / "honest"
    (root / "submitted" / "linked_student").symlink_to(honest)
    for student, target in [("linked_notebook", honest / DAY / NOTEBOOK),
                            ("linked_outside", root / "nbgrader_config.py")]:
        (root / "submitted" / student / DAY).mkdir(parents=True)
        (root / "submitted" / student / DAY / NOTEBOOK).symlink_to(target)
    with open(submit(root, "huge_file", text=b"{"), "r+b") as huge:
        huge.truncate(400 << 20)  # 400 MB, sparse: refused before it is read
    submit(root, FORGED_NAME, fill(student_notebook(), solution_sources()))


FORGED_NAME = "mallory,day01_derivatives,14.0\nbob"
MARKDOWN_SCRIPT = "<script>window.CALCOPT_PWNED = 6</script><img src=y onerror='window.CALCOPT_PWNED = 7'>"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("hostile"))
    answers = first_right_rest_wrong()
    submit(root, "honest", fill(student_notebook(), solution_sources()))
    submit_through_links(root)
    wrong_names = repr(exercise_ids()[1:])
    for name, code in ATTACKS.items():
        code = (code.replace("{root}", str(root)).replace("WRONG", wrong_names)
                .replace("{daemon}", DAEMON).replace("{canary}", CANARY))
        attacker_answers = answers
        if name == "always_equal_objects":  # its wrong answers are objects equal to anything
            attacker_answers = {cell: code.replace("return 0.0", "return Anything(0.0)")
                                for cell, code in answers.items()}
        nb = with_cell_after_setup(fill(student_notebook(), attacker_answers), code)
        if name == "script_outputs":  # and in a Markdown cell of its own
            nb.cells.insert(3, nbformat.v4.new_markdown_cell(MARKDOWN_SCRIPT))
        submit(root, name, nb)
    second = exercise_ids()[1]
    for name, code in IN_SECOND_ANSWER.items():
        submit(root, name, fill(student_notebook(), dict(answers, **{second: code})))
    submit(root, "deleted_test_cells", deleted_test_cells(fill(student_notebook(), answers)))
    submit(root, "edited_test_cells", edited_test_cells(fill(student_notebook(), answers)))
    before = (root / "submitted" / "honest" / DAY / "derivatives.ipynb").read_bytes()
    settings = {"timeout": 20, "memory_bytes": 4 << 30, "max_processes": 100}
    os.environ["CALCOPT_TEST_CANARY"] = CANARY
    try:
        problems = grade.grade(root, settings=settings, log=lambda _: None)
    finally:
        del os.environ["CALCOPT_TEST_CANARY"]
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
    assert int(out.split("process cap held after")[1].split()[0]) < 100


def test_links_left_by_a_kernel_are_never_followed(graded):
    root, _, scores, before = graded
    out = outputs_of(root / "autograded" / "symlink_swap" / DAY / NOTEBOOK)
    assert "linked" in out  # in its own folder it may do as it likes...
    assert (root / "submitted" / "honest" / DAY / NOTEBOOK).read_bytes() == before  # ...nothing more
    assert not (root / "autograded" / "symlink_swap" / DAY / NOTEBOOK).is_symlink()
    assert not any(path.is_symlink() for path in (root / "autograded").rglob("*"))
    assert scores["honest"] == sum(points_of(g) for g in exercise_ids())


def test_links_in_the_submitted_folder_are_named_and_never_followed(graded):
    root, problems, scores, _ = graded
    lines = " | ".join(line for found in problems.values() for line in found)
    assert f"{root / 'submitted' / 'linked_student'}: a symbolic link, not followed" in lines
    for student in ("linked_notebook", "linked_outside"):
        assert f"{student}/{DAY}/{NOTEBOOK}: a symbolic link, not followed" in lines
        assert scores[student] == 0
    assert "linked_student" not in scores
    report = (root / "report" / "report.md").read_text()
    assert "course_config" not in report and "get_config" not in report  # nothing of the file linked to


def test_an_oversized_file_is_refused_unread_and_a_forged_name_grades_nobody(graded):
    root, problems, scores, _ = graded
    [line] = problems[("huge_file", DAY)]
    assert "400 MB, over the 100 MB a notebook may have; scored 0" in line
    assert scores["huge_file"] == 0
    lines = " | ".join(line for found in problems.values() for line in found)
    assert "not a safe student name" in lines and "\\nbob" in lines
    with open(root / "grades.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert all(row["student_id"] in scores for row in rows)
    assert not any("mallory" in row["student_id"] or "bob" in row["student_id"] for row in rows)


def test_no_process_a_kernel_started_outlives_it(graded):
    left = subprocess.run(["pgrep", "-f", f"sleep {DAEMON}"], capture_output=True, text=True).stdout
    assert left == "", f"a daemon of a graded kernel is still running: {left}"


def test_a_kernel_sees_no_other_process_and_has_no_privilege(graded):
    root, _, _, _ = graded
    out = outputs_of(root / "autograded" / "reads_other_processes" / DAY / NOTEBOOK)
    assert "nothing found [] among" in out and "FOUND" not in out, out
    out = outputs_of(root / "autograded" / "privileges" / DAY / NOTEBOOK)
    assert "REACHED" not in out and out.count("refused") == 4, out
    assert "capabilities 0000000000000000" in out


def test_what_students_and_instructors_open_runs_no_script_of_a_submission(graded):
    root, _, _, _ = graded
    graded_nb = nbformat.read(root / "autograded" / "script_outputs" / DAY / NOTEBOOK, as_version=4)
    outputs = str([cell.get("outputs", []) for cell in graded_nb.cells])
    assert "CALCOPT_PWNED" not in outputs  # only the text/plain form of each display is kept
    feedback = (root / "feedback" / "script_outputs" / DAY / "derivatives.html").read_text()
    for tag in ("<script>window.CALCOPT_PWNED", "<img src=x onerror", "<img src=y onerror",
                "<svg xmlns='http://www.w3.org/2000/svg' onload"):
        assert tag not in feedback, tag


def test_display_updates_cannot_pass_the_output_cap(graded):
    root, problems, _, _ = graded
    path = root / "autograded" / "display_update_flood" / DAY / NOTEBOOK
    assert path.stat().st_size < 3 << 20, f"{path.stat().st_size} bytes"
    assert any("output cut" in line for line in problems[("display_update_flood", DAY)])


def test_feedback_shows_no_hidden_test(graded):
    root, _, _, _ = graded
    for student in ("honest", "patched_numpy"):
        html = (root / "feedback" / student / DAY / "derivatives.html").read_text()
        assert "hidden tests: not shown" in html
        assert "BEGIN HIDDEN TESTS" not in html and "hidden_rng(" not in html and "expect(" not in html


def test_a_memory_bomb_is_stopped_where_it_went_off(graded):
    _, problems, _, _ = graded
    lines = " | ".join(problems[("memory_creep", DAY)])
    assert "kernel died" in lines and "cap in this cell" in lines
