"""Grading kernels forked by the zygote (``calcopt.instructor.zygote``) behave as kernels
started afresh: PyTorch and TensorFlow work in them at once, each one is independent of the
last, a kernel that dies or will not stop is reported as before, and the sandbox still holds."""
import os
import signal
import threading
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from calcopt.instructor import zygote as zygote_module
from calcopt.instructor.config import course_config
from calcopt.instructor.preprocessors import GradingExecute
from conftest import REPO

pytestmark = pytest.mark.slow

ESCAPE = REPO / "zygote-escape.txt"  # must never be written


def run(folder, *cells, **options):
    """Run ``cells`` through GradingExecute in ``folder``; returns the notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    config = Config(course_config(folder))
    for option, value in options.items():
        setattr(config.GradingExecute, option, value)
    GradingExecute(config=config).preprocess(nb, {"metadata": {"path": str(folder)}})
    return nb


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def errors(cell):
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


def parent_of_kernel(folder):
    """The process that forked a notebook's kernel, and whether it is a zygote. (The kernel
    cannot tell: it is process 1 of a process tree of its own, its parent out of sight.)"""
    nb = run(folder, "import os, sys; print(os.getpid(), 'torch' in sys.modules)")
    assert stdout(nb.cells[0]) == "1 True\n", "not a fork of a process that imported torch"
    [zygote] = [z for z in zygote_module._zygotes.values() if z.alive()]
    cmdline = Path(f"/proc/{zygote.pid}/cmdline").read_bytes().split(b"\0")
    return zygote.pid, b"calcopt.instructor.zygote" in cmdline


def seconds(cell):
    timing = cell.metadata["execution"]
    from datetime import datetime

    start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


@pytest.fixture
def zygote(tmp_path_factory):
    """The zygote of this process (started by the first notebook that needs it): its pid."""
    parent, is_zygote = parent_of_kernel(tmp_path_factory.mktemp("zygote"))
    assert is_zygote and parent != os.getpid()
    return parent


def test_torch_and_tensorflow_work_at_once_in_a_forked_kernel(zygote, tmp_path):
    nb = run(tmp_path, "import numpy, torch, tensorflow as tf",
             "x = torch.tensor(3.0, requires_grad=True)\n(x ** 3).backward()\nprint(x.grad.item())",
             "v = tf.Variable(2.0)\nwith tf.GradientTape() as tape:\n    y = v ** 2\n"
             "g = tape.gradient(y, v)\ntf.keras.optimizers.SGD(0.25).apply_gradients([(g, v)])\n"
             "print(float(g), float(v.numpy()))",
             "import os, sys, tempfile\nprint(os.getpid(), sys.path[0] == os.getcwd(), "
             "tempfile.gettempdir().startswith(os.getcwd()))")
    assert [errors(cell) for cell in nb.cells] == [[]] * 4
    assert seconds(nb.cells[0]) < 2.0, "the libraries were imported, not inherited"
    assert stdout(nb.cells[1]) == "27.0\n"
    assert stdout(nb.cells[2]) == "4.0 1.0\n"
    assert stdout(nb.cells[3]) == "1 True True\n"


def test_each_kernel_starts_from_the_zygote_not_from_the_last_kernel(zygote, tmp_path):
    first = run(tmp_path / "a", "import numpy, torch\nnumpy.left_behind = 'by the first kernel'\n"
                "print(numpy.random.rand(), torch.rand(1).item())")
    second = run(tmp_path / "b", "import numpy, torch\nprint(hasattr(numpy, 'left_behind'))\n"
                 "print(numpy.random.rand(), torch.rand(1).item())")
    assert errors(first.cells[0]) == errors(second.cells[0]) == []
    absent, draws = stdout(second.cells[0]).splitlines()
    assert absent == "False"
    assert draws != stdout(first.cells[0]).strip(), "both kernels drew the same random numbers"


def test_a_kernel_that_exits_is_reported_with_its_exit_code(zygote, tmp_path):
    nb = run(tmp_path / "dies", "print('before')", "import os\nos._exit(3)", "print('after')")
    assert stdout(nb.cells[0]) == "before\n"
    assert errors(nb.cells[1]) == ["DeadKernelError: Kernel died: exit code 3"]
    assert nb.cells[2].outputs == []
    assert parent_of_kernel(tmp_path / "next") == (zygote, True)  # the same zygote serves on


def test_a_kernel_that_ignores_the_interrupt_is_stopped(zygote, tmp_path):
    incidents = tmp_path / "incidents.jsonl"
    nb = run(tmp_path / "loop", "print('before')",
             "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
             "print('after')", timeout=3, interrupt_grace=1, incident_file=str(incidents))
    assert stdout(nb.cells[0]) == "before\n"
    assert errors(nb.cells[1]) == ["DeadKernelError: Kernel killed: no reply within 3 s, "
                                   "and the interrupt was ignored"]
    assert nb.cells[2].outputs == []
    assert "the kernel ignored the interrupt; killed" in incidents.read_text()
    assert parent_of_kernel(tmp_path / "next") == (zygote, True)


def test_the_sandbox_holds_in_a_forked_kernel(zygote, tmp_path):
    ESCAPE.unlink(missing_ok=True)
    try:
        nb = run(tmp_path, "open('inside.txt', 'w').write('kept')\nprint(open('inside.txt').read())",
                 f"try:\n    open({str(ESCAPE)!r}, 'w').write('escaped')\n"
                 "except Exception as error:\n    print(type(error).__name__)",
                 f"import os\nprint(os.path.exists({str(tmp_path)!r} + '/inside.txt'))")
        assert errors(nb.cells[0]) == [] and stdout(nb.cells[0]) == "kept\n"
        assert stdout(nb.cells[1]) == "PermissionError\n"
        assert stdout(nb.cells[2]) == "False\n", "the kernel worked where the grader writes"
        assert not ESCAPE.exists() and not (tmp_path / "inside.txt").exists()
    finally:
        ESCAPE.unlink(missing_ok=True)


def test_a_zygote_that_dies_takes_its_kernel_and_is_replaced(zygote, tmp_path):
    threading.Timer(2, os.kill, (zygote, signal.SIGKILL)).start()
    nb = run(tmp_path / "orphan", "import time\ntime.sleep(60)")
    assert errors(nb.cells[0]) == ["DeadKernelError: Kernel died: killed by signal 9"]
    parent, is_zygote = parent_of_kernel(tmp_path / "next")
    assert is_zygote and parent != zygote


def test_kernels_are_started_afresh_when_forking_is_off(tmp_path):
    nb = run(tmp_path, "import os, sys; print(os.getpid(), 'torch' in sys.modules)", fork_kernels=False)
    assert stdout(nb.cells[0]) == "1 False\n"
