"""nbgrader preprocessors of the course, added to nbgrader's own in ``nbgrader_config.py``.

Autograde runs them in this order: ``GradingExecute`` (nbgrader's Execute, confined and
robust), ``VerifyOutsideKernel`` (the checks judged against the answer key),
``WarningsAreNotFailures``, then nbgrader's own (``SaveAutoGrades`` stores the points).
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbconvert.filters.strings import clean_html
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from . import sandbox, verify
from ..checks import HIDDEN_SEED_VARIABLE, RECORD_MIME

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


# Output types that show as data, never run: what a submission may put before the instructor.
SAFE_MIME_TYPES = {"text/plain", "image/png", "image/jpeg", "image/gif",
                   "application/vnd.jupyter.widget-view+json", RECORD_MIME}


class SafeOutputs(NbGraderPreprocessor):
    """What a submission may put before the instructor (formgrader) and back before the
    student (feedback), made inert: every output type that a browser would interpret (HTML,
    JavaScript, SVG, Markdown, LaTeX ...) is dropped, keeping its text/plain form, and the
    HTML inside Markdown cells is cleaned (nbgrader's page templates render it raw), so that
    ``display(HTML("<script>..."))`` or a ``<script>`` in a Markdown cell runs nowhere."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and "<" in cell.source:
            cell.source = clean_html(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data:
                for mime in [m for m in data if m not in SAFE_MIME_TYPES]:
                    del data[mime]
                if not data:
                    data["text/plain"] = "[output not shown: only text and images are kept]"
        return cell, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback for students: the hidden tests' code is replaced by a line saying it is
    hidden, a hidden test's failure says which check failed but not its inputs or values,
    and an error in a test cell shows its last line, not the code around it."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        cell.source = re.sub(r"(?s)### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS",
                             "# (hidden tests: not shown)", cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            evalue = str(output.get("evalue", ""))
            if verify.HIDDEN in evalue:
                evalue = evalue.split(":", 1)[0] if evalue.startswith(verify.HIDDEN) else evalue
                output["evalue"] = evalue
            output["traceback"] = [f"{output.get('ename', 'Error')}: {evalue}"]
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
    - the whole submission has a time budget (``submission_budget``): once it is spent, the
      cells left are not run, and score nothing;
    - a kernel whose address space came within ``memory_margin`` of its cap during a cell is
      stopped there, that cell and the ones after scoring nothing: what a memory bomb leaves
      behind would otherwise fail a random later allocation, and two runs could differ;
    - a cell's output beyond ``max_output_bytes`` is cut, with a note; updates of an earlier
      display count against the budget of every cell they change; widget state is not kept.
    What happened is appended, one JSON line per event, to ``incident_file``.
    """

    store_widget_state = False  # a kernel could fill the notebook's metadata through comms

    confine = Bool(True, help="run the kernel under calcopt.instructor.sandbox").tag(config=True)
    memory_bytes = Integer(4 << 30, help="address-space cap of the kernel").tag(config=True)
    max_processes = Integer(1024, help="processes and threads of the kernel and its children").tag(config=True)
    max_output_bytes = Integer(1 << 20, help="output kept per cell").tag(config=True)
    max_record_bytes = Integer(32 << 20, help="check records kept per cell").tag(config=True)
    interrupt_grace = Integer(5, help="seconds a kernel has to stop after an interrupt").tag(config=True)
    incident_file = Unicode("", help="JSON lines of what went wrong while executing").tag(config=True)
    hidden_seed = Unicode("", help="the course's secret seed of the hidden tests' inputs").tag(config=True)
    submission_budget = Integer(600, help="seconds all the cells of a submission may take").tag(config=True)
    memory_margin = Integer(256 << 20, help="a kernel this close to its memory cap is stopped").tag(config=True)
    fork_kernels = Bool(True, help="fork confined kernels from a process that has imported the "
                        "course's libraries (calcopt.instructor.zygote)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        # The kernel works in a folder of its own, where the grader never writes, so that
        # nothing it leaves there (a symbolic link in place of a notebook) is ever followed.
        resources = resources if resources is not None else {}
        # Its connection file sits beside that folder, out of its reach.
        graded_in = resources.setdefault("metadata", {}).get("path")
        self._kernel_base = Path(tempfile.mkdtemp(prefix="calcopt-kernel-"))
        (self._kernel_base / "work").mkdir()
        resources["metadata"]["path"] = str(self._kernel_base / "work")
        try:
            return self._execute(nb, resources, km)
        finally:
            resources["metadata"]["path"] = graded_in
            shutil.rmtree(self._kernel_base, ignore_errors=True)  # never follows links

    def _execute(self, nb, resources, km):
        for attempt in range(2):
            self._output_bytes, self._cut = {}, set()
            self._cell_index, self._killed = None, None
            self._deadline, self._budget_spent = time.monotonic() + self.submission_budget, False
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
        if cell.cell_type == "code" and self._deadline - time.monotonic() <= 0:
            return self._not_run(cell, index), resources
        result = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code":
            self._stop_near_memory_cap()
        return result

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        left = max(1, int(self._deadline - time.monotonic() + 0.999))
        return left if timeout is None else min(timeout, left)

    def _not_run(self, cell, index):
        if not self._budget_spent:
            self._budget_spent = True
            self._incident("time budget", index, f"the submission's {self.submission_budget} s "
                           "are spent; this cell and the ones after it were not run")
        cell.outputs = [nbformat.v4.new_output(
            "error", ename="TimeBudgetSpent", evalue=f"not run: the {self.submission_budget} s "
            "this submission may take are spent", traceback=[])]
        return cell

    def _stop_near_memory_cap(self):
        if not self.confine:
            return
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        peak = sandbox.peak_address_space(process.pid) if process is not None else None
        if peak is not None and peak >= self.memory_bytes - self.memory_margin:
            self._killed = (f"Kernel stopped: its address space reached {peak / 2**30:.2f} GB of the "
                            f"{self.memory_bytes / 2**30:.2f} GB cap in this cell")
            process.kill()
            raise DeadKernelError(self._killed)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if self.confine:
            workdir = Path(self.resources["metadata"]["path"]).resolve()
            env = sandbox.kernel_environment(workdir)
            km.connection_file = str(workdir.parent / "connection.json")
            policy = sandbox.default_policy(workdir, memory_bytes=self.memory_bytes,
                                            max_processes=self.max_processes,
                                            readable=[km.connection_file])
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
        if self.hidden_seed:
            env[HIDDEN_SEED_VARIABLE] = self.hidden_seed
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
        kind = "records" if is_record else "output"
        if self._charge(cell_index, kind, len(json.dumps(content, default=str))):
            return super().output(outs, msg, display_id, cell_index)
        return None

    def _update_display_id(self, display_id, msg):
        """An update rewrites every output shown under its id, in any cell: each copy counts
        against its own cell's budget, so one small update cannot multiply into gigabytes."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        targets = self._display_id_map.get(display_id, {})
        if all(self._charge(cell_index, "output", size * len(indices))
               for cell_index, indices in targets.items()):
            super()._update_display_id(display_id, msg)

    def _charge(self, cell_index, kind, size):
        """Count ``size`` bytes of ``kind`` against the cell; False (and a note) past its budget."""
        limit = self.max_record_bytes if kind == "records" else self.max_output_bytes
        total = self._output_bytes.get((cell_index, kind), 0) + size
        self._output_bytes[(cell_index, kind)] = total
        if total <= limit:
            return True
        if (cell_index, kind) not in self._cut:
            self._cut.add((cell_index, kind))
            self._incident("output cut", cell_index, f"more than {limit} bytes of {kind}")
            self.nb.cells[cell_index].setdefault("outputs", []).append(nbformat.v4.new_output(
                "stream", name="stdout", text=f"\n[{kind} cut: this cell wrote more than {limit} bytes]\n"))
        return False

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
