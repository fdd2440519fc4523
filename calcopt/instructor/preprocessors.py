"""nbgrader preprocessors of the course, added to nbgrader's own in ``nbgrader_config.py``.

Autograde runs them in this order: ``GradingExecute`` (nbgrader's Execute, confined and
robust), ``VerifyOutsideKernel`` (the checks judged against the answer key),
``WarningsAreNotFailures``, then nbgrader's own (``SaveAutoGrades`` stores the points).
"""
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from . import sandbox, verify
from ..checks import RECORD_MIME

# What a kernel inherits from the grader's environment; nothing else (no credentials).
INHERITED_ENV = ("PATH", "LANG", "LC_ALL", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS",
                 "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class WarningsAreNotFailures(NbGraderPreprocessor):
    """nbgrader gives a grade cell no points if it printed anything to stderr, so a correct
    answer that triggers a harmless warning would fail. Relabel stderr in grade cells as
    stdout: the text stays in the feedback, and only a raised error fails the test.
    Runs after Execute and before SaveAutoGrades."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources


class VerifyOutsideKernel(NbGraderPreprocessor):
    """Judge every grade cell by its check records against the notebook's answer key,
    ``<key_dir>/<notebook>.json`` (see ``calcopt.instructor.verify``); a cell that does not
    match gets an error output. Without a key directory it does nothing."""

    key_dir = Unicode("", help="folder of the answer keys, one JSON file per notebook").tag(config=True)

    def preprocess(self, nb, resources):
        if self.key_dir:
            key_file = Path(self.key_dir) / f"{resources['unique_key']}.json"
            verify.apply_key(nb, verify.load_key(key_file))
        return nb, resources


class GradingExecute(Execute):
    """nbgrader's Execute, made safe for code nobody has read.

    - the kernel is confined by ``calcopt.instructor.sandbox`` (memory, files, network) and
      gets a minimal environment, its connection file and caches in its working copy;
    - a kernel that dies (``os._exit``, a segfault, a kill) ends the run, not the grading: the
      cells that ran keep their outputs and so their points; the cells after it get none;
    - a cell over the time limit is interrupted; a kernel that ignores the interrupt is killed;
    - a cell's output beyond ``max_output_bytes`` is cut, with a note.
    What happened is appended, one JSON line per event, to ``incident_file``.
    """

    confine = Bool(True, help="run the kernel under calcopt.instructor.sandbox").tag(config=True)
    memory_bytes = Integer(4 << 30, help="address-space cap of the kernel").tag(config=True)
    max_processes = Integer(1024, help="processes and threads of the kernel and its children").tag(config=True)
    max_output_bytes = Integer(1 << 20, help="output kept per cell").tag(config=True)
    max_record_bytes = Integer(32 << 20, help="check records kept per cell").tag(config=True)
    interrupt_grace = Integer(5, help="seconds a kernel has to stop after an interrupt").tag(config=True)
    incident_file = Unicode("", help="JSON lines of what went wrong while executing").tag(config=True)
    fork_kernels = Bool(True, help="fork confined kernels from a process that has imported the "
                        "course's libraries (calcopt.instructor.zygote)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        for attempt in range(2):
            self._output_bytes, self._cut = {}, set()
            self._cell_index, self._killed = None, None
            try:
                return super().preprocess(nb, resources, km)
            except RuntimeError as error:  # DeadKernelError is one
                if self._cell_index is None and attempt == 0:
                    # No submitted code has run yet: a failed start is the machine's fault.
                    self._incident("kernel start", None, f"{error}; started again")
                    continue
                if not isinstance(error, DeadKernelError):
                    raise
                return self._after_death(nb)

    def _after_death(self, nb):
        index = self._cell_index
        cause = self._death_cause()
        self._incident("kernel died", index, cause)
        if index is not None:
            nb.cells[index].setdefault("outputs", []).append(nbformat.v4.new_output(
                "error", ename="DeadKernelError", evalue=cause,
                traceback=[f"DeadKernelError: the kernel died while running this cell ({cause})"]))
        return nb, self.resources

    def preprocess_cell(self, cell, resources, index):
        self._cell_index = index
        return super().preprocess_cell(cell, resources, index)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if self.confine:
            workdir = Path(self.resources["metadata"]["path"]).resolve()
            env = sandbox.kernel_environment(workdir)
            km.connection_file = str(workdir / ".kernel" / "connection.json")
            policy = sandbox.default_policy(workdir, memory_bytes=self.memory_bytes,
                                            max_processes=self.max_processes)
            # The calcopt-zygote provisioner (an entry point of jupyter_client) runs this
            # command in a fork of a process that has imported the course's libraries.
            provisioner = {"kernel_provisioner": {"provisioner_name": "calcopt-zygote"}}
            km._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "calcopt.instructor.sandbox", json.dumps(policy),
                      "-f", "{connection_file}"],
                display_name="Python 3 (grading)", language="python", env=env,
                metadata=provisioner if self.fork_kernels else {})
        self._last_km = km  # nbclient drops self.km before a DeadKernelError reaches preprocess
        return km

    async def async_start_new_kernel(self, **kwargs):
        env = {name: os.environ[name] for name in INHERITED_ENV if name in os.environ}
        env.update(CALCOPT_RECORD="1", NBGRADER_EXECUTION="autograde", PYTHONNOUSERSITE="1")
        kwargs.setdefault("env", env)
        await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)  # the base class binds its own

    async def _async_handle_timeout(self, timeout, cell=None):
        reply = await super()._async_handle_timeout(timeout, cell)
        self._incident("time limit", self._cell_index, f"no reply within {timeout} s; interrupted")
        if not await self._answers_after_interrupt():
            self._incident("time limit", self._cell_index, "the kernel ignored the interrupt; killed")
            await self.km._async_kill_kernel()
            # Its end of the cell will never come (nbclient would wait for it, then raise).
            self._killed = f"Kernel killed: no reply within {timeout} s, and the interrupt was ignored"
            raise DeadKernelError(self._killed)
        return reply

    async def _answers_after_interrupt(self):
        """Whether the kernel answers a kernel_info request within ``interrupt_grace`` s."""
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + self.interrupt_grace
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic())))
            except Exception:  # queue.Empty, or the channel closed
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        is_record = (msg["msg_type"] == "display_data"
                     and set(content.get("data", {})) <= {RECORD_MIME, "text/plain"})
        # Check records are needed whole, so they have a budget of their own, far above what
        # a test records; past either budget the cell's output is cut (and its test fails).
        kind, limit = ("records", self.max_record_bytes) if is_record else ("output", self.max_output_bytes)
        total = self._output_bytes.get((cell_index, kind), 0) + len(json.dumps(content, default=str))
        self._output_bytes[(cell_index, kind)] = total
        if total <= limit:
            return super().output(outs, msg, display_id, cell_index)
        if (cell_index, kind) not in self._cut:
            self._cut.add((cell_index, kind))
            self._incident("output cut", cell_index, f"more than {limit} bytes of {kind}")
            outs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=f"\n[{kind} cut: this cell wrote more than {limit} bytes]\n"))
        return None

    def _death_cause(self):
        if self._killed:
            return self._killed
        km = self.km or getattr(self, "_last_km", None)
        process = getattr(getattr(km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return "Kernel died"
        if code < 0:
            return f"Kernel died: killed by signal {-code}"
        return f"Kernel died: exit code {code}"

    def _incident(self, kind, cell_index, detail):
        if not self.incident_file:
            return
        cell = self.nb.cells[cell_index] if cell_index is not None else {}
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") if cell else None
        with open(self.incident_file, "a") as file:
            file.write(json.dumps({"kind": kind, "cell": cell_index, "grade_id": grade_id,
                                   "detail": detail}) + "\n")
