"""A grading kernel's confinement, cell by cell: its own process tree, no capabilities, no
sight of the grader's processes, a time budget per submission, a deterministic stop at the
memory cap, and output updates that cannot multiply past the output cap."""
import json
import os
import subprocess
import time

import pytest

from calcopt.instructor import sandbox
from test_zygote import errors, run, stdout

pytestmark = pytest.mark.slow

CANARY = "calcopt-canary-4f1c"  # in the grader's environment; must never reach a kernel


def test_the_kernel_is_process_1_of_its_own_tree_and_its_daemons_end_with_it(tmp_path):
    marker = f"{time.time_ns() % 10**6}.5"
    nb = run(tmp_path, "import os\nprint(os.getpid(), sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))",
             "import os, time\n"
             "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
             f"        os.execv('/bin/sleep', ['sleep', '{marker}'])\n    os._exit(0)\n"
             "time.sleep(0.5)\nprint('daemon started')")
    assert stdout(nb.cells[0]) == "1 [1]\n", "the kernel sees processes that are not its own"
    assert stdout(nb.cells[1]) == "daemon started\n"
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout
    assert left == "", f"a process the kernel started outlived it: {left}"


def test_the_kernel_has_no_capability_and_cannot_reach_the_graders_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("CALCOPT_TEST_CANARY", CANARY)
    probe = f"""
import os, resource
found = []
for pid in [p for p in os.listdir('/proc') if p.isdigit()] + [str(os.getppid()), '{os.getpid()}']:
    for name in ('environ', 'cmdline'):
        try:
            if b'{CANARY}' in open(f'/proc/{{pid}}/{{name}}', 'rb').read():
                found.append((pid, name))
        except OSError:
            pass
print('canary', found)
for attempt, call in [
        ('realtime', lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))),
        ('raise limit', lambda: resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)),
        ('renice grader', lambda: os.setpriority(os.PRIO_PROCESS, {os.getpid()}, 19)),
        ('signal grader', lambda: os.kill({os.getpid()}, 0))]:
    try:
        call()
        print('REACHED', attempt)
    except (OSError, ValueError) as error:
        print('refused', attempt)
print('capabilities', open('/proc/self/status').read().split('CapEff:')[1].split()[0])
"""
    nb = run(tmp_path, probe)
    out = stdout(nb.cells[0])
    assert "canary []" in out and "REACHED" not in out, out
    assert out.count("refused") == 4 and "capabilities 0000000000000000" in out, out


def test_a_submission_stops_when_its_time_budget_is_spent(tmp_path):
    incidents = tmp_path / "incidents.jsonl"
    nb = run(tmp_path / "work", "print('first')", *["import time\ntime.sleep(1.8)"] * 4, "print('last')",
             timeout=2, submission_budget=5, incident_file=str(incidents))
    assert stdout(nb.cells[0]) == "first\n"
    assert errors(nb.cells[-1]) and "TimeBudgetSpent" in errors(nb.cells[-1])[0]
    assert stdout(nb.cells[-1]) == ""
    assert "the submission's 5 s are spent" in incidents.read_text()


MEMORY_BOMB = """
import numpy as np
keep = []
try:
    while True:
        keep.append(np.empty(64 << 20, dtype=np.uint8))  # address space, never touched
except MemoryError:
    print('caught it, carrying on with', len(keep), 'blocks')
"""


def test_a_memory_bomb_stops_the_kernel_in_its_own_cell_every_time(tmp_path):
    outcomes = []
    for attempt in range(2):
        incidents = tmp_path / f"incidents{attempt}.jsonl"
        nb = run(tmp_path / str(attempt), "print('before')", MEMORY_BOMB, "print('after')",
                 memory_bytes=3 << 30, incident_file=str(incidents))
        outcomes.append([(stdout(c) if i != 1 else "", [e.split(":")[0] for e in errors(c)])
                         for i, c in enumerate(nb.cells)])
        assert "reached" in errors(nb.cells[1])[0] and "cap" in errors(nb.cells[1])[0]
        assert "kernel died" in incidents.read_text()
    assert outcomes[0] == outcomes[1] == [("before\n", []), ("", ["DeadKernelError"]), ("", [])]


def test_updating_a_display_many_times_over_cannot_pass_the_output_cap(tmp_path):
    nb = run(tmp_path, "from IPython.display import display\n"
             "handles = [display('x', display_id='same') for _ in range(50)]\n"
             "display('y' * 100_000, display_id='same', update=True)",
             max_output_bytes=1 << 20)
    size = len(json.dumps(nb))
    assert size < 2 << 20, f"the notebook grew to {size} bytes"
    assert "output cut" in "".join(stdout(c) for c in nb.cells)


def test_peak_address_space_is_read_from_the_kernel_behind_its_stand_in():
    assert sandbox.peak_address_space(os.getpid()) > 0
    assert sandbox.peak_address_space(2**22 + 7) is None
